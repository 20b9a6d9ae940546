"""Which breakdown figures the page shows: every group x measure cell of the month, with whether its
rate is shown, for the tables (breakdowns.py) and the findings (findings.py) alike, so that a
finding never quotes a figure the tables withhold.

A measure is left out of a table when the rules call that breakdown degenerate for it or a stored
row flags it. A rate is shown when the disclosure policy allows it (disclosure.py) and secondary
suppression (secondary.py) does not withhold it or its whole group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from pipelines.scorecard.disclosure import DisclosurePolicy
from pipelines.scorecard.secondary import withheld_frames

# In the order the page shows them; ethnic category last, folded away (it has the most groups).
TABLE_BREAKDOWNS = ("imd_quintile", "imd_decile", "ethnic_group", "ethnic_category")
KEY = ["org_code", "breakdown", "group", "measure_id"]


@dataclass
class BreakdownCells:
    """rows: one per stored cell (KEY, numerator, denominator, cell_withheld, group_withheld, shown);
    columns: (org, breakdown) -> (the measures its table shows as (index in the rules, measure),
    the titles of those it leaves out)."""

    rows: pl.DataFrame
    columns: dict[tuple[str, str], tuple[list[tuple[int, dict[str, Any]]], list[str]]]


def breakdown_cells(
    current: pl.DataFrame,
    orgs: list[str],
    measures: list[dict[str, Any]],
    degenerate: dict[str, set[str]],
    policy: DisclosurePolicy,
    rules: dict[str, Any],
) -> BreakdownCells:
    """The month's cells for the Trusts in orgs (current: data.MEASURE_SCHEMA rows, any breakdowns)."""
    rows = (
        current.filter(pl.col("breakdown").is_in(TABLE_BREAKDOWNS), pl.col("org_code").is_in(orgs))
        .select(*KEY, "numerator", "denominator", "degenerate")
        .unique(KEY, keep="last", maintain_order=True)
    )
    flagged: dict[tuple[str, str], set[str]] = {}
    for key in rows.filter(pl.col("degenerate")).select("org_code", "breakdown", "measure_id").iter_rows():
        flagged.setdefault(key[:2], set()).add(key[2])
    by_rules = {b: {m["id"] for m in measures if b in degenerate.get(m["id"], set())} for b in TABLE_BREAKDOWNS}
    columns = {}
    for org in orgs:
        for breakdown in TABLE_BREAKDOWNS:
            left = by_rules[breakdown] | flagged.get((org, breakdown), set())
            columns[(org, breakdown)] = (
                [(i, m) for i, m in enumerate(measures) if m["id"] not in left],
                [m["title"] for m in measures if m["id"] in left],
            )
    withheld_cells, withheld_groups = withheld_frames(
        rows,
        current.filter(pl.col("breakdown") == "overall", pl.col("org_code").is_in(orgs)),
        {key: {m["id"] for _, m in shown} for key, (shown, _) in columns.items()},
        policy,
        rules,
    )
    shown_pairs = pl.DataFrame(
        [(org, b, m["id"]) for (org, b), (shown, _) in columns.items() for _, m in shown],
        schema={"org_code": pl.String, "breakdown": pl.String, "measure_id": pl.String},
        orient="row",
    ).with_columns(in_table=pl.lit(True))
    rows = (
        rows.join(withheld_cells.with_columns(cell_withheld=pl.lit(True)), on=KEY, how="left")
        .join(withheld_groups.with_columns(group_withheld=pl.lit(True)), on=KEY[:3], how="left")
        .join(shown_pairs, on=["org_code", "breakdown", "measure_id"], how="left")
        .with_columns(pl.col("cell_withheld", "group_withheld", "in_table").fill_null(False))
        .with_columns(
            shown=policy.rate_shown_expr() & ~pl.col("cell_withheld") & ~pl.col("group_withheld") & pl.col("in_table")
        )
        .drop("in_table")
    )
    return BreakdownCells(rows, columns)
