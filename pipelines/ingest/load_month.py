"""Loads one reporting month from the landing folder into the warehouse: read, then write.

Parsing is the slow part, so it runs before the warehouse lock is taken, and a file that fails
to parse leaves nothing half-written. But files can land meanwhile: a run that parsed an
original must not write it over the `_resub1` another run loaded while it parsed. So, under the
lock, the month's files and checksums are read again; if they changed since parsing, the month
is parsed again (still under the lock, so nothing else writes in between), and a landing folder
still changing after that stops the run with a clear message rather than loading a mixture.

Over several months (`load_months`), the next month is read while this one is written: reading is
mostly Python and polars, writing mostly DuckDB, which leaves the interpreter free, so on two
cores the two overlap. Each month is still checked against the landing folder under the lock
and written in its own transaction, in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from pipelines.core.config import load_layouts, load_rules
from pipelines.core.errors import one_line
from pipelines.core.warehouse import connect
from pipelines.ingest.pseudonymise import pseudonym_key
from pipelines.ingest.read_month import PreparedMonth, landing_inputs, read_month
from pipelines.ingest.write_month import MonthSummary, write_month

PARSES_UNDER_LOCK = 2  # re-parses allowed while the lock is held before giving up


class LandingChanged(RuntimeError):
    """The month's files kept changing while they were read: nothing was written."""


def load_month(
    month: str,
    landing: Path,
    warehouse: Path,
    reference_dir: Path,
    orgs: set[str] | None = None,
    today: date | None = None,
    prepared: PreparedMonth | None = None,
) -> tuple[PreparedMonth, MonthSummary]:
    """Read the month (unless ``prepared``, a read made earlier, is given) and write it."""
    rules, layouts = load_rules(), load_layouts()
    key = pseudonym_key(landing)
    today = today or date.today()
    if prepared is None or prepared.month != month or prepared.orgs != orgs:
        prepared = read_month(month, landing, layouts, key, today, orgs)
    with connect(warehouse) as con:
        for _ in range(PARSES_UNDER_LOCK):
            if landing_inputs(month, landing, layouts, orgs) == prepared.inputs:
                break
            prepared = read_month(month, landing, layouts, key, today, orgs)
        else:
            now = landing_inputs(month, landing, layouts, orgs)
            if now != prepared.inputs:
                changed = sorted(set(now.items()) ^ set(prepared.inputs.items()))
                names = ", ".join(dict.fromkeys(one_line(name) for name, _ in changed))
                raise LandingChanged(
                    f"{month}: the landing folder kept changing while it was read ({names}); "
                    "nothing was loaded: run the month again once the files have finished arriving"
                )
        summary = write_month(con, prepared, rules, layouts, reference_dir, key)
    return prepared, summary


def load_months(
    months: list[str], landing: Path, warehouse: Path, reference_dir: Path, today: date | None = None
) -> Iterator[tuple[PreparedMonth, MonthSummary]]:
    """``load_month`` for each month in order, yielding each as it is written; the next month is
    read in a second thread meanwhile."""
    today = today or date.today()
    layouts, key = load_layouts(), pseudonym_key(landing)

    def read(month: str) -> PreparedMonth:
        return read_month(month, landing, layouts, key, today)

    with ThreadPoolExecutor(max_workers=1) as reader:
        ahead = reader.submit(read, months[0]) if months else None
        for i, month in enumerate(months):
            prepared = ahead.result()
            ahead = reader.submit(read, months[i + 1]) if i + 1 < len(months) else None
            yield load_month(month, landing, warehouse, reference_dir, today=today, prepared=prepared)
