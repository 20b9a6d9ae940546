"""Each Trust's month told in words: a change of system and what it did to each gated measure, why a
failing measure fails (its valid / default / invalid / missing split), the months breached so far
this financial year, and what to do about it (the worklist, named and not linked).

Every figure here is a Trust total (exact, like the tiles and the trend charts); no breakdown figure
is quoted, so nothing here needs disclosure control. The worklist lists records: it is named for
the analysts who hold it, never linked from the circulating page.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from pipelines.scorecard.charts import pct
from pipelines.scorecard.data import MeasureRow, ScorecardData, TrustStatus
from pipelines.scorecard.labels import month_label
from pipelines.scorecard.tiles import Tile

FINANCIAL_YEAR_START = 4  # NHS years (and the Maternity Incentive Scheme's) run April to March


def _months_words(months: list[str]) -> str:
    names = [month_label(m) for m in months]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def change_words(org: str, rows: pl.DataFrame, gated: list[dict[str, Any]]) -> list[str]:
    """The Trust's latest change of system of record (the before/after view's rows for it) and each
    gated measure before it (its months pooled) and since (pooled, and the latest month)."""
    if rows.is_empty():
        return []
    before = rows.filter(pl.col("period") == "before")
    since = rows.filter(pl.col("period") != "before").sort("period")
    change = rows.get_column("change_month")[0]
    old = before.get_column("source_system")[0] if before.height else "its previous system"
    new = since.get_column("source_system")[0] if since.height else "a new system"
    out = [f"{org} changed its system of record from {old} to {new} in {month_label(change)}."]
    for m in gated:
        b = before.filter(pl.col("measure_id") == m["id"])
        s = since.filter(pl.col("measure_id") == m["id"])
        if s.is_empty():
            continue
        months = s.get_column("period").to_list()
        n, d = s.get_column("numerator").sum(), s.get_column("denominator").sum()
        latest = s.row(-1, named=True)
        parts = []
        if b.height and b.get_column("denominator")[0]:
            first, last = b.get_column("first_month")[0], b.get_column("last_month")[0]
            rate = b.get_column("numerator")[0] / b.get_column("denominator")[0]
            parts.append(f"{pct(rate)} on {old} before ({month_label(first)} to {month_label(last)}, taken together)")
        if len(months) > 1 and d:
            parts.append(
                f"{pct(n / d)} on {new} since ({month_label(months[0])} to {month_label(months[-1])}, taken "
                f"together), {pct(latest['rate'])} in {month_label(latest['period'])}"
            )
        elif latest["denominator"]:
            parts.append(f"{pct(latest['rate'])} on {new} in {month_label(latest['period'])}, its first month")
        out.append(f"{m['title']}: " + "; ".join(parts) + ".")
    return out


def failing_words(tile: Tile, threshold: str, row: MeasureRow | None, complete: bool) -> str:
    """Why a gated measure fails: its split, largest reason first (tiles.split_words)."""
    if not complete or row is None:
        return f"{tile.title}: {tile.note or 'fails: no data for the month.'}"
    lacking = row.denominator - row.numerator
    why = f": {tile.split}" if tile.split else ""
    return (
        f"{tile.title} fails at {tile.rate} against the {threshold} threshold: {row.numerator:,} of "
        f"{row.denominator:,} women booked have one, and {lacking:,} {'does' if lacking == 1 else 'do'} not{why}."
    )


def breached_words(data: ScorecardData, trust: TrustStatus, gated: list[dict[str, Any]]) -> str:
    """The months of this financial year (to the scorecard's month) each gated measure failed."""
    year, mon = map(int, data.month.split("-"))
    start_year = year if mon >= FINANCIAL_YEAR_START else year - 1
    start = f"{start_year:04d}-{FINANCIAL_YEAR_START:02d}"
    months = [m for m in data.months if start <= m <= data.month]
    label = f"{start_year}/{(start_year + 1) % 100:02d}"
    count = f"{len(months)} month{'s' if len(months) != 1 else ''}"
    span = month_label(months[0]) if len(months) == 1 else f"{month_label(months[0])} to {month_label(months[-1])}"
    parts = []
    for m in gated:
        rows = data.overall(trust.org_code, m["id"])
        failed = [x for x in months if x not in rows or rows[x].status != "pass"]
        if failed:
            parts.append(f"{m['title'].lower()} in {len(failed)} ({_months_words(failed)})")
    if not parts:
        return f"{trust.org_code} has passed every gated measure in every month of {label} so far ({span}, {count})."
    return f"In {label} so far ({span}, {count}), {trust.org_code} failed " + "; ".join(parts) + "."


def todo_words(trust: TrustStatus, failing: list[Tile], worklist: str | None) -> str | None:
    if not failing:
        return None
    if not trust.bookings:
        return f"To do: {trust.org_code}'s submission for the month is needed before anything can be measured."
    named = (
        f"the worklist {worklist} (in the worklists folder of the scorecard's output, for the Trust's data "
        "team: it lists records, so it is not linked from this page)"
        if worklist
        else "the month's worklist (mdq writes one per Trust beside the scorecard)"
    )
    return (
        f"To do: fix the records at source. {named[:1].upper()}{named[1:]} names each record failing a gated "
        "measure by file and line, with the value as typed and why it fails."
    )


def trust_story(
    data: ScorecardData,
    trust: TrustStatus,
    gated: list[dict[str, Any]],
    tiles: list[Tile],
    history: pl.DataFrame | None,
    worklist: str | None,
) -> list[str]:
    """The paragraphs of the Trust's story, in reading order."""
    rows = history.filter(pl.col("org_code") == trust.org_code) if history is not None else pl.DataFrame()
    failing = [t for t in tiles if not t.passed]
    thresholds = {m["id"]: pct(float(m["threshold"]), 0) for m in gated}
    out = [" ".join(change_words(trust.org_code, rows, gated))] if rows.height else []
    complete = trust.completeness == "complete"
    out += [
        failing_words(t, thresholds[t.measure_id], data.overall(trust.org_code, t.measure_id).get(data.month), complete)
        for t in failing
    ]
    out.append(breached_words(data, trust, gated))
    todo = todo_words(trust, failing, worklist)
    return out + ([todo] if todo else [])


def brief(trust: TrustStatus, tiles: list[Tile], history: pl.DataFrame | None) -> str:
    """One line for the page's summary: the verdicts, and a change of system if there was one."""
    failing = [t for t in tiles if not t.passed]
    if not trust.bookings or trust.completeness != "complete":
        text = f"fails every gated measure: the submission is {trust.completeness}"
    elif failing:
        text = "fails " + " and ".join(f"{t.title.lower()} ({t.rate}, {t.threshold.lower()})" for t in failing)
    else:
        text = "passes " + " and ".join(f"{t.title.lower()} ({t.rate})" for t in tiles)
    rows = history.filter(pl.col("org_code") == trust.org_code) if history is not None else None
    if rows is not None and rows.height:
        since = rows.filter(pl.col("period") != "before").get_column("source_system")
        if since.len():
            text += f"; on {since[0]} since {month_label(rows.get_column('change_month')[0])}"
    return text + "."
