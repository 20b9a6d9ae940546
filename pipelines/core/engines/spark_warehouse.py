"""The Spark engine's warehouse: Parquet tables in a folder, a month's write made atomic by renames.

Layout: ``<warehouse>/<table>/reporting_month=YYYY-MM/part-*.parquet`` (reference tables:
``<warehouse>/<table>/*.parquet``), the columns and types of sql/warehouse/tables.sql.

What Spark cannot promise and DuckDB can: a transaction over several tables. A Spark job writes
files; a reader that lists a folder while a job writes it can see half a month. So no job writes
into a table's folder. A month's tables are written to ``_staging/<id>/<table>``; then one commit
moves them into place: the list of moves is written first (``_commits/<id>.json``, itself written
to a temporary name and renamed), then each month folder is swapped by two renames (old aside,
new in), then the list is removed. A process killed mid-commit leaves the list, and the next
writer to open the warehouse finishes the moves before anything else (roll forward), so a month
is seen either as it was or as it became, never a mixture. Renames are atomic within one POSIX
filesystem (local disk, NFS, the Databricks driver's /dbfs FUSE mount is not: there use Delta
Lake, whose commit log gives the same guarantee; see docs/reliability.md). Readers and writers
take the warehouse's lock (pipelines/core/warehouse.py: held), as on DuckDB.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.core.engines import PARQUET_MARKER
from pipelines.core.engines.parquet_reader import UNPARTITIONED, has_files, month_dir, table_dir
from pipelines.core.paths import SQL_DIR

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

STAGING, COMMITS, TRASH = "_staging", "_commits", "_trash"

# DuckDB type (tables.sql, as SQLGlot names it) -> Spark SQL type / Arrow type. HUGEINT (INT128): sums Spark holds as BIGINT;
# TIMESTAMP: without a zone in both (Spark's TIMESTAMP_NTZ), as the extracts give them.
_SPARK_TYPES = {
    "TEXT": "string",
    "INT": "int",
    "BIGINT": "bigint",
    "INT128": "bigint",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp_ntz",
}
_ARROW_TYPES = {
    "TEXT": pa.string(),
    "INT": pa.int32(),
    "BIGINT": pa.int64(),
    "INT128": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


@lru_cache(maxsize=1)
def declared_tables() -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, DuckDB type)], from sql/warehouse/tables.sql (the one declaration)."""
    from pipelines.core.engines.sql_render import table_columns

    return table_columns((SQL_DIR / "warehouse" / "tables.sql").read_text(encoding="utf-8"))


def spark_ddl(table: str, *, partition_column: bool = True) -> str:
    columns = declared_tables()[table]
    return ", ".join(f"`{c}` {_SPARK_TYPES[t]}" for c, t in columns if partition_column or c != "reporting_month")


def arrow_schema(table: str, *, partition_column: bool = True) -> pa.Schema:
    return pa.schema(
        [(c, _ARROW_TYPES[t]) for c, t in declared_tables()[table] if partition_column or c != "reporting_month"]
    )


def _move(source: Path, target: Path, trash: Path) -> None:
    """target becomes source's content: old target aside (then deleted), source renamed in. Idempotent."""
    if not source.exists():
        return  # moved already (a commit being finished after a crash)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        aside = trash / uuid.uuid4().hex
        aside.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, aside)
    os.replace(source, target)


