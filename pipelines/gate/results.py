"""Runs the Great Expectations gate over a month's canonical bookings and stores its verdicts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.config import load_rules
from pipelines.core.warehouse import mark_stage, transaction


def run_month_gate(
    con: duckdb.DuckDBPyConnection, month: str, work_dir: Path, docs_dir: Path
) -> tuple[pl.DataFrame, Path | None]:
    """GE over the month's rows (Arrow from DuckDB into pandas); replaces the month's gate_results."""
    from checks.validation import results_to_frame, run_ge_gate

    bookings = (
        con.sql(
            "SELECT reporting_month, org_code, postcode, ethnic_category FROM bookings WHERE reporting_month = $m",
            params={"m": month},
        )
        .to_arrow_table()
        .to_pandas()
    )
    trust_months = [
        (month, org)
        for (org,) in con.execute(
            "SELECT org_code FROM trust_month_status WHERE reporting_month = ? ORDER BY 1", [month]
        ).fetchall()
    ]
    results, docs = run_ge_gate(bookings, load_rules(), work_dir, docs_dir, trust_months=trust_months)
    frame = pl.from_pandas(results_to_frame(results)).with_columns(
        pl.lit(str(docs) if docs else None, dtype=pl.String).alias("data_docs")
    )
    con.register("_gate_frame", frame.to_arrow())
    try:
        with transaction(con):
            con.execute("DELETE FROM gate_results WHERE reporting_month = ?", [month])
            con.execute("INSERT INTO gate_results BY NAME SELECT * FROM _gate_frame")
            mark_stage(con, month, "gated")
    finally:
        con.unregister("_gate_frame")
    return frame, docs
