"""XmR (individuals and moving range) charts in the NHS England "Making Data Count" style.

For a series x1..xn (months with a rate; months without one are left out and the series closes up):

* mean = the mean of the points;
* moving ranges mR_i = |x_i - x_(i-1)|, and their mean (the "average moving range");
* screening (as the NHS-R "plot the dots" package does by default): moving ranges of at least
  3.267 x the average moving range are freak jumps, not routine variation, and are left out
  before the average is taken again;
* natural process limits = mean +/- 2.66 x average moving range (2.66 = 3 / d2, d2 = 1.128);
* the "2 sigma" lines sit two thirds of the way from the mean to each limit.

Special-cause rules (a point flagged by any of them is special cause):

* ``outside``: a point above the upper or below the lower process limit;
* ``shift``: a run of 7 or more consecutive points on the same side of the mean (a point on the
  mean breaks the run);
* ``trend``: 7 or more consecutive points each higher (or each lower) than the one before;
* ``two_of_three``: 2 of 3 consecutive points beyond the same 2-sigma line (the points beyond it
  are flagged).

Whether a special cause is an improvement or a concern follows the side (or the trend's direction)
and the measure's better direction: for every data-quality rate here, higher is better.

The variation icon summarises the latest point; the assurance icon compares the target with the
limits: the lower limit above the target (higher is better) means the process will consistently
pass, the upper limit below it that it will consistently fail, otherwise it is hit and miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LIMIT_FACTOR = 2.66
MR_SCREEN_FACTOR = 3.267
RUN_LENGTH = 7
TREND_LENGTH = 7
# Fewer points than this and the limits are provisional (Making Data Count suggests 15-20).
MIN_RELIABLE_POINTS = 12

# In priority order: the first rule that flags a point gives its direction.
RULE_TEXT = {
    "outside": "outside the process limits",
    "two_of_three": "2 of 3 points beyond the 2-sigma line",
    "shift": f"part of a run of {RUN_LENGTH} or more on one side of the mean",
    "trend": f"part of {TREND_LENGTH} or more points rising or falling in a row",
}


@dataclass(frozen=True)
class Signal:
    """A special-cause point: which rules flagged it and whether it is good or bad news."""

    rules: tuple[str, ...]
    direction: int  # +1 high / rising, -1 low / falling
    kind: str  # "improvement" | "concern"


@dataclass(frozen=True)
class XmR:
    values: tuple[float, ...]
    mean: float | None
    moving_ranges: tuple[float, ...]
    screened_out: tuple[int, ...]  # indices into moving_ranges left out of the average
    mean_moving_range: float | None
    lower: float | None
    upper: float | None
    lower_2sigma: float | None
    upper_2sigma: float | None
    signals: tuple[Signal | None, ...]
    higher_is_better: bool = True
    target: float | None = None

    @property
    def has_limits(self) -> bool:
        return self.lower is not None

    @property
    def provisional(self) -> bool:
        return len(self.values) < MIN_RELIABLE_POINTS

    @property
    def variation(self) -> str:
        """'improvement', 'concern' or 'common' for the latest point; 'none' without limits."""
        if not self.has_limits:
            return "none"
        last = self.signals[-1]
        return last.kind if last else "common"

    @property
    def assurance(self) -> str | None:
        """'pass', 'fail' or 'hit_and_miss' against the target; None without target or limits."""
        if self.target is None or not self.has_limits:
            return None
        low, high = self.lower, self.upper
        if self.higher_is_better:
            if low > self.target:
                return "pass"
            if high < self.target:
                return "fail"
        else:
            if high < self.target:
                return "pass"
            if low > self.target:
                return "fail"
        return "hit_and_miss"


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _runs(keys: Sequence[int], min_length: int) -> list[tuple[int, int, int]]:
    """(start, end inclusive, key) of runs of one non-zero key at least min_length long."""
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0 and i - start >= min_length:
                runs.append((start, i - 1, keys[start]))
            start = i
    return runs


def xmr(values: Sequence[float], *, higher_is_better: bool = True, target: float | None = None,
        screen: bool = True) -> XmR:
    ys = tuple(float(v) for v in values)
    n = len(ys)
    if n == 0:
        return XmR((), None, (), (), None, None, None, None, None, (), higher_is_better, target)
    mean = sum(ys) / n
    mrs = tuple(abs(ys[i] - ys[i - 1]) for i in range(1, n))
    if not mrs:
        return XmR(ys, mean, (), (), None, None, None, None, None, (None,), higher_is_better, target)
    amr = sum(mrs) / len(mrs)
    screened: tuple[int, ...] = ()
    if screen:
        screened = tuple(i for i, mr in enumerate(mrs) if mr >= MR_SCREEN_FACTOR * amr and amr > 0)
        kept = [mr for i, mr in enumerate(mrs) if i not in screened]
        amr = sum(kept) / len(kept) if kept else amr
    spread = LIMIT_FACTOR * amr
    lower, upper = mean - spread, mean + spread
    lower2, upper2 = mean - spread * 2 / 3, mean + spread * 2 / 3

    flags: list[dict[str, int]] = [{} for _ in ys]
    for i, y in enumerate(ys):
        if y > upper:
            flags[i]["outside"] = 1
        elif y < lower:
            flags[i]["outside"] = -1
    for start, end, side in _runs([_sign(y - mean) for y in ys], RUN_LENGTH):
        for i in range(start, end + 1):
            flags[i].setdefault("shift", side)
    # A trend of k points is k-1 consecutive steps in the same direction.
    steps = [_sign(ys[i] - ys[i - 1]) for i in range(1, n)]
    for start, end, direction in _runs(steps, TREND_LENGTH - 1):
        for i in range(start, end + 2):
            flags[i].setdefault("trend", direction)
    for w in range(n - 2):
        for side, line in ((1, upper2), (-1, lower2)):
            beyond = [i for i in range(w, w + 3) if (ys[i] - line) * side > 0]
            if len(beyond) >= 2:
                for i in beyond:
                    flags[i].setdefault("two_of_three", side)

    better = 1 if higher_is_better else -1
    signals: list[Signal | None] = []
    for f in flags:
        if not f:
            signals.append(None)
            continue
        rules = tuple(r for r in RULE_TEXT if r in f)
        direction = f[rules[0]]
        signals.append(Signal(rules, direction, "improvement" if direction == better else "concern"))
    return XmR(ys, mean, mrs, screened, amr, lower, upper, lower2, upper2, tuple(signals),
               higher_is_better, target)
