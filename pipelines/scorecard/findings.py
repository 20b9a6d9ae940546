"""The plain-English line per Trust on where data quality is worst, from the stored breakdown rows.

Compared: each measure's groups within IMD quintile and within ethnic group (deciles and categories
are too thin to compare reliably). Left out: degenerate breakdowns (a measure broken down by the
field it measures, flagged in the measures table and in rules.yaml), the `Not known` groups, and
cells whose rate the disclosure policy hides. The line names the widest gap between two groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.scorecard.data import MeasureRow
from pipelines.scorecard.disclosure import DisclosurePolicy

COMPARED_BREAKDOWNS = ("imd_quintile", "ethnic_group")


@dataclass(frozen=True)
class Gap:
    measure_id: str
    breakdown: str
    low: MeasureRow
    high: MeasureRow

    @property
    def points(self) -> float:
        return (self.high.rate - self.low.rate) * 100


# IMD: 1 is the most deprived tenth or fifth of areas in England, the highest number the least.
IMD_LEAST_DEPRIVED = {"imd_quintile": "5", "imd_decile": "10"}
IMD_MOST_DEPRIVED = "1"


def group_phrase(breakdown: str, group: str) -> str:
    if breakdown in IMD_LEAST_DEPRIVED:
        unit = "quintile" if breakdown == "imd_quintile" else "decile"
        if group == IMD_MOST_DEPRIVED:
            return f"the most deprived IMD {unit} ({group})"
        if group == IMD_LEAST_DEPRIVED[breakdown]:
            return f"the least deprived IMD {unit} ({group})"
        return f"IMD {unit} {group}"
    return f"the {group} ethnic group"


def widest_gap(rows: list[MeasureRow], degenerate: dict[str, set[str]], policy: DisclosurePolicy,
               not_known: str, measure_order: list[str]) -> Gap | None:
    best: Gap | None = None
    for measure_id in measure_order:
        for breakdown in COMPARED_BREAKDOWNS:
            if breakdown in degenerate.get(measure_id, set()):
                continue
            cells = [r for r in rows if r.measure_id == measure_id and r.breakdown == breakdown
                     and not r.degenerate and r.group != not_known and r.rate is not None
                     and policy.rate_shown(r.numerator, r.denominator)]
            if len(cells) < 2:
                continue
            low = min(cells, key=lambda r: (r.rate, r.group))
            high = max(cells, key=lambda r: (r.rate, r.group))
            gap = Gap(measure_id, breakdown, low, high)
            if best is None or gap.points > best.points + 1e-9:
                best = gap
    return best


def sentence(gap: Gap | None, titles: dict[str, str], policy: DisclosurePolicy) -> str:
    if gap is None:
        return ("No comparison between groups this month: too few women in each IMD quintile or ethnic group "
                f"to show rates without disclosing small numbers (fewer than {policy.smallest_shown}).")
    title = titles[gap.measure_id]
    if gap.points < 0.05:
        return f"No group stands out: {title.lower()} is the same in every IMD quintile and ethnic group compared."
    low = group_phrase(gap.breakdown, gap.low.group)
    high = group_phrase(gap.breakdown, gap.high.group)
    return (f"{title} is {gap.points:.1f} percentage points lower for women in {low} than in {high}: "
            f"{gap.low.rate * 100:.1f}% against {gap.high.rate * 100:.1f}%.")
