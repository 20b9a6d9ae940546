"""What a reader can bound from a page's breakdowns: interval propagation over linear equations.

`propagate` tightens the bounds of every unknown from every equation (sum of coef x unknown =
const) at once, with numpy, until nothing tightens. `trusts_at_risk` builds the reader's system for
every Trust of a month at once (secondary.py explains the reader) and names the Trusts where,
before any secondary suppression, a hidden count is pinned: only those need secondary.py's
one-at-a-time search for what to withhold, so a national page of ~130 Trusts costs one pass here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from pipelines.scorecard.disclosure import DisclosurePolicy

_I = pl.Int64


def propagate(
    lo: np.ndarray, hi: np.ndarray, eq: np.ndarray, var: np.ndarray, coef: np.ndarray, const: np.ndarray, rounds: int
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds (lo, hi) of the unknowns after propagating the equations given term by term: term t
    is coef[t] x unknown var[t] in equation eq[t], whose sum is const[eq[t]] (const per term here)."""
    positive = coef > 0
    n_eq = int(eq.max()) + 1 if eq.size else 0
    # Terms sorted by unknown, so each unknown's tightest bound is one reduceat over its run of terms.
    order = np.argsort(var, kind="stable")
    by_var = var[order]
    starts = np.flatnonzero(np.r_[True, by_var[1:] != by_var[:-1]]) if by_var.size else by_var
    unknowns = by_var[starts]
    for _ in range(rounds):
        share_lo = np.where(positive, coef * lo[var], coef * hi[var])
        share_hi = np.where(positive, coef * hi[var], coef * lo[var])
        # float sums are exact here: every figure is a count below 2**53
        total_lo = np.bincount(eq, weights=share_lo, minlength=n_eq).astype(np.int64)
        total_hi = np.bincount(eq, weights=share_hi, minlength=n_eq).astype(np.int64)
        low = const - (total_hi[eq] - share_hi)
        high = const - (total_lo[eq] - share_lo)
        low, high = np.where(positive, low, -high), np.where(positive, high, -low)
        new_lo, new_hi = lo.copy(), hi.copy()
        if unknowns.size:
            new_lo[unknowns] = np.maximum(lo[unknowns], np.maximum.reduceat(low[order], starts))
            new_hi[unknowns] = np.minimum(hi[unknowns], np.minimum.reduceat(high[order], starts))
        if np.array_equal(new_lo, lo) and np.array_equal(new_hi, hi):
            break
        lo, hi = new_lo, new_hi
    return lo, hi


