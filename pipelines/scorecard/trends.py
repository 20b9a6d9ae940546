"""The trend per Trust and gated measure: the XmR chart, its text summary and the data table behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from pipelines.scorecard import charts
from pipelines.scorecard.data import ScorecardData, TrustStatus
from pipelines.scorecard.labels import month_label, slug
from pipelines.scorecard.spc import RULE_TEXT, XmR, xmr


@dataclass
class Flag:
    months: str
    kind: str
    rules: str


@dataclass
class TrendRow:
    month: str
    rate: str
    counts: str
    system: str
    signal: str


@dataclass
class Trend:
    chart_id: str
    heading: str
    svg: Markup
    summary: str
    variation_kind: str
    variation_letter: str
    variation_text: str
    assurance_kind: str | None
    assurance_letter: str
    assurance_text: str
    provisional: str | None
    rows: list[TrendRow]

    @property
    def table_body(self) -> Markup:
        """The data table's rows as HTML, escaped here once (one <tr> a line): a national page has
        ~3,000 of them, and writing each value through the template cost more than the rest of it."""
        return Markup(
            "".join(
                f'<tr><th scope="row">{escape(r.month)}</th><td>{escape(r.rate)}</td><td>{escape(r.counts)}</td>'
                f"<td>{escape(r.system)}</td><td>{escape(r.signal)}</td></tr>\n"
                for r in self.rows
            )
        )


def flag_runs(months: list[str], result: XmR) -> list[Flag]:
    runs: list[Flag] = []
    current: list[int] = []

    def close():
        if not current:
            return
        kind = result.signals[current[0]].kind
        rules = []
        for i in current:
            for r in result.signals[i].rules:
                if r not in rules:
                    rules.append(r)
        first, last = months[current[0]], months[current[-1]]
        span = month_label(first) if first == last else f"{month_label(first)} to {month_label(last)}"
        values = ", ".join(charts.pct(result.values[i]) for i in current[:3]) + (", …" if len(current) > 3 else "")
        runs.append(Flag(f"{span} ({values})", kind, "; ".join(RULE_TEXT[r] for r in rules)))

    for i, signal in enumerate(result.signals):
        if signal and current and result.signals[current[-1]].kind == signal.kind and current[-1] == i - 1:
            current.append(i)
            continue
        close()
        current = [i] if signal else []
    close()
    return runs


VARIATION_TEXT = {
    "improvement": "Special cause variation: improvement",
    "concern": "Special cause variation: concern",
    "common": "Common cause variation: no significant change",
    "none": "Too few months to judge variation",
}
ASSURANCE_TEXT = {
    "pass": ("P", "Assurance: the process limits are above the target, so it will consistently pass"),
    "fail": ("F", "Assurance: the process limits are below the target, so it will consistently fail"),
    "hit_and_miss": ("?", "Assurance: the target lies between the process limits, so it will pass and fail at random"),
    None: ("–", "Assurance: not assessed (too few months)"),
}


def trend(data: ScorecardData, trust: TrustStatus, measure: dict[str, Any]) -> Trend:
    rows = data.overall(trust.org_code, measure["id"])
    points = [
        charts.ChartPoint(m, rows[m].rate if m in rows else None, rows[m].source_system if m in rows else None)
        for m in data.months
    ]
    with_value = [p for p in points if p.value is not None]
    current = rows.get(data.month)
    threshold = current.threshold if current and current.threshold is not None else float(measure["threshold"])
    result = xmr([p.value for p in with_value], higher_is_better=True, target=threshold)
    chart_id = f"spc-{slug(trust.org_code)}-{slug(measure['id'])}"
    heading = f"{measure['title']}: monthly rate, {trust.org_code}"
    flags = flag_runs([p.month for p in with_value], result) if result.has_limits else []
    parts = []
    if with_value:
        parts.append(
            f"{len(with_value)} month{'s' if len(with_value) != 1 else ''} with a rate, "
            f"{month_label(with_value[0].month)} to {month_label(with_value[-1].month)}."
        )
        latest = with_value[-1]
        parts.append(f"Latest ({month_label(latest.month)}): {charts.pct(latest.value)}.")
    else:
        parts.append("No month has a rate for this Trust.")
    missing = [p.month for p in points if p.value is None]
    if missing:
        parts.append("No data: " + ", ".join(month_label(m) for m in missing) + ".")
    if result.has_limits:
        parts.append(
            f"Mean {charts.pct(result.mean)}; process limits {charts.pct(result.lower)} to "
            f"{charts.pct(result.upper)}; target {charts.pct(threshold, 0)}."
        )
    elif result.mean is not None:
        parts.append(
            f"Mean {charts.pct(result.mean)}; target {charts.pct(threshold, 0)}; one month is too few "
            "for process limits."
        )
    for kind in ("concern", "improvement"):
        of_kind = [f for f in flags if f.kind == kind]
        if of_kind:
            parts.append(f"Special cause {kind}: " + "; ".join(f"{f.months}, {f.rules}" for f in of_kind) + ".")
    if result.has_limits and not flags:
        parts.append("No special cause: all variation is common cause.")
    changes = []
    previous = None
    for p in points:
        if p.source_system and previous and p.source_system != previous:
            changes.append(f"{previous} to {p.source_system} from {month_label(p.month)}")
        previous = p.source_system or previous
    if changes:
        parts.append("Source system changed: " + "; ".join(changes) + ".")
    variation = result.variation
    latest_signal = result.signals[-1] if result.signals else None
    letter = {"improvement": "H", "concern": "L", "common": "~", "none": "–"}[variation]
    if latest_signal is not None:
        letter = "H" if latest_signal.direction > 0 else "L"
    variation_text = VARIATION_TEXT[variation]
    if latest_signal is not None:
        variation_text += f" ({'high' if latest_signal.direction > 0 else 'low'}) in the latest month"
    a_letter, a_text = ASSURANCE_TEXT[result.assurance]
    parts.append(variation_text + ". " + a_text + ".")
    summary = " ".join(parts)
    svg = charts.spc_svg(chart_id, heading, summary, points, result)
    table_rows = []
    k = 0
    for p in points:
        row = rows.get(p.month)
        signal_text = "No data"
        if p.value is not None:
            signal = result.signals[k] if result.has_limits else None
            k += 1
            signal_text = (
                f"Special cause {signal.kind}: " + "; ".join(RULE_TEXT[r] for r in signal.rules)
                if signal
                else "Common cause"
            )
        table_rows.append(
            TrendRow(
                month_label(p.month),
                charts.pct(p.value),
                f"{row.numerator:,} of {row.denominator:,}" if row else "–",
                p.source_system or "–",
                signal_text,
            )
        )
    provisional = None
    if result.has_limits and result.provisional:
        provisional = (
            f"Only {len(result.values)} months: the limits are provisional and will settle as months are added."
        )
    return Trend(
        chart_id,
        heading,
        svg,
        summary,
        variation,
        letter,
        variation_text,
        result.assurance,
        a_letter,
        a_text,
        provisional,
        table_rows,
    )