@dataclass
class MonthCommit:
    """The tables of one write, staged; nothing is visible until ``commit``."""

    warehouse: Path
    commit_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    moves: dict[str, str] = field(default_factory=dict)  # staged folder -> final folder

    @property
    def staging(self) -> Path:
        return self.warehouse / STAGING / self.commit_id

    def stage_spark(self, table: str, month: str | None, frame: DataFrame) -> None:
        """A Spark frame as the table's month (or the whole table when ``month`` is None)."""
        staged = self.staging / f"{table}-{month or 'all'}"
        columns = [c for c, _ in declared_tables()[table] if month is None or c != "reporting_month"]
        typed = frame.selectExpr(
            *[f"CAST(`{c}` AS {_SPARK_TYPES[dict(declared_tables()[table])[c]]}) AS `{c}`" for c in columns]
        )
        # One file a month: a month is small, and readers list fewer files.
        typed.coalesce(1).write.mode("overwrite").parquet(str(staged))
        self.moves[str(staged)] = str(
            month_dir(self.warehouse, table, month) if month else table_dir(self.warehouse, table)
        )

    def stage_frame(self, table: str, month: str | None, frame: pl.DataFrame) -> None:
        """A small frame from the driver (audit rows, stage marks) as the table's month."""
        staged = self.staging / f"{table}-{month or 'all'}"
        staged.mkdir(parents=True, exist_ok=True)
        schema = arrow_schema(table, partition_column=month is None)
        arrow = frame.select([f.name for f in schema]).to_arrow().cast(schema)
        pq.write_table(arrow, staged / "part-00000.parquet")
        self.moves[str(staged)] = str(
            month_dir(self.warehouse, table, month) if month else table_dir(self.warehouse, table)
        )

    def commit(self) -> None:
        if not self.moves:
            return
        log = self.warehouse / COMMITS / f"{self.commit_id}.json"
        log.parent.mkdir(parents=True, exist_ok=True)
        temporary = log.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.moves), encoding="utf-8")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, log)  # from here on the commit happens, now or at the next open
        finish_commit(self.warehouse, log)

    def abandon(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def finish_commit(warehouse: Path, log: Path) -> None:
    moves = json.loads(log.read_text(encoding="utf-8"))
    trash = warehouse / TRASH
    for source, target in moves.items():
        _move(Path(source), Path(target), trash)
    log.unlink()
    shutil.rmtree(trash, ignore_errors=True)


def recover(warehouse: Path) -> None:
    """Finish any commit a killed process left; drop staging no commit names."""
    for log in sorted((warehouse / COMMITS).glob("*.json")):
        finish_commit(warehouse, log)
    for temporary in (warehouse / COMMITS).glob("*.tmp"):
        temporary.unlink()  # its commit never started
    shutil.rmtree(warehouse / STAGING, ignore_errors=True)
    shutil.rmtree(warehouse / TRASH, ignore_errors=True)


def open_warehouse(warehouse: Path) -> None:
    """Make the folder a Parquet warehouse (the marker readers look for) and finish any commit."""
    warehouse.mkdir(parents=True, exist_ok=True)
    marker = warehouse / PARQUET_MARKER
    if not marker.exists():
        marker.write_text("maternity-dq Parquet warehouse (Spark engine); tables: sql/warehouse/tables.sql\n")
    recover(warehouse)


@contextmanager
def month_commit(warehouse: Path) -> Iterator[MonthCommit]:
    """Stage tables inside the block; they are committed together when it ends without an error."""
    pending = MonthCommit(warehouse)
    try:
        yield pending
        pending.commit()
    finally:
        pending.abandon()


def read_table(spark: SparkSession, warehouse: Path, table: str, month: str | None = None) -> DataFrame:
    """A stored table (or one month of it) as a Spark frame, with its declared columns."""
    folder = table_dir(warehouse, table)
    ddl = spark_ddl(table)
    if table in UNPARTITIONED:
        if not has_files(folder):
            return spark.createDataFrame([], ddl)
        return spark.read.schema(ddl).parquet(str(folder))
    if month is not None:
        # The month's folder alone: the step reads no other month (docs/performance.md).
        folder = month_dir(warehouse, table, month)
        if not has_files(folder):
            return spark.createDataFrame([], ddl)
        from pyspark.sql import functions as F

        frame = spark.read.schema(spark_ddl(table, partition_column=False)).parquet(str(folder))
        return frame.withColumn("reporting_month", F.lit(month)).select(*[c for c, _ in declared_tables()[table]])
    if not has_files(folder):
        return spark.createDataFrame([], ddl)
    return (
        spark.read.schema(ddl)
        .option("basePath", str(folder))
        .parquet(str(folder))
        .select(*[c for c, _ in declared_tables()[table]])
    )


def progress_row(warehouse: Path, month: str, stage: str) -> pl.DataFrame:
    """The month's month_progress row after ``stage`` (warehouse.mark_stage: the ingest's
    configuration fingerprint is kept by later stages)."""
    from datetime import datetime

    from pipelines.core.engines.parquet_reader import parquet_views
    from pipelines.core.warehouse import STAGES

    fingerprint = None
    with parquet_views(warehouse) as con:
        row = con.execute("SELECT config_fingerprint FROM month_progress WHERE reporting_month = ?", [month]).fetchone()
    if stage != "ingested" and row:
        fingerprint = row[0]
    return pl.DataFrame(
        {
            "reporting_month": [month],
            "stage": [stage],
            "stage_rank": [STAGES.index(stage)],
            "updated_at": [datetime.now()],
            "config_fingerprint": pl.Series([fingerprint], dtype=pl.String),
        }
    )


def stored_months(warehouse: Path, table: str) -> list[str]:
    folder = table_dir(warehouse, table)
    return sorted(p.name.split("=", 1)[1] for p in folder.glob("reporting_month=*") if has_files(p))


def frames_by_name(frames: Mapping[str, DataFrame]) -> dict[str, list[str]]:
    return {name: list(frame.columns) for name, frame in frames.items()}
