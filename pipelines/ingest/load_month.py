"""Loads one reporting month from the landing folder into the warehouse: read, then write."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.core.config import load_layouts, load_rules
from pipelines.core.warehouse import connect
from pipelines.ingest.pseudonymise import pseudonym_key
from pipelines.ingest.read_month import PreparedMonth, read_month
from pipelines.ingest.write_month import MonthSummary, write_month


def load_month(
    month: str,
    landing: Path,
    warehouse: Path,
    reference_dir: Path,
    orgs: set[str] | None = None,
    today: date | None = None,
) -> tuple[PreparedMonth, MonthSummary]:
    rules, layouts = load_rules(), load_layouts()
    key = pseudonym_key(landing)
    # Read everything before taking the warehouse lock: parsing is the slow part, and a file that
    # fails to parse must not leave a half-written month behind.
    prepared = read_month(month, landing, layouts, key, today or date.today(), orgs)
    with connect(warehouse) as con:
        summary = write_month(con, prepared, rules, layouts, reference_dir, key)
    return prepared, summary
