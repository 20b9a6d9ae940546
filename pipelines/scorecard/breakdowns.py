"""The breakdown tables: each measure by IMD quintile, IMD decile, ethnic group and ethnic category.

Built for every Trust at once from the month's measure rows (a polars frame): a national month
has ~40,000 cells, so the cells are formatted, suppressed and escaped column-wise and each table's
rows are rendered here, once, to HTML marked safe. The template then writes each table body as it
is instead of escaping every cell's values. A number is formatted by Python (`f"{x:.1f}"`) once per
distinct value, so the page shows exactly what formatting each cell in Python would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from markupsafe import Markup, escape

from pipelines.scorecard.cells import TABLE_BREAKDOWNS, BreakdownCells, breakdown_cells
from pipelines.scorecard.charts import pct
from pipelines.scorecard.disclosure import DisclosurePolicy
from pipelines.scorecard.findings import IMD_LEAST_DEPRIVED, IMD_MOST_DEPRIVED
from pipelines.scorecard.labels import slug

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
_INT = pl.Int64


@dataclass
class BTable:
    key: str
    title: str  # as in running text: "IMD quintile", "ethnic group"
    table_id: str
    columns: list[dict[str, Any]]
    body: Markup  # the table's <tr> rows, one a line, escaped
    groups: int  # how many rows (groups) the body holds
    left_out: list[str]
    left_out_why: str


def group_sort_key(breakdown: str, group: str, not_known: str, order: list[str]):
    """IMD groups by number; ethnic groups and categories in the rules file's order; then the rest;
    `Not known` last."""
    if group == not_known:
        return (3, 0, group)
    if breakdown in IMD_LEAST_DEPRIVED and group.isdigit():
        return (0, int(group), group)
    if group in order:
        return (1, order.index(group), group)
    return (2, 0, group)


def group_label(breakdown: str, group: str, code_groups: dict[str, str], not_known: str) -> str:
    if breakdown in IMD_LEAST_DEPRIVED:
        if group == IMD_MOST_DEPRIVED:
            return f"{group} (most deprived)"
        if group == IMD_LEAST_DEPRIVED[breakdown]:
            return f"{group} (least deprived)"
        return group
    if breakdown == "ethnic_category" and group != not_known:
        return f"{group} ({code_groups.get(group, not_known)})"
    return group


def _html(text: str) -> str:
    return str(escape(text))


def _tick(threshold: float) -> str:
    """The black tick on a gated measure's bar, at its threshold."""
    return f'<b style="left:{_html(f"{threshold * 100:.0f}")}%"></b>'


def _lookup(name: str, keys: pl.Series, texts: list[str]) -> pl.DataFrame:
    """Distinct values (keys) beside their text (column `name`): formatted once each, joined to every row."""
    return pl.DataFrame([keys, pl.Series(name, texts, dtype=pl.String)])


