"""A parallel-run test extract: the new system's extract of a month the old system also sent.

At RKB's go-live (story.PARALLEL_RUNS: 2026-03, K2 the system of record) the Trust sends March
from K2 and a Cerner test extract of mostly the same women (the same NHS numbers, so they link),
written from the K2 month's own bookings with their own random stream: the K2 file is exactly
what it would be without the parallel run. What the go-live reconciliation should find:

* a few women only in K2 (not migrated) and a few only in Cerner (booked straight into it);
* records that cannot be linked: blank, invalid or placeholder NHS numbers (K2's own, carried
  over, and a few numbers not migrated to Cerner);
* ethnic coding often lost: Cerner's outbound alias left empty beside a good display value;
* a few values changed (a new address, gestation re-dated, smoking or CO re-recorded) and a few
  improved (a valid ethnic category or postcode where K2 had none).
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from .geography import Geography, draw_postcode
from .people import CERNER_DISPLAY, Booking, booking_times, make_booking, type_valid_postcode
from .trusts import TrustProfile
from .writers import ROW_BUILDERS, event_rows, file_name, write_layout

# Shares of the K2 month's women (and, for the Cerner-only women, of its size).
NOT_MIGRATED = 0.04  # only in K2
ONLY_IN_NEW = 0.03  # only in Cerner
NHS_NOT_MIGRATED = 0.015  # in both, but Cerner's NHS number blank: unlinkable there
ETHNIC_LOST = 0.30  # valid in K2, empty alias in Cerner
ETHNIC_CHANGED = 0.01  # valid in both, a different category
ETHNIC_IMPROVED = 0.35  # not valid in K2, valid in Cerner
POSTCODE_CHANGED = 0.02  # moved house between the two records
POSTCODE_IMPROVED = 0.30
GESTATION_REDATED = 0.03  # re-dated at the scan: a few days different
SMOKING_CHANGED = 0.02
CO_CHANGED = 0.02


def write_parallel_run(
    trust: TrustProfile,
    system: str,
    women: list[Booking],
    month: str,
    out_dir: Path,
    first_id: int,
    geo: Geography,
    rng: random.Random,
    events_rng: random.Random,
) -> list[Path]:
    """Write the `system` (Cerner) test extract of `women` (the old system's distinct bookings)."""
    if system != "Cerner":
        raise ValueError(f"a parallel run is written in the Cerner layout only, not {system}")
    codes = [c for c, _ in trust.ethnic_weights]
    weights = [w for _, w in trust.ethnic_weights]
    copies: list[Booking] = []
    for b in women:
        if rng.random() < NOT_MIGRATED:
            continue
        copies.append(_migrated(b, trust, geo, month, codes, weights, rng))
    year, mon = (int(x) for x in month.split("-"))
    for when in booking_times(year, mon, round(ONLY_IN_NEW * len(women)), rng):
        copies.append(make_booking(trust, system, 0, when, rng.random() < 0.97, rng.random() < 0.6, geo, rng))
    copies.sort(key=lambda b: (b.booked_at, b.local_id))
    for i, b in enumerate(copies):
        b.seq = first_id + i
    rows = [ROW_BUILDERS["Cerner"](b) for b in copies]
    return [
        write_layout(out_dir / file_name("Cerner", trust.code, month), "Cerner", rows),
        write_layout(
            out_dir / file_name("CernerEvents", trust.code, month), "CernerEvents", event_rows(copies, events_rng)
        ),
    ]


def _migrated(
    b: Booking,
    trust: TrustProfile,
    geo: Geography,
    month: str,
    codes: list[str],
    weights: list[float],
    rng: random.Random,
) -> Booking:
    """The K2 booking as Cerner holds it after migration, with the go-live's losses and repairs."""
    copy = replace(b, overrides={})  # K2's junk text is K2's own
    if b.nhs and rng.random() < NHS_NOT_MIGRATED:
        copy.nhs = ""
    valid_ethnic = b.ethnic_code in CERNER_DISPLAY and b.ethnic_code not in ("Z", "99")
    r = rng.random()
    if valid_ethnic and r < ETHNIC_LOST:
        copy.ethnic_code, copy.ethnic_text = "", CERNER_DISPLAY[b.ethnic_code]
    elif valid_ethnic and r < ETHNIC_LOST + ETHNIC_CHANGED:
        other = rng.choice([c for c in codes if c != b.ethnic_code])
        copy.ethnic_code, copy.ethnic_text = other, CERNER_DISPLAY[other]
    elif not valid_ethnic and r < ETHNIC_IMPROVED:
        code = rng.choices(codes, weights=weights)[0]
        copy.ethnic_code, copy.ethnic_text = code, CERNER_DISPLAY[code]
    else:
        copy.ethnic_text = CERNER_DISPLAY.get(b.ethnic_code, "")
    r = rng.random()
    if r < POSTCODE_CHANGED or (r < POSTCODE_IMPROVED and not _looks_valid(b.postcode, geo, month)):
        home = draw_postcode(geo, trust.districts, trust.imd_decile_weights, rng, month)
        copy.postcode = type_valid_postcode(home.pcds, "Cerner", rng)
    if b.gestation_days is not None and rng.random() < GESTATION_REDATED:
        copy.gestation_days = max(35, b.gestation_days + rng.choice((-3, -2, -1, 1, 2, 3)))
    if b.smoking and rng.random() < SMOKING_CHANGED:
        copy.smoking = rng.choice([s for s in ("current", "ex", "never") if s != b.smoking])
    if b.co_ppm is not None and rng.random() < CO_CHANGED:
        copy.co_ppm = b.co_ppm + rng.randint(1, 3)
    # Cerner charts the appointment a few minutes after K2's booking time.
    copy.booked_at = b.booked_at.replace(minute=min(59, b.booked_at.minute + rng.randint(0, 5)))
    return copy


def _looks_valid(typed: str, geo: Geography, month: str) -> bool:
    squashed = "".join(typed.split()).upper()
    found = geo.by_pcds(f"{squashed[:-3]} {squashed[-3:]}") if len(squashed) > 3 else None
    return found is not None and found.live_in(month)
