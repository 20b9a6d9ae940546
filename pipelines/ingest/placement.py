"""Places booking rows in the file's month (MSDS population) and keeps one row per pregnancy.

Rows whose booking date is after today or outside the month the file is for are in no
denominator; a pregnancy repeated within a file counts once (its first placed row), and the
repeats are quarantined saying which line they repeat.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.config import Layout
from pipelines.ingest.read_extract import LINE_COLUMN, RowProblem

BOOKING_DATE = "booking_date_parsed"
BOOKING_AT = "booking_at"


def place_in_month(
    frame: pl.DataFrame, layout: Layout, month: str, today: date
) -> tuple[pl.DataFrame, list[RowProblem]]:
    header = layout.column("booking_date").header
    frame = frame.with_columns(
        pl.col("booking_date").str.strptime(pl.Datetime, layout.formats["booking_date"], strict=False).alias(BOOKING_AT)
    ).with_columns(pl.col(BOOKING_AT).dt.date().alias(BOOKING_DATE))
    date_reason = (
        pl.when(pl.col(BOOKING_DATE) > today)
        .then(pl.format("{} {} is after today", pl.lit(header), pl.col(BOOKING_DATE)))
        .when(pl.col(BOOKING_DATE).dt.strftime("%Y-%m") != month)
        .then(pl.format("{} {} is outside the file's month {}", pl.lit(header), pl.col(BOOKING_DATE), pl.lit(month)))
    )
    frame = frame.with_columns(date_reason.alias("_reason"))
    misplaced = frame.filter(pl.col("_reason").is_not_null())
    problems = [
        RowProblem(line, header, value, reason)
        for line, value, reason in misplaced.select(LINE_COLUMN, "booking_date", "_reason").iter_rows()
    ]
    placed = frame.filter(pl.col("_reason").is_null())
    value_columns = [c.name for c in layout.columns if c.name in placed.columns]
    placed = placed.with_columns(
        pl.col(LINE_COLUMN).first().over("pregnancy_id").alias("_first_line"),
        pl.col(LINE_COLUMN).first().over(value_columns).alias("_same_as"),
    ).with_columns(
        pl.when(pl.col("_same_as") != pl.col(LINE_COLUMN))
        .then(pl.format("exact duplicate of line {}", pl.col("_same_as")))
        .when(pl.col("_first_line") != pl.col(LINE_COLUMN))
        .then(pl.format("pregnancy ID repeated from line {} with different values", pl.col("_first_line")))
        .alias("_reason")
    )
    repeats = placed.filter(pl.col("_reason").is_not_null())
    id_header = layout.column("pregnancy_id").header
    # The pregnancy ID is a patient record identifier: the line numbers say which rows repeat.
    problems += [
        RowProblem(line, id_header, None, reason) for line, reason in repeats.select(LINE_COLUMN, "_reason").iter_rows()
    ]
    kept = placed.filter(pl.col("_reason").is_null()).drop("_first_line", "_same_as", "_reason")
    return kept, problems
