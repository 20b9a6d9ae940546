"""Special causes on the bad side of a higher-is-better rate are concerns, never improvements.

Each series mirrors one of the improvement series of test_scorecard_spc.py (x -> 100 - x, a rate
in per cent), so its limits are the mirror image and the same points are flagged, on the low or
falling side: "concern" for every data-quality rate, where higher is better (measures.md: Making
Data Count). XmR figures worked by hand in each docstring (mean; moving ranges and their mean;
limits = mean -/+ 2.66 x mean moving range; 2-sigma lines two thirds of the way out). Only
behaviour is asserted: which months are flagged, by which rule, with what meaning, and the
variation the latest month shows.
"""

from __future__ import annotations

import pytest

from pipelines.scorecard.spc import xmr


def _flagged(result) -> dict[int, tuple[tuple[str, ...], str]]:
    return {i: (s.rules, s.kind) for i, s in enumerate(result.signals) if s}


def test_a_run_below_the_mean_is_a_concern():
    """92 86 92 86 92 86 92 86 92 86 then 87 88 87 88 87 88 87 (n = 17)

    sum = 890 + 612 = 1502, mean = 88.3529; moving ranges: nine 6s, then 1 (86 -> 87) and six 1s
    -> 61 / 16 = 3.8125 (screening limit 3.267 x 3.8125 = 12.455 keeps them all);
    limits = 88.3529 -/+ 10.1413 -> 78.2117 .. 98.4942; 2 sigma -/+ 6.7608 -> 81.5921 .. 95.1137:
    every point is inside both. From index 9 (the last 86) to the end, 8 points sit below the mean:
    a run of 7 or more on the low side of a higher-is-better rate, a concern, and the latest month
    is in it. No trend (the last seven alternate), nothing beyond 2 sigma.
    """
    r = xmr([92, 86] * 5 + [87, 88, 87, 88, 87, 88, 87], higher_is_better=True)
    assert r.mean == pytest.approx(1502 / 17)
    assert r.lower == pytest.approx(78.2117, abs=1e-4)
    assert r.upper == pytest.approx(98.4942, abs=1e-4)
    assert _flagged(r) == {i: (("shift",), "concern") for i in range(9, 17)}
    assert r.variation == "concern"


def test_a_falling_trend_is_a_concern():
    """90 86 90 86 90 86 90 89 88 87 86 85 84 (n = 13)

    sum = 1137, mean = 87.4615; moving ranges: six 4s, six 1s -> 30 / 12 = 2.5 (screening limit
    8.17 keeps them all); limits = 87.4615 -/+ 6.65 -> 80.8115 .. 94.1115; 2 sigma -/+ 4.4333 ->
    83.0282 .. 91.8949. Indices 6 to 12 (90, 89, ..., 84) fall 6 times in a row: 7 points in a
    falling trend, a concern even for the 90, 89 and 88 above the mean. Only the last 4 are below
    the mean (no run of 7); nothing beyond 2 sigma (84 > 83.03).
    """
    r = xmr([90, 86, 90, 86, 90, 86, 90, 89, 88, 87, 86, 85, 84], higher_is_better=True)
    assert r.mean == pytest.approx(1137 / 13)
    assert r.mean_moving_range == pytest.approx(2.5)
    assert r.lower == pytest.approx(80.8115, abs=1e-4)
    assert _flagged(r) == {i: (("trend",), "concern") for i in range(6, 13)}
    assert r.variation == "concern"


def test_two_of_three_below_the_lower_two_sigma_line_is_a_concern():
    """91 89 91 89 91 89 91 89 91 89 91 85 85 (n = 13)

    sum = 900 + 261 = 1161, mean = 89.3077; moving ranges: ten 2s, then 6 and 0 -> 26 / 12 =
    2.1667 (screening limit 7.0785 keeps the 6); limits = 89.3077 -/+ 5.7633 -> 83.5444 ..
    95.0710; lower 2 sigma = 89.3077 - 3.8422 = 85.4655. The two 85s (indices 11 and 12) are
    inside the limits but below the lower 2-sigma line: 2 of 3 on the low side, a concern, and the
    latest month is one of them. No run (91 and 89 alternate about the mean), no trend.
    """
    r = xmr([91, 89] * 5 + [91, 85, 85], higher_is_better=True)
    assert r.mean == pytest.approx(1161 / 13)
    assert r.mean_moving_range == pytest.approx(26 / 12)
    assert r.lower == pytest.approx(83.5444, abs=1e-4)
    assert r.lower_2sigma == pytest.approx(85.4655, abs=1e-4)
    assert _flagged(r) == {11: (("two_of_three",), "concern"), 12: (("two_of_three",), "concern")}
    assert r.variation == "concern"


def test_a_point_below_the_lower_limit_is_a_concern():
    """90 91 90 91 90 91 90 70 (n = 8)

    sum = 703, mean = 87.875; moving ranges 1 1 1 1 1 1 20 -> mean 26 / 7 = 3.7143; screening
    limit 3.267 x 3.7143 = 12.13 leaves the 20 out: 6 / 6 = 1.0; limits = 87.875 -/+ 2.66 ->
    85.215 .. 90.535. The 70 is below the lower limit (a concern, and the latest month); every 91 is
    above the upper limit (improvements). 2 sigma = 87.875 -/+ 1.7733 -> 86.1017 .. 89.6483: every
    90 and 91 is beyond the upper line, so the 90s are flagged by 2 of 3 (improvements) too, and
    the first seven points sit above the mean (a run of 7, improvement).
    """
    r = xmr([90, 91, 90, 91, 90, 91, 90, 70], higher_is_better=True)
    assert r.mean == pytest.approx(87.875)
    assert r.mean_moving_range == pytest.approx(1.0)
    assert r.lower == pytest.approx(85.215)
    flagged = _flagged(r)
    assert flagged[7] == (("outside",), "concern")
    assert {i: kind for i, (_, kind) in flagged.items()} == {i: "improvement" for i in range(7)} | {7: "concern"}
    assert r.variation == "concern"


@pytest.mark.parametrize(
    "series",
    [
        [8, 14] * 5 + [13, 12, 13, 12, 13, 12, 13],
        [10, 14, 10, 14, 10, 14, 10, 11, 12, 13, 14, 15, 16],
        [9, 11] * 5 + [9, 11, 15, 15],
    ],
    ids=["run", "trend", "two_of_three"],
)
def test_mirrored_series_flag_the_same_months_with_the_opposite_meaning(series):
    """A series and its mirror (x -> 100 - x) flag the same months by the same rules; what is an
    improvement in one is a concern in the other."""
    up, down = xmr(series, higher_is_better=True), xmr([100 - x for x in series], higher_is_better=True)
    assert {i: rules for i, (rules, _) in _flagged(up).items()} == {
        i: rules for i, (rules, _) in _flagged(down).items()
    }
    assert {kind for _, kind in _flagged(up).values()} == {"improvement"}
    assert {kind for _, kind in _flagged(down).values()} == {"concern"}
