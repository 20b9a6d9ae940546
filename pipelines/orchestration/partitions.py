"""Monthly partitions: one per MSDS reporting month, keyed YYYY-MM.

The first month is the first month the LMNS holds data for (MDQ_FIRST_MONTH, default the
sample's 2025-04); the last is the current month, so an analyst can run a month as soon as
its extracts land, before it ends.
"""

import os
import re

import dagster as dg

FIRST_MONTH = os.environ.get("MDQ_FIRST_MONTH", "2025-04")
if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", FIRST_MONTH):
    raise ValueError(f"MDQ_FIRST_MONTH={FIRST_MONTH!r} is not a month in the form YYYY-MM")

monthly = dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, fmt="%Y-%m", end_offset=1)


def partition_problem(month: str) -> str | None:
    """Why a month cannot be run as a partition, or None when it can."""
    if month < FIRST_MONTH:
        return f"{month} is before the first reporting month {FIRST_MONTH} (set MDQ_FIRST_MONTH to run earlier months)"
    last = monthly.get_last_partition_key()
    if last is not None and month > last:
        return f"{month} is in the future (the latest month that can be run is {last})"
    return None
