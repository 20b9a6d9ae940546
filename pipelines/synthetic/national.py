"""National scale: about 130 provider Trusts booking about 650,000 women a year.

`national_orgs(n)` names the organisations; pass it as `orgs=` to `generate_extracts` (volumes
keep their `scale` meaning: 1.0 is the national year, ~650k bookings). The three LMNS Trusts
come first with their own profiles and story; the others are synthetic but plausible:

* ODS codes of the provider-Trust form `R` + two characters (`R0A`, `RXX`, ...), drawn once
  from a fixed seed so a code always has the same profile whatever `n` is;
* systems assigned so any prefix of the list keeps roughly 40% BadgerNet, 35% K2 and 25%
  Cerner Trusts, with a few K2 Trusts moving to Cerner during the year as RKB does;
* monthly volumes log-normal (about 100 to 1,200 bookings a month, like real units), scaled
  so the default 130 Trusts book ~650,000 women a year;
* their own deprivation, ethnicity and smoking mixes, and ordinary valid rates that put a few
  Trusts below a gate threshold.

Women's postcodes come from the same synthetic geography as the sample (so every valid one
resolves against the shipped reference subsets): only organisations, systems, volumes and
mixes are national. The pipeline accepts only providers listed in a layouts file, so
`national_layouts_text(orgs)` / `write_national_layouts(path, orgs)` give a copy of
schemas/layouts.yaml listing them (point `MDQ_LAYOUTS` at it).
"""

from __future__ import annotations

import math
import random
import re
from functools import cache
from importlib import resources
from pathlib import Path

from .geography import DISTRICTS
from .trusts import DEFAULT_ORGS, TRUSTS, TrustProfile

NATIONAL_TRUSTS = 130  # default number of provider Trusts
NATIONAL_BOOKINGS_PER_YEAR = 650_000  # at scale 1.0, for the default 130 Trusts
MAX_NATIONAL_TRUSTS = 600
_SEED = "maternity-dq national organisations v1"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O, as in real codes
# Share of Trusts per system; a Trust is assigned the system furthest below its share.
SYSTEM_SHARES = (("BadgerNet", 0.40), ("K2", 0.35), ("Cerner", 0.25))
K2_TO_CERNER_SHARE = 0.08  # K2 Trusts that go live on Cerner during the national year
GO_LIVE_MONTHS = ("2025-07", "2025-10", "2026-01")
ETHNIC_CODES = "ABCDEFGHJKLMNPRS"


def _codes() -> list[str]:
    """Every synthetic ODS code, in the fixed order national_orgs hands them out."""
    taken = set(TRUSTS)
    pool = [f"R{a}{b}" for a in _ALPHABET for b in _ALPHABET if f"R{a}{b}" not in taken]
    random.Random(f"{_SEED}|codes").shuffle(pool)
    return pool[: MAX_NATIONAL_TRUSTS - len(DEFAULT_ORGS)]


def national_orgs(n: int = NATIONAL_TRUSTS) -> tuple[str, ...]:
    """ODS codes of n provider Trusts: the three LMNS Trusts, then synthetic ones."""
    if not len(DEFAULT_ORGS) <= n <= MAX_NATIONAL_TRUSTS:
        raise ValueError(f"national_orgs: n must be {len(DEFAULT_ORGS)}..{MAX_NATIONAL_TRUSTS}, got {n}")
    return (*DEFAULT_ORGS, *_codes()[: n - len(DEFAULT_ORGS)])


def _weights(rng: random.Random, items: list[str], low: float, high: float) -> tuple[tuple[str, float], ...]:
    return tuple((item, round(rng.uniform(low, high), 1)) for item in items)


def _ethnic_weights(rng: random.Random) -> tuple[tuple[str, float], ...]:
    # From largely White British areas to the most diverse cities.
    diversity = rng.betavariate(1.6, 3.2)
    asian, black = rng.uniform(0.2, 1.0), rng.uniform(0.2, 1.0)
    base = {
        "A": 92 - 62 * diversity,
        "B": 1.0,
        "C": 4 + 8 * diversity,
        "D": 0.6 + diversity,
        "E": 0.4 + diversity,
        "F": 0.6 + diversity,
        "G": 0.5 + diversity,
        "H": 1 + 14 * diversity * asian,
        "J": 0.5 + 14 * diversity * asian,
        "K": 0.2 + 6 * diversity * asian,
        "L": 0.8 + 5 * diversity * asian,
        "M": 0.2 + 4 * diversity * black,
        "N": 0.5 + 12 * diversity * black,
        "P": 0.2 + 2 * diversity * black,
        "R": 0.3 + 1.5 * diversity,
        "S": 1 + 4 * diversity,
    }
    return tuple((code, round(base[code], 1)) for code in ETHNIC_CODES)


def _imd_weights(rng: random.Random) -> tuple[float, ...]:
    lean = rng.uniform(-1.2, 1.2)  # > 0: deprived catchment
    return tuple(round(math.exp(lean * (5.5 - d) / 3.0) * rng.uniform(0.85, 1.15) * 10, 1) for d in range(1, 11))


