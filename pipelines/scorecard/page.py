"""The page's view model: what the template shows, per Trust and for the page as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.core.config import postcode_validity
from pipelines.scorecard import charts
from pipelines.scorecard.breakdowns import BTable, breakdown_tables
from pipelines.scorecard.cells import breakdown_cells
from pipelines.scorecard.data import ScorecardData, TrustStatus
from pipelines.scorecard.disclosure import DisclosurePolicy
from pipelines.scorecard.findings import FindingRules, sentence, worst_groups
from pipelines.scorecard.labels import COMPLETENESS_LABEL, month_label, months_span, relative_name, run_time, slug
from pipelines.scorecard.spc import BASELINE_POINTS, LIMIT_FACTOR, MR_SCREEN_FACTOR, RUN_LENGTH, TREND_LENGTH
from pipelines.scorecard.story import brief, trust_story
from pipelines.scorecard.tiles import Tile, tiles
from pipelines.scorecard.trends import Trend, process_changes, trend


@dataclass
class TrustView:
    org: str
    name: str
    anchor: str
    system: str
    completeness: str
    completeness_label: str
    detail: str | None
    complete: bool
    tiles: list[Tile]
    status: TrustStatus
    files: list[Any]
    reasons: list[Any]
    finding: str
    trends: list[Trend]
    tables: list[BTable]
    category_table: BTable | None
    worklist_name: str | None  # named for analysts, never linked: it lists records
    story: list[str] = field(default_factory=list)
    brief: str = ""
    failing: list[str] = field(default_factory=list)


def _editions(frame: pl.DataFrame) -> list[int]:
    """The IMD editions recorded in the rows, in order."""
    column = frame["imd_edition"]
    return sorted(set(column.filter(column.is_not_null() & (column != 0)).to_list()))


def postcode_method(rules: dict[str, Any], introduction_dates: bool | None) -> dict[str, str | None]:
    """Which postcode rule ran (rules file), and a warning when the directory had no dointr."""
    if postcode_validity(rules) == "format":
        mode = (
            "Postcode validity ran in format mode: a postcode counts as valid when it has the BS7666 "
            "format (with the letters each position allows), whether or not it exists. NHS England "
            "counts only real postcodes, live in the postcode directory, so its rates may be lower."
        )
    else:
        mode = (
            "Postcode validity ran in directory mode, as NHS England counts it: a postcode is valid "
            "when it is found in the postcode directory and live in the reporting month (introduced "
            "in or before the month, not terminated before it)."
        )
    warning = None
    if introduction_dates is False:
        warning = (
            "The postcode directory loaded has no introduction dates (dointr), so every postcode in "
            "it counted as already introduced."
        )
    return {"postcode_mode": mode, "postcode_dates_warning": warning}


def build_page(
    data: ScorecardData,
    rules: dict[str, Any],
    providers: dict[str, str],
    out_dir: Path,
    data_docs: Path | None,
    worklists: dict[str, Path] | None,
    run_started: datetime | None,
    history: pl.DataFrame | None = None,
) -> dict:
    """The template's context for the month. history: the before/after view of the Trusts that changed
    system of record (pipelines/golive), whose change months restart the trend charts' limits."""
    policy = DisclosurePolicy.from_rules(rules)
    measures = list(rules["measures"])
    gated = [m for m in measures if m.get("gated")]
    degenerate = {m["id"]: set(m.get("degenerate_breakdowns", [])) for m in measures}
    titles = {m["id"]: m["title"] for m in measures}
    not_known = rules["ethnic_category"]["not_known_group"]
    worklists = worklists or {}
    current = data.current
    orgs = [trust.org_code for trust in data.trusts]
    # Every Trust's tables and finding at once, from the month's rows, the same cells shown in both.
    cells = breakdown_cells(current, orgs, measures, degenerate, policy, rules)
    tables = breakdown_tables(current, orgs, measures, degenerate, policy, rules, cells)
    finding_rules = FindingRules.from_rules(rules)
    overall = current.filter(pl.col("breakdown") == "overall")
    found = worst_groups(cells.rows, overall, measures, policy, finding_rules, not_known)
    changes = process_changes(history) if history is not None else {}
    trusts = []
    for trust in data.trusts:
        org = trust.org_code
        trust_tiles = tiles(data, trust, gated)
        *by_group, category = tables[org]
        worklist = relative_name(worklists[org], out_dir) if org in worklists else None
        trusts.append(
            TrustView(
                org=org,
                name=providers.get(org, org),
                anchor=f"trust-{slug(org)}",
                system=trust.source_system or "none received",
                completeness=trust.completeness,
                completeness_label=COMPLETENESS_LABEL.get(trust.completeness, trust.completeness.capitalize()),
                detail=trust.completeness_detail,
                complete=trust.completeness == "complete",
                tiles=trust_tiles,
                status=trust,
                files=data.submissions.get(org, []),
                reasons=data.quarantine.get(org, []),
                finding=sentence(found.get(org), titles, finding_rules)
                if trust.bookings
                else "No bookings were loaded for this month, so there is nothing to compare.",
                trends=[trend(data, trust, m, changes.get(org)) for m in gated],
                tables=by_group,
                category_table=category if category.groups else None,
                worklist_name=worklist,
                story=trust_story(data, trust, gated, trust_tiles, history, worklist),
                brief=brief(trust, trust_tiles, history),
                failing=[t.title for t in trust_tiles if not t.passed],
            )
        )
    edition_text = []
    for e in _editions(current):
        spec = (rules.get("imd", {}).get("editions") or {}).get(e) or {}
        lsoa = spec.get("file_lsoa_header")
        edition_text.append(f"English Indices of Deprivation {e}" + (f" (areas: {lsoa})" if lsoa else ""))
    history_editions = _editions(data.measures)
    docs_name = None
    if data_docs is not None:
        target = Path(data_docs)
        if target.is_dir() and (target / "index.html").exists():
            target = target / "index.html"
        docs_name = relative_name(target, out_dir)
    csv_name = f"measures-{data.month}.csv"
    passing = [t for t in trusts if not t.failing]
    return {
        "month": data.month,
        "month_label": month_label(data.month),
        "trusts": trusts,
        "passing": passing,
        "gated": [
            {"id": m["id"], "title": m["title"], "threshold": charts.pct(float(m["threshold"]), 0)} for m in gated
        ],
        "measures": [
            {
                "id": m["id"],
                "title": m["title"],
                "description": m.get("description", ""),
                "gated": bool(m.get("gated")),
                "threshold": charts.pct(float(m["threshold"]), 0) if m.get("gated") else None,
            }
            for m in measures
        ],
        "months_stored": [month_label(m, short=True) for m in data.months],
        "months_span": months_span(data.months),
        "imd_edition": "; ".join(edition_text) or "not recorded",
        **postcode_method(rules, data.postcode_introduction_dates),
        "imd_history_note": (
            f"Earlier months used editions {', '.join(map(str, history_editions))}."
            if len(history_editions) > 1
            else None
        ),
        "run_started": run_time(run_started),
        "docs_name": docs_name,
        "csv_name": csv_name,
        "analyst_files": [csv_name, f"dq-{data.month}.csv", f"golive-{data.month}.csv"],
        "findings": finding_rules,
        "footnote": policy.footnote,
        "policy": policy,
        "not_known": not_known,
        "spc": {
            "limit": LIMIT_FACTOR,
            "screen": MR_SCREEN_FACTOR,
            "run": RUN_LENGTH,
            "trend": TREND_LENGTH,
            "baseline": BASELINE_POINTS,
        },
        "legend": {
            "common": charts.legend_shape("common"),
            "improvement": charts.legend_shape("improvement"),
            "concern": charts.legend_shape("concern"),
            "mean": charts.legend_line("mean"),
            "limit": charts.legend_line("limit"),
            "target": charts.legend_line("target"),
            "golive": charts.legend_line("golive"),
        },
        "icons": {
            k: charts.mdc_icon(k, letter)
            for k, letter in (
                ("improvement", "H"),
                ("concern", "L"),
                ("common", "~"),
                ("pass", "P"),
                ("fail", "F"),
                ("hit_and_miss", "?"),
            )
        },
        "icon": charts.mdc_icon,
        "tick": charts.tick_icon,
    }
