"""The Great Expectations gate on Spark: the month's bookings as a Spark batch, verdicts stored.

As pipelines/gate/results.py on DuckDB: the postcode as typed, normalised by the gate itself
(checks/postcodes.py, in a vectorised UDF), looked up in the directory by the gate's own model
(sql/gate/postcodes_live_in_month.sql, rendered for Spark), validated by GE on its Spark
execution engine (checks/spark_batch.py); the verdicts replace the month's gate_results.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl

from pipelines.core.config import load_rules, postcode_validity
from pipelines.core.engines.spark_models import open_models
from pipelines.core.engines.spark_warehouse import month_commit
from pipelines.core.warehouse import held
from pipelines.measures.spark_compute import stage_mark


def _normalise_udf(rules: dict):
    from pyspark.sql.functions import pandas_udf

    from checks.postcodes import normalise_postcodes

    @pandas_udf("string")
    def normalise(values: pd.Series) -> pd.Series:
        return normalise_postcodes(values.astype(object).where(values.notna(), None), rules)

    return normalise


def run_month_gate_spark(
    warehouse: Path, month: str, work_dir: Path, docs_dir: Path
) -> tuple[pl.DataFrame, Path | None]:
    """run_month_gate on Spark; returns the stored verdicts and the Data Docs index."""
    from pyspark.sql import functions as F

    from checks.measure_specs import gated_measure_specs
    from checks.spark_batch import gate_batch, run_ge_gate_spark
    from checks.validation import results_to_frame

    rules = load_rules()
    with held(warehouse):
        models = open_models(warehouse)
        models.bind_tables("bookings", "trust_month_status", month=month)
        bookings = (
            models.spark.table("bookings")
            .select(
                "org_code",
                _normalise_udf(rules)(F.col("postcode_source")).alias("postcode"),
                "ethnic_category",
                "source_file",
                "source_line",
            )
            .cache()
        )
        live = None
        if postcode_validity(rules) == "directory":
            models.bind_tables("ref_postcodes")
            models.register(
                "_gate_postcodes", bookings.select("postcode").where(F.col("postcode").isNotNull()).distinct()
            )
            live = models.model("gate/postcodes_live_in_month", month)
        batch = gate_batch(bookings, live, rules, gated_measure_specs(rules))
        orgs = [row["org_code"] for row in models.spark.table("trust_month_status").select("org_code").collect()]
        results, docs = run_ge_gate_spark(batch, month, rules, work_dir, docs_dir, orgs)
        frame = pl.from_pandas(results_to_frame(results)).with_columns(
            pl.lit(month).alias("reporting_month"),
            pl.lit(str(docs) if docs else None, dtype=pl.String).alias("data_docs"),
        )
        with month_commit(warehouse) as commit:
            commit.stage_frame("gate_results", month, frame)
            commit.stage_frame("month_progress", month, stage_mark(models, month, "gated"))
        bookings.unpersist()
    return frame, docs
