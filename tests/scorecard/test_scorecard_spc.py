"""XmR maths on series worked out by hand (pipelines/scorecard/spc.py)."""

from __future__ import annotations

import pytest

from pipelines.scorecard.spc import xmr

DIP = [90, 92, 91, 50, 89, 90, 91, 92, 90, 91]


def test_limits_without_screening():
    """values 90 92 91 50 89 90 91 92 90 91 (n = 10)

    sum = 866, mean = 86.6
    moving ranges: 2 1 41 39 1 1 1 2 1 -> sum 89, 9 ranges, mean moving range = 9.8889
    limits = 86.6 -/+ 2.66 x 9.8889 = 86.6 -/+ 26.3044 -> 60.2956 .. 112.9044
    2 sigma = 86.6 -/+ 26.3044 x 2/3 = 86.6 -/+ 17.5363 -> 69.0637 .. 104.1363
    Only the 50 (index 3) lies outside: a special cause, low, so a concern. No run of 7 on one
    side (the 50 breaks the run above the mean), no 7-point trend.
    """
    r = xmr(DIP, screen=False)
    assert r.mean == pytest.approx(86.6)
    assert r.moving_ranges == (2, 1, 41, 39, 1, 1, 1, 2, 1)
    assert r.mean_moving_range == pytest.approx(89 / 9)
    assert r.lower == pytest.approx(60.2956, abs=1e-4)
    assert r.upper == pytest.approx(112.9044, abs=1e-4)
    assert r.lower_2sigma == pytest.approx(69.0637, abs=1e-4)
    assert [i for i, s in enumerate(r.signals) if s] == [3]
    assert r.signals[3].rules == ("outside",)
    assert r.signals[3].kind == "concern"
    assert r.variation == "common"  # the latest point, 91, is common cause


def test_limits_with_screened_moving_ranges():
    """Same series, screening on (the default, as NHS-R "plot the dots").

    moving-range limit = 3.267 x 9.8889 = 32.307: the 41 and the 39 are left out;
    the other 7 ranges sum to 9, mean moving range = 9 / 7 = 1.285714
    limits = 86.6 -/+ 2.66 x 1.285714 = 86.6 -/+ 3.42 -> 83.18 .. 90.02
    Outside: 92 (index 1), 91 (2), 50 (3, low), 91 (6), 92 (7), 91 (9); the 90s (0, 5, 8) and the
    89 (4) are inside. 2 sigma = 86.6 -/+ 2.28 -> 84.32 .. 88.88, and every point but the 50 is
    beyond the upper line, so each of them is in a window of 3 with 2 or more beyond it: the 2-of-3
    rule flags the 90s and the 89 too. Every point is special cause; the high ones are
    improvements and the 50 is the one concern.
    """
    r = xmr(DIP)
    assert r.screened_out == (2, 3)
    assert r.mean_moving_range == pytest.approx(9 / 7)
    assert r.lower == pytest.approx(83.18)
    assert r.upper == pytest.approx(90.02)
    outside = [i for i, s in enumerate(r.signals) if s and "outside" in s.rules]
    assert outside == [1, 2, 3, 6, 7, 9]
    assert r.signals[4].rules == ("two_of_three",)
    assert all(s is not None for s in r.signals)
    assert [s.kind for s in r.signals].count("concern") == 1
    assert r.signals[3].kind == "concern"
    assert r.variation == "improvement"


def test_run_of_seven_on_one_side_of_the_mean():
    """8 14 8 14 8 14 8 14 8 14 then 13 12 13 12 13 12 13 (n = 17)

    sum = 110 + 88 = 198, mean = 11.6471
    moving ranges: nine 6s, one 1 (14 -> 13), six 1s -> sum 61, 16 ranges, mean 3.8125;
    screening limit 12.455 leaves all in; limits = 11.6471 -/+ 10.1413 -> 1.5058 .. 21.7883,
    2 sigma -/+ 6.7608 -> 4.886 .. 18.408: every point is inside both.
    The first ten alternate either side of the mean; from index 9 (the last 14) to the end,
    8 points sit above it: a run of 7 or more, flagged as improvement. Nothing else.
    """
    series = [8, 14] * 5 + [13, 12, 13, 12, 13, 12, 13]
    r = xmr(series)
    assert r.mean == pytest.approx(198 / 17)
    assert r.mean_moving_range == pytest.approx(61 / 16)
    assert r.lower == pytest.approx(1.5058, abs=1e-4)
    assert [i for i, s in enumerate(r.signals) if s] == list(range(9, 17))
    assert {s.rules for s in r.signals if s} == {("shift",)}
    assert {s.kind for s in r.signals if s} == {"improvement"}


