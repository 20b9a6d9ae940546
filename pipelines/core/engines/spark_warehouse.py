"""The Spark engine's warehouse: Parquet tables in a folder, a month's write made atomic by renames.

Layout: ``<warehouse>/<table>/reporting_month=YYYY-MM/part-*.parquet`` (reference tables:
``<warehouse>/<table>/*.parquet``), the columns and types of sql/warehouse/tables.sql.

What Spark cannot promise and DuckDB can: a transaction over several tables. A Spark job writes
files; a reader that lists a folder while a job writes it can see half a month. So no job writes
into a table's folder: a step's tables are staged in ``_staging/<id>/<table>-<month>`` and one
commit moves them into place (pipelines/core/engines/parquet_commit.py: a durable commit log,
renames, roll forward by whoever opens the warehouse next). Readers and writers take the
warehouse's lock (pipelines/core/warehouse.py: held), as on DuckDB, and finish any commit a
stopped process left before they read.

The client (this process) stages, renames and reads the files Spark's executors write, so the
warehouse must be on a filesystem they all see at the same path (local disk for ``local[*]``,
a shared mount for a cluster): a staged folder this process cannot see, or that lacks the rows
Spark wrote, stops the step with a clear error rather than committing an empty month.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.core.engines import PARQUET_MARKER, EngineError
from pipelines.core.engines.parquet_commit import STAGING, commit_moves, new_commit_id, recover
from pipelines.core.engines.parquet_reader import UNPARTITIONED, has_files, month_dir, table_dir
from pipelines.core.paths import SQL_DIR

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

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


class StagingNotShared(EngineError):
    """Spark's executors wrote a staged table where this process cannot see it (no shared filesystem)."""


@dataclass
class MonthCommit:
    """The tables of one write, staged; nothing is visible until ``commit``."""

    warehouse: Path
    commit_id: str = field(default_factory=new_commit_id)
    moves: dict[Path, Path] = field(default_factory=dict)  # staged folder -> final folder

    @property
    def staging(self) -> Path:
        return self.warehouse / STAGING / self.commit_id

    def _staged(self, table: str, month: str | None) -> Path:
        staged = self.staging / f"{table}-{month or 'all'}"
        self.moves[staged] = month_dir(self.warehouse, table, month) if month else table_dir(self.warehouse, table)
        return staged

    def stage_spark(self, table: str, month: str | None, frame: DataFrame) -> None:
        """A Spark frame as the table's month (or the whole table when ``month`` is None)."""
        from pyspark.sql import Observation
        from pyspark.sql import functions as F

        staged = self._staged(table, month)
        columns = [c for c, _ in declared_tables()[table] if month is None or c != "reporting_month"]
        typed = frame.selectExpr(
            *[f"CAST(`{c}` AS {_SPARK_TYPES[dict(declared_tables()[table])[c]]}) AS `{c}`" for c in columns]
        )
        # The rows the write passes, counted by the write itself (no second job).
        written = Observation(f"staged-{table}")
        typed = typed.observe(written, F.count(F.lit(1)).alias("rows"))
        # One file a month: a month is small, and readers list fewer files.
        typed.coalesce(1).write.mode("overwrite").parquet(str(staged))
        _check_visible(staged, table, month, written.get.get("rows"))

    def stage_frame(self, table: str, month: str | None, frame: pl.DataFrame) -> None:
        """A small frame from the driver (audit rows, stage marks) as the table's month."""
        staged = self._staged(table, month)
        staged.mkdir(parents=True, exist_ok=True)
        schema = arrow_schema(table, partition_column=month is None)
        arrow = frame.select([f.name for f in schema]).to_arrow().cast(schema)
        pq.write_table(arrow, staged / "part-00000.parquet")

    def commit(self) -> None:
        """Every staged table into place together (parquet_commit.commit_moves), or none if one is
        missing: a staged folder gone before the commit is an error, never a table skipped."""
        if not self.moves:
            return
        for staged, target in self.moves.items():
            if not has_files(staged):
                raise FileNotFoundError(
                    f"{self.warehouse}: nothing committed: the staged {target.relative_to(self.warehouse)} "
                    f"({staged}) is missing or holds no Parquet file"
                )
        commit_moves(self.warehouse, self.commit_id, self.moves)

    def abandon(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _check_visible(staged: Path, table: str, month: str | None, rows: int | None) -> None:
    """The rows Spark wrote are in Parquet files this process sees at the staged path."""
    files = sorted(staged.glob("*.parquet")) if staged.is_dir() else []
    found = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    # Spark writes one file even for no rows; a Connect server may report no count (None).
    if files and (rows is None or found == rows):
        return
    wrote = f"{rows} rows" if rows is not None else "its rows"
    raise StagingNotShared(
        f"{table} {month or '(all months)'}: Spark wrote {wrote} to {staged}, but this process finds "
        f"{len(files)} Parquet files there ({found} rows): the warehouse must be on a filesystem this "
        "process and every Spark executor see at the same path (local disk with local[*], a shared "
        "mount on a cluster; README, Scale-out); nothing was committed"
    )


def open_warehouse(warehouse: Path) -> None:
    """Make the folder a Parquet warehouse (the marker readers look for) and finish any commit."""
    warehouse.mkdir(parents=True, exist_ok=True)
    marker = warehouse / PARQUET_MARKER
    if not marker.exists():
        marker.write_text("maternity-dq Parquet warehouse (Spark engine); tables: sql/warehouse/tables.sql\n")
    recover(warehouse)


@contextmanager
def month_commit(warehouse: Path) -> Iterator[MonthCommit]:
    """Stage tables inside the block; they are committed together when it ends without an error.
    Call under the warehouse's lock: a commit a stopped process left is finished first, so this one
    never lands before it (and is never overwritten by it later)."""
    recover(warehouse)
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
