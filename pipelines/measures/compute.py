"""Computes the month's measures in the warehouse and writes measures-YYYY-MM.csv and dq-YYYY-MM.csv.

The SQL (sql/marts/trust_month_status.sql, sql/measures/flag_rates.sql, sql/measures/dq_file.sql)
does the counting; this module only runs it for a month, stores the result as history and writes
the files.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.config import load_layouts, load_rules
from pipelines.core.files import write_atomically
from pipelines.core.model_rules import install_rules
from pipelines.core.spreadsheet import spreadsheet_csv
from pipelines.core.warehouse import mark_stage, read_sql, transaction

CSV_COLUMNS = [
    "reporting_month",
    "org_code",
    "source_system",
    "measure_id",
    "breakdown",
    "group",
    "numerator",
    "denominator",
    "rate",
    "threshold",
    "status",
    "completeness",
    "degenerate",
    "imd_edition",
    "valid",
    "default",
    "invalid",
    "missing",
]


def compute_measures(con: duckdb.DuckDBPyConnection, month: str) -> pl.DataFrame:
    """Replace the month's rows of trust_month_status and measures; return the measures."""
    install_rules(con, load_rules(), load_layouts())
    con.execute("SET VARIABLE month = ?", [month])
    with transaction(con):
        con.execute("DELETE FROM trust_month_status WHERE reporting_month = ?", [month])
        con.execute("INSERT INTO trust_month_status BY NAME " + read_sql("marts/trust_month_status"))
        con.execute("DELETE FROM measures WHERE reporting_month = ?", [month])
        con.execute("INSERT INTO measures BY NAME " + read_sql("measures/flag_rates"))
        mark_stage(con, month, "measured")
    return read_measures(con, month)


def read_measures(con: duckdb.DuckDBPyConnection, month: str) -> pl.DataFrame:
    return (
        con.sql("SELECT * FROM measures WHERE reporting_month = $m ORDER BY rowid", params={"m": month})
        .pl()
        .select(CSV_COLUMNS)
    )


def write_measures_csv(measures: pl.DataFrame, out_dir: Path, month: str) -> Path:
    path = out_dir / f"measures-{month}.csv"
    frame = measures.with_columns(pl.col("rate").round(6))
    # Its text is codes and names from the rules and layouts, but it opens in a spreadsheet too.
    write_atomically(path, spreadsheet_csv(frame))
    return path


def write_dq_csv(con: duckdb.DuckDBPyConnection, out_dir: Path, month: str) -> Path:
    """dq-YYYY-MM.csv: the stored month in the shape of NHS England's MSDS data-quality file."""
    install_rules(con, load_rules(), load_layouts())
    con.execute("SET VARIABLE month = ?", [month])
    return write_dq_frame(con.sql(read_sql("measures/dq_file")).pl(), out_dir, month)


def write_dq_frame(frame: pl.DataFrame, out_dir: Path, month: str) -> Path:
    path = out_dir / f"dq-{month}.csv"
    write_atomically(path, spreadsheet_csv(frame))
    return path
