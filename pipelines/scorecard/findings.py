"""The plain-English line per Trust on where data quality is worst, from the stored breakdown rows.

Compared: each measure's groups within IMD quintile and within ethnic group (deciles and categories
are too thin to compare reliably). Left out: degenerate breakdowns (a measure broken down by the
field it measures, flagged in the measures table and in rules.yaml), the `Not known` groups, and
cells whose rate the disclosure policy hides. The line names the widest gap between two groups.

`widest_gaps` finds the gap for every Trust at once from the month's measure frame;
`widest_gap` is the same for a list of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.scorecard.data import MEASURE_SCHEMA, MeasureRow, measure_frame
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


def widest_gaps(
    frame: pl.DataFrame,
    degenerate: dict[str, set[str]],
    policy: DisclosurePolicy,
    not_known: str,
    measure_order: list[str],
    by: str = "org_code",
) -> dict[str, Gap]:
    """Per value of `by` (a Trust) in the frame (data.MEASURE_SCHEMA rows), the widest gap between two
    groups of one measure within one compared breakdown; Trusts with no two comparable groups are left out.

    Measures are tried in measure_order, then breakdowns in COMPARED_BREAKDOWNS order, and a later
    gap replaces the widest so far only when wider by more than 1e-9 points; within a measure and
    breakdown the low and high groups are the lowest and highest by (rate, group)."""
    position = {}
    for i, measure_id in enumerate(measure_order):
        position.setdefault(measure_id, i)
    excluded = pl.DataFrame(
        [(m, b) for m in position for b in COMPARED_BREAKDOWNS if b in degenerate.get(m, set())],
        schema={"measure_id": pl.String, "breakdown": pl.String},
        orient="row",
    )
    columns = list(MEASURE_SCHEMA)
    candidates = (
        frame.filter(
            pl.col("breakdown").is_in(COMPARED_BREAKDOWNS),
            pl.col("measure_id").is_in(list(position)),
            ~pl.col("degenerate").fill_null(False),
            pl.col("group").ne_missing(not_known),
            pl.col("rate").is_not_null(),
            policy.rate_shown_expr(),
        )
        .join(excluded, on=["measure_id", "breakdown"], how="anti")
        .sort("rate", "group")
        .group_by(by, "measure_id", "breakdown")
        .agg(
            n=pl.len(),
            low_rate=pl.col("rate").first(),
            high_rate=pl.col("rate").last(),
            low=pl.struct(columns).first(),
            high=pl.struct(columns).last(),
        )
        .filter(pl.col("n") >= 2)
        .with_columns(
            m=pl.col("measure_id").replace_strict(position, return_dtype=pl.Int64),
            b=pl.col("breakdown").replace_strict(
                {b: i for i, b in enumerate(COMPARED_BREAKDOWNS)}, return_dtype=pl.Int64
            ),
        )
        .sort(by, "m", "b")
    )
    best: dict[str, tuple[float, int]] = {}
    for i, (org, low_rate, high_rate) in enumerate(candidates.select(by, "low_rate", "high_rate").iter_rows()):
        points = (high_rate - low_rate) * 100  # as Gap.points
        if org not in best or points > best[org][0] + 1e-9:
            best[org] = (points, i)
    gaps = {}
    for org, (_, i) in best.items():
        row = candidates.row(i, named=True)
        gaps[org] = Gap(row["measure_id"], row["breakdown"], MeasureRow(**row["low"]), MeasureRow(**row["high"]))
    return gaps


def widest_gap(
    rows: list[MeasureRow],
    degenerate: dict[str, set[str]],
    policy: DisclosurePolicy,
    not_known: str,
    measure_order: list[str],
) -> Gap | None:
    """The widest gap among rows (of one Trust and month), as widest_gaps finds it."""
    frame = measure_frame(rows).with_columns(all=pl.lit(""))
    return widest_gaps(frame, degenerate, policy, not_known, measure_order, by="all").get("")


def sentence(gap: Gap | None, titles: dict[str, str], policy: DisclosurePolicy) -> str:
    if gap is None:
        return (
            "No comparison between groups this month: too few women in each IMD quintile or ethnic group "
            f"to show rates without disclosing small numbers (fewer than {policy.smallest_shown})."
        )
    title = titles[gap.measure_id]
    if gap.points < 0.05:
        return f"No group stands out: {title.lower()} is the same in every IMD quintile and ethnic group compared."
    low = group_phrase(gap.breakdown, gap.low.group)
    high = group_phrase(gap.breakdown, gap.high.group)
    return (
        f"{title} is {gap.points:.1f} percentage points lower for women in {low} than in {high}: "
        f"{gap.low.rate * 100:.1f}% against {gap.high.rate * 100:.1f}%."
    )
