"""Runs the same months on DuckDB and on Spark and compares what each wrote (not run in CI).

    .venv/bin/python bench/compare_engines.py --from 2025-04 --to 2026-09          # the 18 sample months
    .venv/bin/python bench/compare_engines.py --month 2026-10 --landing DIR        # e.g. an acceptance month

Each engine runs `mdq run` in a process of its own (fresh warehouse, output folder and Dagster
home). Then, month by month: measures-YYYY-MM.csv, dq-YYYY-MM.csv, golive-YYYY-MM.csv and every
worklist must be the same bytes; the scorecards the same once the run's start time is masked; `mdq gate`'s verdicts
(pipelines/gate/verdicts.py) equal; and the stored tables equal row for row (ignoring the audit
timestamps and the Data Docs path). Exit status 1 on any difference.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TABLE_KEYS = {
    "bookings": ["submission_id", "source_line"],
    "quarantine": ["submission_id", "line_number", "column_name", "reason"],
    "clinical_events": ["submission_id", "source_line", "measurement", "event_at"],
    "submissions": ["submission_id"],
    "trust_month_status": ["org_code"],
    "measures": ["org_code", "measure_id", "breakdown", "group"],
    "gate_results": ["org_code", "measure_id"],
    "parallel_bookings": ["submission_id", "source_line"],
    "parallel_quarantine": ["submission_id", "line_number", "column_name", "reason"],
    "parallel_clinical_events": ["submission_id", "source_line", "measurement", "event_at"],
    "golive": ["org_code", "parallel_system", "data_item"],
}
IGNORED = {"submissions": ["first_loaded_at", "status_changed_at"], "gate_results": ["data_docs"]}
SCORECARD_TIME = re.compile(rb"Scorecard run started: [^<]*")


def run_engine(engine: str, months: list[str], landing: Path, work: Path) -> float:
    home = work / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    warehouse = work / ("warehouse" if engine == "spark" else "mdq.duckdb")
    span = ["--month", months[0]] if len(months) == 1 else ["--from", months[0], "--to", months[-1]]
    command = [str(ROOT / ".venv" / "bin" / "mdq"), "run", *span, "--engine", engine, "--landing", str(landing)]
    command += ["--warehouse", str(warehouse), "--out", str(work / "out")]
    started = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, "DAGSTER_HOME": str(home)}, capture_output=True, text=True)
    if done.returncode not in (0, 2):
        sys.exit(f"{engine}: mdq run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    # Status 2 is also a month no extract of which could be read; a failed step says why here.
    for line in done.stderr.splitlines():
        if line.startswith("mdq: "):
            print(f"{engine}: {line}")
    return time.perf_counter() - started


def compare_files(a: Path, b: Path, month: str) -> list[str]:
    names = [f"measures-{month}.csv", f"dq-{month}.csv", f"golive-{month}.csv", f"scorecard-{month}.html"]
    names += sorted(p.relative_to(a).as_posix() for p in (a / "worklists").glob(f"worklist-{month}-*.csv"))
    names += sorted(
        p.relative_to(b).as_posix()
        for p in (b / "worklists").glob(f"worklist-{month}-*.csv")
        if not (a / p.relative_to(b)).exists()
    )
    differ = []
    for name in names:
        left, right = a / name, b / name
        if not (left.exists() and right.exists()):
            differ.append(f"{name}: only on {'DuckDB' if left.exists() else 'Spark'}")
            continue
        x, y = left.read_bytes(), right.read_bytes()
        if name.endswith(".html"):
            x, y = SCORECARD_TIME.sub(b"", x), SCORECARD_TIME.sub(b"", y)
        if x != y:
            differ.append(f"{name}: differs")
    return differ


def compare_tables(duck: Path, parquet: Path, month: str) -> list[str]:
    import duckdb

    from pipelines.core.engines.parquet_reader import parquet_views

    differ = []
    con = duckdb.connect(str(duck), read_only=True)
    with parquet_views(parquet) as views:
        for table, key in TABLE_KEYS.items():
            query = f"SELECT * FROM {table} WHERE reporting_month = $m"
            left = con.sql(query, params={"m": month}).pl().drop(IGNORED.get(table, []))
            right = views.sql(query, params={"m": month}).pl().drop(IGNORED.get(table, []))
            if not left.sort(key, nulls_last=True).equals(right.sort(key, nulls_last=True)):
                differ.append(f"table {table}: {left.height} rows on DuckDB, {right.height} on Spark, not equal")
    con.close()
    return differ


def compare_verdicts(duck: Path, parquet: Path, month: str) -> list[str]:
    from pipelines.gate.verdicts import evaluate_gate

    left, right = evaluate_gate(duck, month), evaluate_gate(parquet, month)
    return [] if left == right else [f"gate verdicts differ: {len(left)} on DuckDB, {len(right)} on Spark"]


def main() -> int:
    from pipelines.core.months import months_between

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month")
    parser.add_argument("--from", dest="first")
    parser.add_argument("--to", dest="last")
    parser.add_argument("--landing", type=Path, default=ROOT / "sample_data")
    parser.add_argument("--work", type=Path, default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    months = [args.month] if args.month else months_between(args.first, args.last)
    work = args.work or Path(tempfile.mkdtemp(prefix="mdq-engines-"))
    times = {
        engine: run_engine(engine, months, args.landing.resolve(), work / engine) for engine in ("duckdb", "spark")
    }
    print(f"mdq run over {len(months)} month(s): DuckDB {times['duckdb']:.1f} s, Spark {times['spark']:.1f} s ({work})")
    failures = 0
    for month in months:
        differ = compare_files(work / "duckdb" / "out", work / "spark" / "out", month)
        differ += compare_tables(work / "duckdb" / "mdq.duckdb", work / "spark" / "warehouse", month)
        differ += compare_verdicts(work / "duckdb" / "mdq.duckdb", work / "spark" / "warehouse", month)
        failures += bool(differ)
        print(
            f"{month}: "
            + (
                "identical (measures, dq, golive, worklists, scorecard, tables, gate verdicts)"
                if not differ
                else "; ".join(differ)
            )
        )
    print(f"{len(months) - failures} of {len(months)} months identical")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
