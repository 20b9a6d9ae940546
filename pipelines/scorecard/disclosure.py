"""Small-cell disclosure control for the scorecard's breakdown cells.

The policy (which counts are suppressed, what they round to, the symbol, the rate's precision and
the footnote) is the `disclosure` section of checks/rules.yaml; this module only applies it. The
CSV keeps exact counts.

What it protects is the outcome (measures.md): no figure of a breakdown, alone or with the others,
lets a reader work out a count from 1 to 7. So a rate is shown only when the group, the women with
the item (numerator) and the women without it (the complement) are each 0 or above the suppressed
range, and it is worked out from the rounded counts: an exact rate beside a rounded count pins the
exact counts (15 women at 69.2% can only be 9 of 13, so 4 without), and exact rates beside exact
Trust totals let the one hidden group be differenced out. tests/scorecard/disclosure_attack.py
attacks the rendered page to prove it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass(frozen=True)
class DisclosurePolicy:
    suppress_min: int
    suppress_max: int
    symbol: str
    round_to: int
    footnote: str
    rate_decimals: int = 0

    @classmethod
    def from_rules(cls, rules: dict[str, Any]) -> DisclosurePolicy:
        d = rules["disclosure"]
        return cls(
            suppress_min=int(d["suppress_min"]),
            suppress_max=int(d["suppress_max"]),
            symbol=str(d["suppressed_symbol"]),
            round_to=int(d["round_to"]),
            footnote=" ".join(str(d["footnote"]).split()),
            rate_decimals=int(d.get("rate_decimals", 0)),
        )

    def suppressed(self, count: int | None) -> bool:
        return count is not None and self.suppress_min <= count <= self.suppress_max

    def rounded(self, count: int) -> int:
        """Nearest multiple of round_to, halves rounded up (Python's round() would go to even)."""
        if self.round_to <= 1:
            return count
        return math.floor(count / self.round_to + 0.5) * self.round_to

    def count(self, count: int | None) -> str:
        """What a breakdown cell shows for a count."""
        if count is None:
            return "–"
        if self.suppressed(count):
            return self.symbol
        return f"{self.rounded(count):,}"

    def rate_shown(self, numerator: int | None, denominator: int | None) -> bool:
        """A rate is shown only when it exists and none of the group, the numerator and the
        complement is a suppressed count."""
        if numerator is None or not denominator:
            return False
        return not any(self.suppressed(c) for c in (numerator, denominator, denominator - numerator))

    def rate_shown_expr(self, numerator: str = "numerator", denominator: str = "denominator") -> pl.Expr:
        """`rate_shown` on two columns of a frame, for every row at once (never null)."""
        n, d = pl.col(numerator), pl.col(denominator)
        lo, hi = self.suppress_min, self.suppress_max
        suppressed = n.is_between(lo, hi) | d.is_between(lo, hi) | (d - n).is_between(lo, hi)
        return (n.is_not_null() & d.is_not_null() & (d != 0) & ~suppressed).fill_null(False)

    def rounded_expr(self, column: str) -> pl.Expr:
        """`rounded` on an integer column: floor(x / r + 1/2) * r in integers."""
        if self.round_to <= 1:
            return pl.col(column)
        r = self.round_to
        return (pl.col(column) * 2 + r) // (2 * r) * r

    def rate_percent(self, numerator: int, denominator: int) -> float | None:
        """The breakdown rate in per cent, from the rounded counts (None when they give none)."""
        shown = self.rounded(denominator)
        return self.rounded(numerator) / shown * 100 if shown else None

    def rate_text(self, numerator: int, denominator: int) -> str:
        """The breakdown rate as shown: from the rounded counts, to `rate_decimals` places; never
        "0%" or "100%" unless the rounded counts say exactly that ("<1%", ">99%" instead)."""
        rn, rd = self.rounded(numerator), self.rounded(denominator)
        if not rd:
            return "–"
        if rn in (0, rd):
            return "0%" if rn == 0 else "100%"
        text = f"{rn / rd * 100:.{self.rate_decimals}f}"
        least = f"{10**-self.rate_decimals:.{self.rate_decimals}f}"
        if float(text) == 0:
            return f"<{least}%"
        if float(text) == 100:
            return f">{100 - float(least):.{self.rate_decimals}f}%"
        return f"{text}%"

    @property
    def smallest_shown(self) -> int:
        """The smallest positive count shown unsuppressed (8 under the MSDS policy)."""
        return self.suppress_max + 1
