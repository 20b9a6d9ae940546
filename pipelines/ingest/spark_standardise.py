"""Contract, placement in the month and pseudonyms for one layout's rows of a month, on Spark.

The same steps as pipelines/ingest/read_month.py: standardise_batch, with the same reasons:

* the raw contract's first failure per row: the polars contract itself on each partition
  (pipelines/ingest/spark_contract.py);
* placement: booking date after today or outside the file's month; a pregnancy repeated within
  a file counts once (its first line), an exact repeat named as such (window functions per file);
* pseudonyms: the project's own ``pseudonymise`` (keyed BLAKE2b, NHS number class) applied to
  each partition's rows as Arrow batches (``mapInArrow``, vectorised), so the keys are the
  DuckDB path's to the bit (tests/engines/test_spark_engine.py::test_keys_are_the_same_keyed_blake2b_on_spark recomputes them with hashlib).

Failing rows are few: they are collected to the driver as problems (file, line, column, value,
reason) for quarantine; passing rows stay in Spark.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import polars as pl
import polars.selectors as cs
import pyarrow as pa

from pipelines.core.config import Layout
from pipelines.ingest.contract import contract_problem
from pipelines.ingest.placement import BOOKING_AT, BOOKING_DATE, EVENT_AT
from pipelines.ingest.pseudonymise import pseudonymise
from pipelines.ingest.read_extract import LINE_COLUMN, RowProblem
from pipelines.ingest.spark_contract import (
    FAILED_CHECK,
    FAILED_COLUMN,
    FAILED_VALUE,
    polars_datetime,
    raw_judge,
    with_first_failure,
)
from pipelines.ingest.spark_read import SOURCE
from schemas.raw import RAW_CONTRACTS

Problems = dict[int, list[RowProblem]]


def _placement_reasons(frame, layout: Layout, month: str, today: date, passes):
    """Why a row that passes the contract is not placed: outside the month, after today, or a
    repeat within its file (placement.py, the windows over the placed rows alone)."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    header = layout.column("booking_date").header
    frame = frame.withColumn(BOOKING_AT, polars_datetime(layout.formats["booking_date"])(F.col("booking_date")))
    frame = frame.withColumn(BOOKING_DATE, F.to_date(F.col(BOOKING_AT)))
    day = F.col(BOOKING_DATE).cast("string")
    misplaced = F.when(
        passes & (F.col(BOOKING_DATE) > F.lit(today)), F.concat(F.lit(f"{header} "), day, F.lit(" is after today"))
    ).when(
        passes & (F.date_format(F.col(BOOKING_DATE), "yyyy-MM") != F.lit(month)),
        F.concat(F.lit(f"{header} "), day, F.lit(f" is outside the file's month {month}")),
    )
    frame = frame.withColumn("_misplaced", misplaced)
    placed = passes & F.col("_misplaced").isNull()
    line = F.when(placed, F.col(LINE_COLUMN))
    values = [c.name for c in layout.columns]
    frame = frame.withColumn("_first_line", F.min(line).over(Window.partitionBy(SOURCE, "pregnancy_id"))).withColumn(
        "_same_as", F.min(line).over(Window.partitionBy(SOURCE, *values))
    )
    repeat = F.when(
        placed & (F.col("_same_as") != F.col(LINE_COLUMN)),
        F.concat(F.lit("exact duplicate of line "), F.col("_same_as")),
    ).when(
        placed & (F.col("_first_line") != F.col(LINE_COLUMN)),
        F.concat(F.lit("pregnancy ID repeated from line "), F.col("_first_line"), F.lit(" with different values")),
    )
    return frame.withColumn("_repeat", repeat).drop("_first_line", "_same_as")


def _judge(frame, layout: Layout, month: str, today: date, problems: Problems, lines: dict[int, tuple[str, int]]):
    """Contract and placement in one pass; the failing rows (few) collected as problems."""
    from pyspark.sql import functions as F

    flagged = with_first_failure(frame, raw_judge(RAW_CONTRACTS[layout.key], layout))
    passes = F.col(FAILED_CHECK).isNull()
    placing = layout.role != "clinical_events"
    if placing:
        flagged = _placement_reasons(flagged, layout, month, today, passes)
    else:
        flagged = flagged.withColumn("_misplaced", F.lit(None).cast("string")).withColumn(
            "_repeat", F.lit(None).cast("string")
        )
        # placement.event_times: the time as the contract reads it, by the same polars function
        flagged = flagged.withColumn(EVENT_AT, polars_datetime(layout.formats["event_date"])(F.col("event_date")))
    flagged = flagged.cache()
    _check_lines(flagged, lines)
    headers = {c.name: c.header for c in layout.columns}
    faulty = ~passes | F.col("_misplaced").isNotNull() | F.col("_repeat").isNotNull()
    wanted = [SOURCE, LINE_COLUMN, "booking_date", FAILED_COLUMN, FAILED_CHECK, FAILED_VALUE, "_misplaced", "_repeat"]
    for row in flagged.where(faulty).select(*dict.fromkeys(w for w in wanted if w in flagged.columns)).collect():
        found, line = problems[row[SOURCE]], int(row[LINE_COLUMN])
        if row[FAILED_CHECK] is not None:
            found.append(contract_problem(line, row[FAILED_COLUMN], row[FAILED_CHECK], row[FAILED_VALUE], layout))
        elif row["_misplaced"] is not None:
            found.append(RowProblem(line, headers["booking_date"], row["booking_date"], row["_misplaced"]))
        else:  # the pregnancy ID is an identifier: the line numbers say which rows repeat
            found.append(RowProblem(line, headers["pregnancy_id"], None, row["_repeat"]))
    kept = flagged.where(passes & F.col("_misplaced").isNull() & F.col("_repeat").isNull())
    return kept.drop(FAILED_COLUMN, FAILED_CHECK, FAILED_VALUE, "_misplaced", "_repeat")


