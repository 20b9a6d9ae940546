"""Places booking rows in the file's month (MSDS population) and keeps one row per pregnancy.

Rows whose booking date is after today or outside the month the file is for are in no
denominator; a pregnancy repeated within a file counts once (its first placed row), and the
repeats are quarantined saying which line they repeat.

A month's files of one layout are placed together (``file`` names the column telling them
apart): polars' cost here is per call, and a national month has ~160 files. Cerner's clinical
events are placed in time the same way: each reading's time read once, as the contract reads it.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.core.config import Layout
from pipelines.ingest.read_extract import LINE_COLUMN

BOOKING_DATE = "booking_date_parsed"
BOOKING_AT = "booking_at"
EVENT_AT = "event_at"
PROBLEM_COLUMNS = (LINE_COLUMN, "column", "value", "reason")


def place_in_month(
    frame: pl.DataFrame, layout: Layout, month: pl.Expr, today: date, file: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows kept, problems): problems has ``file`` and PROBLEM_COLUMNS; ``month`` is each row's file month."""
    header = layout.column("booking_date").header
    frame = frame.with_columns(
        pl.col("booking_date").str.strptime(pl.Datetime, layout.formats["booking_date"], strict=False).alias(BOOKING_AT)
    ).with_columns(pl.col(BOOKING_AT).dt.date().alias(BOOKING_DATE))
    date_reason = (
        pl.when(pl.col(BOOKING_DATE) > today)
        .then(pl.format("{} {} is after today", pl.lit(header), pl.col(BOOKING_DATE)))
        .when(pl.col(BOOKING_DATE).dt.strftime("%Y-%m") != month)
        .then(pl.format("{} {} is outside the file's month {}", pl.lit(header), pl.col(BOOKING_DATE), month))
    )
    frame = frame.with_columns(date_reason.alias("_reason"))
    misplaced = frame.filter(pl.col("_reason").is_not_null()).select(
        file,
        LINE_COLUMN,
        pl.lit(header).alias("column"),
        pl.col("booking_date").alias("value"),
        pl.col("_reason").alias("reason"),
    )
    placed = frame.filter(pl.col("_reason").is_null())
    value_columns = [c.name for c in layout.columns if c.name in placed.columns]
    placed = placed.with_columns(
        pl.col(LINE_COLUMN).first().over(file, "pregnancy_id").alias("_first_line"),
        pl.col(LINE_COLUMN).first().over(file, *value_columns).alias("_same_as"),
    ).with_columns(
        pl.when(pl.col("_same_as") != pl.col(LINE_COLUMN))
        .then(pl.format("exact duplicate of line {}", pl.col("_same_as")))
        .when(pl.col("_first_line") != pl.col(LINE_COLUMN))
        .then(pl.format("pregnancy ID repeated from line {} with different values", pl.col("_first_line")))
        .alias("_reason")
    )
    # The pregnancy ID is a patient record identifier: the line numbers say which rows repeat.
    repeats = placed.filter(pl.col("_reason").is_not_null()).select(
        file,
        LINE_COLUMN,
        pl.lit(layout.column("pregnancy_id").header).alias("column"),
        pl.lit(None, dtype=pl.String).alias("value"),
        pl.col("_reason").alias("reason"),
    )
    kept = placed.filter(pl.col("_reason").is_null()).drop("_first_line", "_same_as", "_reason")
    return kept, pl.concat([misplaced, repeats]).sort(file, LINE_COLUMN)


def event_times(frame: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Each clinical event's time as the raw contract read it (polars' reading of the layout's
    format), for the staging model to pick the booking value by: read once, as booking dates are,
    so the contract, DuckDB and Spark agree on when each reading was taken. DuckDB's strptime and
    Spark's to_timestamp each refuse some times polars reads (``08:10:60``, a signed year, two
    spaces), and DuckDB's would fail the whole load."""
    fmt = layout.formats["event_date"]
    return frame.with_columns(pl.col("event_date").str.strptime(pl.Datetime, fmt, strict=False).alias(EVENT_AT))
