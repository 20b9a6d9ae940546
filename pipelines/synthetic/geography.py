"""A synthetic but consistent geography: postcode districts -> LSOAs -> postcodes.

Women's postcodes are drawn from this pool and the reference subsets are written from it, so
every valid postcode the extracts use is in the directory except a deliberate few. Codes have
the real forms (E01 LSOAs, real district and local authority codes) but are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

from .trusts import TRUSTS

# District -> (LAD code, LAD name, county code, region code, lat, long). Real codes.
DISTRICTS: dict[str, tuple[str, str, str, str, float, float]] = {
    "CV1": ("E08000026", "Coventry", "E99999999", "E12000005", 52.408, -1.510),
    "CV2": ("E08000026", "Coventry", "E99999999", "E12000005", 52.425, -1.465),
    "CV3": ("E08000026", "Coventry", "E99999999", "E12000005", 52.385, -1.490),
    "CV4": ("E08000026", "Coventry", "E99999999", "E12000005", 52.395, -1.565),
    "CV5": ("E08000026", "Coventry", "E99999999", "E12000005", 52.415, -1.545),
    "CV6": ("E08000026", "Coventry", "E99999999", "E12000005", 52.435, -1.500),
    "CV7": ("E07000218", "North Warwickshire", "E10000031", "E12000005", 52.455, -1.560),
    "CV8": ("E07000222", "Warwick", "E10000031", "E12000005", 52.343, -1.578),
    "CV9": ("E07000218", "North Warwickshire", "E10000031", "E12000005", 52.578, -1.546),
    "CV10": ("E07000219", "Nuneaton and Bedworth", "E10000031", "E12000005", 52.523, -1.495),
    "CV11": ("E07000219", "Nuneaton and Bedworth", "E10000031", "E12000005", 52.520, -1.450),
    "CV12": ("E07000219", "Nuneaton and Bedworth", "E10000031", "E12000005", 52.479, -1.469),
    "CV13": ("E07000132", "Hinckley and Bosworth", "E10000018", "E12000004", 52.624, -1.400),
    "CV21": ("E07000220", "Rugby", "E10000031", "E12000005", 52.375, -1.262),
    "CV22": ("E07000220", "Rugby", "E10000031", "E12000005", 52.360, -1.285),
    "CV23": ("E07000220", "Rugby", "E10000031", "E12000005", 52.350, -1.300),
    "CV31": ("E07000222", "Warwick", "E10000031", "E12000005", 52.280, -1.530),
    "CV32": ("E07000222", "Warwick", "E10000031", "E12000005", 52.300, -1.535),
    "CV34": ("E07000222", "Warwick", "E10000031", "E12000005", 52.282, -1.585),
    "CV35": ("E07000222", "Warwick", "E10000031", "E12000005", 52.230, -1.600),
    "CV36": ("E07000221", "Stratford-on-Avon", "E10000031", "E12000005", 52.062, -1.624),
    "CV37": ("E07000221", "Stratford-on-Avon", "E10000031", "E12000005", 52.192, -1.707),
    "CV47": ("E07000221", "Stratford-on-Avon", "E10000031", "E12000005", 52.252, -1.390),
    "B49": ("E07000221", "Stratford-on-Avon", "E10000031", "E12000005", 52.215, -1.871),
    "B50": ("E07000221", "Stratford-on-Avon", "E10000031", "E12000005", 52.164, -1.857),
    "B78": ("E07000218", "North Warwickshire", "E10000031", "E12000005", 52.617, -1.611),
    "B80": ("E07000221", "Stratford-on-Avon", "E10000031", "E12000005", 52.270, -1.892),
    "LE10": ("E07000132", "Hinckley and Bosworth", "E10000018", "E12000004", 52.541, -1.373),
}

# First synthetic 2011 LSOA number per local authority, in the range real codes use there.
LSOA11_BASE: dict[str, int] = {
    "E08000026": 9565, "E07000218": 31150, "E07000219": 31200, "E07000220": 31270,
    "E07000221": 31340, "E07000222": 31420, "E07000132": 25600,
}
LSOA21_NEW_BASE = 34800  # 2021 codes created by splits take fresh numbers, as the real ones did
# Inward-code unit letters: the real set excludes C, I, K, M, O and V.
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ENGLAND_LSOAS = {2019: 32844, 2025: 33755}
# Directory dates inside the shipped sample (2025-04..2026-09), so the sample holds postcodes not
# yet introduced in its early months and postcodes terminated before its later ones.
SAMPLE_INTRODUCTIONS = tuple(f"{y}{m:02d}" for y, m in [(2025, m) for m in range(6, 13)] + [(2026, m) for m in range(1, 7)])
SAMPLE_TERMINATIONS = tuple(f"{y}{m:02d}" for y, m in [(2025, m) for m in range(8, 13)] + [(2026, m) for m in range(1, 5)])


@dataclass(frozen=True)
class Lsoa:
    lsoa11: str
    name11: str
    lsoa21: str
    name21: str
    lad_code: str
    lad_name: str
    decile2019: int
    decile2025: int


@dataclass(frozen=True)
class Postcode:
    pcds: str  # single-space form, e.g. 'CV1 2AB'
    district: str
    lsoa: Lsoa
    dointr: str
    doterm: str  # '' while live
    in_directory: bool  # a few well-formed postcodes are missing from the directory on purpose
    lat: float
    long: float

    def live_in(self, month: str) -> bool:
        """In the directory and live in the month ('YYYY-MM'): introduced, not yet terminated."""
        yyyymm = month.replace("-", "")
        return self.in_directory and self.dointr <= yyyymm and (not self.doterm or self.doterm >= yyyymm)


@dataclass(frozen=True)
class Geography:
    postcodes: tuple[Postcode, ...]
    lsoas: tuple[Lsoa, ...]
    # (district, IMD 2025 decile) -> postcodes, for drawing a woman's address.
    by_district_decile: dict[tuple[str, int], tuple[Postcode, ...]]
    # (key, month) -> the postcodes of a pool live (or not) in that month, filled as drawn.
    _by_month: dict[tuple, tuple[Postcode, ...]] = field(default_factory=dict, compare=False, repr=False)
    _by_pcds: dict[str, Postcode] = field(default_factory=dict, compare=False, repr=False)

    def by_pcds(self, pcds: str) -> Postcode | None:
        if not self._by_pcds:
            self._by_pcds.update((pc.pcds, pc) for pc in self.postcodes)
        return self._by_pcds.get(pcds)

    def live_pool(self, district: str, decile: int, month: str) -> tuple[Postcode, ...]:
        key = ("live", district, decile, month)
        if key not in self._by_month:
            self._by_month[key] = tuple(pc for pc in self.by_district_decile[(district, decile)] if pc.live_in(month))
        return self._by_month[key]

    def not_live_pools(self, districts: tuple[str, ...], month: str) -> tuple[tuple[Postcode, ...], ...]:
        """Well-formed postcodes of these districts that are no valid address in the month, one
        non-empty pool per reason: not yet introduced, terminated, missing from the directory."""
        key = ("not_live", districts, month)
        if key not in self._by_month:
            yyyymm = month.replace("-", "")
            wanted = [pc for pc in self.postcodes if pc.district in set(districts) and not pc.live_in(month)]
            pools = (
                tuple(pc for pc in wanted if pc.in_directory and pc.dointr > yyyymm),
                tuple(pc for pc in wanted if pc.in_directory and pc.dointr <= yyyymm),
                tuple(pc for pc in wanted if not pc.in_directory),
            )
            self._by_month[key] = tuple(pool for pool in pools if pool)  # type: ignore[assignment]
        return self._by_month[key]  # type: ignore[return-value]

def _district_shares() -> dict[str, float]:
    shares = {d: 0.0 for d in DISTRICTS}
    for trust in TRUSTS.values():
        total = sum(w for _, w in trust.districts)
        for district, weight in trust.districts:
            shares[district] += trust.base_monthly_bookings * weight / total
    grand = sum(shares.values())
    return {d: s / grand for d, s in shares.items()}


def _deprivation_lean(district: str) -> float:
    # Inner Coventry and north Nuneaton lean deprived, rural Stratford affluent: only shapes the
    # extra LSOAs, since every district gets all ten deciles so Trust spreads stay on target.
    lean = {"CV1": -0.5, "CV2": -0.3, "CV6": -0.35, "CV11": -0.2, "CV10": -0.25,
            "CV35": 0.4, "CV36": 0.4, "CV37": 0.3, "CV8": 0.4, "CV47": 0.3}
    return lean.get(district, 0.0)


@lru_cache(maxsize=8)
def build_geography(seed: int) -> Geography:
    """Deterministic geography for a seed (cached: extracts and reference share it)."""
    rng = random.Random(f"{seed}|geography")
    shares = _district_shares()
    counters: dict[str, int] = {}  # LAD -> next LSOA number
    msoa_counters: dict[str, int] = {}
    next_new21 = LSOA21_NEW_BASE
    lsoas: list[Lsoa] = []
    postcodes: list[Postcode] = []
    seen_pcds: set[str] = set()
    by_dd: dict[tuple[str, int], list[Postcode]] = {}
    for district, (lad, lad_name, _cty, _rgn, lat, lon) in DISTRICTS.items():
        n_lsoa = 10 + round(shares[district] * 160)
        deciles = list(range(1, 11))
        lean = _deprivation_lean(district)
        for _ in range(n_lsoa - 10):
            deciles.append(_clip(round(5.5 + 4.5 * lean + rng.gauss(0, 2.6))))
        rng.shuffle(deciles)
        for decile in deciles:
            number = LSOA11_BASE[lad] + counters.get(lad, 0)
            counters[lad] = counters.get(lad, 0) + 1
            if counters[lad] % 4 == 1:
                msoa_counters[lad] = msoa_counters.get(lad, 0) + 1
            letter = "ABCD"[(counters[lad] - 1) % 4]
            name11 = f"{lad_name} {msoa_counters[lad]:03d}{letter}"
            code11 = f"E01{number:06d}"
            drift = rng.random()
            decile19 = decile if drift < 0.75 else _clip(decile + (1 if drift < 0.88 else -1))
            if rng.random() < 0.08:
                # Split at the 2021 census: two new codes share the one 2011 parent.
                children = []
                for child_decile in (decile, _clip(decile + rng.choice((-1, 0, 1)))):
                    name21 = f"{name11[:-1]}{'EFGH'[next_new21 % 4]}"
                    children.append((f"E01{next_new21:06d}", name21, child_decile))
                    next_new21 += 1
            else:
                children = [(code11, name11, decile)]
            for code21, name21, decile25 in children:
                lsoa = Lsoa(code11, name11, code21, name21, lad, lad_name, decile19, decile25)
                lsoas.append(lsoa)
                _add_postcodes(rng, district, lat, lon, lsoa, seen_pcds, postcodes, by_dd)
    return Geography(tuple(postcodes), tuple(lsoas), {k: tuple(v) for k, v in by_dd.items()})


def _clip(decile: int) -> int:
    return min(10, max(1, decile))


def _yyyymm(rng: random.Random, first_year: int, last_year: int) -> str:
    return f"{rng.randint(first_year, last_year)}{rng.randint(1, 12):02d}"


def _add_postcodes(rng: random.Random, district: str, lat: float, lon: float, lsoa: Lsoa,
                   seen: set[str], postcodes: list[Postcode],
                   by_dd: dict[tuple[str, int], list[Postcode]]) -> None:
    sector = rng.randrange(10)  # an LSOA's postcodes mostly share a sector, as real ones do
    for _ in range(rng.randint(8, 14)):
        while True:
            pcds = f"{district} {sector}{rng.choice(UNIT_LETTERS)}{rng.choice(UNIT_LETTERS)}"
            if pcds not in seen:
                break
            sector = rng.randrange(10)
        seen.add(pcds)
        roll = rng.random()
        dointr = "198001" if rng.random() < 0.8 else _yyyymm(rng, 1985, 2023)
        first_year = max(2016, int(dointr[:4]) + 1)
        doterm = _yyyymm(rng, first_year, 2024) if roll < 0.01 else ""
        if 0.015 <= roll < 0.035:  # new build: introduced during the sample's months
            dointr = SAMPLE_INTRODUCTIONS[rng.randrange(len(SAMPLE_INTRODUCTIONS))]
        elif 0.035 <= roll < 0.05:  # terminated during the sample's months (valid until then)
            doterm = SAMPLE_TERMINATIONS[rng.randrange(len(SAMPLE_TERMINATIONS))]
        pc = Postcode(pcds, district, lsoa, dointr, doterm, in_directory=not 0.01 <= roll < 0.015,
                      lat=round(lat + rng.uniform(-0.02, 0.02), 6),
                      long=round(lon + rng.uniform(-0.03, 0.03), 6))
        postcodes.append(pc)
        by_dd.setdefault((district, lsoa.decile2025), []).append(pc)


def draw_postcode(geo: Geography, districts: tuple[tuple[str, float], ...],
                  decile_weights: tuple[float, ...], rng: random.Random, month: str) -> Postcode:
    """A woman's home postcode, live in the booking month: district by catchment share, then
    decile by Trust spread."""
    names = [d for d, _ in districts]
    while True:
        district = rng.choices(names, weights=[w for _, w in districts])[0]
        decile = rng.choices(range(1, 11), weights=decile_weights)[0]
        pool = geo.live_pool(district, decile, month)
        if pool:
            return rng.choice(pool)
