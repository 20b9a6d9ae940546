"""The month's measures, dq file and worklists on Spark: the same models (sql/), rendered for Spark.

Each step reads only the month it computes: the month's partition folders of `bookings` and
`submissions` are the tables the models see (docs/performance.md shows the plan). The results
are committed like ingest's (pipelines/core/engines/spark_warehouse.py) and then written by the
same functions as on DuckDB, from rows cast to the declared types, so the files are the same to
the byte.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.core.engines.spark_models import SparkModels, collected, open_models
from pipelines.core.engines.spark_warehouse import month_commit, progress_row
from pipelines.core.warehouse import held
from pipelines.measures.compute import CSV_COLUMNS, write_dq_frame
from pipelines.measures.worklists import write_worklist_files


def stage_mark(models: SparkModels, month: str, stage: str) -> pl.DataFrame:
    return progress_row(models.warehouse, month, stage)


def compute_measures_spark(warehouse: Path, month: str) -> pl.DataFrame:
    """compute_measures on Spark: trust_month_status and measures for the month; the measures."""
    with held(warehouse):
        models = open_models(warehouse)
        models.bind_tables("submissions", "bookings", month=month)
        status = collected(models.model("marts/trust_month_status", month), "trust_month_status")
        models.register("trust_month_status", status)
        measures = collected(models.model("measures/flag_rates", month), "measures")
        with month_commit(warehouse) as commit:
            commit.stage_frame("trust_month_status", month, status)
            commit.stage_frame("measures", month, measures)
            commit.stage_frame("month_progress", month, stage_mark(models, month, "measured"))
    return measures.select(CSV_COLUMNS)


def write_dq_csv_spark(warehouse: Path, out_dir: Path, month: str) -> Path:
    with held(warehouse):
        models = open_models(warehouse)
        models.bind_tables("measures", month=month)
        frame = collected(models.model("measures/dq_file", month))
    return write_dq_frame(frame, out_dir, month)


def write_worklists_spark(warehouse: Path, month: str, out_dir: Path) -> dict[str, Path]:
    with held(warehouse):
        models = open_models(warehouse)
        models.bind_tables("bookings", "trust_month_status", month=month)
        models.bind_tables("ref_postcodes")
        frame = collected(models.model("measures/worklist", month))
        orgs = sorted(collected(models.spark.table("trust_month_status").select("org_code")).get_column("org_code"))
    return write_worklist_files(frame, orgs, month, out_dir)
