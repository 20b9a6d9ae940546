"""Writes one month read on Spark into the Parquet warehouse, all its tables in one commit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.core.config import Layouts, load_layouts, load_rules
from pipelines.core.engines.spark_models import SparkModels, spark_frame
from pipelines.core.engines.spark_session import spark_session
from pipelines.core.engines.spark_warehouse import (
    MonthCommit,
    month_commit,
    open_warehouse,
    progress_row,
    read_table,
    spark_ddl,
)
from pipelines.core.fingerprint import config_fingerprint
from pipelines.core.warehouse import held
from pipelines.ingest.load_month import PARSES_UNDER_LOCK, LandingChanged
from pipelines.ingest.pseudonymise import pseudonym_key
from pipelines.ingest.read_month import landing_inputs
from pipelines.ingest.reference import load_reference
from pipelines.ingest.spark_contract import (
    FAILED_CHECK,
    FAILED_COLUMN,
    FAILED_VALUE,
    canonical_judge,
    duplicated_rows,
    failing_rows,
)
from pipelines.ingest.spark_load import SparkMonth, _register_raw, _scratch, read_month_spark
from pipelines.ingest.spark_staging import staged_extracts
from pipelines.ingest.write_month import (
    STAGING,
    MonthSummary,
    _quarantine_frame,
    _record_submissions,
    canonical_quarantine_rows,
)
from schemas.canonical import CanonicalBookings, canonical_failures

_REFERENCE = ("ref_postcodes", "ref_imd", "reference_fingerprint")


def _canonical_quarantine(models: SparkModels, bookings):
    """(bookings kept, quarantine rows): the canonical contract itself on each partition, each
    failing row collected with its first failure (as canonical_failures names it on DuckDB), and
    the model's uniqueness over the month; a pregnancy twice stops the load as on DuckDB."""
    from pyspark.sql import functions as F

    duplicated = duplicated_rows(CanonicalBookings, bookings)
    if duplicated:
        canonical_failures(pl.from_arrow(bookings.toArrow()))  # raises, in DuckDB's words
        raise ValueError(f"canonical bookings hold a pregnancy twice in a month ({duplicated} rows beyond the first)")
    keys = ["submission_id", "source_line"]
    fields = ["reporting_month", "org_code", "source_system", "source_file"]
    failed = failing_rows(bookings, canonical_judge(), [*keys, *fields])
    if failed.height == 0:
        return bookings, _quarantine_frame_empty()
    drop = spark_frame(models.spark, failed.select(keys))
    kept = bookings.join(F.broadcast(drop), keys, "left_anti")
    bad = failed.sort(keys).rename({FAILED_COLUMN: "column", FAILED_CHECK: "check", FAILED_VALUE: "failure_case"})
    return kept, canonical_quarantine_rows(bad)


def _quarantine_frame_empty() -> pl.DataFrame:
    from pipelines.ingest.read_month import PreparedMonth

    return _quarantine_frame(PreparedMonth(month="", files=[], orgs=None))


def _counts(frame) -> pl.DataFrame:
    return pl.from_arrow(frame.groupBy("submission_id").count().toArrow()).rename({"count": "n"})


def _audit(con, spark_month: SparkMonth, loaded: dict[str, pl.DataFrame], quarantines, now: datetime) -> pl.DataFrame:
    """The month's submissions rows after this load, by write_month's own SQL on the scratch DuckDB:
    ``loaded`` holds each of its loaded tables as counts per submission, ``quarantines`` the
    record's and the parallel run's quarantine rows."""
    for name, counts in loaded.items():
        con.register("_counts", counts.to_arrow())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT c.submission_id FROM _counts AS c, range(c.n)")
        con.unregister("_counts")
    for name, quarantine in zip(("new_quarantine", "new_parallel_quarantine"), quarantines, strict=True):
        con.register(name, quarantine.to_arrow())
    _record_submissions(con, spark_month.prepared, now)
    return con.sql(
        "SELECT * FROM submissions WHERE reporting_month = $m", params={"m": spark_month.prepared.month}
    ).pl()


def _standardise(models: SparkModels, spark_month: SparkMonth, layouts: Layouts, key: bytes, parallel: bool):
    """(bookings, clinical events, quarantine) of the record's files or the parallel run's: staging,
    the canonical model and its contract (write_month._standardise)."""
    _register_raw(models, spark_month, layouts, key, parallel)
    for model in STAGING:
        models.temp_model(model)
    bookings = models.model("marts/bookings").cache()
    bookings, canonical = _canonical_quarantine(models, bookings)
    # Bound now: the next pass replaces the staging views, not this frame.
    events = models.spark.table("stg_cerner__clinical_events")
    return bookings, events, pl.concat([_quarantine_frame(spark_month.prepared, parallel), canonical])


def _quarantine_spark(models: SparkModels, quarantine: pl.DataFrame):
    if quarantine.height:
        return spark_frame(models.spark, quarantine)
    return models.spark.createDataFrame([], spark_ddl("quarantine"))


