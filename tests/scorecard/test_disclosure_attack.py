"""Disclosure by outcome (measures.md, "Disclosure control in the HTML"): the attacker of
tests/scorecard/disclosure_attack.py, reading only the rendered HTML, finds no count from 1 to 7
in any breakdown of any sample month or of the hostile small-number month.

First it is shown to have teeth: hand-written pages in the form the scorecard had before #14
(rates to 0.1% from exact counts) leak, and it finds them.
"""

from __future__ import annotations

import re

import pytest

from pipelines.core.warehouse import connect
from tests.conftest import load
from tests.scorecard.disclosure_attack import attack, breakdown_tables
from tests.scorecard.helpers import SAMPLE_MONTHS, render_month, table_rows
from tests.scorecard.small_numbers import MONTH, ORG, small_number_landing

TITLES = {
    "Valid postcode": "MSD_MOTHER_POSTCODE_VALID",
    "Valid ethnic category": "MSD_MOTHER_ETHNIC_VALID",
    "Postcode resolves to an LSOA": "MSD_MOTHER_POSTCODE_LSOA",
    "BMI at booking recorded": "MSD_BMI_RECORDED",
    "Smoking status at booking recorded": "MSD_SMOKING_RECORDED",
    "CO reading at booking recorded": "MSD_CO_RECORDED",
    "Gestation at booking valid": "MSD_GESTATION_VALID",
    "Valid NHS number": "MSD_NHS_NUMBER_VALID",
}
CO = "MSD_CO_RECORDED"


def _page(women: int, tables: dict[str, list[tuple[str, str, str]]]) -> str:
    """A page of RJC's breakdowns by CO recorded: breakdown -> [(group, women shown, rate shown)]."""
    parts = [
        '<table id="summary-table"><thead><tr><th>Trust</th><th>Women booked</th></tr></thead>'
        f"<tbody><tr><th>RJC</th><td>{women}</td></tr></tbody></table>"
    ]
    for breakdown, rows in tables.items():
        body = "".join(f"<tr><th>{g}</th><td>{w}</td><td>{r}</td></tr>" for g, w, r in rows)
        parts.append(
            f'<table id="bd-rjc-{breakdown.replace("_", "-")}"><thead><tr><th>Group</th><th>Women booked</th>'
            f"<th>CO reading at booking recorded</th></tr></thead><tbody>{body}</tbody></table>"
        )
    return "\n".join(parts)


def test_an_exact_rate_beside_a_rounded_count_gives_away_the_complement():
    """The issue's example: Black women shown as 15 (13 to 17), CO recorded 69.2%. Only 9 of 13
    gives 69.2% (10/14 = 71.4, 10/15 = 66.7, 11/15 = 73.3, 11/16 = 68.8, 12/17 = 70.6): 4 without.
    White 300 women at 100.0% and a Trust of 313 with 309 readings are consistent with it."""
    page = _page(313, {"ethnic_group": [("White", "300", "100.0%"), ("Black", "15", "69.2%")]})
    leaks = attack(page, TITLES, {"RJC": {CO: 309}})
    assert [(leak.group, leak.what, leak.candidates) for leak in leaks] == [("Black", "complement", [4])]


def test_a_hidden_group_is_differenced_out_of_the_trust_total():
    """The Trust has 320 women, 315 with a CO reading (5 without). White 300 (298 to 302) at 100%
    (rounded counts equal: 298 to 302 with a reading, so 0 to 4 without); Not known 20 (18 to 22)
    with its rate hidden. Not known's women without = 5 - White's = 1 to 5: all in 1 to 7."""
    page = _page(320, {"ethnic_group": [("White", "300", "100%"), ("Not known", "20", "*")]})
    leaks = attack(page, TITLES, {"RJC": {CO: 315}})
    assert [(leak.group, leak.what, leak.candidates) for leak in leaks] == [
        ("Not known", "complement", [1, 2, 3, 4, 5])
    ]


def test_a_starred_category_is_differenced_out_of_its_group():
    """White 105 (103 to 107) = A 100 (98 to 102) + B * + C 10 (8 to 12): B is at most 107 - 98 - 8
    = 1, so exactly 1. The same women by ethnic group: White 105 and Black 15 of a Trust of 120.

    And it goes on: B = 1 only when White is 107, A 98 and C 8, so A's 100% is 98 of 98 and C's 8
    of 8 (rounded numerators 100 and 10 again): White women without a reading are B's, 0 or 1. The
    Trust has 120 - 116 = 4 without, so Black women (and N, the same women) have 3 or 4 without."""
    page = _page(
        120,
        {
            "ethnic_group": [("White", "105", "100%"), ("Black", "15", "*")],
            "ethnic_category": [("A (White)", "100", "100%"), ("B (White)", "*", "*"), ("C (White)", "10", "100%"),
                                ("N (Black)", "15", "*")],
        },
    )  # fmt: skip
    leaks = attack(page, TITLES, {"RJC": {CO: 116}})
    assert [(leak.group, leak.what, leak.candidates) for leak in leaks] == [
        ("Black", "complement", [3, 4]),
        ("B", "women", [1]),
        ("N", "complement", [3, 4]),
    ]


def test_the_same_figures_with_the_complement_unknown_pass():
    """Control: Black 15 with the CO rate `*` and nothing else pinning it: no leak."""
    page = _page(313, {"ethnic_group": [("White", "300", "*"), ("Black", "15", "*")]})
    assert attack(page, TITLES, {"RJC": {CO: 309}}) == []


@pytest.mark.parametrize("month", SAMPLE_MONTHS)
def test_no_sample_month_leaks(sample_pages, month):
    page, totals = sample_pages[month]
    assert len(breakdown_tables(page, TITLES)) == 12  # 3 Trusts x 4 breakdowns: the attack saw them
    assert attack(page, TITLES, totals) == []


@pytest.fixture(scope="module")
def small_number_page(tmp_path_factory):
    from pipelines.measures.compute import compute_measures

    root = tmp_path_factory.mktemp("small_numbers")
    warehouse = root / "wh" / "mdq.duckdb"
    load(small_number_landing(root / "landing"), warehouse, MONTH)
    with connect(warehouse) as con:
        compute_measures(con, MONTH)
    return render_month(warehouse, MONTH, root)


def test_the_small_number_month_does_not_leak(small_number_page):
    page, totals = small_number_page
    assert totals[ORG][CO] == 116
    assert len(breakdown_tables(page, TITLES)) == 4
    assert attack(page, TITLES, totals) == []


def _row(page: str, table: str, label: str) -> list[str]:
    [row] = [r for r in table_rows(page, table) if r and r[0] == label]
    return row


def test_the_small_number_month_hides_what_would_give_counts_away(small_number_page):
    """tests/scorecard/small_numbers.py: Black women's CO rate hidden (4 without); category C and
    decile 10 withheld whole (8 women each) so that B and decile 9 (1 woman each) are not pinned."""
    page, _ = small_number_page
    black = _row(page, "bd-rjc-ethnic-group", "Black")
    assert black[1] == "15"
    headers = [re.sub(r"\s*\(threshold.*", "", h) for h in table_rows(page, "bd-rjc-ethnic-group")[0]]
    assert black[headers.index("CO reading at booking recorded")] == "*"
    assert set(_row(page, "bd-rjc-ethnic-category", "C (White)")[1:]) == {"*"}
    assert set(_row(page, "bd-rjc-imd-decile", "10 (least deprived)")[1:]) == {"*"}
    assert _row(page, "bd-rjc-ethnic-category", "A (White)")[1] == "100"
