"""Inline SVG for the scorecard: the XmR chart, the Making Data Count icons and small glyphs.

Generated as text so the page needs no JavaScript library, no font and no network; every string
that comes from data is escaped. Colours are the NHS identity palette; no meaning is carried by
colour alone (shapes differ, and every chart has a text summary and a data table beside it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from pipelines.scorecard.spc import XmR

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_GREEN = "#007F3B"
NHS_RED = "#D5281B"
NHS_WARM_YELLOW = "#FFB81C"
NHS_BLACK = "#212B32"
NHS_DARK_GREY = "#4C6272"
NHS_MID_GREY = "#768692"
NHS_PALE_GREY = "#E8EDEE"

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def pct(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.{decimals}f}%"


def _n(x: float) -> str:
    """Compact coordinate: one decimal, no trailing zero."""
    text = f"{x:.1f}"
    return text.removesuffix(".0")


@dataclass(frozen=True)
class ChartPoint:
    month: str
    value: float | None
    source_system: str | None


def _nice_range(values: Sequence[float]) -> tuple[float, float, float]:
    lo, hi = min(values), max(values)
    span = max(hi - lo, 0.02)
    lo, hi = max(0.0, lo - span * 0.08), min(1.0, hi + span * 0.08)
    for step in (0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25):
        if (hi - lo) / step <= 6:
            break
    lo = max(0.0, math.floor(lo / step + 1e-9) * step)
    hi = min(1.0, math.ceil(hi / step - 1e-9) * step)
    if hi <= lo:
        hi = min(1.0, lo + step)
        lo = hi - step
    return lo, hi, step


def _spread_labels(items: list[tuple[float, str, str, str]], top: float, bottom: float, gap: float = 16.0):
    """Right-hand labels (y, name, value, class) pushed apart so that none overlap."""
    rank = {"lab-limit-upper": 0, "lab-target": 1, "lab-mean": 2, "lab-limit": 3}
    items = sorted(items, key=lambda item: (round(item[0], 3), rank.get(item[3], 4)))
    placed: list[list] = []
    for y, name, value, cls in items:
        cls = "lab-limit" if cls == "lab-limit-upper" else cls
        y = max(y, top + 4)
        if placed and y - placed[-1][0] < gap:
            y = placed[-1][0] + gap
        placed.append([y, name, value, cls])
    overflow = placed[-1][0] - (bottom + 4) if placed else 0
    if overflow > 0:
        for item in placed:
            item[0] -= overflow
    return placed


def _shape(kind: str, x: float, y: float) -> str:
    if kind == "concern":
        r = 5.5
        return (
            f'<path class="pt-concern" d="M{_n(x)} {_n(y - r)}L{_n(x + r)} {_n(y)}L{_n(x)} {_n(y + r)}'
            f'L{_n(x - r)} {_n(y)}Z"/>'
        )
    if kind == "improvement":
        return f'<circle class="pt-improvement" cx="{_n(x)}" cy="{_n(y)}" r="5"/>'
    return f'<circle class="pt-common" cx="{_n(x)}" cy="{_n(y)}" r="3.5"/>'


def spc_svg(
    chart_id: str,
    title: str,
    summary: str,
    points: Sequence[ChartPoint],
    processes: Sequence[tuple[int, int, XmR]],
    target: float | None,
) -> Markup:
    """The XmR chart as inline SVG (role=img, with <title> and <desc>). processes: (index of its
    first point, of its last, its XmR), one per process; each draws its own mean and limits over its
    own months only, and the labels on the right name the current (last) one's."""
    width, height = 720, 290
    left, right, top, bottom = 66, 118, 28, 44
    pw, ph = width - left - right, height - top - bottom
    n = max(len(points), 1)
    scale_values = [p.value for p in points if p.value is not None]
    for _, _, result in processes:
        scale_values += [v for v in (result.lower, result.upper, result.mean) if v is not None]
    if target is not None:
        scale_values.append(target)
    lo, hi, step = _nice_range(scale_values or [0.0, 1.0])

    def x(i: float) -> float:
        return left + (i + 0.5) * pw / n

    def y(v: float) -> float:
        return top + (hi - min(max(v, lo), hi)) / (hi - lo) * ph

    def hline(cls: str, v: float, first: float = -0.5, last: float = n - 0.5) -> str:
        return f'<line class="{cls}" x1="{_n(x(first))}" x2="{_n(x(last))}" y1="{_n(y(v))}" y2="{_n(y(v))}"/>'

    out = [
        (
            f'<svg class="spc" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{chart_id}-t" focusable="false">'
        ),
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(summary)}</desc>',
    ]
    # grid and y axis
    decimals = 0 if abs(step * 100 - round(step * 100)) < 1e-9 else 1
    ticks = round((hi - lo) / step)
    out.append('<g class="grid">' + "".join(hline("", lo + k * step) for k in range(ticks + 1)) + "</g>")
    out.append('<g class="ylab">')
    for k in range(ticks + 1):
        v = lo + k * step
        out.append(f'<text x="{left - 6}" y="{_n(y(v) + 4)}">{pct(v, decimals)}</text>')
    out.append("</g>")
    # x axis labels: every month while they fit (a narrow screen keeps the quarters), the year under
    # January and the first month
    every = max(1, math.ceil(n / 24))
    out.append('<g class="xlab">')
    for i, p in enumerate(points):
        year, mon = p.month.split("-")
        if i % every == 0:
            minor = "" if int(mon) % 3 == 1 else ' class="minor"'
            out.append(f'<text{minor} x="{_n(x(i))}" y="{top + ph + 15}">{MONTH_ABBR[int(mon) - 1]}</text>')
        if i == 0 or mon == "01":
            out.append(f'<text class="yr" x="{_n(x(i))}" y="{top + ph + 31}">{year}</text>')
    out.append("</g>")
    # system changes (e.g. a go-live) as dotted verticals
    previous = None
    for i, p in enumerate(points):
        if p.source_system and previous and p.source_system != previous:
            xc = (x(i - 1) + x(i)) / 2
            out.append(
                f'<line class="golive" x1="{_n(xc)}" x2="{_n(xc)}" y1="{top}" y2="{top + ph}"/>'
                f'<text class="golive-t" x="{_n(xc)}" y="{top - 8}">{escape(previous)} → '
                f"{escape(p.source_system)}</text>"
            )
        if p.source_system:
            previous = p.source_system
    # each process's mean and limits over its own months; the target across the chart
    labels = []
    for k, (first, last, result) in enumerate(processes):
        current = k == len(processes) - 1
        span = (first - 0.5, last + 0.5)
        if result.has_limits:
            for v, label_class, name in (
                (result.upper, "lab-limit-upper", "Upper limit"),
                (result.lower, "lab-limit", "Lower limit"),
            ):
                if lo <= v <= hi:
                    out.append(hline("limit", v, *span))
                if current:
                    labels.append((y(v), name, pct(v), label_class))
        if result.mean is not None:
            out.append(hline("mean", result.mean, *span))
            if current:
                labels.append((y(result.mean), "Mean", pct(result.mean), "lab-mean"))
    if target is not None:
        out.append(hline("target", target))
        labels.append((y(target), "Target", pct(target, 0), "lab-target"))
    out.append('<g class="rlab">')
    for ly, name, value, cls in _spread_labels(labels, top, top + ph):
        out.append(
            f'<text class="{cls}" x="{left + pw + 6}" y="{_n(ly + 4)}"><tspan class="long">{escape(name)} '
            f"</tspan>{escape(value)}</text>"
        )
    out.append("</g>")
    # the data: line segments between consecutive months with a value, then the points
    segment: list[str] = []
    paths = []
    for i, p in enumerate(points):
        if p.value is None:
            if len(segment) > 1:
                paths.append(segment)
            segment = []
            out.append(f'<text class="nodata" x="{_n(x(i))}" y="{top + ph - 4}">no data</text>')
            continue
        segment.append(f"{_n(x(i))} {_n(y(p.value))}")
    if len(segment) > 1:
        paths.append(segment)
    for seg in paths:
        out.append(f'<path class="series" d="M{"L".join(seg)}"/>')
    signals = [s for _, _, result in processes for s in result.signals]
    k = 0
    for i, p in enumerate(points):
        if p.value is None:
            continue
        signal = signals[k] if k < len(signals) else None
        k += 1
        out.append(_shape(signal.kind if signal else "common", x(i), y(p.value)))
    out.append("</svg>")
    return Markup("".join(out))


