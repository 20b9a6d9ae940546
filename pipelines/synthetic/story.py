"""The story the shipped sample tells: monthly volumes and target valid rates per Trust-month.

Invalid counts are fixed numbers per Trust-month (not random draws), so the gate's verdict on
every month of the sample is certain: RLT's postcode dip (2025-10..12) and RKB's ethnicity
collapse after the Cerner go-live (2026-04..06) fail; everything else passes by >= 1.5 points.
"""

from __future__ import annotations

import math
import random

from pipelines.core.months import parse_month

from .profiles import profile
from .trusts import TrustProfile

DEFAULT_SEED = 20250401  # the shipped sample's seed
SAMPLE_MONTHS = ("2025-04", "2026-09")  # first and last month of the shipped sample

# (org, system) -> (postcode valid rate, ethnic valid rate) in an ordinary month.
BASE_RATES: dict[tuple[str, str], tuple[float, float]] = {
    ("RKB", "K2"): (0.980, 0.880),
    ("RKB", "Cerner"): (0.975, 0.890),
    ("RJC", "BadgerNet"): (0.985, 0.920),
    ("RLT", "BadgerNet"): (0.985, 0.900),
}
FALLBACK_RATES = (0.980, 0.900)  # Trusts added later (national scale) tell no particular story

# Months whose rate is part of the story; these are exact, ordinary months get a small jitter.
OVERRIDES: dict[tuple[str, str], dict[str, float]] = {
    ("RLT", "2025-10"): {"postcode": 0.920},
    ("RLT", "2025-11"): {"postcode": 0.905},
    ("RLT", "2025-12"): {"postcode": 0.930},
    # Cerner go-live: the ethnic-category outbound alias was not mapped for most users at first.
    ("RKB", "2026-04"): {"ethnic": 0.42},
    ("RKB", "2026-05"): {"ethnic": 0.58},
    ("RKB", "2026-06"): {"ethnic": 0.71},
    ("RKB", "2026-07"): {"ethnic": 0.83},
    ("RKB", "2026-08"): {"ethnic": 0.86},
    ("RKB", "2026-09"): {"ethnic": 0.89},
}
JITTER = 0.005  # +/- on ordinary months, so trend lines are not ruler-flat

# Go-live parallel runs: (org, month) -> the new system whose test extract the Trust also sends
# that month (parallel.py). The old system stays the system of record (schemas/layouts.yaml), so
# the month's measures are the old extract's alone.
PARALLEL_RUNS: dict[tuple[str, str], str] = {("RKB", "2026-03"): "Cerner"}

# Relative booking volume by calendar month (bookings lead births by ~6 months; mild season).
SEASON = (1.02, 0.97, 1.03, 0.98, 1.01, 0.97, 1.03, 1.04, 1.02, 1.00, 1.01, 0.92)

def monthly_volume(trust: TrustProfile, month: str, seed: int, scale: float) -> int:
    """Distinct pregnancies booked in the month (the measures' denominator)."""
    rng = random.Random(f"{seed}|{trust.code}|{month}|volume")
    season = SEASON[parse_month(month)[1] - 1]
    return max(1, round(trust.base_monthly_bookings * scale * season * rng.uniform(0.95, 1.05)))


def target_rates(org: str, month: str, system: str, seed: int) -> tuple[float, float]:
    """(postcode, ethnic) valid rates for a Trust-month."""
    if (org, system) in BASE_RATES:
        postcode, ethnic = BASE_RATES[(org, system)]
    else:  # national-scale Trusts carry their own ordinary rates
        postcode, ethnic = profile(org).base_rates or FALLBACK_RATES
    rng = random.Random(f"{seed}|{org}|{month}|story")
    postcode += rng.uniform(-JITTER, JITTER)
    ethnic += rng.uniform(-JITTER, JITTER)
    override = OVERRIDES.get((org, month), {})
    return override.get("postcode", postcode), override.get("ethnic", ethnic)


def invalid_count(rate: float, n: int) -> int:
    """Records to make invalid so that the valid share is `rate` to the nearest record."""
    return min(n, max(0, math.floor((1.0 - rate) * n + 0.5)))
