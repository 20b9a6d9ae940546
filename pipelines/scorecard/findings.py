"""The plain-English line per Trust on where data quality is worst, only when the data say so.

A group (an IMD quintile or an ethnic group; deciles and categories are too thin) is compared with
its own Trust as a whole on a funnel plot: it stands out when its rate lies below the lower
control limit for a group of its size, p - z * sqrt(p * (1 - p) / n), p the Trust's rate and z
that of the rules file's confidence (99.8%, z = 3.09: what funnel plots of NHS indicators use).
Only groups of at least the rules file's minimum size are compared, only cells whose rate the
tables show (cells.py: so a finding quotes nothing the tables withhold, and never a degenerate
breakdown or `Not known`), gated measures before the others, and the widest shortfall is told.
A breakdown whose `Not known` group holds at least the rules file's share of the Trust's women is
not compared (the known groups are then not the Trust's women), and the line says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import polars as pl

from pipelines.scorecard.disclosure import DisclosurePolicy

COMPARED_BREAKDOWNS = ("imd_quintile", "ethnic_group")
# IMD: 1 is the most deprived tenth or fifth of areas in England, the highest number the least.
IMD_LEAST_DEPRIVED = {"imd_quintile": "5", "imd_decile": "10"}
IMD_MOST_DEPRIVED = "1"
BREAKDOWN_WORDS = {"imd_quintile": "IMD quintile", "ethnic_group": "ethnic group"}


@dataclass(frozen=True)
class FindingRules:
    min_group_women: int
    confidence: float
    not_known_share: float

    @classmethod
    def from_rules(cls, rules: dict[str, Any]) -> FindingRules:
        f = rules["findings"]
        return cls(int(f["min_group_women"]), float(f["confidence"]), float(f["not_known_dominates_share"]))

    @property
    def z(self) -> float:
        return NormalDist().inv_cdf((1 + self.confidence) / 2)


@dataclass(frozen=True)
class Finding:
    measure_id: str
    breakdown: str
    group: str
    group_rate: str  # as the breakdown table shows it
    trust_rate: float  # the Trust's own rate, exact (a Trust total)
    shortfall: float  # trust_rate - the group's rate


@dataclass
class TrustFindings:
    worst: Finding | None = None
    compared: int = 0  # groups x measures compared
    not_known: list[tuple[str, str, int]] = field(default_factory=list)  # (breakdown, Not known as shown, all)


def group_phrase(breakdown: str, group: str) -> str:
    if breakdown in IMD_LEAST_DEPRIVED:
        unit = "quintile" if breakdown == "imd_quintile" else "decile"
        if group == IMD_MOST_DEPRIVED:
            return f"the most deprived IMD {unit} ({group})"
        if group == IMD_LEAST_DEPRIVED[breakdown]:
            return f"the least deprived IMD {unit} ({group})"
        return f"IMD {unit} {group}"
    return f"the {group} ethnic group"


def worst_groups(
    cells: pl.DataFrame,
    overall: pl.DataFrame,
    measures: list[dict[str, Any]],
    policy: DisclosurePolicy,
    settings: FindingRules,
    not_known: str,
) -> dict[str, TrustFindings]:
    """Per Trust: its most significant shortfall, if any. cells: cells.BreakdownCells.rows;
    overall: the Trusts' overall rows (org_code, measure_id, numerator, denominator)."""
    out: dict[str, TrustFindings] = {}
    women = dict(overall.group_by("org_code").agg(pl.col("denominator").max()).iter_rows())
    nk = cells.filter(pl.col("breakdown").is_in(COMPARED_BREAKDOWNS), pl.col("group") == not_known)
    dominated = set()
    by_group = nk.group_by("org_code", "breakdown").agg(pl.col("denominator").max())
    order = {b: i for i, b in enumerate(COMPARED_BREAKDOWNS)}
    for org, breakdown, d in sorted(by_group.iter_rows(), key=lambda r: (r[0], order[r[1]])):
        if women.get(org) and d >= settings.not_known_share * women[org]:
            dominated.add((org, breakdown))
            out.setdefault(org, TrustFindings()).not_known.append((breakdown, policy.count(d), women[org]))
    tier = {m["id"]: (0 if m.get("gated") else 1, i) for i, m in enumerate(measures)}
    candidates = (
        cells.filter(
            pl.col("breakdown").is_in(COMPARED_BREAKDOWNS),
            pl.col("group") != not_known,
            pl.col("shown"),
            pl.col("denominator") >= settings.min_group_women,
            pl.col("measure_id").is_in(list(tier)),
        )
        .join(
            overall.select("org_code", "measure_id", trust_n="numerator", trust_d="denominator"),
            on=["org_code", "measure_id"],
        )
        .sort("org_code", "measure_id", "breakdown", "group")
    )
    for row in candidates.iter_rows(named=True):
        org = row["org_code"]
        if (org, row["breakdown"]) in dominated or not row["trust_d"]:
            continue
        found = out.setdefault(org, TrustFindings())
        found.compared += 1
        p, n, d = row["trust_n"] / row["trust_d"], row["numerator"], row["denominator"]
        limit = p - settings.z * math.sqrt(p * (1 - p) / d)
        if n / d >= limit or p in (0.0, 1.0):
            continue
        finding = Finding(row["measure_id"], row["breakdown"], row["group"], policy.rate_text(n, d), p, p - n / d)
        best = found.worst
        if best is None or (tier[finding.measure_id][0], -finding.shortfall) < (
            tier[best.measure_id][0],
            -best.shortfall,
        ):
            found.worst = finding
    return out


def sentence(found: TrustFindings | None, titles: dict[str, str], settings: FindingRules) -> str:
    found = found or TrustFindings()
    parts = []
    for breakdown, shown, women in found.not_known:
        about = f"about {shown} of {women:,}" if shown[:1].isdigit() else f"of {women:,}"
        parts.append(
            f"The {BREAKDOWN_WORDS[breakdown]} is not known for most women ({about}), so "
            f"{BREAKDOWN_WORDS[breakdown]}s are not compared: the known ones are not the Trust's women."
        )
    confidence = f"{settings.confidence * 100:g}%"
    if found.worst is not None:
        w = found.worst
        parts.insert(
            0,
            f"{titles[w.measure_id]} is lower for women in {group_phrase(w.breakdown, w.group)} than for the Trust "
            f"as a whole: {w.group_rate} against {w.trust_rate * 100:.1f}%, further below than chance would "
            f"explain (outside the {confidence} funnel limits for a group of its size).",
        )
    elif found.compared:
        parts.insert(
            0,
            f"No group stands out: every IMD quintile and ethnic group of {settings.min_group_women} women or more "
            f"is within the {confidence} funnel limits around the Trust's own rate on every measure, so the "
            "differences between them are no more than chance would explain.",
        )
    else:
        parts.insert(
            0,
            f"No comparison between groups this month: no IMD quintile or ethnic group has {settings.min_group_women} "
            "women or more with a rate shown.",
        )
    return " ".join(parts)
