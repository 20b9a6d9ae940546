"""Putting it together: one Trust-month of bookings, its faults, and its extract file(s).

Every Trust-month draws from its own named random streams (seed|org|month|purpose), so a month
comes out the same whichever range it is generated in, and a change to the fault rates does
not reshuffle the clean content.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pipelines.core.months import month_ordinal, months_between, parse_month

from . import config
from .geography import build_geography
from .mess import MessRates, apply_row_mess, reordered_columns
from .parallel import write_parallel_run
from .people import Booking, booking_times, make_booking
from .profiles import profile
from .reference import IOD_NAMES, ONSPD_NAME, write_reference_data
from .story import DEFAULT_SEED, PARALLEL_RUNS, SAMPLE_MONTHS, invalid_count, monthly_volume, target_rates
from .trusts import DEFAULT_ORGS, TrustProfile
from .writers import ROW_BUILDERS, event_rows, file_name, is_generated_name, write_layout

# Marks a folder as synthetic so the ingest may use its sample-only pseudonymisation key there
# (pipelines/ingest/pseudonymise.py, SYNTHETIC_MARKER). A real landing folder never has it.
SYNTHETIC_MARKER = ".mdq-synthetic"
MARKER_TEXT = "Synthetic extracts written by pipelines.synthetic: no real patient data here.\n"

# Pregnancy ID ranges per system, so IDs from K2 and Cerner at one Trust can never collide.
ID_BASE = {"K2": 0, "BadgerNet": 0, "Cerner": 70_000_000}


def _id_stride(trust: TrustProfile, scale: float) -> int:
    # Room for a month's bookings, faults and ID gaps before the next month's range starts.
    return 1000 * math.ceil(4 * trust.base_monthly_bookings * scale / 1000)


def generate_month(org: str, month: str, out_dir: Path, seed: int = DEFAULT_SEED,
                   scale: float = 1.0, mess: MessRates | None = None,
                   reference_seed: int = DEFAULT_SEED) -> list[Path]:
    """Write one Trust's extract(s) for one month; returns the paths written."""
    trust = profile(org)
    mess = MessRates() if mess is None else mess
    system = trust.system_for(month)
    geo = build_geography(reference_seed)
    n = monthly_volume(trust, month, seed, scale)
    postcode_rate, ethnic_rate = target_rates(org, month, system, seed)

    rng = random.Random(f"{seed}|{org}|{month}|rows")
    bad_postcode = set(rng.sample(range(n), invalid_count(postcode_rate, n)))
    bad_ethnic = set(rng.sample(range(n), invalid_count(ethnic_rate, n)))
    year, mon = parse_month(month)
    next_id = ID_BASE[system] + trust.id_offset + month_ordinal(month) * _id_stride(trust, scale)
    core: list[Booking] = []
    for i, when in enumerate(booking_times(year, mon, n, rng)):
        next_id += 1 + (rng.random() < 0.3)  # cancelled or test bookings leave gaps
        core.append(make_booking(trust, system, next_id, when, i not in bad_postcode,
                                 i not in bad_ethnic, geo, rng))
    clean = [i for i in range(n) if i not in bad_postcode and i not in bad_ethnic]

    mess_rng = random.Random(f"{seed}|{org}|{month}|mess")

    def make_extra(when: datetime) -> Booking:
        nonlocal next_id
        next_id += 1
        return make_booking(trust, system, next_id, when, mess_rng.random() < postcode_rate,
                            mess_rng.random() < ethnic_rate, geo, mess_rng)

    rows = apply_row_mess(core, clean, system, datetime(year, mon, 1), mess, mess_rng, make_extra)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    columns = config.columns(system)
    if (org, month) in mess.reordered_header:
        columns = reordered_columns(system, columns)
    build = ROW_BUILDERS[system]
    paths = [write_layout(out_dir / file_name(system, org, month), system,
                          [build(b) for b in rows], columns)]
    if system == "Cerner":
        unique: dict[int, Booking] = {}
        for b in rows:
            unique.setdefault(b.seq, b)
        events = event_rows(list(unique.values()), random.Random(f"{seed}|{org}|{month}|events"))
        repeats = min(len(events), round(mess.duplicate_row * len(events)))
        for i in mess_rng.sample(range(len(events)), repeats):
            events.insert(mess_rng.randint(0, len(events)), events[i])
        paths.append(write_layout(out_dir / file_name("CernerEvents", org, month),
                                  "CernerEvents", events))
    parallel = PARALLEL_RUNS.get((org, month))
    if parallel and parallel != system:
        # Its own random streams: the system of record's file is the same with or without it.
        first_id = ID_BASE[parallel] + trust.id_offset + month_ordinal(month) * _id_stride(trust, scale) + 1
        paths += write_parallel_run(trust, parallel, core, month, out_dir, first_id, geo,
                                    random.Random(f"{seed}|{org}|{month}|parallel"),
                                    random.Random(f"{seed}|{org}|{month}|parallel-events"))
    return paths


def _generate_task(task: tuple) -> list[Path]:
    return generate_month(*task)


def generate_extracts(start_month: str, end_month: str, out_dir: Path, seed: int = DEFAULT_SEED,
                      scale: float = 1.0, mess: MessRates | None = None,
                      orgs: Sequence[str] | None = None,
                      reference_seed: int = DEFAULT_SEED, workers: int = 1) -> list[Path]:
    """Write synthetic extracts for every Trust and month in [start_month, end_month].

    Also drops the synthetic-folder marker in out_dir (not in the returned list).

    `scale` multiplies volumes; `orgs` defaults to the three LMNS Trusts, and
    `national.national_orgs(n)` gives a national set (~650,000 bookings a year at scale 1 for
    n=130). Postcodes come from the geography of `reference_seed`, so extracts of any `seed`
    resolve against the shipped reference files. `workers` > 1 writes Trust-months in that many
    processes (each Trust-month has its own random streams, so the bytes do not change).
    Same arguments, same bytes.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    months = months_between(start_month, end_month)
    if months[0] < "2000-01":
        raise ValueError("months before 2000-01 are not supported (pregnancy IDs derive from them)")
    org_codes = list(DEFAULT_ORGS if orgs is None else orgs)
    for org in org_codes:
        profile(org)  # fail on an unknown organisation before writing anything
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / SYNTHETIC_MARKER).write_bytes(MARKER_TEXT.encode("ascii"))
    tasks = [(org, month, out, seed, scale, mess, reference_seed)
             for month in months for org in org_codes]
    if workers > 1 and len(tasks) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            written = list(pool.map(_generate_task, tasks, chunksize=4))
    else:
        written = [_generate_task(task) for task in tasks]
    return [path for paths in written for path in paths]


def regenerate_sample(repo_root: Path) -> None:
    """Rewrite the shipped sample: extracts in sample_data/, reference in sample_data/reference/."""
    sample = Path(repo_root) / "sample_data"
    reference = sample / "reference"
    # Only names this generator writes are removed (so no stale month lingers); a hand-made
    # resubmission such as K2_RKB_MaternityBookings_202504_v2.csv is left alone.
    for old in sorted(sample.glob("*")) if sample.is_dir() else []:
        if old.is_file() and is_generated_name(old.name):
            old.unlink()
    for name in (ONSPD_NAME, *IOD_NAMES.values()):
        (reference / name).unlink(missing_ok=True)
    generate_extracts(*SAMPLE_MONTHS, sample, seed=DEFAULT_SEED)
    write_reference_data(reference, seed=DEFAULT_SEED)