def _around(count: pl.Expr, policy: DisclosurePolicy) -> tuple[pl.Expr, pl.Expr]:
    """The counts a figure rounded from `count` may stand for."""
    r = policy.round_to
    shown = (count * 2 + r) // (2 * r) * r if r > 1 else count
    return pl.max_horizontal(shown - r // 2, pl.lit(0)), shown + (r - 1) // 2


def trusts_at_risk(
    rows: pl.DataFrame,
    overall: pl.DataFrame,
    shown_measures: dict[tuple[str, str], set[str]],
    policy: DisclosurePolicy,
    nesting: dict[str, tuple[str, Callable[[str], str]]],
) -> set[str]:
    """The Trusts where the primary rule alone leaves a hidden count pinned (secondary.py's test)."""
    low_cut, high_cut = policy.suppress_min, policy.suppress_max
    totals = overall.group_by("org_code").agg(women=pl.col("denominator").max())
    numerators = overall.select("org_code", "measure_id", total_n="numerator")
    in_table = pl.DataFrame(
        [(o, b, m) for (o, b), ms in shown_measures.items() for m in ms],
        schema={"org_code": pl.String, "breakdown": pl.String, "measure_id": pl.String},
        orient="row",
    ).with_columns(in_table=pl.lit(True))
    cells = (
        rows.select("org_code", "breakdown", "group", "measure_id", "numerator", "denominator")
        .join(totals, on="org_code")
        .join(in_table, on=["org_code", "breakdown", "measure_id"], how="left")
        .with_columns(pl.col("in_table").fill_null(False))
    )
    groups = (
        cells.group_by("org_code", "breakdown", "group", maintain_order=True)
        .agg(pl.col("denominator").first().alias("d"), pl.col("women").first())
        .with_row_index("d_var")
        .with_columns(pl.col("d_var").cast(_I), starred=pl.col("d").is_between(low_cut, high_cut))
    )
    g = len(groups)
    d_lo, d_hi = _around(pl.col("d"), policy)
    groups = groups.with_columns(
        lo=pl.when(pl.col("d") == 0)
        .then(0)
        .when("starred")
        .then(low_cut)
        .otherwise(pl.max_horizontal(d_lo, high_cut + 1)),
        hi=pl.when(pl.col("starred")).then(pl.col("women")).otherwise(d_hi),
    )
    n, d, c = pl.col("numerator"), pl.col("denominator"), pl.col("denominator") - pl.col("numerator")
    shown = (
        pl.col("in_table")
        & ~pl.col("starred")
        & ~(n.is_between(low_cut, high_cut) | c.is_between(low_cut, high_cut))
        & (d > 0)
    )
    n_lo, n_hi = _around(n, policy)
    cells = (
        cells.join(
            groups.select("org_code", "breakdown", "group", "d_var", "starred"), on=["org_code", "breakdown", "group"]
        )
        .with_row_index("i")
        .with_columns(
            n_var=pl.lit(g, _I) + 2 * pl.col("i").cast(_I),
            c_var=pl.lit(g, _I) + 2 * pl.col("i").cast(_I) + 1,
            shown=shown,
        )
        .with_columns(
            n_lo=pl.when("shown").then(n_lo).otherwise(0),
            n_hi=pl.when("shown").then(n_hi).otherwise(pl.col("women")),
        )
    )
    lo = np.concatenate(
        [groups["lo"].to_numpy(), np.column_stack([cells["n_lo"], np.zeros(len(cells), np.int64)]).ravel()]
    )
    hi = np.concatenate([groups["hi"].to_numpy(), np.column_stack([cells["n_hi"], cells["women"]]).ravel()])
    terms = _equations(groups, cells, numerators, nesting)
    eq, var, coef, const = (terms[k].to_numpy().astype(np.int64) for k in ("eq", "var", "coef", "const"))
    lo, hi = propagate(lo.astype(np.int64), hi.astype(np.int64), eq, var, coef, const, rounds=200)
    if np.any(lo > hi):
        return set(groups["org_code"].unique().to_list())  # rows that do not add up: let secondary.py look
    small = (lo >= low_cut) & (hi <= high_cut)
    single = (lo == hi) & small
    starred_d = groups.filter("starred")
    risky = set(starred_d.filter(pl.Series(single[starred_d["d_var"].to_numpy()])).get_column("org_code").to_list())
    hidden = cells.filter(~pl.col("shown") & pl.col("in_table"))
    for column in ("n_var", "c_var"):
        at = hidden[column].to_numpy()
        pinned = np.where(hidden["starred"].to_numpy(), single[at], small[at])
        risky |= set(hidden.filter(pl.Series(pinned)).get_column("org_code").to_list())
    return risky


def _equations(groups: pl.DataFrame, cells: pl.DataFrame, numerators: pl.DataFrame, nesting) -> pl.DataFrame:
    """Every equation as terms (eq, var, coef, const): women = with + without per cell; each
    breakdown's groups sum to the Trust's totals; a parent group is the sum of its children."""
    parts: list[pl.DataFrame] = []

    def add(keys: list[str], *terms: tuple[pl.DataFrame, str, int, pl.Expr]) -> None:
        """One family of equations, one per distinct keys: each (frame, var column, coef, const)
        gives a term a row."""
        frame = pl.concat(
            [f.select(*keys, var=pl.col(v), coef=pl.lit(a, _I), const=c.cast(_I)) for f, v, a, c in terms]
        )
        offset = sum(p.height and int(p["eq"].max()) + 1 for p in parts[-1:])
        parts.append(
            frame.select(eq=pl.struct(keys).rank("dense").cast(_I) - 1 + offset, var="var", coef="coef", const="const")
        )

    zero = pl.lit(0, _I)
    add(["i"], (cells, "n_var", 1, zero), (cells, "c_var", 1, zero), (cells, "d_var", -1, zero))
    add(["org_code", "breakdown"], (groups, "d_var", 1, pl.col("women")))
    # a breakdown's numerators sum to the Trust's only where every group has the measure's row
    complete = (
        cells.group_by("org_code", "breakdown", "measure_id")
        .agg(rows=pl.len())
        .join(groups.group_by("org_code", "breakdown").agg(groups=pl.len()), on=["org_code", "breakdown"])
        .filter(pl.col("rows") == pl.col("groups"))
        .select("org_code", "breakdown", "measure_id")
    )
    sized = cells.join(complete, on=["org_code", "breakdown", "measure_id"]).join(
        numerators, on=["org_code", "measure_id"]
    )
    keys = ["org_code", "breakdown", "measure_id"]
    add(keys, (sized, "n_var", 1, pl.col("total_n")))
    add(keys, (sized, "c_var", 1, pl.col("women") - pl.col("total_n")))
    for child, (parent, parent_group) in nesting.items():
        kids = groups.filter(pl.col("breakdown") == child).with_columns(
            parent=pl.col("group").map_elements(parent_group, return_dtype=pl.String)
        )
        mothers = groups.filter(pl.col("breakdown") == parent).select("org_code", parent="group", p_var="d_var")
        linked = kids.join(mothers, on=["org_code", "parent"])
        keys = ["org_code", "parent"]
        add(keys, (linked, "d_var", 1, zero), (linked.unique(keys), "p_var", -1, zero))
        kid_cells = cells.filter(pl.col("breakdown") == child).join(
            linked.select("org_code", "group", "parent"), on=["org_code", "group"]
        )
        mom_cells = (
            cells.filter(pl.col("breakdown") == parent)
            .rename({"group": "parent"})
            .join(kid_cells.select(*keys, "measure_id").unique(), on=[*keys, "measure_id"])
        )
        for var in ("n_var", "c_var"):
            add([*keys, "measure_id"], (kid_cells, var, 1, zero), (mom_cells, var, -1, zero))
    return pl.concat(parts)
