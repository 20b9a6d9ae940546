"""Writes a DuckDB warehouse's months before a given month as a Spark engine Parquet warehouse (not
run in CI): the history a scale test on Spark starts from, without running years of months
through Spark on a 2-core machine.

    .venv/bin/python bench/parquet_history.py WAREHOUSE.duckdb PARQUET_DIR --before 2025-04

Each table-month is written as the Spark engine writes it (``MonthCommit.stage_frame``: the
columns and types of sql/warehouse/tables.sql, one Parquet file in ``reporting_month=YYYY-MM``),
and committed the same way; the reference tables whole. The two engines' rows are equal month by
month (bench/compare_engines.py), so the history is the one Spark would have written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    import duckdb

    from pipelines.core.engines.parquet_reader import UNPARTITIONED
    from pipelines.core.engines.spark_warehouse import declared_tables, month_commit, open_warehouse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("duckdb", type=Path)
    parser.add_argument("parquet", type=Path)
    parser.add_argument("--before", required=True, help="copy the months before this one (YYYY-MM)")
    args = parser.parse_args()
    started = time.perf_counter()
    con = duckdb.connect(str(args.duckdb), read_only=True)
    open_warehouse(args.parquet)
    months = [
        m
        for (m,) in con.execute(
            "SELECT DISTINCT reporting_month FROM month_progress WHERE reporting_month < ? ORDER BY 1", [args.before]
        ).fetchall()
    ]
    for month in months:
        with month_commit(args.parquet) as commit:
            for table in declared_tables():
                if table in UNPARTITIONED:
                    continue
                frame = con.sql(f"SELECT * FROM {table} WHERE reporting_month = $m", params={"m": month}).pl()
                commit.stage_frame(table, month, frame)
    with month_commit(args.parquet) as commit:
        for table in UNPARTITIONED:
            commit.stage_frame(table, None, con.sql(f"SELECT * FROM {table}").pl())
    print(f"{len(months)} months ({months[0]}..{months[-1]}) written in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
