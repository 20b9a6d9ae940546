"""Monthly partitions: one per MSDS reporting month, keyed YYYY-MM.

The first month is the first month the LMNS holds data for (MDQ_FIRST_MONTH, default the
sample's 2025-04); the last is the last *complete* month. A month's extracts are for bookings
made in it, so a month still under way has no complete extract: it is not offered as a partition
(the UI would show it "Missing" for weeks), and the monthly schedule, which targets the last
partition, runs the month just ended.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import dagster as dg

from pipelines.core.config import ConfigError, load_layouts

FIRST_MONTH = os.environ.get("MDQ_FIRST_MONTH", "2025-04")
if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", FIRST_MONTH):
    # A configuration error (one line, exit 2 from `mdq`), raised where the partitions are defined.
    raise ConfigError(f"MDQ_FIRST_MONTH={FIRST_MONTH!r} is not a month in the form YYYY-MM")

monthly = dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, fmt="%Y-%m", end_offset=0)


def last_complete_month() -> str | None:
    return monthly.get_last_partition_key()


def partition_problem(month: str) -> str | None:
    """Why a month cannot be run as a partition, or None when it can."""
    if month < FIRST_MONTH:
        return f"{month} is before the first reporting month {FIRST_MONTH} (set MDQ_FIRST_MONTH to run earlier months)"
    last = last_complete_month()
    if last is None or month > last:
        latest = f"the latest complete month is {last}" if last else "no month has ended yet"
        if month == _month_after(last):
            return f"{month} has not ended yet ({latest})"
        return f"{month} is in the future ({latest})"
    return None


def month_problem(month: str, landing: Path) -> str | None:
    """Why a month cannot be run from this landing folder, or None when it can.

    Both front doors use it: `mdq run` refuses the month with this line, and the ingest asset
    fails the run with it, so a run launched from the UI for a month with no extract fails rather
    than writing a scorecard where every Trust is `missing`.
    """
    from pipelines.ingest.landing import discover

    problem = partition_problem(month)
    if problem:
        return problem
    if not discover(landing, load_layouts(), {month}):
        return f"no extract for {month} in {landing}"
    return None


def _month_after(month: str | None) -> str | None:
    from pipelines.core.months import next_month

    return next_month(month) if month else None
