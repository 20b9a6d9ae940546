"""Provider Trust profiles: who books where, on which system, and what their women look like.

Profiles are data so the national-scale option can add organisations without new code paths.
Mixes are loosely modelled on Coventry & Warwickshire (Census 2021, MSDS publications) but are
synthetic: they only need to make a plausible, diverse sample.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrustProfile:
    code: str
    name: str
    base_monthly_bookings: int
    # (first month, system); the last entry whose first month <= the month applies.
    systems: tuple[tuple[str, str], ...]
    sites: tuple[tuple[str, float], ...]
    districts: tuple[tuple[str, float], ...]
    # Weights of IMD deciles 1 (most deprived) .. 10 among the Trust's women.
    imd_decile_weights: tuple[float, ...]
    ethnic_weights: tuple[tuple[str, float], ...]
    # Canonical smoking status ('' = not recorded at all) and weights.
    smoking_weights: tuple[tuple[str, float], ...]
    # Keeps pregnancy ID ranges of different Trusts apart.
    id_offset: int
    # (postcode, ethnic) valid rates in an ordinary month; None: story.BASE_RATES or its fallback.
    base_rates: tuple[float, float] | None = None

    def system_for(self, month: str) -> str:
        current = self.systems[0][1]
        for first, system in self.systems:
            if first <= month:
                current = system
        return current


TRUSTS: dict[str, TrustProfile] = {
    "RKB": TrustProfile(
        code="RKB",
        name="University Hospitals Coventry and Warwickshire NHS Trust",
        base_monthly_bookings=500,
        systems=(("0000-01", "K2"), ("2026-04", "Cerner")),
        sites=(("RKB01", 1.0),),
        districts=(("CV1", 7), ("CV2", 16), ("CV3", 15), ("CV4", 9), ("CV5", 12), ("CV6", 18),
                   ("CV7", 5), ("CV8", 4), ("CV12", 4), ("CV11", 2), ("CV21", 2), ("CV31", 1)),
        imd_decile_weights=(11, 10, 9, 11, 11, 10, 10, 10, 9, 9),
        ethnic_weights=(("A", 51.5), ("B", 1.5), ("C", 9.0), ("D", 1.2), ("E", 1.0), ("F", 0.9),
                        ("G", 0.9), ("H", 8.0), ("J", 5.0), ("K", 2.0), ("L", 3.0), ("M", 1.0),
                        ("N", 8.0), ("P", 1.0), ("R", 1.5), ("S", 4.5)),
        smoking_weights=(("current", 10), ("ex", 14), ("never", 68), ("not_known", 5), ("", 3)),
        id_offset=0,
    ),
    "RJC": TrustProfile(
        code="RJC",
        name="South Warwickshire University NHS Foundation Trust",
        base_monthly_bookings=250,
        systems=(("0000-01", "BadgerNet"),),
        sites=(("RJC01", 0.62), ("RJC02", 0.38)),
        districts=(("CV31", 13), ("CV32", 13), ("CV34", 14), ("CV35", 6), ("CV37", 13),
                   ("CV36", 3), ("CV47", 5), ("CV21", 10), ("CV22", 8), ("CV23", 5), ("CV8", 4),
                   ("B49", 3), ("B50", 1.5), ("B80", 1.5)),
        imd_decile_weights=(2, 3, 3, 7, 9, 11, 14, 16, 17, 18),
        ethnic_weights=(("A", 68.0), ("B", 1.0), ("C", 8.0), ("D", 1.0), ("E", 0.8), ("F", 1.0),
                        ("G", 0.7), ("H", 7.0), ("J", 1.5), ("K", 0.5), ("L", 3.0), ("M", 0.5),
                        ("N", 3.0), ("P", 0.5), ("R", 1.0), ("S", 2.5)),
        smoking_weights=(("current", 7), ("ex", 15), ("never", 72), ("not_known", 4), ("", 2)),
        id_offset=4_000_000,
    ),
    "RLT": TrustProfile(
        code="RLT",
        name="George Eliot Hospital NHS Trust",
        base_monthly_bookings=165,
        systems=(("0000-01", "BadgerNet"),),
        sites=(("RLT01", 1.0),),
        districts=(("CV10", 30), ("CV11", 28), ("CV12", 18), ("CV9", 8), ("CV13", 2),
                   ("LE10", 7), ("B78", 3), ("CV7", 4)),
        imd_decile_weights=(6, 7, 7, 10, 11, 12, 12, 12, 12, 11),
        ethnic_weights=(("A", 63.0), ("B", 1.0), ("C", 8.0), ("D", 1.0), ("E", 0.8), ("F", 0.9),
                        ("G", 0.8), ("H", 11.0), ("J", 1.0), ("K", 0.5), ("L", 2.5), ("M", 0.5),
                        ("N", 5.0), ("P", 0.5), ("R", 1.0), ("S", 2.5)),
        smoking_weights=(("current", 14), ("ex", 16), ("never", 62), ("not_known", 5), ("", 3)),
        id_offset=2_000_000,
    ),
}

DEFAULT_ORGS: tuple[str, ...] = ("RKB", "RJC", "RLT")