def _systems(index: int, counts: dict[str, int], rng: random.Random) -> tuple[tuple[str, str], ...]:
    total = sum(counts.values()) + 1
    system = max(SYSTEM_SHARES, key=lambda s: s[1] * total - counts[s[0]])[0]
    counts[system] += 1
    if system == "K2" and rng.random() < K2_TO_CERNER_SHARE:
        return (("0000-01", "K2"), (rng.choice(GO_LIVE_MONTHS), "Cerner"))
    return (("0000-01", system),)


@cache
def national_profiles() -> dict[str, TrustProfile]:
    """Profiles of every synthetic national code (not the LMNS Trusts, which are in TRUSTS)."""
    raw: list[tuple[str, float, random.Random]] = []
    for code in _codes():
        rng = random.Random(f"{_SEED}|{code}")
        raw.append((code, min(3.1, max(0.29, rng.lognormvariate(0.0, 0.5))), rng))
    # Scale so that the default set books NATIONAL_BOOKINGS_PER_YEAR (seasonal factors average 1).
    default_extra = raw[: NATIONAL_TRUSTS - len(DEFAULT_ORGS)]
    lmns = sum(TRUSTS[o].base_monthly_bookings for o in DEFAULT_ORGS)
    per_unit = (NATIONAL_BOOKINGS_PER_YEAR / 12 - lmns) / sum(v for _, v, _ in default_extra)
    counts = {"BadgerNet": 2, "K2": 1, "Cerner": 0}  # the LMNS Trusts
    profiles: dict[str, TrustProfile] = {}
    districts = list(DISTRICTS)
    for code, volume, rng in raw:
        n_sites = rng.choices((1, 2, 3), weights=(55, 35, 10))[0]
        site_weights = [rng.uniform(0.3, 1.0) for _ in range(n_sites)]
        sites = tuple((f"{code}{i + 1:02d}", round(w / sum(site_weights), 2)) for i, w in enumerate(site_weights))
        current = rng.uniform(5, 17)
        profiles[code] = TrustProfile(
            code=code,
            name=f"Synthetic Provider Trust {code}",
            base_monthly_bookings=max(100, round(volume * per_unit)),
            systems=_systems(len(profiles), counts, rng),
            sites=sites,
            districts=_weights(rng, rng.sample(districts, rng.randint(4, 9)), 1, 20),
            imd_decile_weights=_imd_weights(rng),
            ethnic_weights=_ethnic_weights(rng),
            smoking_weights=(
                ("current", round(current, 1)),
                ("ex", round(rng.uniform(11, 18), 1)),
                ("never", round(90 - current - 14, 1)),
                ("not_known", round(rng.uniform(2, 7), 1)),
                ("", round(rng.uniform(1, 4), 1)),
            ),
            id_offset=0,  # each Trust's system numbers its own pregnancies
            base_rates=(
                round(max(0.90, 0.993 - abs(rng.gauss(0, 0.02))), 4),
                round(max(0.55, 0.965 - abs(rng.gauss(0, 0.075))), 4),
            ),
        )
    return profiles


def national_providers(orgs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """ODS code -> name, for a layouts file's `providers:`."""
    names = {code: p.name for code, p in TRUSTS.items()}
    return {org: names.get(org) or national_profiles()[org].name for org in orgs}


def national_layouts_text(orgs: tuple[str, ...] | list[str], base: str | None = None) -> str:
    """schemas/layouts.yaml (or `base` text) with `providers:` listing `orgs`, comments kept: each
    Trust with its name and its systems of record by month (a K2 Trust going live on Cerner
    changes in its go-live month), as the shipped file gives them."""
    text = (
        base if base is not None else (resources.files("schemas").joinpath("layouts.yaml").read_text(encoding="utf-8"))
    )
    match = re.search(r"^providers:[^\n]*\n(?:[ \t]+[^\n]*\n?|\n)*", text, flags=re.MULTILINE)
    head = text[: match.start()] if match else text.rstrip("\n") + "\n\n"
    lines = []
    for org, name in national_providers(orgs).items():
        lines += [f"  {org}:", f"    name: {name}", "    systems:"]
        # A profile's first system runs "from 0000-01": from the start, no `from` written.
        for first, system in _profile(org).systems:
            lines.append(
                f"      - {{system: {system}}}"
                if first <= "0000-12"
                else f"      - {{system: {system}, from: '{first}'}}"
            )
    return head + "providers:\n" + "\n".join(lines) + "\n"


def _profile(org: str) -> TrustProfile:
    return TRUSTS.get(org) or national_profiles()[org]


def write_national_layouts(path: Path, orgs: tuple[str, ...] | list[str]) -> Path:
    """Write the layouts copy naming `orgs` as providers; use it with MDQ_LAYOUTS=path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(national_layouts_text(orgs).encode("utf-8"))
    return path
