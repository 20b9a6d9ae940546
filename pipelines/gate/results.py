"""Runs the Great Expectations gate over a month's canonical bookings and stores its verdicts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import polars as pl

from pipelines.core.config import load_layouts, load_rules, postcode_validity
from pipelines.core.model_rules import install_rules
from pipelines.core.warehouse import mark_stage, read_sql, transaction


def gate_bookings(con: duckdb.DuckDBPyConnection, month: str, rules: dict) -> pd.DataFrame:
    """The month's rows as the gate judges them: the postcode as typed, normalised by the gate
    itself, and (directory mode) whether the gate's own lookup finds it live in the month."""
    from checks.postcodes import LIVE_COLUMN, normalise_postcodes

    bookings = (
        con.sql(
            "SELECT reporting_month, org_code, postcode_source, ethnic_category, source_file, source_line "
            "FROM bookings WHERE reporting_month = $m",
            params={"m": month},
        )
        .to_arrow_table()
        .to_pandas()
    )
    bookings["postcode"] = normalise_postcodes(bookings.pop("postcode_source"), rules)
    if postcode_validity(rules) == "directory":
        install_rules(con, rules, load_layouts())
        con.execute("SET VARIABLE month = ?", [month])
        distinct = pd.DataFrame({"postcode": bookings["postcode"].dropna().unique()}, dtype=object)
        con.register("_gate_postcodes", distinct)
        try:
            live = {pc for (pc,) in con.execute(read_sql("gate/postcodes_live_in_month")).fetchall()}
        finally:
            con.unregister("_gate_postcodes")
        bookings[LIVE_COLUMN] = bookings["postcode"].isin(live)
    return bookings


def run_month_gate(
    con: duckdb.DuckDBPyConnection, month: str, work_dir: Path, docs_dir: Path
) -> tuple[pl.DataFrame, Path | None]:
    """GE over the month's rows (Arrow from DuckDB into pandas); replaces the month's gate_results."""
    from checks.validation import results_to_frame, run_ge_gate

    rules = load_rules()
    bookings = gate_bookings(con, month, rules)
    trust_months = [
        (month, org)
        for (org,) in con.execute(
            "SELECT org_code FROM trust_month_status WHERE reporting_month = ? ORDER BY 1", [month]
        ).fetchall()
    ]
    results, docs = run_ge_gate(bookings, rules, work_dir, docs_dir, trust_months=trust_months)
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
