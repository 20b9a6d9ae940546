"""Making Data Count at a process change: limits from each process's own points, none before a
baseline of 12, and icons about the current process only (pipelines/scorecard/spc.py, trends.py).
Every figure is worked by hand in the docstrings: mean, the moving ranges and their mean (MR-bar),
limits = mean -/+ 2.66 x MR-bar, 2-sigma lines two thirds of the way out."""

from __future__ import annotations

import pytest

from pipelines.scorecard.data import MeasureRow, ScorecardData, TrustStatus, measure_frame
from pipelines.scorecard.spc import processes, xmr
from pipelines.scorecard.trends import trend

K2_YEAR = [88, 87] * 6  # 12 points
CERNER_LEVEL = [60, 61] * 6  # 12 points
RECOVERY = [42.1, 58.1, 70.9, 83.0, 86.1, 89.0]  # RKB's valid ethnic category, April to September 2026


def test_a_step_change_gets_limits_from_each_side_alone():
    """88 87 88 87 ... (12 points) then 60 61 60 61 ... (12 points), the change at index 12.

    Before: mean 87.5; 11 moving ranges of 1, MR-bar 1; limits 87.5 -/+ 2.66 = 84.84 .. 90.16.
    After: mean 60.5; MR-bar 1; limits 57.84 .. 63.16. Neither side has a special cause (each
    alternates about its own mean). Pooled, the 24 points would have mean 74 and every point would
    sit 13.5 or more from it: the step is not common cause, and neither side's limits are the other's.
    """
    before, after = processes(K2_YEAR + CERNER_LEVEL, [12], target=80)
    assert (before.start, before.end, after.start, after.end) == (0, 12, 12, 24)
    assert before.result.mean == pytest.approx(87.5)
    assert before.result.mean_moving_range == pytest.approx(1.0)
    assert (before.result.lower, before.result.upper) == (pytest.approx(84.84), pytest.approx(90.16))
    assert after.result.mean == pytest.approx(60.5)
    assert (after.result.lower, after.result.upper) == (pytest.approx(57.84), pytest.approx(63.16))
    assert not any(before.result.signals) and not any(after.result.signals)
    assert before.result.assurance == "pass" and after.result.assurance == "fail"  # target 80


def test_fewer_points_than_the_baseline_have_no_limits():
    """K2's year, then the six recovering Cerner months: the new process has 6 points, short of the
    baseline of 12, so no mean and no limits; 6 rising points are one short of a 7-point trend."""
    _, cerner = processes(K2_YEAR + RECOVERY, [12], target=80)
    assert cerner.result.values == tuple(RECOVERY)
    assert not cerner.result.has_limits and cerner.result.mean is None
    assert cerner.result.signals == (None,) * 6
    assert cerner.result.variation == "none" and cerner.result.assurance is None


def test_the_recovery_is_a_trend_once_seven_points_rise():
    """A seventh point higher again (91.0): 42.1 < 58.1 < 70.9 < 83.0 < 86.1 < 89.0 < 91.0, six
    rises in a row, 7 points: a trend, upwards, so an improvement on all seven; still no limits."""
    _, cerner = processes(K2_YEAR + RECOVERY + [91.0], [12], target=80)
    assert not cerner.result.has_limits
    assert [(s.rules, s.kind) for s in cerner.result.signals] == [(("trend",), "improvement")] * 7
    assert cerner.result.variation == "improvement"


def test_a_falling_run_without_limits_is_a_concern():
    """90 89 88 87 86 85 84: 7 points falling, no baseline: a trend, a concern (higher is better)."""
    r = xmr([90, 89, 88, 87, 86, 85, 84], baseline_points=12)
    assert not r.has_limits
    assert {s.kind for s in r.signals} == {"concern"} and r.variation == "concern"


def _data(series: list[tuple[str, float, str]], month: str | None = None) -> ScorecardData:
    """RKB's valid ethnic category over (month, rate, system), 500 women a month."""
    rows = [
        MeasureRow(m, "RKB", system, "MSD_MOTHER_ETHNIC_VALID", "overall", "overall", round(rate * 500), 500,
                   rate, 0.80, "pass" if rate >= 0.80 else "fail", "complete", False, 2025)
        for m, rate, system in series
    ]  # fmt: skip
    months = [m for m, _, _ in series]
    trust = TrustStatus("RKB", series[-1][2], 1, 500, 500, 0, 500, "complete", None)
    return ScorecardData(month or months[-1], months, [trust], measure_frame(rows))


MEASURE = {"id": "MSD_MOTHER_ETHNIC_VALID", "title": "Valid ethnic category", "threshold": 0.80, "gated": True}
K2_MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
# 0.874 0.880 alternating: mean 0.877, MR-bar 0.006, limits 0.877 -/+ 0.01596 = 0.86104 .. 0.89296
K2 = [(m, 0.874 if i % 2 == 0 else 0.880, "K2") for i, m in enumerate(K2_MONTHS)]


def test_pooled_limits_would_promise_a_pass_beside_a_fail():
    """With no change recorded, April 2026's 42.1% joins K2's twelve months: 13 points, mean
    (6 x 0.874 + 6 x 0.880 + 0.421) / 13 = 10.945 / 13 = 0.84192; moving ranges eleven 0.006 and 0.459
    (0.880 -> 0.421), MR-bar 0.525 / 12 = 0.04375; 0.459 is over 3.267 x 0.04375 = 0.1429 and screened
    out, so MR-bar 0.006 and limits 0.84192 -/+ 0.01596 = 0.82596 .. 0.85788, above the 80% target:
    the limits say "will consistently pass" beside a month that fails. The chart must not say it."""
    t = trend(_data([*K2, ("2026-04", 0.421, "K2")]), _data(K2).trusts[0], MEASURE, [])
    assert t.assurance_kind is None and "consistently pass" not in t.assurance_text
    assert t.assurance_text == "Assurance: not given (the latest month contradicts the limits)"
    assert t.note == (
        "The process limits lie above the target, but the latest month fails: the process may have changed, "
        "so no assurance is given until the limits are recalculated."
    )


def test_the_change_restarts_the_chart():
    """The same months with the change to Cerner recorded in April 2026: April is a process of one
    point, short of the baseline; K2's own mean and limits (0.877; 0.86104 .. 0.89296) stay with the
    K2 months."""
    data = _data([*K2, ("2026-04", 0.421, "Cerner")])
    t = trend(data, data.trusts[0], MEASURE, ["2026-04"])
    assert t.since == "2026-04"
    assert t.note == "Not enough months since the change in April 2026 for process limits: 1 of the 12 needed."
    assert (t.variation_kind, t.assurance_kind) == ("none", None)
    assert t.assurance_text == "Assurance: not assessed (no process limits yet)"
    assert "Before it, on K2 (April 2025 to March 2026): mean 87.7%, process limits 86.1% to 89.3%" in t.summary
    assert [r.signal for r in t.rows][-2:] == ["Common cause", "No process limits yet"]


def test_the_better_direction_comes_from_the_measure():
    """The same seven rising months (0.60 to 0.66 by 0.01) read as an improvement where higher is
    better (every current measure) and as a concern for a measure whose rules say lower is better."""
    months = [f"2025-{m:02d}" for m in range(4, 11)]
    data = _data([(m, 0.60 + i / 100, "K2") for i, m in enumerate(months)])
    up = trend(data, data.trusts[0], MEASURE, [])
    down = trend(data, data.trusts[0], {**MEASURE, "better": "lower"}, [])
    assert (up.variation_kind, down.variation_kind) == ("improvement", "concern")
