"""Small-cell disclosure control for the scorecard's breakdown cells.

The policy (which counts are suppressed, what they round to, the symbol and the footnote) is the
`disclosure` section of checks/rules.yaml; this module only applies it. The CSV keeps exact counts.
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

    @classmethod
    def from_rules(cls, rules: dict[str, Any]) -> DisclosurePolicy:
        d = rules["disclosure"]
        return cls(
            suppress_min=int(d["suppress_min"]),
            suppress_max=int(d["suppress_max"]),
            symbol=str(d["suppressed_symbol"]),
            round_to=int(d["round_to"]),
            footnote=" ".join(str(d["footnote"]).split()),
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
        """A rate is shown only when neither count it comes from is suppressed (and it exists)."""
        if numerator is None or not denominator:
            return False
        return not (self.suppressed(numerator) or self.suppressed(denominator))

    def rate_shown_expr(self, numerator: str = "numerator", denominator: str = "denominator") -> pl.Expr:
        """`rate_shown` on two columns of a frame, for every row at once (never null)."""
        n, d = pl.col(numerator), pl.col(denominator)
        suppressed = n.is_between(self.suppress_min, self.suppress_max) | d.is_between(
            self.suppress_min, self.suppress_max
        )
        return (n.is_not_null() & d.is_not_null() & (d != 0) & ~suppressed).fill_null(False)

    @property
    def smallest_shown(self) -> int:
        """The smallest positive count shown unsuppressed (8 under the MSDS policy)."""
        return self.suppress_max + 1
