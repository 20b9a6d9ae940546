"""Secondary suppression: breakdown figures withheld so that the shown ones cannot pin a hidden count.

A breakdown's groups add up to the Trust's exact totals (the women booked, and each measure's
numerator, shown or publishable as Trust totals), and groups nest (IMD deciles in quintiles,
ethnic categories in groups). So a hidden count can be differenced out of the others: White
women rounded to 105, categories A 100 and C 10, leave B (shown `*`) at most 107 - 98 - 8 = 1.

`withheld` plays that reader with interval arithmetic, knowing what the page shows: a rounded
count is within half the rounding of its figure (and above the suppressed range), a shown rate
gives its rounded numerator, a `*` group is any size from 1 to the Trust's total (a reader cannot
tell a small group from one withheld here), a hidden rate any numerator. It propagates every
equation (groups sum to the Trust total; a parent is the sum of its children; women = with + without
the item) to a fixpoint, and where a hidden numerator or complement is pinned inside the suppressed
range (a group shown `*`: pinned to one value), it withholds one more figure: the smallest shown
member of the equation that pinned it. Then it looks again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from pipelines.scorecard.bounds import propagate, trusts_at_risk
from pipelines.scorecard.disclosure import DisclosurePolicy

GroupKey = tuple[str, str]  # (breakdown, group)
CellKey = tuple[str, str, str]  # (breakdown, group, measure_id)
INF = 1 << 40


@dataclass
class _Reader:
    """One Trust as a reader sees it: bounds of every unknown and the equations that tie them."""

    lo: list[int] = field(default_factory=list)
    hi: list[int] = field(default_factory=list)
    equations: list[tuple[list[tuple[int, int]], int]] = field(default_factory=list)  # sum(a * x) = const
    of_var: dict[int, list[int]] = field(default_factory=dict)  # var -> indexes of sum equations

    def var(self, lo: int, hi: int) -> int:
        self.lo.append(lo)
        self.hi.append(hi)
        return len(self.lo) - 1

    def equation(self, terms: list[tuple[int, int]], const: int, indexed: bool = True) -> None:
        self.equations.append((terms, const))
        if indexed:
            for _, v in terms:
                self.of_var.setdefault(v, []).append(len(self.equations) - 1)

    def implied(self, e: int, target: int) -> tuple[int, int]:
        """The bounds equation e alone gives the variable `target`."""
        terms, const = self.equations[e]
        rest_lo = rest_hi = 0
        coef = 0
        for a, v in terms:
            if v == target:
                coef = a
                continue
            lo, hi = (a * self.lo[v], a * self.hi[v]) if a > 0 else (a * self.hi[v], a * self.lo[v])
            rest_lo += lo
            rest_hi += hi
        low, high = const - rest_hi, const - rest_lo
        return (low, high) if coef > 0 else (-high, -low)

    def propagate(self, rounds: int = 200) -> None:
        terms = [(e, a, v) for e, (ts, _) in enumerate(self.equations) for a, v in ts]
        eq = np.array([t[0] for t in terms], dtype=np.int64)
        coef = np.array([t[1] for t in terms], dtype=np.int64)
        var = np.array([t[2] for t in terms], dtype=np.int64)
        const = np.array([c for _, c in self.equations], dtype=np.int64)[eq]
        lo, hi = np.array(self.lo, dtype=np.int64), np.array(self.hi, dtype=np.int64)
        lo, hi = propagate(lo, hi, eq, var, coef, const, rounds)
        self.lo, self.hi = lo.tolist(), hi.tolist()


def withheld(
    rows: pl.DataFrame,
    women: int,
    numerators: dict[str, int],
    shown_measures: dict[str, set[str]],
    policy: DisclosurePolicy,
    parent_of: dict[str, tuple[str, Callable[[str], str]]],
) -> tuple[set[CellKey], set[GroupKey]]:
    """The rate cells and the groups' women counts to withhold for one Trust, beyond the primary rule.

    rows: the Trust's breakdown rows (breakdown, group, measure_id, numerator, denominator); women
    and numerators: its exact totals (women booked, each measure's numerator); shown_measures:
    breakdown -> the measures its table shows; parent_of: child breakdown -> (parent breakdown, the
    parent group of a child group)."""
    cells: set[CellKey] = set()
    groups: set[GroupKey] = set()
    frame = rows.select("breakdown", "group", "measure_id", "numerator", "denominator")
    for _ in range(500):  # each pass withholds one more figure; a month needs a handful
        fix = _next_withheld(frame, women, numerators, shown_measures, policy, parent_of, cells, groups)
        if fix is None:
            break
        kind, key = fix
        if kind == "cell":
            cells.add(key)
        else:
            groups.add(key)
    return cells, groups


def _next_withheld(rows, women, numerators, shown_measures, policy, parent_of, cells, groups):
    r = policy.round_to
    low_cut, high_cut = policy.suppress_min, policy.suppress_max
    reader = _Reader()
    d_var: dict[GroupKey, int] = {}
    exact_d: dict[GroupKey, int] = {}
    nc_var: dict[CellKey, tuple[int, int]] = {}
    hidden: set[CellKey] = set()

    def around(count: int) -> tuple[int, int]:
        shown = policy.rounded(count)
        return max(shown - r // 2, 0), shown + (r - 1) // 2

    for b, g, m, n, d in rows.iter_rows():
        key = (b, g)
        if key not in d_var:
            starred = policy.suppressed(d) or key in groups
            lo, hi = (low_cut, women) if starred else around(d)
            d_var[key] = reader.var(0 if d == 0 else max(lo, low_cut if starred else high_cut + 1), hi)
            exact_d[key] = d
        shown = (
            m in shown_measures.get(b, set())
            and policy.rate_shown(n, d)
            and (b, g, m) not in cells
            and key not in groups
        )
        if not shown:
            hidden.add((b, g, m))
        n_lo, n_hi = around(n) if shown else (0, women)
        nv, cv = reader.var(n_lo, n_hi), reader.var(0, women)
        nc_var[(b, g, m)] = (nv, cv)
        reader.equation([(1, nv), (1, cv), (-1, d_var[key])], 0, indexed=False)

    by_breakdown: dict[str, list[str]] = {}
    for b, g in d_var:
        by_breakdown.setdefault(b, []).append(g)
    measures = sorted({m for (_, _, m) in nc_var})
    for b, gs in by_breakdown.items():
        reader.equation([(1, d_var[(b, g)]) for g in gs], women)
        for m in measures:
            if m in numerators and all((b, g, m) in nc_var for g in gs):
                reader.equation([(1, nc_var[(b, g, m)][0]) for g in gs], numerators[m])
                reader.equation([(1, nc_var[(b, g, m)][1]) for g in gs], women - numerators[m])
    for child, (parent, parent_group) in parent_of.items():
        kids: dict[str, list[str]] = {}
        for g in by_breakdown.get(child, []):
            kids.setdefault(parent_group(g), []).append(g)
        for p, gs in kids.items():
            if (parent, p) not in d_var:
                continue
            reader.equation([(1, d_var[(child, g)]) for g in gs] + [(-1, d_var[(parent, p)])], 0)
            for m in measures:
                keys = [(child, g, m) for g in gs] + [(parent, p, m)]
                if all(k in nc_var for k in keys):
                    for i in (0, 1):
                        terms = [(1, nc_var[k][i]) for k in keys[:-1]] + [(-1, nc_var[keys[-1]][i])]
                        reader.equation(terms, 0)
    reader.propagate()
    if any(lo > hi for lo, hi in zip(reader.lo, reader.hi, strict=True)):
        return None  # the stored rows do not add up (no reader could see such a page): nothing to reason on

    starred_groups = {k for k, d in exact_d.items() if policy.suppressed(d) or k in groups}

    def pinned(v: int, starred: bool) -> bool:
        lo, hi = reader.lo[v], reader.hi[v]
        if starred:
            return lo == hi and low_cut <= lo <= high_cut
        return low_cut <= lo and hi <= high_cut

    for key, v in d_var.items():
        starred = key in starred_groups
        at_risk = [v] if starred and pinned(v, True) else []
        for m in measures:
            if (*key, m) in hidden and m in shown_measures.get(key[0], set()):
                at_risk += [var for var in nc_var[(*key, m)] if pinned(var, starred)]
        for var in at_risk:
            fix = _widen(reader, var, d_var, nc_var, exact_d, hidden, starred_groups)
            if fix is not None:
                return fix
    return None


def _widen(reader, var, d_var, nc_var, exact_d, hidden, starred_groups):
    """What to withhold next: the smallest still-shown member of the equation binding `var` most
    tightly (a group's women for a group-size equation, a rate cell for a numerator or complement)."""
    owner = {v: ("group", k) for k, v in d_var.items()}
    for k, (nv, cv) in nc_var.items():
        owner[nv] = owner[cv] = ("cell", k)

    def width(e: int) -> int:
        lo, hi = reader.implied(e, var)
        return hi - lo

    for e in sorted(reader.of_var.get(var, []), key=width):
        candidates = []
        for _, v in reader.equations[e][0]:
            kind, key = owner[v]
            if v == var:
                continue
            if kind == "group" and key not in starred_groups:
                candidates.append((exact_d[key], kind, key))
            if kind == "cell" and key not in hidden:
                candidates.append((exact_d[key[:2]], kind, key))
        if candidates:
            _, kind, key = min(candidates)
            return kind, key
    return None


def parents(rules: dict[str, Any]) -> dict[str, tuple[str, Callable[[str], str]]]:
    """How groups nest: an IMD decile in quintile (decile + 1) // 2, as sql/marts/bookings.sql
    derives it; an ethnic category in its group (rules file), any other category in `Not known`."""
    eth = rules["ethnic_category"]
    not_known = eth["not_known_group"]
    code_groups = {str(c): g for g, codes in eth["groups"].items() for c in codes}
    return {
        "imd_decile": ("imd_quintile", lambda g: str((int(g) + 1) // 2) if g.isdigit() else g),
        "ethnic_category": ("ethnic_group", lambda g: code_groups.get(g, not_known)),
    }


def withheld_frames(
    rows: pl.DataFrame,
    overall: pl.DataFrame,
    shown_measures: dict[tuple[str, str], set[str]],
    policy: DisclosurePolicy,
    rules: dict[str, Any],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`withheld` for every Trust in rows (org_code, breakdown, group, measure_id, numerator,
    denominator): (cells: org_code, breakdown, group, measure_id; groups: org_code, breakdown, group).
    overall: the Trusts' overall rows (org_code, measure_id, numerator, denominator)."""
    nesting = parents(rules)
    totals: dict[str, tuple[int, dict[str, int]]] = {}
    for org, m, n, d in overall.select("org_code", "measure_id", "numerator", "denominator").iter_rows():
        women, numerators = totals.setdefault(org, (d, {}))
        numerators[m] = n
    # One pass over every Trust at once finds the few whose hidden counts the primary rule leaves
    # pinned; only those are searched one figure at a time.
    risky = trusts_at_risk(rows, overall, shown_measures, policy, nesting)
    cells, groups = [], []
    for (org,), frame in rows.filter(pl.col("org_code").is_in(sorted(risky))).group_by("org_code"):
        if org not in totals:
            continue
        shown = {b: ms for (o, b), ms in shown_measures.items() if o == org}
        c, g = withheld(frame, totals[org][0], totals[org][1], shown, policy, nesting)
        cells += [(org, *k) for k in c]
        groups += [(org, *k) for k in g]
    s = pl.String
    return (
        pl.DataFrame(cells, schema={"org_code": s, "breakdown": s, "group": s, "measure_id": s}, orient="row"),
        pl.DataFrame(groups, schema={"org_code": s, "breakdown": s, "group": s}, orient="row"),
    )
