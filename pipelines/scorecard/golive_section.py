"""The scorecard's "Go-live assurance" section: each parallel run of the month reconciled in words,
and the measures before and after a Trust's change of system.

Its own module and template partial (templates/golive.html.j2) so the page can move it whole.
Read from the stored `golive` rows (pipelines/golive) and the before/after view computed from the
stored `measures`. The reconciliation is disclosure-controlled like the breakdowns (rules file
`disclosure`): every count is shown rounded, a count from 1 to 7 as the symbol, and a share only
when its numerator and its complement (denominator - numerator) are both outside 1 to 7, computed
from the rounded counts, so no figure of it, alone or with the others, gives away a small count.
The before/after rates are Trust totals, shown exact like the tiles and trend charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.scorecard.charts import pct
from pipelines.scorecard.disclosure import DisclosurePolicy
from pipelines.scorecard.labels import month_label, slug

COVERAGE_ITEM = "pregnancies"


@dataclass(frozen=True)
class ItemRow:
    """One reconciled data item of a parallel run: the linked pairs by outcome, as shown."""

    measure_id: str
    label: str
    same: str
    different: str
    lost: str
    gained: str
    neither: str
    lost_share: str


@dataclass(frozen=True)
class RunView:
    """A Trust's parallel run: who sent what, and the reconciliation in words and a table."""

    org: str
    name: str
    anchor: str
    record: str
    parallel: str
    headline: str
    coverage: str
    items: list[ItemRow]


@dataclass(frozen=True)
class ChangeView:
    """A Trust whose system of record changed: each measure's rate before (pooled) and each month since."""

    org: str
    name: str
    anchor: str
    summary: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class GoliveSection:
    runs: list[RunView] = field(default_factory=list)
    changes: list[ChangeView] = field(default_factory=list)
    max_lost_share: str = ""

    @property
    def shown(self) -> bool:
        return bool(self.runs or self.changes)


def share(policy: DisclosurePolicy, numerator: int, denominator: int, decimals: int = 0) -> str | None:
    """numerator / denominator from the rounded counts, or None when the rule hides it: no
    denominator, or the numerator or its complement a count from 1 to 7."""
    if denominator <= 0 or policy.suppressed(numerator) or policy.suppressed(denominator - numerator):
        return None
    shown = policy.rounded(denominator)
    return f"{policy.rounded(numerator) / shown * 100:.{decimals}f}%" if shown else None


def build_golive_section(
    golive: pl.DataFrame, history: pl.DataFrame, rules: dict[str, Any], providers: dict[str, str]
) -> GoliveSection:
    policy = DisclosurePolicy.from_rules(rules)
    labels = {m["id"]: m["reconcile"].get("label") or m["title"] for m in rules["measures"] if m.get("reconcile")}
    items = golive.filter(pl.col("data_item") != COVERAGE_ITEM)
    runs = [
        _run(policy, coverage, items.filter(_same_run(coverage)), labels, providers)
        for coverage in golive.filter(pl.col("data_item") == COVERAGE_ITEM).iter_rows(named=True)
    ]
    titles = {m["id"]: m["title"] for m in rules["measures"]}
    changes = [
        _change(org, providers.get(org, org), history.filter(pl.col("org_code") == org), titles)
        for org in sorted(set(history.get_column("org_code").to_list()))
    ]
    max_share = float(rules.get("golive", {}).get("max_lost_share", 0))
    return GoliveSection(runs, changes, f"{max_share:.0%}")


def _same_run(coverage: dict[str, Any]) -> pl.Expr:
    return (pl.col("org_code") == coverage["org_code"]) & (pl.col("parallel_system") == coverage["parallel_system"])


def _run(
    policy: DisclosurePolicy,
    coverage: dict[str, Any],
    items: pl.DataFrame,
    labels: dict[str, str],
    providers: dict[str, str],
) -> RunView:
    org, record, parallel = coverage["org_code"], coverage["system_of_record"] or "none", coverage["parallel_system"]
    n = policy.count
    rows, worst = [], None
    for item in items.iter_rows(named=True):
        label = labels.get(item["data_item"], item["data_item"])
        lost, linked = item["valid_only_in_record"], item["linked"]
        shown_share = share(policy, lost, linked)
        rows.append(
            ItemRow(
                item["data_item"],
                label[:1].upper() + label[1:],
                n(item["both_valid_same"]),
                n(item["both_valid_different"]),
                n(lost),
                n(item["valid_only_in_parallel"]),
                n(item["neither_valid"]),
                shown_share or ("–" if not linked else policy.symbol),
            )
        )
        if lost and (worst is None or lost * worst[1] > worst[0] * linked):
            worst = (lost, linked, label, shown_share)
    linked = coverage["linked"]
    if worst is None:
        headline = (
            f"Of {n(linked)} women in both extracts, every data item valid in {record} was valid in {parallel} too."
            if linked
            else f"No woman could be linked between the {record} and {parallel} extracts."
        )
    else:
        lost, _, label, shown_share = worst
        rate = f" ({shown_share})" if shown_share else ""
        headline = (
            f"Of {n(linked)} women in both extracts, {label} was valid in {record} but not in {parallel} "
            f"for {n(lost)}{rate}."
        )
    coverage_text = (
        f"{n(linked)} women were in both extracts (linked by a valid NHS number), {n(coverage['only_in_record'])} "
        f"only in {record} and {n(coverage['only_in_parallel'])} only in {parallel}; "
        f"{n(coverage['unlinkable'])} records could not be linked (no valid NHS number)."
    )
    anchor = f"golive-{slug(org)}-{slug(parallel)}"
    return RunView(org, providers.get(org, org), anchor, record, parallel, headline, coverage_text, rows)


def _change(org: str, name: str, rows: pl.DataFrame, titles: dict[str, str]) -> ChangeView:
    before = rows.filter(pl.col("period") == "before")
    first = before.row(0, named=True) if before.height else None
    change = rows.get_column("change_month")[0]
    since = sorted(p for p in set(rows.get_column("period").to_list()) if p != "before")
    new_system = rows.filter(pl.col("period") != "before").get_column("source_system")
    summary = f"{org} changed system of record in {month_label(change)}" + (
        f": {first['source_system']} before ({month_label(first['first_month'], short=True)} to "
        f"{month_label(first['last_month'], short=True)}, pooled), {new_system[0]} since."
        if first and new_system.len()
        else "."
    )
    columns = (["Before (pooled)"] if first else []) + [month_label(m, short=True) for m in since]
    table = []
    for measure_id in dict.fromkeys(rows.get_column("measure_id").to_list()):
        # Trust totals, exact as in the trend charts and tiles (the page's policy: the breakdowns and
        # the reconciliation above are what suppression and rounding protect); the pooled months
        # are sums of those same exact monthly figures.
        cells = {
            r["period"]: pct(r["numerator"] / r["denominator"]) if r["denominator"] else "–"
            for r in rows.filter(pl.col("measure_id") == measure_id).iter_rows(named=True)
        }
        table.append(
            (titles.get(measure_id, measure_id), [cells.get(p, "–") for p in (["before"] if first else []) + since])
        )
    return ChangeView(org, name, f"change-{slug(org)}", summary, columns, table)