def legend_shape(kind: str) -> Markup:
    return Markup(
        f'<svg class="key" viewBox="0 0 14 14" aria-hidden="true" focusable="false">{_shape(kind, 7, 7)}</svg>'
    )


def legend_line(cls: str) -> Markup:
    return Markup(
        f'<svg class="key wide" viewBox="0 0 28 14" aria-hidden="true" focusable="false">'
        f'<line class="{cls}" x1="1" x2="27" y1="7" y2="7"/></svg>'
    )


_ICON_FILL = {
    "improvement": (NHS_BLUE, "#FFFFFF"),
    "concern": (NHS_WARM_YELLOW, NHS_BLACK),
    "common": (NHS_DARK_GREY, "#FFFFFF"),
    "pass": (NHS_BLUE, "#FFFFFF"),
    "fail": (NHS_WARM_YELLOW, NHS_BLACK),
    "hit_and_miss": (NHS_DARK_GREY, "#FFFFFF"),
}


def mdc_icon(kind: str, letter: str) -> Markup:
    """A round Making Data Count style icon (decorative: its meaning is always written beside it)."""
    fill, ink = _ICON_FILL[kind]
    return Markup(
        f'<svg class="icon" viewBox="0 0 28 28" aria-hidden="true" focusable="false">'
        f'<circle cx="14" cy="14" r="13" fill="{fill}" stroke="{NHS_BLACK}" stroke-width="1"/>'
        f'<text x="14" y="19" text-anchor="middle" fill="{ink}">{escape(letter)}</text></svg>'
    )


def tick_icon(passed: bool) -> Markup:
    path = "M5 12.5l4.5 4.5L19 7.5" if passed else "M6.5 6.5l11 11M17.5 6.5l-11 11"
    return Markup(
        f'<svg class="glyph" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="{path}"/></svg>'
    )