def test_six_on_one_side_is_not_a_run():
    """8 14 8 14 8 14 then 13 12 13 12 13 (n = 11): sum = 66 + 63 = 129, mean = 11.727; the last five plus
    the 14 before them are 6 points above the mean - one short of a run."""
    series = [8, 14] * 3 + [13, 12, 13, 12, 13]
    r = xmr(series)
    assert r.mean == pytest.approx(129 / 11)
    assert not any(s and "shift" in s.rules for s in r.signals)


def test_seven_point_trend():
    """10 14 10 14 10 14 10 11 12 13 14 15 16 (n = 13)

    sum = 163, mean = 12.5385; moving ranges: six 4s, six 1s -> 30 / 12 = 2.5;
    limits = 12.5385 -/+ 6.65 -> 5.8885 .. 19.1885; 2 sigma -/+ 4.4333 -> 8.105 .. 16.972.
    Indices 6 to 12 (10, 11, ..., 16) rise 7 times in a row: a trend, and an upward one, so an
    improvement even for the 10 and 11 and 12 below the mean. No run of 7 on one side (only the
    last 4 are above the mean), nothing beyond 2 sigma.
    """
    r = xmr([10, 14, 10, 14, 10, 14, 10, 11, 12, 13, 14, 15, 16])
    assert r.mean == pytest.approx(163 / 13)
    assert r.mean_moving_range == pytest.approx(2.5)
    assert [i for i, s in enumerate(r.signals) if s] == list(range(6, 13))
    assert {s.rules for s in r.signals if s} == {("trend",)}
    assert {s.kind for s in r.signals if s} == {"improvement"}


def test_two_of_three_beyond_two_sigma():
    """9 11 9 11 9 11 9 11 9 11 9 15 15 11 9 11 (n = 16)

    sum = 170, mean = 10.625; moving ranges: ten 2s, 6, 0, 4, 2, 2 -> 34 / 15 = 2.2667;
    screening limit 7.405 leaves all in; limits = 10.625 -/+ 6.0293 -> 4.5957 .. 16.6543;
    upper 2 sigma = 10.625 + 4.0196 = 14.6446. The two 15s (indices 11, 12) are inside the limits
    but beyond the 2-sigma line: 2 of 3, high, an improvement. Nothing else is flagged.
    """
    r = xmr([9, 11] * 5 + [9, 15, 15, 11, 9, 11])
    assert r.mean == pytest.approx(10.625)
    assert r.upper_2sigma == pytest.approx(14.6446, abs=1e-4)
    assert r.upper == pytest.approx(16.6543, abs=1e-4)
    assert [i for i, s in enumerate(r.signals) if s] == [11, 12]
    assert r.signals[11].rules == ("two_of_three",)
    assert r.signals[11].kind == "improvement"


def test_lower_is_better_turns_the_meaning_round():
    r = xmr(DIP, screen=False, higher_is_better=False)
    assert r.signals[3].kind == "improvement"


@pytest.mark.parametrize(
    ("target", "expected"),
    [(0.5, "pass"), (0.99, "fail"), (0.9, "hit_and_miss"), (None, None)],
)
def test_assurance(target, expected):
    """0.88 0.90 0.92 0.90 0.88 0.90 0.92: mean 0.90, moving ranges all 0.02, limits
    0.90 -/+ 0.0532 -> 0.8468 .. 0.9532."""
    r = xmr([0.88, 0.90, 0.92, 0.90, 0.88, 0.90, 0.92], target=target)
    assert r.lower == pytest.approx(0.8468)
    assert r.assurance == expected


def test_short_series():
    assert xmr([]).mean is None
    one = xmr([0.5], target=0.9)
    assert one.mean is None and not one.has_limits and one.assurance is None and one.variation == "none"
    two = xmr([0.5, 0.7])  # the pure function's own minimum: a moving range needs two points
    assert two.has_limits
    assert two.lower == pytest.approx(0.6 - 2.66 * 0.2)
    assert not xmr([0.5, 0.7], baseline_points=12).has_limits