def _check_lines(flagged, lines: dict[int, tuple[str, int]]) -> None:
    """Every physical line after the header of a file Spark read became one row, numbered as in the
    file: per file, as many rows as lines, as many distinct numbers, from 2 to the last line (so
    exactly the set 2..n), in the pass that caches the judged rows."""
    from pyspark.sql import functions as F

    if not lines:
        return
    found = {
        row[SOURCE]: (row["rows"], row["distinct"], row["first"], row["last"])
        for row in flagged.where(F.col(SOURCE).isin(list(lines)))
        .groupBy(SOURCE)
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.count_distinct(LINE_COLUMN).alias("distinct"),
            F.min(LINE_COLUMN).alias("first"),
            F.max(LINE_COLUMN).alias("last"),
        )
        .collect()
    }
    for index, (name, physical) in lines.items():
        rows, distinct, first, last = found.get(index, (0, 0, None, None))
        if (rows, distinct, first, last) != (physical - 1, physical - 1, 2, physical):
            raise RuntimeError(
                f"{name}: Spark read {rows} rows ({distinct} line numbers, {first} to {last}) where the "
                f"file has {physical - 1} lines after its header (2 to {physical}): its line numbers "
                "cannot be trusted, so nothing of the month is loaded"
            )


def _arrow_schema(frame: pl.DataFrame) -> pa.Schema:
    """Arrow types Spark takes back from mapInArrow (plain strings, not polars' views)."""
    kinds = {pl.String: pa.string(), pl.Int64: pa.int64(), pl.Int32: pa.int32(), pl.Boolean: pa.bool_()}
    fields = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Datetime("us"):
            fields.append(pa.field(name, pa.timestamp("us", tz="UTC")))
        elif dtype == pl.Date:
            fields.append(pa.field(name, pa.date32()))
        else:
            fields.append(pa.field(name, kinds[dtype.base_type()]))
    return pa.schema(fields)


def _pseudonymised(frame, layout: Layout, key: bytes):
    """``pseudonymise`` over each partition (rows of a file stay in one: the keys need no window)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    # Spark hands timestamps over in UTC (the session's zone); the polars frames are naive.
    def naive(out: pl.DataFrame) -> pl.DataFrame:
        return out.with_columns(cs.datetime().dt.replace_time_zone(None))

    def to_polars(batch: pa.RecordBatch | pa.Table) -> pl.DataFrame:
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        return naive(pl.from_arrow(table))

    sample = naive(pl.from_arrow(pa.Table.from_batches([], schema=_input_arrow_schema(frame))))
    schema = _arrow_schema(pseudonymise(sample, layout, pl.col("org_code"), key))

    def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        parts = [to_polars(b) for b in batches]
        if not parts:
            return
        rows = pl.concat(parts)
        out = pseudonymise(rows, layout, pl.col("org_code"), key)
        out = out.with_columns(cs.datetime().dt.replace_time_zone("UTC"))
        yield from out.to_arrow().cast(schema).to_batches()

    return frame.mapInArrow(apply, from_arrow_schema(schema))


def _input_arrow_schema(frame) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(frame.schema, timezone="UTC")


def standardise_layout(
    frame, layout: Layout, month: str, today: date, key: bytes, files: int, lines: dict[int, tuple[str, int]]
):
    """(rows to load, problems by file index) for one layout's rows of the month; frame has
    ``_source``, ``_line``, the layout's columns and ``org_code``; ``lines``: the name and physical
    lines of each file Spark read (file index -> (name, lines), the header's included)."""
    problems: Problems = {i: [] for i in range(files)}
    rows = _judge(frame, layout, month, today, problems, lines)
    rows = _pseudonymised(rows, layout, key)
    for found in problems.values():
        found.sort(key=lambda p: p.line)
    return rows, problems
