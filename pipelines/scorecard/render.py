"""Builds the scorecard page: stored rows -> view model -> Jinja2 template -> one self-contained file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipelines.config import load_layouts, load_rules
from pipelines.measures import write_atomically
from pipelines.scorecard import charts
from pipelines.scorecard.data import MeasureRow, ScorecardData, TrustStatus, read_scorecard_data
from pipelines.scorecard.disclosure import DisclosurePolicy
from pipelines.scorecard.findings import IMD_LEAST_DEPRIVED, IMD_MOST_DEPRIVED, sentence, widest_gap
from pipelines.scorecard.spc import (
    LIMIT_FACTOR,
    MR_SCREEN_FACTOR,
    RULE_TEXT,
    RUN_LENGTH,
    TREND_LENGTH,
    XmR,
    xmr,
)

TEMPLATES = Path(__file__).parent / "templates"
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
COMPLETENESS_LABEL = {
    "complete": "Complete",
    "missing": "Missing",
    "unreadable": "Unreadable",
    "incomplete": "Incomplete",
    "empty": "Empty",
}
BREAKDOWN_TITLES = {
    "imd_quintile": "IMD quintile",
    "imd_decile": "IMD decile",
    "ethnic_group": "ethnic group",
    "ethnic_category": "ethnic category",
}
DEGENERATE_WHY = {
    "imd_quintile": "the IMD quintile comes from the postcode, so every woman without a usable postcode falls in "
                    "‘{nk}’ and the breakdown only restates the measure",
    "imd_decile": "the IMD decile comes from the postcode, so every woman without a usable postcode falls in "
                  "‘{nk}’ and the breakdown only restates the measure",
    "ethnic_group": "the ethnic group comes from the ethnic category itself, so every invalid category falls in "
                    "‘{nk}’ and the breakdown only restates the measure",
    "ethnic_category": "an invalid category is its own group, so the breakdown only restates the measure",
}


def month_label(month: str, short: bool = False) -> str:
    year, mon = month.split("-")
    name = MONTH_NAMES[int(mon) - 1]
    return f"{name[:3] if short else name} {year}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _href(target: Path, out_dir: Path) -> str:
    rel = os.path.relpath(Path(target).resolve(), Path(out_dir).resolve())
    return quote(Path(rel).as_posix())


# ---------------------------------------------------------------------------------------------
# View model


@dataclass
class Tile:
    measure_id: str
    title: str
    passed: bool
    status_word: str
    rate: str
    threshold: str
    counts: str
    change: str
    change_dir: str  # up | down | same | none
    note: str | None


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


@dataclass
class Cell:
    text: str
    width: str | None  # bar width, percent of the cell's bar
    tick: str | None  # threshold position for gated measures
    hidden: bool
    label: str  # for screen readers when the rate is hidden


@dataclass
class BRow:
    label: str
    women: str
    cells: list[Cell]


@dataclass
class BTable:
    key: str
    title: str  # as in running text: "IMD quintile", "ethnic group"
    table_id: str
    columns: list[dict[str, Any]]
    rows: list[BRow]
    left_out: list[str]
    left_out_why: str


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
    worklist_href: str | None
    worklist_name: str | None
    failing: list[str] = field(default_factory=list)


def _change(rows: dict[str, MeasureRow], month: str) -> tuple[str, str]:
    earlier = sorted(m for m in rows if m < month)
    current = rows.get(month)
    if not earlier:
        return "No earlier month stored", "none"
    prev_month = earlier[-1]
    prev = rows[prev_month]
    since = month_label(prev_month)
    if current is None or current.rate is None:
        return f"No rate this month ({since}: {charts.pct(prev.rate)})", "none"
    if prev.rate is None:
        return f"No rate in {since} to compare with", "none"
    delta = round((current.rate - prev.rate) * 100, 1)
    if delta == 0:
        return f"No change since {since}", "same"
    word = "Up" if delta > 0 else "Down"
    return f"{word} {abs(delta):.1f} percentage points since {since} ({charts.pct(prev.rate)})", \
        "up" if delta > 0 else "down"


def _tiles(data: ScorecardData, trust: TrustStatus, gated: list[dict[str, Any]]) -> list[Tile]:
    tiles = []
    complete = trust.completeness == "complete"
    for m in gated:
        rows = data.overall(trust.org_code, m["id"])
        row = rows.get(data.month)
        threshold = row.threshold if row and row.threshold is not None else float(m["threshold"])
        passed = bool(row and row.status == "pass")
        change, direction = _change(rows, data.month)
        if row is None:
            counts, rate = "No measure row stored", "No data"
        else:
            counts = f"{row.numerator:,} of {row.denominator:,} women booked"
            rate = charts.pct(row.rate) if row.rate is not None else "No data"
        note = None
        if not complete:
            detail = f": {trust.completeness_detail}" if trust.completeness_detail else ""
            note = (f"Fails because the submission is {trust.completeness}{detail}. "
                    "No data is not good data.")
        tiles.append(Tile(m["id"], m["title"], passed, "Pass" if passed else "Fail", rate,
                          f"Threshold {charts.pct(threshold, 0)}", counts, change, direction, note))
    return tiles


def _flag_runs(months: list[str], result: XmR) -> list[Flag]:
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


def _trend(data: ScorecardData, trust: TrustStatus, measure: dict[str, Any]) -> Trend:
    rows = data.overall(trust.org_code, measure["id"])
    points = [charts.ChartPoint(m, rows[m].rate if m in rows else None,
                                rows[m].source_system if m in rows else None) for m in data.months]
    with_value = [p for p in points if p.value is not None]
    current = rows.get(data.month)
    threshold = current.threshold if current and current.threshold is not None else float(measure["threshold"])
    result = xmr([p.value for p in with_value], higher_is_better=True, target=threshold)
    chart_id = f"spc-{_slug(trust.org_code)}-{_slug(measure['id'])}"
    heading = f"{measure['title']}: monthly rate, {trust.org_code}"
    flags = _flag_runs([p.month for p in with_value], result) if result.has_limits else []
    parts = []
    if with_value:
        parts.append(f"{len(with_value)} month{'s' if len(with_value) != 1 else ''} with a rate, "
                     f"{month_label(with_value[0].month)} to {month_label(with_value[-1].month)}.")
        latest = with_value[-1]
        parts.append(f"Latest ({month_label(latest.month)}): {charts.pct(latest.value)}.")
    else:
        parts.append("No month has a rate for this Trust.")
    missing = [p.month for p in points if p.value is None]
    if missing:
        parts.append("No data: " + ", ".join(month_label(m) for m in missing) + ".")
    if result.has_limits:
        parts.append(f"Mean {charts.pct(result.mean)}; process limits {charts.pct(result.lower)} to "
                     f"{charts.pct(result.upper)}; target {charts.pct(threshold, 0)}.")
    elif result.mean is not None:
        parts.append(f"Mean {charts.pct(result.mean)}; target {charts.pct(threshold, 0)}; one month is too few "
                     "for process limits.")
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
            signal_text = (f"Special cause {signal.kind}: " + "; ".join(RULE_TEXT[r] for r in signal.rules)
                           if signal else "Common cause")
        table_rows.append(TrendRow(month_label(p.month), charts.pct(p.value),
                                   f"{row.numerator:,} of {row.denominator:,}" if row else "–",
                                   p.source_system or "–", signal_text))
    provisional = None
    if result.has_limits and result.provisional:
        provisional = (f"Only {len(result.values)} months: the limits are provisional and will settle as "
                       "months are added.")
    return Trend(chart_id, heading, svg, summary, variation, letter, variation_text, result.assurance,
                 a_letter, a_text, provisional, table_rows)


def _group_sort_key(breakdown: str, group: str, not_known: str, order: list[str]):
    """IMD groups by number; ethnic groups and categories in the rules file's order; then the rest;
    `Not known` last."""
    if group == not_known:
        return (3, 0, group)
    if breakdown in IMD_LEAST_DEPRIVED and group.isdigit():
        return (0, int(group), group)
    if group in order:
        return (1, order.index(group), group)
    return (2, 0, group)


def _group_label(breakdown: str, group: str, code_groups: dict[str, str], not_known: str) -> str:
    if breakdown in IMD_LEAST_DEPRIVED:
        if group == IMD_MOST_DEPRIVED:
            return f"{group} (most deprived)"
        if group == IMD_LEAST_DEPRIVED[breakdown]:
            return f"{group} (least deprived)"
        return group
    if breakdown == "ethnic_category" and group != not_known:
        return f"{group} ({code_groups.get(group, not_known)})"
    return group


def _table(org: str, breakdown: str, rows: list[MeasureRow], measures: list[dict[str, Any]],
           degenerate: dict[str, set[str]], policy: DisclosurePolicy, rules: dict[str, Any]) -> BTable:
    eth = rules["ethnic_category"]
    not_known = eth["not_known_group"]
    code_groups = {str(c): g for g, codes in eth["groups"].items() for c in codes}
    mine = [r for r in rows if r.breakdown == breakdown]
    degenerate_ids = {r.measure_id for r in mine if r.degenerate} | {
        m["id"] for m in measures if breakdown in degenerate.get(m["id"], set())}
    shown = [m for m in measures if m["id"] not in degenerate_ids]
    left_out = [m["title"] for m in measures if m["id"] in degenerate_ids]
    order = [str(c) for c in eth["valid_codes"]] if breakdown == "ethnic_category" else list(eth["groups"])
    groups = sorted({r.group for r in mine}, key=lambda g: _group_sort_key(breakdown, g, not_known, order))
    by_key = {(r.measure_id, r.group): r for r in mine}
    body = []
    for g in groups:
        cells = []
        women = max((r.denominator for r in mine if r.group == g), default=0)
        for m in shown:
            r = by_key.get((m["id"], g))
            if r is None:
                cells.append(Cell("–", None, None, True, "no row"))
                continue
            if policy.rate_shown(r.numerator, r.denominator) and r.rate is not None:
                tick = f"{float(m['threshold']) * 100:.0f}" if m.get("gated") else None
                cells.append(Cell(charts.pct(r.rate), f"{r.rate * 100:.1f}", tick, False, charts.pct(r.rate)))
            else:
                cells.append(Cell(policy.symbol, None, None, True,
                                  "not shown: small numbers"))
        body.append(BRow(_group_label(breakdown, g, code_groups, not_known), policy.count(women), cells))
    why = DEGENERATE_WHY.get(breakdown, "").format(nk=not_known)
    columns = [{"id": m["id"], "title": m["title"], "gated": bool(m.get("gated")),
                "threshold": charts.pct(float(m["threshold"]), 0) if m.get("gated") else None} for m in shown]
    return BTable(breakdown, BREAKDOWN_TITLES.get(breakdown, breakdown), f"bd-{_slug(org)}-{_slug(breakdown)}",
                  columns, body, left_out, why)


def build_page(data: ScorecardData, rules: dict[str, Any], providers: dict[str, str], out_dir: Path,
               data_docs: Path | None, worklists: dict[str, Path] | None, run_started: datetime | None) -> dict:
    policy = DisclosurePolicy.from_rules(rules)
    measures = list(rules["measures"])
    gated = [m for m in measures if m.get("gated")]
    degenerate = {m["id"]: set(m.get("degenerate_breakdowns", [])) for m in measures}
    titles = {m["id"]: m["title"] for m in measures}
    not_known = rules["ethnic_category"]["not_known_group"]
    worklists = worklists or {}
    trusts = []
    for trust in data.trusts:
        current = data.current(trust.org_code)
        tiles = _tiles(data, trust, gated)
        gap = widest_gap(current, degenerate, policy, not_known, [m["id"] for m in measures])
        tables = [_table(trust.org_code, b, current, measures, degenerate, policy, rules)
                  for b in ("imd_quintile", "imd_decile", "ethnic_group")]
        category = _table(trust.org_code, "ethnic_category", current, measures, degenerate, policy, rules)
        worklist = worklists.get(trust.org_code)
        trusts.append(TrustView(
            org=trust.org_code,
            name=providers.get(trust.org_code, trust.org_code),
            anchor=f"trust-{_slug(trust.org_code)}",
            system=trust.source_system or "none received",
            completeness=trust.completeness,
            completeness_label=COMPLETENESS_LABEL.get(trust.completeness, trust.completeness.capitalize()),
            detail=trust.completeness_detail,
            complete=trust.completeness == "complete",
            tiles=tiles,
            status=trust,
            files=data.submissions.get(trust.org_code, []),
            reasons=data.quarantine.get(trust.org_code, []),
            finding=sentence(gap, titles, policy) if trust.bookings else
            "No bookings were loaded for this month, so there is nothing to compare.",
            trends=[_trend(data, trust, m) for m in gated],
            tables=tables,
            category_table=category if category.rows else None,
            worklist_href=_href(worklist, out_dir) if worklist else None,
            worklist_name=Path(worklist).name if worklist else None,
            failing=[t.title for t in tiles if not t.passed],
        ))
    editions = sorted({r.imd_edition for r in data.rows if r.reporting_month == data.month and r.imd_edition})
    edition_text = []
    for e in editions:
        spec = (rules.get("imd", {}).get("editions") or {}).get(e) or {}
        lsoa = spec.get("file_lsoa_header")
        edition_text.append(f"English Indices of Deprivation {e}" + (f" (areas: {lsoa})" if lsoa else ""))
    history_editions = sorted({r.imd_edition for r in data.rows if r.imd_edition})
    docs_href = None
    if data_docs is not None:
        target = Path(data_docs)
        if target.is_dir() and (target / "index.html").exists():
            target = target / "index.html"
        docs_href = _href(target, out_dir)
    csv_name = f"measures-{data.month}.csv"
    passing = [t for t in trusts if not t.failing]
    return {
        "month": data.month,
        "month_label": month_label(data.month),
        "trusts": trusts,
        "passing": passing,
        "gated": [{"id": m["id"], "title": m["title"], "threshold": charts.pct(float(m["threshold"]), 0)}
                  for m in gated],
        "measures": [{"id": m["id"], "title": m["title"], "description": m.get("description", ""),
                      "gated": bool(m.get("gated")),
                      "threshold": charts.pct(float(m["threshold"]), 0) if m.get("gated") else None}
                     for m in measures],
        "months_stored": [month_label(m, short=True) for m in data.months],
        "months_span": _months_span(data.months),
        "imd_edition": "; ".join(edition_text) or "not recorded",
        "imd_history_note": (f"Earlier months used editions {', '.join(map(str, history_editions))}."
                             if len(history_editions) > 1 else None),
        "run_started": _when(run_started),
        "docs_href": docs_href,
        "csv_href": quote(csv_name) if (Path(out_dir) / csv_name).exists() else None,
        "csv_name": csv_name,
        "footnote": policy.footnote,
        "policy": policy,
        "not_known": not_known,
        "spc": {"limit": LIMIT_FACTOR, "screen": MR_SCREEN_FACTOR, "run": RUN_LENGTH, "trend": TREND_LENGTH},
        "legend": {
            "common": charts.legend_shape("common"),
            "improvement": charts.legend_shape("improvement"),
            "concern": charts.legend_shape("concern"),
            "mean": charts.legend_line("mean"),
            "limit": charts.legend_line("limit"),
            "target": charts.legend_line("target"),
            "golive": charts.legend_line("golive"),
        },
        "icons": {k: charts.mdc_icon(k, letter) for k, letter in
                  (("improvement", "H"), ("concern", "L"), ("common", "~"), ("pass", "P"),
                   ("fail", "F"), ("hit_and_miss", "?"))},
        "icon": charts.mdc_icon,
        "tick": charts.tick_icon,
    }


def _months_span(months: list[str]) -> str:
    if not months:
        return "none"
    text = (f"{len(months)} month{'s' if len(months) != 1 else ''}: "
            f"{month_label(months[0])} to {month_label(months[-1])}")
    year, mon = map(int, months[0].split("-"))
    expected = []
    while f"{year:04d}-{mon:02d}" <= months[-1]:
        expected.append(f"{year:04d}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    gaps = [m for m in expected if m not in set(months)]
    if gaps:
        text += " (none stored for " + ", ".join(month_label(m) for m in gaps) + ")"
    return text


def _when(run_started: datetime | None) -> str:
    if run_started is None:
        return "not recorded"
    zone = run_started.strftime("%Z")
    return (f"{run_started.day} {MONTH_NAMES[run_started.month - 1]} {run_started.year}, "
            f"{run_started.strftime('%H:%M:%S')}" + (f" {zone}" if zone else ""))


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["thousands"] = lambda n: f"{int(n or 0):,}"
    return env


def render_scorecard(con: duckdb.DuckDBPyConnection, month: str, out_dir: Path, data_docs: Path | None = None,
                     worklists: dict[str, Path] | None = None, run_started: datetime | None = None) -> str:
    """The scorecard's HTML for the month, read from the stored tables only."""
    data = read_scorecard_data(con, month)
    page = build_page(data, load_rules(), load_layouts().providers, Path(out_dir), data_docs, worklists, run_started)
    return _environment().get_template("scorecard.html.j2").render(**page)


def write_scorecard(con: duckdb.DuckDBPyConnection, month: str, out_dir: Path, data_docs: Path | None = None,
                    worklists: dict[str, Path] | None = None, run_started: datetime | None = None) -> Path:
    """Write out_dir/scorecard-YYYY-MM.html atomically and return its path."""
    out_dir = Path(out_dir)
    html = render_scorecard(con, month, out_dir, data_docs, worklists, run_started)
    path = out_dir / f"scorecard-{month}.html"
    write_atomically(path, html.encode("utf-8"))
    return path
