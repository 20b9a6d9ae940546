"""The trend per Trust and gated measure: the XmR chart, its text summary and the data table behind it.

A chart describes processes, not just months: a Trust's change of system of record (the before/after
view of pipelines/golive) starts a new process, whose limits are computed from its own months only
(spc.processes). The icons and the words about variation and assurance are about the current
process, the one the latest month belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from markupsafe import Markup, escape

from pipelines.scorecard import charts
from pipelines.scorecard.data import ScorecardData, TrustStatus
from pipelines.scorecard.labels import month_label, slug
from pipelines.scorecard.spc import BASELINE_POINTS, RULE_TEXT, TREND_LENGTH, Process, processes


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
    note: str | None  # why there are no limits yet, or why no assurance is given
    rows: list[TrendRow]
    since: str | None = None  # the current process began with a change of system in this month

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


def process_changes(history: pl.DataFrame) -> dict[str, list[str]]:
    """Per Trust, the months a new process began (from the before/after view): its latest change of
    system, and the change before it when the months before began with one."""
    out: dict[str, set[str]] = {}
    for org, period, change, first in history.select("org_code", "period", "change_month", "first_month").iter_rows():
        months = out.setdefault(org, set())
        months.add(change)
        if period == "before":
            months.add(first)  # a no-op cut when it is the Trust's first month
    return {org: sorted(months) for org, months in out.items()}


def flag_runs(months: list[str], values: list[float], signals: list) -> list[Flag]:
    """Consecutive special-cause months of one kind, in words."""
    runs: list[Flag] = []
    current: list[int] = []

    def close():
        if not current:
            return
        kind = signals[current[0]].kind
        rules = []
        for i in current:
            for r in signals[i].rules:
                if r not in rules:
                    rules.append(r)
        first, last = months[current[0]], months[current[-1]]
        span = month_label(first) if first == last else f"{month_label(first)} to {month_label(last)}"
        shown = ", ".join(charts.pct(values[i]) for i in current[:3]) + (", …" if len(current) > 3 else "")
        runs.append(Flag(f"{span} ({shown})", kind, "; ".join(RULE_TEXT[r] for r in rules)))

    for i, signal in enumerate(signals):
        if signal and current and signals[current[-1]].kind == signal.kind and current[-1] == i - 1:
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
}
ASSURANCE_TEXT = {
    "pass": ("P", "Assurance: the process limits are above the target, so it will consistently pass"),
    "fail": ("F", "Assurance: the process limits are below the target, so it will consistently fail"),
    "hit_and_miss": ("?", "Assurance: the target lies between the process limits, so it will pass and fail at random"),
}


def _short_of_baseline(n: int, since: str | None) -> str:
    when = f"since the change in {month_label(since)}" if since else "yet"
    return f"Not enough months {when} for process limits: {n} of the {BASELINE_POINTS} needed."


def _run_in_words(values: list[float], months: list[str]) -> str | None:
    """The latest months rising (or falling) every month, told as a fact while short of a trend."""
    k = len(values) - 1
    while k > 0 and values[k] != values[k - 1] and (values[k] > values[k - 1]) == (values[-1] > values[-2]):
        k -= 1
    steps = len(values) - 1 - k
    if steps < 2 or steps + 1 >= TREND_LENGTH:
        return None
    word = "Risen" if values[-1] > values[-2] else "Fallen"
    return (
        f"{word} in each of the last {steps} months ({charts.pct(values[k])} in {month_label(months[k])} to "
        f"{charts.pct(values[-1])}): {TREND_LENGTH} points in a row would make it a trend."
    )


def _assurance(current: Process, latest: float, target: float) -> tuple[str | None, str, str, str | None]:
    """(kind, letter, text, note). "Will consistently pass (fail)" only when the current process's
    limits say so and the latest month does pass (fail): beside a failing month it would mislead."""
    result = current.result
    if not result.has_limits:
        return None, "–", "Assurance: not assessed (no process limits yet)", None
    kind = result.assurance
    passes = latest >= target
    if (kind == "pass" and not passes) or (kind == "fail" and passes):
        side, verdict = ("above", "fails") if kind == "pass" else ("below", "passes")
        note = (
            f"The process limits lie {side} the target, but the latest month {verdict}: the process may have "
            "changed, so no assurance is given until the limits are recalculated."
        )
        return None, "–", "Assurance: not given (the latest month contradicts the limits)", note
    letter, text = ASSURANCE_TEXT[kind]
    return kind, letter, text, None


def trend(data: ScorecardData, trust: TrustStatus, measure: dict[str, Any], changes: list[str] | None = None) -> Trend:
    rows = data.overall(trust.org_code, measure["id"])
    points = [
        charts.ChartPoint(m, rows[m].rate if m in rows else None, rows[m].source_system if m in rows else None)
        for m in data.months
    ]
    with_value = [i for i, p in enumerate(points) if p.value is not None]
    months = [points[i].month for i in with_value]
    values = [points[i].value for i in with_value]
    current_row = rows.get(data.month)
    threshold = current_row.threshold if current_row and current_row.threshold is not None else None
    target = float(measure["threshold"]) if threshold is None else threshold
    higher_is_better = measure.get("better", "higher") == "higher"
    starts = [next((k for k, m in enumerate(months) if m >= c), len(months)) for c in changes or []]
    procs = processes(values, starts, higher_is_better=higher_is_better, target=target)
    signals = [s for p in procs for s in p.result.signals]
    chart_id = f"spc-{slug(trust.org_code)}-{slug(measure['id'])}"
    heading = f"{measure['title']}: monthly rate, {trust.org_code}"
    current = procs[-1] if procs else None
    since = months[current.start] if current and current.start > 0 else None

    parts, note = [], None
    if current is None:
        parts.append("No month has a rate for this Trust.")
        variation, letter, variation_text = "none", "–", "Variation not judged: no month has a rate"
        a_kind, a_letter, a_text = None, "–", "Assurance: not assessed (no month has a rate)"
    else:
        cur_months, cur_values = months[current.start : current.end], values[current.start : current.end]
        n = len(cur_values)
        if since:
            before = procs[-2]
            parts.append(
                f"{points[with_value[current.start]].source_system} since {month_label(since)}, a new process: "
                f"{n} month{'s' if n != 1 else ''} with a rate. "
                + _before_words(before, months, values, points, with_value)
            )
        else:
            parts.append(
                f"{n} month{'s' if n != 1 else ''} with a rate, {month_label(cur_months[0])} to "
                f"{month_label(cur_months[-1])}."
            )
        parts.append(f"Latest ({month_label(cur_months[-1])}): {charts.pct(cur_values[-1])}.")
        result = current.result
        if result.has_limits:
            parts.append(
                f"Mean {charts.pct(result.mean)}; process limits {charts.pct(result.lower)} to "
                f"{charts.pct(result.upper)}; target {charts.pct(target, 0)}."
            )
        else:
            note = _short_of_baseline(n, since)
            parts.append(note + f" Target {charts.pct(target, 0)}.")
            if words := _run_in_words(cur_values, cur_months):
                parts.append(words)
        flags = flag_runs(cur_months, cur_values, list(result.signals))
        for kind in ("concern", "improvement"):
            of_kind = [f for f in flags if f.kind == kind]
            if of_kind:
                parts.append(f"Special cause {kind}: " + "; ".join(f"{f.months}, {f.rules}" for f in of_kind) + ".")
        if result.has_limits and not flags:
            parts.append("No special cause: all variation is common cause.")
        variation = result.variation
        last = result.signals[-1]
        if variation == "none":
            letter, variation_text = "–", "Variation not judged (no process limits yet)"
        else:
            letter = {"improvement": "H", "concern": "L", "common": "~"}[variation]
            variation_text = VARIATION_TEXT[variation]
        if last is not None:
            letter = "H" if last.direction > 0 else "L"
            word = (
                ("rising" if last.direction > 0 else "falling")
                if last.rules == ("trend",)
                else ("high" if last.direction > 0 else "low")
            )
            variation_text += f" ({word}) in the latest month"
        a_kind, a_letter, a_text, a_note = _assurance(current, cur_values[-1], target)
        note = note or a_note
    missing = [p.month for p in points if p.value is None]
    if missing:
        parts.append("No data: " + ", ".join(month_label(m) for m in missing) + ".")
    parts.append(variation_text + ". " + a_text + ".")
    summary = " ".join(parts)
    chart_processes = [(with_value[p.start], with_value[p.end - 1], p.result) for p in procs]
    svg = charts.spc_svg(chart_id, heading, summary, points, chart_processes, target)
    return Trend(
        chart_id,
        heading,
        svg,
        summary,
        variation,
        letter,
        variation_text,
        a_kind,
        a_letter,
        a_text,
        note,
        _table(points, rows, procs, signals),
        since,
    )


def _before_words(before: Process, months, values, points, with_value) -> str:
    system = points[with_value[before.start]].source_system
    span = f"{month_label(months[before.start])} to {month_label(months[before.end - 1])}"
    if before.result.has_limits:
        return (
            f"Before it, on {system} ({span}): mean {charts.pct(before.result.mean)}, process limits "
            f"{charts.pct(before.result.lower)} to {charts.pct(before.result.upper)}, not carried across the change."
        )
    mean = sum(values[before.start : before.end]) / (before.end - before.start)
    return f"Before it, on {system} ({span}): average {charts.pct(mean)}."


def _table(points, rows, procs: list[Process], signals) -> list[TrendRow]:
    limited = {k for p in procs if p.result.has_limits for k in range(p.start, p.end)}
    out, k = [], 0
    for p in points:
        row = rows.get(p.month)
        text = "No data"
        if p.value is not None:
            signal = signals[k]
            if signal:
                text = f"Special cause {signal.kind}: " + "; ".join(RULE_TEXT[r] for r in signal.rules)
            else:
                text = "Common cause" if k in limited else "No process limits yet"
            k += 1
        counts = f"{row.numerator:,} of {row.denominator:,}" if row else "–"
        out.append(TrendRow(month_label(p.month), charts.pct(p.value), counts, p.source_system or "–", text))
    return out
