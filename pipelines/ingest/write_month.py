"""Writes one prepared month into the warehouse in a single transaction.

Staging and canonical models are built as temp tables first; only then does one transaction
replace the month's rows (for the Trusts in scope) and update the submissions audit trail, so a
failure at any point leaves the earlier load of the month intact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

from pipelines.core.config import Layouts
from pipelines.core.fingerprint import config_fingerprint
from pipelines.core.model_rules import install_rules
from pipelines.core.warehouse import create_temp_model, mark_stage, read_sql, transaction
from pipelines.ingest.read_month import PreparedMonth, empty_frame
from pipelines.ingest.reference import load_reference
from schemas.canonical import canonical_failures

RAW_RELATIONS = {
    "K2": "raw_k2__bookings",
    "BadgerNet": "raw_badgernet__bookings",
    "Cerner": "raw_cerner__pregnancies",
    "CernerEvents": "raw_cerner__clinical_events",
}
STAGING = [
    "staging/stg_k2__bookings",
    "staging/stg_badgernet__bookings",
    "staging/stg_cerner__clinical_events",
    "staging/stg_cerner__pregnancies",
]


@dataclass(frozen=True)
class MonthSummary:
    month: str
    files: int
    unreadable: int
    rows_read: int
    rows_loaded: int  # every loaded file's, parallel-run extracts' included (rows_read = loaded + quarantined)
    rows_quarantined: int
    parallel_files: int = 0  # current files loaded (or not) as a parallel run


def _register_raw(
    con: duckdb.DuckDBPyConnection, prepared: PreparedMonth, layouts: Layouts, key: bytes, parallel: bool
) -> None:
    for layout_key, relation in RAW_RELATIONS.items():
        layout = layouts.by_key(layout_key)
        files = [
            f
            for f in prepared.files
            if f.status == "loaded" and f.extract.layout.key == layout_key and f.parallel == parallel
        ]
        if files:
            # One concat, then each row's file columns by its file's position (a national month has
            # ~160 files; a literal column per file cost a polars call each).
            which = pl.Series(np.repeat(np.arange(len(files), dtype=np.uint32), [f.frame.height for f in files]))
            per_file = {
                "submission_id": [f.submission_id for f in files],
                "org_code": [f.extract.org_code for f in files],
                "source_file": [f.extract.file_name for f in files],
            }
            frame = pl.concat([f.frame for f in files], how="diagonal_relaxed").with_columns(
                *(pl.Series(name, values, dtype=pl.String).gather(which) for name, values in per_file.items()),
                pl.lit(prepared.month).alias("reporting_month"),
            )
        else:  # the staging SQL still needs the relation and its columns
            frame = empty_frame(layout, key).with_columns(
                pl.lit(None, dtype=pl.String).alias(c)
                for c in ("submission_id", "org_code", "reporting_month", "source_file")
            )
        con.register(relation, frame.to_arrow())


def _quarantine_frame(prepared: PreparedMonth, parallel: bool = False) -> pl.DataFrame:
    rows = [
        (
            prepared.month,
            f.extract.org_code,
            f.extract.layout.system,
            f.submission_id,
            f.extract.file_name,
            p.line,
            p.column,
            p.value,
            p.reason,
        )
        for f in prepared.files
        if f.status == "loaded" and f.parallel == parallel
        for p in f.problems
    ]
    schema = {
        "reporting_month": pl.String,
        "org_code": pl.String,
        "source_system": pl.String,
        "submission_id": pl.String,
        "source_file": pl.String,
        "line_number": pl.Int64,
        "column_name": pl.String,
        "value": pl.String,
        "reason": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _in_scope(prepared: PreparedMonth) -> tuple[str, list[Any]]:
    """WHERE clause for the rows this load replaces: the month, or only some Trusts of it."""
    if prepared.orgs is None:
        return "reporting_month = ?", [prepared.month]
    return "reporting_month = ? AND list_contains(?, org_code)", [prepared.month, sorted(prepared.orgs)]


def _record_submissions(con: duckdb.DuckDBPyConnection, prepared: PreparedMonth, now: datetime) -> None:
    loaded = " UNION ALL ".join(f"SELECT submission_id, count(*) FROM {t} GROUP BY 1" for t in _LOADED.values())
    loaded_rows = dict(con.execute(loaded).fetchall())
    # Counted from the quarantine being written, so rows the canonical contract rejected count too.
    quarantined_rows = dict(
        con.execute(
            "SELECT submission_id, count(*) FROM new_quarantine GROUP BY 1 UNION ALL "
            "SELECT submission_id, count(*) FROM new_parallel_quarantine GROUP BY 1"
        ).fetchall()
    )
    records = [
        (
            f.submission_id,
            f.extract.file_name,
            f.checksum,
            f.extract.layout.system,
            f.stored_role,
            f.extract.org_code,
            prepared.month,
            f.status,
            f.rows_read,
            f.lines_read,
            f.continuation_lines,
            loaded_rows.get(f.submission_id, 0) if f.status == "loaded" else None,
            quarantined_rows.get(f.submission_id, 0) if f.status == "loaded" else None,
            f.error.reason if f.error else None,
            f.error.line if f.error else None,
            f.error.column if f.error else None,
            "; ".join(f.warnings) or None,
            now,
            now,
        )
        for f in prepared.files
    ]
    columns = [
        "submission_id",
        "file_name",
        "checksum",
        "source_system",
        "role",
        "org_code",
        "reporting_month",
        "status",
        "rows_read",
        "lines_read",
        "continuation_lines",
        "rows_loaded",
        "rows_quarantined",
        "error",
        "error_line",
        "error_column",
        "warnings",
        "first_loaded_at",
        "status_changed_at",
    ]
    frame = pl.DataFrame(records, schema=columns, orient="row", infer_schema_length=None)
    con.register("_new_submissions", frame.to_arrow())
    # One statement for the month's files (a national month has ~165 of them).
    con.execute(
        """INSERT INTO submissions BY NAME SELECT * FROM _new_submissions
           ON CONFLICT (submission_id) DO UPDATE SET
             status_changed_at = CASE WHEN submissions.status = EXCLUDED.status
                                      THEN submissions.status_changed_at ELSE EXCLUDED.status_changed_at END,
             status = EXCLUDED.status, role = EXCLUDED.role, rows_read = EXCLUDED.rows_read, lines_read = EXCLUDED.lines_read,
             continuation_lines = EXCLUDED.continuation_lines, rows_loaded = EXCLUDED.rows_loaded,
             rows_quarantined = EXCLUDED.rows_quarantined, error = EXCLUDED.error,
             error_line = EXCLUDED.error_line, error_column = EXCLUDED.error_column,
             warnings = EXCLUDED.warnings"""
    )
    con.unregister("_new_submissions")
    # Earlier submissions of the month no longer in the landing folder's current set: a newer file
    # for the same slot supersedes them (whether it ran as the record or in parallel then or now);
    # otherwise they were withdrawn.
    current = [f.submission_id for f in prepared.files]
    slots = [[f.extract.layout.system, f.extract.layout.role, f.extract.org_code] for f in prepared.files]
    where, params = _in_scope(prepared)
    con.execute(
        f"""UPDATE submissions SET
              status = CASE WHEN list_contains(?, [source_system, regexp_replace(role, '^parallel_', ''), org_code])
                            THEN 'superseded' ELSE 'withdrawn' END,
              status_changed_at = ?
            WHERE {where} AND status IN ('loaded', 'unreadable') AND NOT list_contains(?, submission_id)""",
        [slots, now, *params, current],
    )


def write_month(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedMonth,
    rules: dict[str, Any],
    layouts: Layouts,
    reference_dir: Path,
    key: bytes,
    now: datetime | None = None,
) -> MonthSummary:
    now = now or datetime.now(UTC).replace(tzinfo=None)
    install_rules(con, rules, layouts)
    load_reference(con, reference_dir, rules)
    # Parallel-run extracts first, through the same models: the record pass then leaves its own
    # staging tables behind. A month without a parallel run skips the pass (empty tables).
    if any(f.parallel and f.status == "loaded" for f in prepared.files):
        _standardise(con, prepared, layouts, key, parallel=True)
    else:
        for name, like in (("new_parallel_bookings", "bookings"), ("new_parallel_events", "clinical_events")):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {like} LIMIT 0")
        con.register("new_parallel_quarantine", _quarantine_frame(prepared, parallel=True).to_arrow())
    _standardise(con, prepared, layouts, key, parallel=False)
    with transaction(con):
        for table, source in _TABLES.items():
            where, params = _in_scope(prepared)
            con.execute(f"DELETE FROM {table} WHERE {where}", params)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {source}")
        _record_submissions(con, prepared, now)
        mark_stage(con, prepared.month, "ingested", config_fingerprint(reference_dir, key))
    loaded = [f for f in prepared.files if f.status == "loaded"]

    def count(tables) -> int:
        return sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)

    return MonthSummary(
        month=prepared.month,
        files=len(prepared.files),
        unreadable=sum(f.status == "unreadable" for f in prepared.files),
        rows_read=sum(f.rows_read or 0 for f in loaded),
        rows_loaded=count(_LOADED.values()),
        rows_quarantined=count(("new_quarantine", "new_parallel_quarantine")),
        parallel_files=sum(f.parallel and f.status != "superseded" for f in prepared.files),
    )


# Stored table <- the month's rows to write: the system of record's, then the parallel run's.
_TABLES = {
    "bookings": "new_bookings",
    "quarantine": "new_quarantine",
    "clinical_events": "stg_cerner__clinical_events",
    "parallel_bookings": "new_parallel_bookings",
    "parallel_quarantine": "new_parallel_quarantine",
    "parallel_clinical_events": "new_parallel_events",
}
# Where each file's loaded rows are, for its submission's rows_loaded.
_LOADED = {t: s for t, s in _TABLES.items() if "quarantine" not in t}


def _standardise(con: duckdb.DuckDBPyConnection, prepared: PreparedMonth, layouts: Layouts, key: bytes, parallel: bool):
    """Staging -> canonical bookings -> canonical contract for the record's files or the parallel run's,
    into new_[parallel_]bookings and new_[parallel_]quarantine (and, for the parallel run, its events)."""
    prefix = "new_parallel_" if parallel else "new_"
    _register_raw(con, prepared, layouts, key, parallel)
    for model in STAGING:
        create_temp_model(con, model)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {prefix}bookings AS " + read_sql("marts/bookings"))
    if parallel:
        con.execute("CREATE OR REPLACE TEMP TABLE new_parallel_events AS SELECT * FROM stg_cerner__clinical_events")
    quarantine = pl.concat([_quarantine_frame(prepared, parallel), _canonical_quarantine(con, f"{prefix}bookings")])
    con.register(f"{prefix}quarantine", quarantine.to_arrow())


def _canonical_quarantine(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """Rows the SQL produced that break the canonical contract leave the table for quarantine."""
    frame = con.sql(f"SELECT * FROM {table} ORDER BY submission_id, source_line").pl()
    failures = canonical_failures(frame)
    if failures.height == 0:
        return _quarantine_frame(PreparedMonth(month="", files=[], orgs=None))
    bad = frame.with_row_index("index").join(failures.with_columns(pl.col("index").cast(pl.UInt32)), on="index")
    con.register("_bad_rows", bad.select("submission_id", "source_line").to_arrow())
    con.execute(
        f"DELETE FROM {table} WHERE (submission_id, source_line) IN (SELECT (submission_id, source_line) FROM _bad_rows)"
    )
    return canonical_quarantine_rows(bad)


def canonical_quarantine_rows(bad: pl.DataFrame) -> pl.DataFrame:
    """Quarantine rows for bookings that break the canonical contract: each row's fields with the
    ``column``, ``check`` and ``failure_case`` canonical_failures gives it (on either engine)."""
    return bad.select(
        "reporting_month",
        "org_code",
        "source_system",
        "submission_id",
        "source_file",
        pl.col("source_line").alias("line_number"),
        pl.col("column").alias("column_name"),
        pl.col("failure_case").alias("value"),
        pl.format("canonical contract: {} failed on {}", pl.col("check"), pl.col("column")).alias("reason"),
    )