def breakdown_tables(
    current: pl.DataFrame,
    orgs: list[str],
    measures: list[dict[str, Any]],
    degenerate: dict[str, set[str]],
    policy: DisclosurePolicy,
    rules: dict[str, Any],
    cells: BreakdownCells | None = None,
) -> dict[str, list[BTable]]:
    """Per org, its four tables in TABLE_BREAKDOWNS order (a table without rows has groups == 0).

    `current` holds the month's measure rows (data.MEASURE_SCHEMA), any breakdowns; `cells`, what
    cells.breakdown_cells makes of them (made here when not given)."""
    eth = rules["ethnic_category"]
    not_known = eth["not_known_group"]
    code_groups = {str(c): g for g, codes in eth["groups"].items() for c in codes}
    orders = {b: list(eth["groups"]) for b in TABLE_BREAKDOWNS}
    orders["ethnic_category"] = [str(c) for c in eth["valid_codes"]]
    cells = cells or breakdown_cells(current, orgs, measures, degenerate, policy, rules)
    rows = cells.rows

    # Which measures each table shows, in the rules file's order.
    ticks = [_tick(float(m["threshold"])) if m.get("gated") else "" for m in measures]
    present = set(rows.select("org_code", "breakdown").unique().iter_rows())
    layout: dict[tuple[str, str], tuple[list[dict[str, Any]], list[str]]] = {}
    shown_cols: dict[str, list] = {"o": [], "b": [], "m": [], "col": [], "tick": []}
    for o, org in enumerate(orgs):
        for b, breakdown in enumerate(TABLE_BREAKDOWNS):
            shown, left_out = cells.columns[(org, breakdown)]
            columns = [
                {
                    "id": m["id"],
                    "title": m["title"],
                    "gated": bool(m.get("gated")),
                    "threshold": pct(float(m["threshold"]), 0) if m.get("gated") else None,
                }
                for _, m in shown
            ]
            layout[(org, breakdown)] = (columns, left_out)
            if (org, breakdown) in present:
                for col, (i, _) in enumerate(shown):
                    shown_cols["o"].append(o)
                    shown_cols["b"].append(b)
                    shown_cols["m"].append(i)
                    shown_cols["col"].append(col)
                    shown_cols["tick"].append(ticks[i])

    # Each group's place: groups in the page's order, numbered across breakdowns; and its label.
    keyed = sorted(
        rows.select("breakdown", "group").unique().iter_rows(),
        key=lambda bg: (TABLE_BREAKDOWNS.index(bg[0]), group_sort_key(bg[0], bg[1], not_known, orders[bg[0]])),
    )
    places = pl.DataFrame(
        {
            "breakdown": [b for b, _ in keyed],
            "group": [g for _, g in keyed],
            "place": range(len(keyed)),
            "b": [TABLE_BREAKDOWNS.index(b) for b, _ in keyed],
            "label": [_html(group_label(b, g, code_groups, not_known)) for b, g in keyed],
        },
        schema={"breakdown": pl.String, "group": pl.String, "place": _INT, "b": _INT, "label": pl.String},
    )
    # From here on keys are numbers: o (the org's index), b, place and m (the measure's index in the rules).
    keyed_rows = rows.join(places.drop("label"), on=["breakdown", "group"]).select(
        pl.col("org_code").replace_strict({org: o for o, org in enumerate(orgs)}, return_dtype=_INT).alias("o"),
        "b",
        "place",
        pl.col("measure_id")
        .replace_strict({m["id"]: i for i, m in enumerate(measures)}, default=-1, return_dtype=_INT)
        .alias("m"),
        "numerator",
        "denominator",
        "group_withheld",
        "shown",
        stored=pl.lit(True),
    )
    groups = keyed_rows.group_by("o", "b", "place").agg(
        women=pl.col("denominator").max(), group_withheld=pl.col("group_withheld").any()
    )
    women = groups["women"].drop_nulls().unique()
    # A shown rate comes from the rounded counts (disclosure.py): formatted once per distinct pair.
    keyed_rows = keyed_rows.with_columns(
        rn=policy.rounded_expr("numerator"),
        rd=policy.rounded_expr("denominator"),
    )
    pairs = keyed_rows.filter("shown").select("rn", "rd").unique()
    texts = [(policy.rate_text(n, d), policy.rate_percent(n, d)) for n, d in pairs.iter_rows()]
    rate_texts = pairs.with_columns(
        rate_text=pl.Series([_html(t) for t, _ in texts], dtype=pl.String),
        bar=pl.Series([f"{p:.1f}" for _, p in texts], dtype=pl.String),
    )

    # The cells: every group x shown measure, whether or not a row is stored for it.
    cells = (
        groups.lazy()
        .select("o", "b", "place")
        .join(
            pl.LazyFrame(shown_cols, schema={"o": _INT, "b": _INT, "m": _INT, "col": _INT, "tick": pl.String}),
            on=["o", "b"],
        )
        .join(keyed_rows.lazy().drop("b"), on=["o", "place", "m"], how="left")
        .join(rate_texts.lazy(), on=["rn", "rd"], how="left")
        .select(
            "o",
            "place",
            "col",
            cell=pl.when(pl.col("stored").is_null())
            .then(pl.lit('<td class="rc">–</td>'))
            .when(pl.col("shown") & pl.col("rate_text").is_not_null())
            .then(
                pl.concat_str(
                    pl.lit('<td class="rc">'),
                    pl.col("rate_text"),
                    pl.lit('<span class="bar" aria-hidden="true"><i style="width:'),
                    pl.col("bar"),
                    pl.lit('%"></i>'),
                    pl.col("tick"),
                    pl.lit("</span></td>"),
                )
            )
            .otherwise(pl.lit(f'<td class="rc">{_html(policy.symbol)}</td>')),
        )
        .sort("o", "place", "col")
        .group_by("o", "place", maintain_order=True)
        .agg(pl.col("cell").str.join(""))
    )
    bodies = (
        groups.lazy()
        .join(places.lazy().select("place", "label"), on="place")
        .join(
            _lookup("women_text", women, [_html(policy.count(n)) for n in women.to_list()]).lazy(),
            on="women",
            how="left",
        )
        .join(cells, on=["o", "place"], how="left")
        .sort("o", "place")
        .select(
            "o",
            "b",
            tr=pl.concat_str(
                pl.lit('<tr><th scope="row">'),
                pl.col("label"),
                pl.lit('</th><td class="num">'),
                pl.when(pl.col("group_withheld"))
                .then(pl.lit(_html(policy.symbol)))
                .otherwise(pl.col("women_text").fill_null(_html(policy.count(None)))),
                pl.lit("</td>"),
                pl.col("cell").fill_null(""),
                pl.lit("</tr>\n"),
            ),
        )
        .group_by("o", "b", maintain_order=True)
        .agg(body=pl.col("tr").str.join(""), groups=pl.len())
        .collect()
    )
    html = {(orgs[o], TABLE_BREAKDOWNS[b]): (body, n) for o, b, body, n in bodies.iter_rows()}

    tables: dict[str, list[BTable]] = {}
    for org in orgs:
        tables[org] = []
        for breakdown in TABLE_BREAKDOWNS:
            columns, left_out = layout[(org, breakdown)]
            body, n = html.get((org, breakdown), ("", 0))
            tables[org].append(
                BTable(
                    breakdown,
                    BREAKDOWN_TITLES.get(breakdown, breakdown),
                    f"bd-{slug(org)}-{slug(breakdown)}",
                    columns,
                    Markup(body),
                    n,
                    left_out,
                    DEGENERATE_WHY.get(breakdown, "").format(nk=not_known),
                )
            )
    return tables
