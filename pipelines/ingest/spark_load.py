"""Loads one reporting month into the Parquet warehouse on Spark: read, standardise, model, commit.

The same steps and guarantees as load_month.py / write_month.py on DuckDB: files are parsed
before the warehouse's lock is taken and checked again under it; the staging and canonical
models (sql/, rendered for Spark) build the month; the canonical contract (pandera on Spark)
guards what is stored; the month's bookings, clinical events, quarantine, submissions and its
progress mark are committed together (pipelines/core/engines/spark_warehouse.py), so a failure
at any point leaves the earlier load of the month as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.config import Layouts
from pipelines.core.engines.spark_models import SparkModels, spark_frame
from pipelines.core.model_rules import install_rules
from pipelines.core.warehouse import read_sql
from pipelines.ingest.landing import choose_current, landed_checksum
from pipelines.ingest.read_extract import LINE_COLUMN, RowProblem
from pipelines.ingest.read_month import (
    FileResult,
    PreparedMonth,
    _month_extracts,
    _withhold_identifiers,
    empty_frame,
)
from pipelines.ingest.routing import route
from pipelines.ingest.spark_read import SOURCE, SparkFile, prescan_all, read_layout
from pipelines.ingest.spark_standardise import standardise_layout
from pipelines.ingest.write_month import RAW_RELATIONS

# Each row's side: True for a parallel-run extract's (pipelines/ingest/routing.py).
PARALLEL = "_parallel"


@dataclass
class SparkMonth:
    prepared: PreparedMonth
    rows: dict[str, object]  # layout key -> Spark frame of the rows to load (both sides, PARALLEL)


def _files_frame(spark, items: list[FileResult | SparkFile], month: str):
    results = [i.result if isinstance(i, SparkFile) else i for i in items]
    return spark_frame(
        spark,
        pl.DataFrame(
            {
                SOURCE: pl.Series(range(len(results)), dtype=pl.Int32),
                "org_code": [r.extract.org_code for r in results],
                "submission_id": [r.submission_id for r in results],
                "source_file": [r.extract.file_name for r in results],
                "reporting_month": [month] * len(results),
            }
        ),
    )


def read_month_spark(
    spark, month: str, landing: Path, layouts: Layouts, key: bytes, today: date, orgs, staging: Path
) -> SparkMonth:
    """The month's extracts read (the files Spark reads copied into ``staging`` first: spark_read)."""
    from pyspark.sql import functions as F

    choice = choose_current(_month_extracts(month, landing, layouts, orgs), layouts)
    scanned = prescan_all(choice.current, layouts, staging)
    results = [s.result if isinstance(s, SparkFile) else s for s in scanned]
    for tie in choice.ties:
        next(r for r in results if r.extract is tie.chosen).warnings.append(tie.describe())
    superseded = [FileResult(extract=e, checksum=landed_checksum(e), status="superseded") for e in choice.superseded]
    # Which files are a parallel run (read_month: the same routing, before the rows are read, so each
    # row carries its file's side into the staging models: write_month's two passes).
    route(results + superseded, layouts, month)
    rows: dict[str, object] = {}
    for layout in layouts.layouts:
        items = [
            s
            for s, r in zip(scanned, results, strict=True)
            if r.extract.layout.key == layout.key and r.status == "loaded"
        ]
        frame = read_layout(spark, layout, items) if items else None
        if frame is None:
            continue
        frame = frame.join(F.broadcast(_files_frame(spark, items, month)), SOURCE)
        lines = {
            i: (item.result.extract.file_name, item.lines)
            for i, item in enumerate(items)
            if isinstance(item, SparkFile)
        }
        loaded, problems = standardise_layout(frame, layout, month, today, key, len(items), lines)
        for index, item in enumerate(items):
            result = item.result if isinstance(item, SparkFile) else item
            result.problems = result.problems + problems[index]
            result.frame = None  # the rows are in Spark now
        parallel = [
            i for i, item in enumerate(items) if (item.result if isinstance(item, SparkFile) else item).parallel
        ]
        rows[layout.key] = loaded.withColumn(PARALLEL, F.col(SOURCE).isin(parallel)).drop(SOURCE)
    results += superseded
    _pair_cerner(rows, results, layouts)
    _withhold_identifiers(results, layouts)
    return SparkMonth(PreparedMonth(month=month, files=results, orgs=orgs), rows)


