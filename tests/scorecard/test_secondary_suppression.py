"""Secondary suppression (pipelines/scorecard/secondary.py, bounds.py) on hand-made Trusts, the same
traps as the attacker's hand-written pages (test_disclosure_attack.py), counted in the docstrings."""

from __future__ import annotations

import polars as pl

from pipelines.scorecard.bounds import trusts_at_risk
from pipelines.scorecard.disclosure import DisclosurePolicy
from pipelines.scorecard.secondary import parents, withheld

MSDS = DisclosurePolicy(suppress_min=1, suppress_max=7, symbol="*", round_to=5, footnote="")
CO = "MSD_CO_RECORDED"
NESTING = parents(
    {
        "ethnic_category": {
            "groups": {"White": ["A", "B", "C"], "Black": ["M", "N", "P"]},
            "not_known_group": "Not known",
        }
    }
)


def _rows(rows):
    schema = {"breakdown": pl.String, "group": pl.String, "measure_id": pl.String, "numerator": pl.Int64,
              "denominator": pl.Int64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def _at_risk(rows, women, co):
    overall = pl.DataFrame({"org_code": ["X"], "measure_id": [CO], "numerator": [co], "denominator": [women]})
    shown = {("X", b): {CO} for b in set(rows["breakdown"].to_list())}
    return trusts_at_risk(rows.with_columns(org_code=pl.lit("X")), overall, shown, MSDS, NESTING)


def test_a_complement_differenced_from_the_trust_total():
    """320 women, 315 with a CO reading. White 300, all with one (shown 100%: the reader has 298 to
    302 of 298 to 302, so 0 to 4 without); Not known 20 with 15 (5 without: hidden). Not known's
    without = 5 - White's = 1 to 5: pinned in 1 to 7. White's rate is withheld: then 0 to 5."""
    rows = _rows([("ethnic_group", "White", CO, 300, 300), ("ethnic_group", "Not known", CO, 15, 20)])
    assert _at_risk(rows, 320, 315) == {"X"}
    cells, groups = withheld(rows, 320, {CO: 315}, {"ethnic_group": {CO}}, MSDS, NESTING)
    assert (cells, groups) == ({("ethnic_group", "White", CO)}, set())


def test_a_category_differenced_from_its_group():
    """White 107 (shown 105: 103 to 107) = A 98 (100: 98 to 102) + B 1 (*) + C 8 (10: 8 to 12), and
    Black 13 = N 13: B is at most 107 - 98 - 8 = 1. C, the smallest shown member, is withheld whole."""
    rows = _rows([
        ("ethnic_group", "White", CO, 107, 107), ("ethnic_group", "Black", CO, 9, 13),
        ("ethnic_category", "A", CO, 98, 98), ("ethnic_category", "B", CO, 1, 1),
        ("ethnic_category", "C", CO, 8, 8), ("ethnic_category", "N", CO, 9, 13),
    ])  # fmt: skip
    assert _at_risk(rows, 120, 116) == {"X"}
    shown = {"ethnic_group": {CO}, "ethnic_category": {CO}}
    cells, groups = withheld(rows, 120, {CO: 116}, shown, MSDS, NESTING)
    assert groups == {("ethnic_category", "C")}


def test_nothing_withheld_where_nothing_is_pinned():
    """White 300 with 290 (10 without, shown 97%: 6 to 14 without); Not known 20 with 15 (5 without,
    hidden): Not known's without = 15 - White's, 1 to 9, not all in 1 to 7."""
    rows = _rows([("ethnic_group", "White", CO, 290, 300), ("ethnic_group", "Not known", CO, 15, 20)])
    assert _at_risk(rows, 320, 305) == set()
    assert withheld(rows, 320, {CO: 305}, {"ethnic_group": {CO}}, MSDS, NESTING) == (set(), set())
