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

A chart is one process only. A recorded process change (a Trust's change of source system) starts
a new one: `processes` splits the series there and computes each part on its own, never pooling
across the change. Limits need a baseline of BASELINE_POINTS points; a process with fewer has no
mean and no limits (its points are shown, and only the trend rule, which needs neither, is read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LIMIT_FACTOR = 2.66
MR_SCREEN_FACTOR = 3.267
RUN_LENGTH = 7
TREND_LENGTH = 7
# The fewest points process limits are computed from: NHS England's Making Data Count guidance
# asks for at least 12 where possible (NHS-R's "plot the dots" warns below 12), and 12 months is a
# year, so a seasonal pattern cannot pass for a shift. Limits from 6 points of a process still
# settling (a new system's first months) would be both wide and wrong.
BASELINE_POINTS = 12

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
    def variation(self) -> str:
        """'improvement' or 'concern' when the latest point is special cause, else 'common'; 'none'
        when nothing could be judged (no limits, and no trend)."""
        last = self.signals[-1] if self.signals else None
        if last:
            return last.kind
        return "common" if self.has_limits else "none"

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


def _trend_flags(ys: Sequence[float]) -> list[dict[str, int]]:
    """The trend rule alone: it needs neither a mean nor limits."""
    flags: list[dict[str, int]] = [{} for _ in ys]
    # A trend of k points is k-1 consecutive steps in the same direction.
    steps = [_sign(ys[i] - ys[i - 1]) for i in range(1, len(ys))]
    for start, end, direction in _runs(steps, TREND_LENGTH - 1):
        for i in range(start, end + 2):
            flags[i].setdefault("trend", direction)
    return flags


def _signals(flags: list[dict[str, int]], higher_is_better: bool) -> tuple[Signal | None, ...]:
    better = 1 if higher_is_better else -1
    signals: list[Signal | None] = []
    for f in flags:
        if not f:
            signals.append(None)
            continue
        rules = tuple(r for r in RULE_TEXT if r in f)
        direction = f[rules[0]]
        signals.append(Signal(rules, direction, "improvement" if direction == better else "concern"))
    return tuple(signals)


def xmr(
    values: Sequence[float],
    *,
    higher_is_better: bool = True,
    target: float | None = None,
    screen: bool = True,
    baseline_points: int = 2,
) -> XmR:
    """The XmR chart of one process. Fewer than baseline_points points (at least 2, as a moving
    range needs two): no mean and no limits, and only the trend rule is read."""
    ys = tuple(float(v) for v in values)
    n = len(ys)
    if n < max(2, baseline_points):
        signals = _signals(_trend_flags(ys), higher_is_better)
        return XmR(ys, None, (), (), None, None, None, None, None, signals, higher_is_better, target)
    mean = sum(ys) / n
    mrs = tuple(abs(ys[i] - ys[i - 1]) for i in range(1, n))
    amr = sum(mrs) / len(mrs)
    screened: tuple[int, ...] = ()
    if screen:
        screened = tuple(i for i, mr in enumerate(mrs) if mr >= MR_SCREEN_FACTOR * amr and amr > 0)
        kept = [mr for i, mr in enumerate(mrs) if i not in screened]
        amr = sum(kept) / len(kept) if kept else amr
    spread = LIMIT_FACTOR * amr
    lower, upper = mean - spread, mean + spread
    lower2, upper2 = mean - spread * 2 / 3, mean + spread * 2 / 3

    flags = _trend_flags(ys)
    for i, y in enumerate(ys):
        if y > upper:
            flags[i]["outside"] = 1
        elif y < lower:
            flags[i]["outside"] = -1
    for start, end, side in _runs([_sign(y - mean) for y in ys], RUN_LENGTH):
        for i in range(start, end + 1):
            flags[i].setdefault("shift", side)
    for w in range(n - 2):
        for side, line in ((1, upper2), (-1, lower2)):
            beyond = [i for i in range(w, w + 3) if (ys[i] - line) * side > 0]
            if len(beyond) >= 2:
                for i in beyond:
                    flags[i].setdefault("two_of_three", side)

    return XmR(
        ys,
        mean,
        mrs,
        screened,
        amr,
        lower,
        upper,
        lower2,
        upper2,
        _signals(flags, higher_is_better),
        higher_is_better,
        target,
    )


@dataclass(frozen=True)
class Process:
    """One process of a series: points start..end (indices into the series' values, end exclusive)."""

    start: int
    end: int
    result: XmR


def processes(
    values: Sequence[float],
    starts: Sequence[int],
    *,
    higher_is_better: bool = True,
    target: float | None = None,
    baseline_points: int = BASELINE_POINTS,
) -> list[Process]:
    """The series split where a recorded process change begins a new process (`starts`: indices of
    the first point of each new process), each computed on its own points only."""
    cuts = sorted({0, *(s for s in starts if 0 < s < len(values))}) + [len(values)]
    return [
        Process(
            a, b, xmr(values[a:b], higher_is_better=higher_is_better, target=target, baseline_points=baseline_points)
        )
        for a, b in zip(cuts, cuts[1:], strict=False)
        if b > a
    ]
