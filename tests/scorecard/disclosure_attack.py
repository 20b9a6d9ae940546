"""An attacker on the scorecard's breakdown tables, working from the rendered HTML alone.

It plays a reader who wants a count from 1 to 7 (measures.md, "Disclosure control in the HTML"):
for every breakdown cell it works out which exact (numerator, denominator) pairs are consistent
with everything the page shows about that Trust's women, and reports a cell when all of them put
the numerator, or the complement (denominator - numerator), in 1 to 7.

What the reader knows, per Trust (nothing here is read from the code under test or its rules file):

* each group's women booked as shown: `0` is exactly 0; any other figure k is a count rounded to
  the nearest 5, so k - 2 to k + 2, and at least 8 (1 to 7 would be `*`); `*` is 1 to 7 or, since
  #14, a count withheld so that another cannot be worked out: the reader cannot tell which, so it
  is any count from 1 up (`starred_max`: 7 plays the reader who takes every `*` for 1 to 7);
* each rate as shown. A rate with one decimal ("69.2%") is n / d to 0.1%, as the page showed it
  before #14. A whole-per-cent rate is the page's stated rule since #14: the rounded numerator over
  the rounded denominator, "<1%" or ">99%" where that rounds to 0 or 100 but is neither, "0%" or
  "100%" only when it is exactly that. A `*` or `–` in a rate cell tells it nothing (a rate may be
  withheld for another cell's sake);
* the Trust's women booked, exact (the summary table), and every measure's Trust total, exact
  (`totals`: the policy lets Trust totals be published; the tiles show the gated ones, the
  before/after table every measure of a Trust that changed system), so the complement total too;
* how groups nest: IMD deciles 2k - 1 and 2k make quintile k, `Not known` is the same in both;
  ethnic categories A-C are White, D-G Mixed, H-L Asian, M-P Black, R-S Other, any other category
  (Z, 99, blank, unmapped text) Not known. Every breakdown covers every woman once, and a group
  not listed has no women.

Each cell's candidates are (d, n) pairs; the constraints (every breakdown's groups sum to the
Trust's totals of d, n and d - n, and each parent group equals the sum of its children) are
propagated to a fixpoint with exact subset-sum reasoning per constraint over bitsets (a Python int
whose bit v says "v is possible"). That is a sound over-approximation of what a reader can deduce:
a cell it reports is a real leak; a cell it passes may still fall to a cleverer joint deduction.

A cell is reported when:
* the group's women are shown (not `*`): every candidate numerator is in 1-7, or every candidate
  complement is;
* the group's women are `*` (already known to be 1 to 7): the numerator or the complement, or the
  group's own size, is pinned to one exact value from 1 to 7 (knowing "1 to 7" is what `*` says).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.scorecard.attack_page import NOT_KNOWN, Shown, breakdown_tables, women_booked

SMALL = (1 << 8) - 2  # bits 1..7
ETHNIC_GROUP_OF = {c: "White" for c in "ABC"} | {c: "Mixed" for c in "DEFG"} | {c: "Asian" for c in "HJKL"}
ETHNIC_GROUP_OF |= {c: "Black" for c in "MNP"} | {c: "Other" for c in "RS"}
BREAKDOWNS = ("imd_decile", "imd_quintile", "ethnic_group", "ethnic_category")


# --- what a shown figure allows -----------------------------------------------------------------


def _bits(values) -> int:
    out = 0
    for v in values:
        out |= 1 << v
    return out


def _interval(lo: int, hi: int) -> int:
    return 0 if hi < lo else ((1 << (hi - lo + 1)) - 1) << lo


def _values(bits: int):
    v = 0
    while bits:
        if bits & 1:
            yield v
        bits >>= 1
        v += 1


def _round5(x: int) -> int:
    return (x * 2 + 5) // 10 * 5  # nearest 5, halves up (2.5 -> 5)


def women_candidates(text: str, total: int, starred_max: int | None = None) -> int:
    if text == "0":
        return 1
    if text == "*":
        return _interval(1, min(starred_max or total, total))
    if text in ("–", ""):
        return _interval(0, total)
    k = int(text.replace(",", ""))
    return _interval(max(8, k - 2), min(total, k + 2))


def _whole_percent(n: int, d: int) -> str:
    rn, rd = _round5(n), _round5(d)
    if not rd:
        return ""
    if rn == 0:
        return "0%"
    if rn == rd:
        return "100%"
    text = f"{100 * rn / rd:.0f}"
    return {"0": "<1", "100": ">99"}.get(text, text) + "%"


def rate_candidates(text: str, d: int) -> int:
    """The numerators n (0..d) whose rate over d the page would show as `text`."""
    text = text.replace(" ", "")
    if not text.endswith("%"):  # '*', '–': withheld, says nothing
        return _interval(0, d)
    if "." in text[:-1]:
        return _bits(n for n in range(d + 1) if d and f"{n / d * 100:.1f}%" == text)
    return _bits(n for n in range(d + 1) if _whole_percent(n, d) == text)


# --- propagation ---------------------------------------------------------------------------------


def _sumset(a: int, b: int) -> int:
    if not a or not b:
        return 0
    if a.bit_count() > b.bit_count():
        a, b = b, a
    lo = (a & -a).bit_length() - 1
    hi = a.bit_length() - 1
    if a == _interval(lo, hi):  # an interval: smear b over its width by doubling
        out, width = b, 1
        span = hi - lo + 1
        while width < span:
            step = min(width, span - width)
            out |= out << step
            width += step
        return out << lo
    out = 0
    for v in _values(a):
        out |= b << v
    return out


def sum_equal(terms: list[int], target: int) -> tuple[list[int], int]:
    """Prune: sum(terms) must lie in target. Each term keeps the values some completion allows."""
    k = len(terms)
    prefix = [1] * (k + 1)
    for i, t in enumerate(terms):
        prefix[i + 1] = _sumset(prefix[i], t)
    suffix = [1] * (k + 1)
    for i in range(k - 1, -1, -1):
        suffix[i] = _sumset(suffix[i + 1], terms[i])
    target &= prefix[k]
    if not target:
        return [0] * k, 0
    top = target.bit_length() - 1
    flipped = _reverse(target, top)  # {top - t}
    new = []
    for i, t in enumerate(terms):
        # v fits when v = t' - s for some t' in target and s in the others' sums: {top - (top - t' + s)}
        others = _sumset(prefix[i], suffix[i + 1])
        new.append(t & _reverse(_sumset(flipped, others) & _interval(0, top), top))
    return new, target


def _reverse(bits: int, d: int) -> int:
    """{d - v : v in bits, 0 <= v <= d}."""
    bits &= (1 << (d + 1)) - 1
    if not bits:
        return 0
    lo, hi = (bits & -bits).bit_length() - 1, bits.bit_length() - 1
    if bits >> lo == (1 << (hi - lo + 1)) - 1:  # an interval: most cells' are
        return ((1 << (hi - lo + 1)) - 1) << (d - hi)
    return int(format(bits, f"0{d + 1}b")[::-1], 2)


@dataclass
class Leak:
    org: str
    breakdown: str
    group: str
    measure: str | None
    what: str  # numerator | complement | women
    candidates: list[int]

    def __str__(self) -> str:
        return f"{self.org} {self.breakdown} {self.group} {self.measure or ''} {self.what} in {self.candidates}"


class TrustModel:
    """One Trust's unknowns: group sizes d[(breakdown, group)] and cells[(breakdown, group, measure)] =
    {d: n-bits}, with the shown figures and the totals as constraints."""

    def __init__(
        self, org: str, total: int, totals: dict[str, int], shown: list[Shown], starred_max: int | None = None
    ):
        self.org, self.total, self.totals = org, total, totals
        self.women: dict[tuple[str, str], str] = {}
        self.d: dict[tuple[str, str], int] = {}
        self.cells: dict[tuple[str, str, str], dict[int, int]] = {}
        self.measures = sorted({m for s in shown for m in s.measures if m in totals})
        for s in shown:
            for group, women, rates in s.groups:
                key = (s.breakdown, group)
                self.women[key] = women
                self.d[key] = women_candidates(women, total, starred_max)
                texts = dict(zip(s.measures, rates, strict=True))
                for m in self.measures:
                    text = texts.get(m, "*")
                    self.cells[(*key, m)] = {dv: rate_candidates(text, dv) for dv in _values(self.d[key])}
        self.shown_cells = {(s.breakdown, g, m) for s in shown for g, _, _ in s.groups for m in s.measures}

    def _groups(self, breakdown: str) -> list[str]:
        return [g for b, g in self.d if b == breakdown]

    def _equations(self) -> list[tuple[list[tuple[str, str]], tuple[str, str] | None]]:
        """(terms, parent): sum(terms) = the Trust total (parent None) or the parent group."""
        eqs = []
        for b in BREAKDOWNS:
            if self._groups(b):
                eqs.append(([(b, g) for g in self._groups(b)], None))
        for g in self._groups("imd_quintile") if self._groups("imd_decile") else []:
            kids = [str(2 * int(g) - 1), str(2 * int(g))] if g != NOT_KNOWN else [NOT_KNOWN]
            eqs.append(([("imd_decile", k) for k in kids if ("imd_decile", k) in self.d], ("imd_quintile", g)))
        for g in self._groups("ethnic_group") if self._groups("ethnic_category") else []:
            kids = [c for c in self._groups("ethnic_category") if ETHNIC_GROUP_OF.get(c, NOT_KNOWN) == g]
            eqs.append(([("ethnic_category", c) for c in kids], ("ethnic_group", g)))
        return eqs

    def _project(self, key: tuple[str, str], m: str, q: str) -> int:
        if q == "d":
            return self.d[key]
        cell = self.cells[(*key, m)]
        out = 0
        for dv, nb in cell.items():
            out |= nb if q == "n" else _reverse(nb, dv)
        return out

    def _restrict(self, key: tuple[str, str], m: str, q: str, allowed: int) -> bool:
        if q == "d":
            if self.d[key] & ~allowed:
                self.d[key] &= allowed
                return True
            return False
        cell = self.cells[(*key, m)]
        changed = False
        for dv in list(cell):
            keep = cell[dv] & (allowed if q == "n" else _reverse(allowed, dv))
            if keep != cell[dv]:
                changed = True
                cell[dv] = keep
        return changed

    def _sync(self) -> bool:
        """A group's size must leave every one of its cells a numerator, and every cell's d is a size."""
        changed = False
        for key in self.d:
            for m in self.measures:
                cell = self.cells[(*key, m)]
                for dv in list(cell):
                    if not cell[dv] or not (self.d[key] >> dv) & 1:
                        del cell[dv]
                        changed = True
                sizes = _bits(cell)
                if self.d[key] & ~sizes:
                    self.d[key] &= sizes
                    changed = True
        return changed

    def solve(self, max_rounds: int = 50) -> None:
        eqs = self._equations()
        for _ in range(max_rounds):
            changed = self._sync()
            for m in [None, *self.measures]:
                for q in ("d",) if m is None else ("n", "c"):
                    whole = {"d": self.total}.get(q)
                    if whole is None:
                        whole = self.totals[m] if q == "n" else self.total - self.totals[m]
                    for terms, parent in eqs:
                        target = (1 << whole) if parent is None else self._project(parent, m, q)
                        new, new_target = sum_equal([self._project(t, m, q) for t in terms], target)
                        for t, bits in zip(terms, new, strict=True):
                            changed |= self._restrict(t, m, q, bits)
                        if parent is not None:
                            changed |= self._restrict(parent, m, q, new_target)
            if not changed:
                break
        empty = [k for k, v in self.d.items() if not v] + [k for k, c in self.cells.items() if not c]
        assert not empty, f"{self.org}: no exact counts fit what the page shows for {empty}: the attacker misreads it"

    def leaks(self) -> list[Leak]:
        out = []
        for key, women in self.women.items():
            starred = women == "*"
            if starred and self.d[key].bit_count() == 1:
                out.append(Leak(self.org, *key, None, "women", list(_values(self.d[key]))))
            for m in self.measures:
                if (*key, m) not in self.shown_cells:
                    continue
                for what, q in (("numerator", "n"), ("complement", "c")):
                    bits = self._project(key, m, q)
                    pinned = bits.bit_count() == 1 if starred else True
                    if women != "0" and bits and not bits & ~SMALL and pinned:
                        out.append(Leak(self.org, *key, m, what, list(_values(bits))))
        return out


def attack(
    page: str, titles: dict[str, str], totals: dict[str, dict[str, int]], starred_max: int | None = None
) -> list[Leak]:
    """Every leak on the page. titles: measure title -> id; totals: org -> measure id -> exact
    Trust numerator (overall)."""
    booked = women_booked(page)
    shown = breakdown_tables(page, titles)
    leaks = []
    for org in sorted({s.org for s in shown}):
        model = TrustModel(org, booked[org], totals[org], [s for s in shown if s.org == org], starred_max)
        model.solve()
        leaks.extend(model.leaks())
    return leaks
