"""The breakdown tables, built for every Trust at once from a frame of measure rows.

The rows are made up here, and every expected cell is worked out by hand in the comments: the
page's HTML for these tables is written by breakdowns.py (not the template), so this is where its
escaping, suppression, rounding, ordering and the cells with no stored row are pinned down.
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.scorecard.breakdowns import breakdown_tables
from pipelines.scorecard.data import MeasureRow, measure_frame
from pipelines.scorecard.disclosure import DisclosurePolicy

MSDS = DisclosurePolicy(suppress_min=1, suppress_max=7, symbol="*", round_to=5, footnote="")
RULES = {
    "ethnic_category": {
        "valid_codes": ["A", "B", "M"],
        "groups": {"White": ["A", "B"], "Black": ["M"]},
        "not_known_group": "Not known",
    }
}
GATED = {"id": "G", "title": "Gated one", "gated": True, "threshold": 0.95, "degenerate_breakdowns": ["ethnic_group"]}
PLAIN = {"id": "P", "title": "Plain one"}
FLAGGED = {"id": "F", "title": "Flagged one"}
MEASURES = [GATED, PLAIN, FLAGGED]
DEGENERATE = {m["id"]: set(m.get("degenerate_breakdowns", [])) for m in MEASURES}
BAR = '<span class="bar" aria-hidden="true">'


def row(org, measure, breakdown, group, numerator, denominator, degenerate=False):
    rate = numerator / denominator if denominator else None
    return MeasureRow(
        "2025-05",
        org,
        "K2",
        measure,
        breakdown,
        group,
        numerator,
        denominator,
        rate,
        None,
        "not_gated",
        "complete",
        degenerate,
        2025,
    )


ROWS = [
    # IMD decile for X: groups 1, 2, 10 and Not known (numbers in numeric order, Not known last)
    row("X", "G", "imd_decile", "10", 3, 20),  # numerator 3 is suppressed: rate not shown
    row("X", "G", "imd_decile", "1", 9, 144),  # rounded 10 of 145 = 6.90%: 7%, the bar at 6.9
    row("X", "P", "imd_decile", "1", 140, 144),  # 4 without: the complement is suppressed
    row("X", "G", "imd_decile", "2", 0, 8),  # 0 of 8: shown, 0%
    row("X", "P", "imd_decile", "2", 8, 8),  # rounded 10 of 10: 100%
    row("X", "G", "imd_decile", "Not known", 12, 13),  # 1 without: suppressed
    row("X", "P", "imd_decile", "Not known", 0, 0),  # no denominator: no rate
    row("X", "F", "imd_decile", "1", 5, 144, degenerate=True),  # a stored flag: F is left out of this table
    # (P has no row for decile 10: its cell shows –)
    # Ethnic group for X: G is degenerate by the rules; a group name that needs escaping
    row("X", "P", "ethnic_group", 'Roma & "Traveller" <b>', 20, 40),
    row("X", "P", "ethnic_group", "Not known", 10, 10),
    row("X", "P", "ethnic_group", "Black", 30, 60),
    row("X", "G", "ethnic_group", "White", 1, 2),
    row("X", "P", "ethnic_group", "White", 50, 50),
    row("X", "F", "ethnic_group", "White", 49, 50),  # 1 without: suppressed
    # Y: one ethnic group only
    row("Y", "P", "ethnic_group", "White", 7, 9),  # numerator 7 suppressed
]


@pytest.fixture(scope="module")
def tables():
    return breakdown_tables(measure_frame(ROWS), ["X", "Y", "Z"], MEASURES, DEGENERATE, MSDS, RULES)


def cell(text, bar, tick=None):
    return (
        f'<td class="rc">{text}{BAR}<i style="width:{bar}%"></i>'
        + (f'<b style="left:{tick}%"></b>' if tick else "")
        + "</span></td>"
    )


def _table(tables, org: str, key: str):
    (table,) = [t for t in tables[org] if t.key == key]
    return table


def test_imd_decile_table_hand_worked(tables):
    decile = _table(tables, "X", "imd_decile")
    assert decile.table_id == "bd-x-imd-decile"
    assert [c["id"] for c in decile.columns] == ["G", "P"]
    assert decile.columns[0]["threshold"] == "95%" and decile.columns[1]["threshold"] is None
    assert decile.left_out == ["Flagged one"]
    assert decile.groups == 4
    # women booked: the largest denominator, rounded to 5: 144 -> 145, 8 -> 10, 20 -> 20, 13 -> 15
    assert str(decile.body) == (
        '<tr><th scope="row">1 (most deprived)</th><td class="num">145</td>'
        + cell("7%", "6.9", tick="95")
        + '<td class="rc">*</td>'
        + "</tr>\n"
        '<tr><th scope="row">2</th><td class="num">10</td>'
        + cell("0%", "0.0", tick="95")
        + cell("100%", "100.0")
        + "</tr>\n"
        '<tr><th scope="row">10 (least deprived)</th><td class="num">20</td>'
        '<td class="rc">*</td><td class="rc">–</td></tr>\n'
        '<tr><th scope="row">Not known</th><td class="num">15</td>'
        '<td class="rc">*</td><td class="rc">*</td></tr>\n'
    )


def test_ethnic_group_table_escapes_and_orders(tables):
    groups = _table(tables, "X", "ethnic_group")
    assert [c["id"] for c in groups.columns] == ["P", "F"]
    assert groups.left_out == ["Gated one"]
    # the rules' order (White, Black), then other groups, then Not known; 1 of 2 women in White is suppressed
    assert str(groups.body) == (
        '<tr><th scope="row">White</th><td class="num">50</td>' + cell("100%", "100.0") + '<td class="rc">*</td>'
        "</tr>\n"
        '<tr><th scope="row">Black</th><td class="num">60</td>' + cell("50%", "50.0") + '<td class="rc">–</td></tr>\n'
        '<tr><th scope="row">Roma &amp; &#34;Traveller&#34; &lt;b&gt;</th><td class="num">40</td>'
        + cell("50%", "50.0")
        + '<td class="rc">–</td></tr>\n'
        '<tr><th scope="row">Not known</th><td class="num">10</td>'
        + cell("100%", "100.0")
        + '<td class="rc">–</td></tr>\n'
    )


def test_trusts_without_rows_get_empty_tables(tables):
    assert set(tables) == {"X", "Y", "Z"}
    # interfaces.md's breakdowns other than overall, IMD first
    assert [t.key for t in tables["Z"]] == ["imd_quintile", "imd_decile", "ethnic_group", "ethnic_category"]
    assert all(t.groups == 0 and str(t.body) == "" for t in tables["Z"])
    y = _table(tables, "Y", "ethnic_group")
    assert y.groups == 1
    assert (
        str(y.body) == '<tr><th scope="row">White</th><td class="num">10</td><td class="rc">*</td>'
        '<td class="rc">–</td></tr>\n'
    )
    assert _table(tables, "Y", "imd_decile").groups == 0


def test_a_symbol_that_needs_escaping_is_escaped():
    policy = DisclosurePolicy(suppress_min=1, suppress_max=9, symbol="<10", round_to=10, footnote="")
    tables = breakdown_tables(
        measure_frame([row("X", "P", "ethnic_group", "White", 7, 9)]), ["X"], [PLAIN], {}, policy, RULES
    )
    body = str(_table(tables, "X", "ethnic_group").body)
    assert body == '<tr><th scope="row">White</th><td class="num">&lt;10</td><td class="rc">&lt;10</td></tr>\n'


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [
        (5, 100, False),
        (7, 7, False),
        (0, 6, False),
        (0, 0, False),
        (0, 9, True),
        (8, 8, True),
        (None, 9, False),
        (9, None, False),
        (1000, 2000, True),
        (95, 100, False),  # 5 without
        (92, 100, True),  # 8 without
    ],
)
def test_rate_shown_on_a_frame(numerator, denominator, shown):
    frame = pl.DataFrame(
        {"numerator": [numerator], "denominator": [denominator]},
        schema={"numerator": pl.Int64, "denominator": pl.Int64},
    )
    assert frame.select(MSDS.rate_shown_expr()).item() is shown
