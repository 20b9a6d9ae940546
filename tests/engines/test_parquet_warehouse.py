"""The Spark engine's Parquet warehouse: a month's tables appear together or not at all.

No Spark needed: the commit protocol (staged folders, a commit log, renames, roll forward on the
next open) is the same for files Spark wrote and for the small ones the driver writes, so it is
exercised here with the driver's writer. Readers see the tables through DuckDB views with the
types sql/warehouse/tables.sql declares.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

pytest.importorskip("sqlglot", reason="sqlglot comes with the spark extra (uv sync --extra spark)")

from pipelines.core.engines import spark_warehouse  # noqa: E402
from pipelines.core.engines.parquet_reader import parquet_views  # noqa: E402
from pipelines.core.engines.spark_warehouse import month_commit, open_warehouse, recover  # noqa: E402
from pipelines.core.warehouse import connect  # noqa: E402


def _status(month: str, orgs: list[str], bookings: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "reporting_month": [month] * len(orgs),
            "org_code": orgs,
            "source_system": ["K2"] * len(orgs),
            "files": [1] * len(orgs),
            "rows_read": [bookings] * len(orgs),
            "rows_loaded": [bookings] * len(orgs),
            "rows_quarantined": [0] * len(orgs),
            "bookings": [bookings] * len(orgs),
            "completeness": ["complete"] * len(orgs),
            "completeness_detail": pl.Series([None] * len(orgs), dtype=pl.String),
        }
    )


def _outputs(month: str, paths: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"reporting_month": [month] * len(paths), "path": paths, "sha256": ["0" * 64] * len(paths)})


def _read(warehouse: Path, sql: str) -> list[tuple]:
    with connect(warehouse, read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "parquet"
    open_warehouse(path)
    with month_commit(path) as commit:
        commit.stage_frame("trust_month_status", "2025-04", _status("2025-04", ["RKB", "RJC"], 10))
        commit.stage_frame("month_outputs", "2025-04", _outputs("2025-04", ["a.csv"]))
    return path


def test_readers_see_the_declared_columns_and_types(warehouse):
    """rows_read is HUGEINT in tables.sql: the view gives it so, and the month from the folder name."""
    with connect(warehouse, read_only=True) as con:
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE trust_month_status)").fetchall())
        rows = con.execute(
            "SELECT reporting_month, org_code, bookings FROM trust_month_status ORDER BY org_code"
        ).fetchall()
    assert types["rows_read"] == "HUGEINT" and types["reporting_month"] == "VARCHAR"
    assert rows == [("2025-04", "RJC", 10), ("2025-04", "RKB", 10)]


def test_a_write_connection_to_a_parquet_warehouse_is_refused(warehouse):
    with pytest.raises(ValueError, match="--engine spark"), connect(warehouse):
        pass


def test_a_failed_step_changes_nothing(warehouse):
    """An error after staging: the month keeps its two Trusts, and no staging is left behind."""
    with pytest.raises(RuntimeError, match="step failed"), month_commit(warehouse) as commit:
        commit.stage_frame("trust_month_status", "2025-04", _status("2025-04", ["RLT"], 3))
        raise RuntimeError("step failed")
    assert _read(warehouse, "SELECT org_code FROM trust_month_status ORDER BY 1") == [("RJC",), ("RKB",)]
    assert not any((warehouse / "_staging").glob("*"))


def test_a_commit_killed_half_way_is_finished_by_the_next_writer(warehouse, monkeypatch):
    """Killed after the first of two tables moved: a reader would see the new status beside the
    old outputs, so the next open rolls the logged commit forward before anything else."""
    moved = []
    real_move = spark_warehouse._move

    def dies_after_one(source, target, trash):
        if moved:
            raise KeyboardInterrupt("killed")
        moved.append(target)
        real_move(source, target, trash)

    monkeypatch.setattr(spark_warehouse, "_move", dies_after_one)
    monkeypatch.setattr(spark_warehouse.MonthCommit, "abandon", lambda self: None)  # a killed process cleans nothing
    with pytest.raises(KeyboardInterrupt), month_commit(warehouse) as commit:
        commit.stage_frame("trust_month_status", "2025-04", _status("2025-04", ["RLT"], 3))
        commit.stage_frame("month_outputs", "2025-04", _outputs("2025-04", ["b.csv"]))
    assert list((warehouse / "_commits").glob("*.json")), "the commit log stays for the next writer"
    monkeypatch.setattr(spark_warehouse, "_move", real_move)
    recover(warehouse)
    assert _read(warehouse, "SELECT org_code, bookings FROM trust_month_status") == [("RLT", 3)]
    assert _read(warehouse, "SELECT path FROM month_outputs") == [("b.csv",)]
    assert not list((warehouse / "_commits").glob("*"))


def test_a_commit_log_never_finished_writing_is_no_commit(warehouse):
    """Killed while writing the log itself (only its temporary file exists): nothing changes."""
    (warehouse / "_commits").mkdir(exist_ok=True)
    (warehouse / "_commits" / "abc.tmp").write_text('{"half": ')
    recover(warehouse)
    assert _read(warehouse, "SELECT count(*) FROM trust_month_status") == [(2,)]
    assert not list((warehouse / "_commits").glob("*"))


def test_other_months_are_untouched_by_a_months_commit(warehouse):
    with month_commit(warehouse) as commit:
        commit.stage_frame("trust_month_status", "2025-05", _status("2025-05", ["RKB"], 7))
    with parquet_views(warehouse) as con:
        rows = con.execute("SELECT reporting_month, count(*) FROM trust_month_status GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("2025-04", 2), ("2025-05", 1)]
