"""The breakdown tables and the findings, built for every Trust at once from a frame of measure rows.

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
from pipelines.scorecard.findings import widest_gap, widest_gaps

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
    row("X", "G", "imd_decile", "1", 9, 144),  # 6.25% exactly: Python's .1f gives 6.2 (half to even)
    row("X", "P", "imd_decile", "1", 140, 144),  # 97.22%
    row("X", "G", "imd_decile", "2", 0, 8),  # 0 of 8: shown, 0.0%
    row("X", "P", "imd_decile", "2", 8, 8),  # 100.0%
    row("X", "G", "imd_decile", "Not known", 12, 13),  # 92.31%
    row("X", "P", "imd_decile", "Not known", 0, 0),  # no denominator: no rate
    row("X", "F", "imd_decile", "1", 5, 144, degenerate=True),  # a stored flag: F is left out of this table
    # (P has no row for decile 10: its cell shows –)
    # Ethnic group for X: G is degenerate by the rules; a group name that needs escaping
    row("X", "P", "ethnic_group", 'Roma & "Traveller" <b>', 20, 40),
    row("X", "P", "ethnic_group", "Not known", 10, 10),
    row("X", "P", "ethnic_group", "Black", 30, 60),
    row("X", "G", "ethnic_group", "White", 1, 2),
    row("X", "P", "ethnic_group", "White", 50, 50),
    row("X", "F", "ethnic_group", "White", 49, 50),
    # Y: one ethnic group only
    row("Y", "P", "ethnic_group", "White", 7, 9),  # numerator 7 suppressed
]


@pytest.fixture(scope="module")
def tables():
    return breakdown_tables(measure_frame(ROWS), ["X", "Y", "Z"], MEASURES, DEGENERATE, MSDS, RULES)


def cell(text, tick=None):
    return (
        f'<td class="rc">{text}%{BAR}<i style="width:{text}%"></i>'
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
        + cell("6.2", tick="95")
        + cell("97.2")
        + "</tr>\n"
        '<tr><th scope="row">2</th><td class="num">10</td>' + cell("0.0", tick="95") + cell("100.0") + "</tr>\n"
        '<tr><th scope="row">10 (least deprived)</th><td class="num">20</td>'
        '<td class="rc">*</td><td class="rc">–</td></tr>\n'
        '<tr><th scope="row">Not known</th><td class="num">15</td>'
        + cell("92.3", tick="95")
        + '<td class="rc">*</td></tr>\n'
    )


def test_ethnic_group_table_escapes_and_orders(tables):
    groups = _table(tables, "X", "ethnic_group")
    assert [c["id"] for c in groups.columns] == ["P", "F"]
    assert groups.left_out == ["Gated one"]
    # the rules' order (White, Black), then other groups, then Not known; 1 of 2 women in White is suppressed
    assert str(groups.body) == (
        '<tr><th scope="row">White</th><td class="num">50</td>' + cell("100.0") + cell("98.0") + "</tr>\n"
        '<tr><th scope="row">Black</th><td class="num">60</td>' + cell("50.0") + '<td class="rc">–</td></tr>\n'
        '<tr><th scope="row">Roma &amp; &#34;Traveller&#34; &lt;b&gt;</th><td class="num">40</td>'
        + cell("50.0")
        + '<td class="rc">–</td></tr>\n'
        '<tr><th scope="row">Not known</th><td class="num">10</td>' + cell("100.0") + '<td class="rc">–</td></tr>\n'
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
    ],
)
def test_rate_shown_on_a_frame(numerator, denominator, shown):
    frame = pl.DataFrame(
        {"numerator": [numerator], "denominator": [denominator]},
        schema={"numerator": pl.Int64, "denominator": pl.Int64},
    )
    assert frame.select(MSDS.rate_shown_expr()).item() is shown


def test_widest_gaps_per_trust_at_once():
    rows = [
        # X: ethnic group gap 20 points (60% vs 80%), IMD quintile gap 10 points: the ethnic one is widest
        row("X", "P", "imd_quintile", "1", 70, 100),
        row("X", "P", "imd_quintile", "5", 80, 100),
        row("X", "P", "ethnic_group", "White", 80, 100),
        row("X", "P", "ethnic_group", "Black", 60, 100),
        row("X", "P", "ethnic_group", "Not known", 0, 100),  # left out
        # Y: quintiles 2 and 4 tie at 90%, quintile 3 at 50%; equal gaps of measures later in the order
        # do not replace the first one found
        row("Y", "G", "imd_quintile", "3", 50, 100),
        row("Y", "G", "imd_quintile", "2", 90, 100),
        row("Y", "G", "imd_quintile", "4", 90, 100),
        row("Y", "P", "imd_quintile", "3", 50, 100),
        row("Y", "P", "imd_quintile", "4", 90, 100),
        # Z: only one comparable group (the other is suppressed): no gap
        row("Z", "P", "ethnic_group", "White", 80, 100),
        row("Z", "P", "ethnic_group", "Black", 3, 6),
    ]
    gaps = widest_gaps(measure_frame(rows), {}, MSDS, "Not known", ["G", "P"])
    assert set(gaps) == {"X", "Y"}
    x = gaps["X"]
    assert (x.measure_id, x.breakdown, x.low.group, x.high.group) == ("P", "ethnic_group", "Black", "White")
    assert x.points == pytest.approx(20.0)
    assert x.low == rows[3] and x.high == rows[2]
    y = gaps["Y"]
    # low: lowest (rate, group) = quintile 3; high: highest (rate, group) = quintile 4 (ties on rate go by group)
    assert (y.measure_id, y.low.group, y.high.group) == ("G", "3", "4")
    # the list form gives the same answer for one Trust's rows
    assert widest_gap([r for r in rows if r.org_code == "Y"], {}, MSDS, "Not known", ["G", "P"]) == y
    assert widest_gap([r for r in rows if r.org_code == "Z"], {}, MSDS, "Not known", ["G", "P"]) is None