def _pair_cerner(rows: dict[str, object], files: list[FileResult], layouts: Layouts) -> None:
    """Events count only against a loaded pregnancy of the same Trust (read_month._pair_cerner)."""
    if "CernerEvents" not in rows:
        return

    events = rows["CernerEvents"]
    pregnancies = rows.get("Cerner")
    known = (
        pregnancies.select("org_code", "pregnancy_key").distinct()
        if pregnancies is not None
        else events.sparkSession.createDataFrame([], "org_code STRING, pregnancy_key STRING")
    )
    orphans = events.join(known, ["org_code", "pregnancy_key"], "left_anti")
    with_partner = {f.extract.org_code for f in files if f.extract.layout.role == "pregnancy" and f.status == "loaded"}
    by_id = {f.submission_id: f for f in files if f.status == "loaded"}
    header = layouts.by_key("CernerEvents").column("pregnancy_id").header
    for row in orphans.select("submission_id", "org_code", LINE_COLUMN).collect():
        reason = (
            "PREGNANCY_ID has no loaded row in the month's pregnancy file"
            if row["org_code"] in with_partner
            else "no readable pregnancy file for this Trust and month"
        )
        by_id[row["submission_id"]].problems.append(RowProblem(int(row[LINE_COLUMN]), header, None, reason))
    rows["CernerEvents"] = events.join(known, ["org_code", "pregnancy_key"], "left_semi")
    for pregnancy in (f for f in files if f.extract.layout.role == "pregnancy" and f.status == "loaded"):
        if not any(
            f.extract.layout.role == "clinical_events"
            and f.status == "loaded"
            and f.extract.org_code == pregnancy.extract.org_code
            for f in files
        ):
            pregnancy.warnings.append("no readable clinical events file: booking measurements not recorded")


def _scratch(rules, layouts, warehouse: Path, month: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the month's audit rows and the reference fingerprint: the
    audit-trail SQL (write_month._record_submissions) and the reference loader run there, as on
    DuckDB, on a few hundred rows."""
    con = duckdb.connect(":memory:")
    con.execute(read_sql("warehouse/tables"))
    install_rules(con, rules, layouts)
    from pipelines.core.engines.parquet_reader import parquet_views

    with parquet_views(warehouse) as stored:
        for table, where in (("submissions", True), ("reference_fingerprint", False)):
            frame = stored.sql(
                f"SELECT * FROM {table}" + (" WHERE reporting_month = $m" if where else ""),
                params={"m": month} if where else None,
            ).arrow()
            con.register("_stored", frame)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _stored")
            con.unregister("_stored")
    return con


def _register_raw(models: SparkModels, spark_month: SparkMonth, layouts: Layouts, key: bytes, parallel: bool) -> None:
    """The raw relations the staging models read: the record's rows, or the parallel run's."""
    from pyspark.sql import functions as F

    for layout_key, relation in RAW_RELATIONS.items():
        frame = spark_month.rows.get(layout_key)
        if frame is not None:
            frame = frame.where(F.col(PARALLEL) == F.lit(parallel)).drop(PARALLEL)
        else:  # the staging SQL still needs the relation and its columns
            empty = empty_frame(layouts.by_key(layout_key), key).with_columns(
                pl.lit(None, dtype=pl.String).alias(c)
                for c in ("submission_id", "org_code", "reporting_month", "source_file")
            )
            frame = spark_frame(models.spark, empty)
            for moment in ("booking_at", "event_at"):  # Spark's timestamp, as on a file's rows
                if moment in frame.columns:
                    frame = frame.withColumn(moment, F.col(moment).cast("timestamp"))
        models.register(relation, frame)
