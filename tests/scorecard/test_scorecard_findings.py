"""Where data quality is worst (pipelines/scorecard/findings.py): a group is named only when it is
big enough and its rate is below its Trust's 99.8% funnel limit; gated measures first; `Not known`
dominance said. The cells are made up here with the figures worked by hand in each docstring
(funnel limit = p - 3.0902 x sqrt(p (1 - p) / n), 3.0902 the normal quantile of 0.999)."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.scorecard.cells import breakdown_cells
from pipelines.scorecard.data import MeasureRow, measure_frame
from pipelines.scorecard.disclosure import DisclosurePolicy
from pipelines.scorecard.findings import FindingRules, sentence, worst_groups

MSDS = DisclosurePolicy(suppress_min=1, suppress_max=7, symbol="*", round_to=5, footnote="")
SETTINGS = FindingRules(min_group_women=30, confidence=0.998, not_known_share=0.5)
MEASURES = [{"id": "G", "title": "Gated one", "gated": True}, {"id": "P", "title": "Plain one"}]
TITLES = {"G": "Gated one", "P": "Plain one"}


def _cells(rows):
    return pl.DataFrame(
        rows,
        schema={"org_code": pl.String, "breakdown": pl.String, "group": pl.String, "measure_id": pl.String,
                "numerator": pl.Int64, "denominator": pl.Int64, "shown": pl.Boolean},
        orient="row",
    )  # fmt: skip


def _overall(rows):
    return pl.DataFrame(
        rows, schema={"org_code": pl.String, "measure_id": pl.String, "numerator": pl.Int64, "denominator": pl.Int64},
        orient="row",
    )  # fmt: skip


Q = "imd_quintile"
CELLS = _cells([
    # X, gated G (Trust 400 of 500, p = 0.8): limit for 100 women = 0.8 - 3.0902 x 0.04 = 0.6764
    ("X", Q, "1", "G", 60, 100, True),    # 0.60 < 0.6764: below the funnel, 20 points short
    ("X", Q, "2", "G", 10, 20, True),     # 0.50, far below, but 20 women: too few to compare
    ("X", Q, "3", "G", 70, 100, True),    # 0.70 >= 0.6764: 10 points short is within chance
    ("X", Q, "4", "G", 165, 180, True),
    ("X", Q, "5", "G", 95, 100, True),
    # X, plain P (Trust 400 of 500): quintile 3 at 0.20 is 60 points short, but G is gated and comes first
    ("X", Q, "3", "P", 20, 100, True),
    # Y: only quintiles 1 and 5, each within the limits of G (Trust 160 of 200, p = 0.8; limit for 100
    # women 0.6764): 0.75 and 0.85
    ("Y", Q, "1", "G", 75, 100, True),
    ("Y", Q, "5", "G", 85, 100, True),
    # Y by ethnic group: Not known holds 120 of Y's 200 women (0.6 >= 0.5): not compared, though White
    # (40 of 80, 0.50) would be below its funnel limit, 0.8 - 3.0902 x sqrt(0.16 / 80) = 0.6618
    ("Y", "ethnic_group", "White", "G", 40, 80, True),
    ("Y", "ethnic_group", "Not known", "G", 120, 120, True),
    # Z: one group of 29 women, and a group of 40 whose rate the table withholds: nothing compared
    ("Z", Q, "1", "G", 5, 29, True),
    ("Z", Q, "2", "G", 10, 40, False),
])  # fmt: skip
OVERALL = _overall([("X", "G", 400, 500), ("X", "P", 400, 500), ("Y", "G", 160, 200), ("Z", "G", 15, 69)])


@pytest.fixture(scope="module")
def found():
    return worst_groups(CELLS, OVERALL, MEASURES, MSDS, SETTINGS, "Not known")


def test_z_of_99_8_percent():
    assert SETTINGS.z == pytest.approx(3.0902, abs=1e-4)


def test_the_group_below_the_funnel_is_named(found):
    worst = found["X"].worst
    assert (worst.measure_id, worst.breakdown, worst.group, worst.group_rate) == ("G", Q, "1", "60%")
    assert worst.shortfall == pytest.approx(0.2)
    assert found["X"].compared == 5  # quintiles 1, 3, 4, 5 of G and quintile 3 of P; not the 20 women
    assert sentence(found["X"], TITLES, SETTINGS) == (
        "Gated one is lower for women in the most deprived IMD quintile (1) than for the Trust as a whole: 60% "
        "against 80.0%, further below than chance would explain (outside the 99.8% funnel limits for a group "
        "of its size)."
    )


def test_differences_within_chance_are_not_a_finding(found):
    assert found["Y"].worst is None and found["Y"].compared == 2
    assert sentence(found["Y"], TITLES, SETTINGS) == (
        "No group stands out: every IMD quintile and ethnic group of 30 women or more is within the 99.8% funnel "
        "limits around the Trust's own rate on every measure, so the differences between them are no more than "
        "chance would explain. The ethnic group is not known for most women (about 120 of 200), so ethnic "
        "groups are not compared: the known ones are not the Trust's women."
    )


def test_too_few_women_or_withheld_rates_compare_nothing(found):
    assert "Z" not in found
    assert sentence(found.get("Z"), TITLES, SETTINGS) == (
        "No comparison between groups this month: no IMD quintile or ethnic group has 30 women or more with a "
        "rate shown."
    )


POSTCODE, ETHNIC = "MSD_MOTHER_POSTCODE_VALID", "MSD_MOTHER_ETHNIC_VALID"


def _row(measure, breakdown, group, numerator, denominator, degenerate=False):
    return MeasureRow(
        "2025-05",
        "X",
        "K2",
        measure,
        breakdown,
        group,
        numerator,
        denominator,
        numerator / denominator if denominator else None,
        None,
        "not_gated",
        "complete",
        degenerate,
        2025,
    )


def test_worst_line_skips_degenerate_suppressed_and_not_known():
    """From stored rows through the cells the tables show (cells.py) to the sentence. Valid ethnic
    category by IMD quintile: 1: 40 of 100, 2: 1 of 6 (suppressed), 3: 90 of 100, 5: 94 of 100 (6
    without: suppressed), Not known 10 of 100 (never compared); the Trust 235 of 406, p = 0.5788. Funnel limit for 100 women:
    0.5788 - 3.0902 x sqrt(0.5788 x 0.4212 / 100) = 0.5788 - 0.1526 = 0.4262: quintile 1 (0.40) is
    below it. Valid postcode by IMD (40 of 100 against 100 of 100) is degenerate: never a finding."""
    policy = DisclosurePolicy(1, 7, "*", 5, "")
    rows = [
        _row(POSTCODE, "overall", "overall", 300, 406),
        _row(POSTCODE, "imd_quintile", "1", 40, 100, degenerate=True),
        _row(POSTCODE, "imd_quintile", "5", 100, 100, degenerate=True),
        _row(ETHNIC, "overall", "overall", 235, 406),
        _row(ETHNIC, "imd_quintile", "1", 40, 100),
        _row(ETHNIC, "imd_quintile", "2", 1, 6),
        _row(ETHNIC, "imd_quintile", "3", 90, 100),
        _row(ETHNIC, "imd_quintile", "5", 94, 100),
        _row(ETHNIC, "imd_quintile", "Not known", 10, 100),
    ]
    measures = [{"id": POSTCODE, "title": "Valid postcode", "gated": True, "threshold": 0.95},
                {"id": ETHNIC, "title": "Valid ethnic category", "gated": True, "threshold": 0.8}]  # fmt: skip
    degenerate = {POSTCODE: {"imd_quintile", "imd_decile"}, ETHNIC: {"ethnic_group", "ethnic_category"}}
    frame = measure_frame(rows)
    nesting = {"ethnic_category": {"groups": {"White": ["A"]}, "not_known_group": "Not known"}}
    cells = breakdown_cells(frame, ["X"], measures, degenerate, policy, nesting)
    settings = FindingRules(30, 0.998, 0.5)
    found = worst_groups(cells.rows, frame.filter(breakdown="overall"), measures, policy, settings, "Not known")
    assert found["X"].compared == 2  # quintiles 1 and 3 of valid ethnic category
    text = sentence(found["X"], {POSTCODE: "Valid postcode", ETHNIC: "Valid ethnic category"}, settings)
    assert text == (
        "Valid ethnic category is lower for women in the most deprived IMD quintile (1) than for the Trust as a "
        "whole: 40% against 57.9%, further below than chance would explain (outside the 99.8% funnel limits for "
        "a group of its size)."
    )
