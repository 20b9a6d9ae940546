"""What the measure step reads for one month, on each engine (not run in CI).

    .venv/bin/python bench/month_scope.py --spark WAREHOUSE_DIR --month 2026-03
    .venv/bin/python bench/month_scope.py --duckdb WAREHOUSE.duckdb --month 2026-03

Spark: the files the measure models' plans read (``DataFrame.inputFiles()``) against every file of
the tables they read, and the plan's scan nodes. DuckDB: the same models profiled over
the month (DuckDB's JSON profile), the rows each table scan emitted against the table's rows, and the models' time
(docs/performance.md, "The measure step reads its month").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MODELS = ("marts/trust_month_status", "measures/flag_rates")


def spark_scope(warehouse: Path, month: str) -> dict:
    from pipelines.core.engines.parquet_reader import table_dir
    from pipelines.core.engines.spark_models import open_models

    models = open_models(warehouse)
    models.bind_tables("submissions", "bookings", month=month)
    models.register("trust_month_status", models.model("marts/trust_month_status", month))
    read: set[str] = set()
    scans: list[str] = []
    started = time.perf_counter()
    for model in MODELS:
        frame = models.model(model, month)
        read |= set(frame.inputFiles())
        plan = frame._jdf.queryExecution().executedPlan().toString()
        scans += sorted({re.sub(r"\s+", " ", m) for m in re.findall(r"FileScan parquet[^\n]*", plan)})
        frame.count()
    elapsed = time.perf_counter() - started

    def size(paths) -> int:
        return sum(Path(p.removeprefix("file:")).stat().st_size for p in paths)

    tables = {
        t: sorted(str(p) for p in table_dir(warehouse, t).rglob("*.parquet")) for t in ("bookings", "submissions")
    }
    return {
        "engine": "spark",
        "month": month,
        "files_read": len(read),
        "bytes_read": size(read),
        "files_in_tables": sum(len(v) for v in tables.values()),
        "bytes_in_tables": sum(size(v) for v in tables.values()),
        "months_in_bookings": len(list(table_dir(warehouse, "bookings").glob("reporting_month=*"))),
        "scans": [re.sub(r"Location: InMemoryFileIndex\(\d+ paths?\)", "Location:", s)[:400] for s in scans],
        "models_s": round(elapsed, 2),
    }


def duckdb_scope(warehouse: Path, month: str) -> dict:
    import tempfile

    import duckdb

    from pipelines.core.config import load_layouts, load_rules
    from pipelines.core.model_rules import install_rules
    from pipelines.core.warehouse import read_sql

    con = duckdb.connect(str(warehouse), read_only=True)
    install_rules(con, load_rules(), load_layouts())
    con.execute("SET VARIABLE month = ?", [month])
    profile_file = Path(tempfile.mkdtemp()) / "profile.json"
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{profile_file}'")
    scans: list[dict] = []
    io: dict[str, object] = {}
    started = time.perf_counter()
    for model in MODELS:
        name = Path(model).name
        # Computed into a temp table (the stored tables are not touched); flag_rates reads the
        # stored trust_month_status of the month, as the step does after writing it.
        con.execute(f"CREATE OR REPLACE TEMP TABLE _scope_{name} AS " + read_sql(model))

        def walk(node: dict, model: str = model) -> None:
            info = node.get("extra_info") or {}
            if "SCAN" in str(node.get("type") or node.get("operator_type")).upper() and info.get("Table"):
                scans.append(
                    {
                        "model": model,
                        "table": info.get("Table"),
                        "filters": info.get("Filters"),
                        "rows_emitted": node.get("intermediate_rows", node.get("operator_cardinality")),
                        "rows_scanned": node.get("operator_rows_scanned"),
                    }
                )
            for child in node.get("children", []) + node.get("operator", []):
                walk(child, model)

        profile = json.loads(profile_file.read_text())
        walk(profile)
        io[model] = profile.get("io")
    elapsed = time.perf_counter() - started
    con.execute("PRAGMA disable_profiling")
    totals = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("bookings", "submissions")}
    month_rows = con.execute("SELECT count(*) FROM bookings WHERE reporting_month = ?", [month]).fetchone()[0]
    return {
        "engine": "duckdb",
        "month": month,
        "bookings_rows_in_month": month_rows,
        "rows_in_tables": totals,
        "scans": [x for x in scans if not str(x["table"]).startswith('"temp"')],
        "io_by_model": io,
        "models_s": round(elapsed, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spark", type=Path)
    parser.add_argument("--duckdb", type=Path)
    parser.add_argument("--month", required=True)
    args = parser.parse_args()
    result = spark_scope(args.spark, args.month) if args.spark else duckdb_scope(args.duckdb, args.month)
    print(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