def _stage_month(commit: MonthCommit, models: SparkModels, table: str, month: str, frame, orgs) -> None:
    from pyspark.sql import functions as F

    if orgs is not None:  # only these Trusts' rows are replaced
        kept = read_table(models.spark, models.warehouse, table, month).where(~F.col("org_code").isin(sorted(orgs)))
        frame = kept.unionByName(frame.select(*kept.columns))
    commit.stage_spark(table, month, frame)


def write_month_spark(
    models: SparkModels,
    spark_month: SparkMonth,
    rules: dict[str, Any],
    layouts: Layouts,
    reference_dir: Path,
    key: bytes,
    now: datetime | None = None,
) -> MonthSummary:
    now = now or datetime.now(UTC).replace(tzinfo=None)
    prepared, month, warehouse = spark_month.prepared, spark_month.prepared.month, models.warehouse
    con = _scratch(rules, layouts, warehouse, month)
    before = con.execute("SELECT fingerprint FROM reference_fingerprint").fetchall()
    load_reference(con, reference_dir, rules)
    reference_changed = con.execute("SELECT fingerprint FROM reference_fingerprint").fetchall() != before
    for table in ("ref_postcodes", "ref_imd"):
        if reference_changed:
            models.register(table, con.sql(f"SELECT * FROM {table}").pl())
        else:
            models.bind_tables(table)
    # The parallel run's files first, then the record's (write_month: the same two passes).
    if any(f.parallel and f.status == "loaded" for f in prepared.files):
        parallel = _standardise(models, spark_month, layouts, key, parallel=True)
    else:
        parallel = None
    bookings, events, quarantine = _standardise(models, spark_month, layouts, key, parallel=False)
    if parallel is None:
        parallel = (bookings.limit(0), events.limit(0), _quarantine_frame(prepared, parallel=True))
    counts = {
        "new_bookings": _counts(bookings),
        "stg_cerner__clinical_events": _counts(events),
        "new_parallel_bookings": _counts(parallel[0]),
        "new_parallel_events": _counts(parallel[1]),
    }
    submissions = _audit(con, spark_month, counts, (quarantine, parallel[2]), now)
    stage = progress_row(warehouse, month, "ingested").with_columns(
        config_fingerprint=pl.lit(config_fingerprint(reference_dir, key))
    )
    with month_commit(warehouse) as commit:
        for table, frame in (
            ("bookings", bookings),
            ("clinical_events", events),
            ("quarantine", _quarantine_spark(models, quarantine)),
            ("parallel_bookings", parallel[0]),
            ("parallel_clinical_events", parallel[1]),
            ("parallel_quarantine", _quarantine_spark(models, parallel[2])),
        ):
            _stage_month(commit, models, table, month, frame, prepared.orgs)
        commit.stage_frame("submissions", month, submissions)
        commit.stage_frame("month_progress", month, stage)
        if reference_changed:
            for table in _REFERENCE:
                commit.stage_frame(table, None, con.sql(f"SELECT * FROM {table}").pl())
    return MonthSummary(
        month=month,
        files=len(prepared.files),
        unreadable=sum(f.status == "unreadable" for f in prepared.files),
        rows_read=sum(f.rows_read or 0 for f in prepared.files if f.status == "loaded"),
        rows_loaded=sum(int(c.get_column("n").sum() or 0) for c in counts.values()),
        rows_quarantined=quarantine.height + parallel[2].height,
        parallel_files=sum(f.parallel and f.status != "superseded" for f in prepared.files),
    )


def load_month_spark(
    month: str,
    landing: Path,
    warehouse: Path,
    reference_dir: Path,
    orgs: set[str] | None = None,
    today: date | None = None,
):
    """load_month on Spark: (PreparedMonth, MonthSummary), the month committed to the Parquet warehouse."""
    rules, layouts = load_rules(), load_layouts()
    key = pseudonym_key(landing)
    today = today or date.today()
    spark = spark_session()
    with staged_extracts(warehouse) as staging:
        spark_month = read_month_spark(spark, month, landing, layouts, key, today, orgs, staging)
        with held(warehouse):
            open_warehouse(warehouse)
            for _ in range(PARSES_UNDER_LOCK):
                if landing_inputs(month, landing, layouts, orgs) == spark_month.prepared.inputs:
                    break
                spark_month = read_month_spark(spark, month, landing, layouts, key, today, orgs, staging)
            else:
                if landing_inputs(month, landing, layouts, orgs) != spark_month.prepared.inputs:
                    raise LandingChanged(
                        f"{month}: the landing folder kept changing while it was read; nothing was loaded: "
                        "run the month again once the files have finished arriving"
                    )
            models = SparkModels(spark, warehouse, rules, layouts)
            summary = write_month_spark(models, spark_month, rules, layouts, reference_dir, key)
    return spark_month.prepared, summary
