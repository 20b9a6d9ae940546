"""compute_golive on Spark: the same sql/golive models, rendered for Spark, over the month alone.

The month's partitions of `bookings`, `parallel_bookings` and `submissions` are the tables the
models see; the month's `golive` rows (none without a parallel run) are committed like every Spark
step's (pipelines/core/engines/spark_warehouse.py), and returned as read_golive returns them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.core.config import load_rules
from pipelines.core.engines.spark_models import collected, open_models
from pipelines.core.engines.spark_warehouse import arrow_schema, month_commit
from pipelines.core.warehouse import held
from pipelines.golive.reconcile import MODELS, TABLE_COLUMNS


def compute_golive_spark(warehouse: Path, month: str) -> pl.DataFrame:
    """Replace the month's rows of `golive` from bookings and parallel_bookings; return them."""
    reconciled = any(m.get("reconcile") for m in load_rules()["measures"])
    with held(warehouse):
        models = open_models(warehouse)
        models.bind_tables("bookings", "parallel_bookings", "submissions", month=month)
        if reconciled and not models.spark.table("parallel_bookings").isEmpty():
            for model in MODELS:
                models.temp_model(model, month)
            frame = collected(models.model("golive/golive", month), "golive")
        else:
            frame = pl.from_arrow(arrow_schema("golive").empty_table())
        with month_commit(warehouse) as commit:
            commit.stage_frame("golive", month, frame)
    return frame.select(TABLE_COLUMNS).cast({c: pl.Int64 for c in TABLE_COLUMNS[5:]})
