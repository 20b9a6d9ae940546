"""`mdq` and Dagster share one DuckDB file: writers queue on the warehouse lock instead of failing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading

from pipelines.core.paths import REPO_ROOT, SAMPLE_DATA
from pipelines.core.warehouse import connect
from tests.conftest import query


def _mdq(args, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", *args],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_run_waits_for_a_held_warehouse_then_succeeds(tmp_path):
    """Another process's step holds the warehouse; `mdq run` reaches it, says who it waits for,
    waits its turn (the holder lets go only once it has said so, so the run has waited at least
    the 2 s before its notice) and completes. No sleep: each step waits for the event it needs.

    The sample's 2025-04, recounted with the csv module (tests/synthetic/sample_reading.py::
    women_booked: distinct pregnancy IDs with a real booking date in the month): RJC 241, RKB 489,
    RLT 155 women booked."""
    warehouse = tmp_path / "w.duckdb"
    held, release = threading.Event(), threading.Event()

    def hold():
        with connect(warehouse):
            held.set()
            release.wait(120)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(60), "the holder never took the warehouse"
    process = _mdq(
        ["run", "--month", "2025-04", "--warehouse", str(warehouse), "--out", str(tmp_path / "out")], tmp_path
    )
    waiting = process.stderr.readline()  # blocks until mdq has waited its first 2 s for the warehouse
    assert process.poll() is None, "mdq run should still be waiting for the warehouse"
    release.set()
    holder.join()
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, waiting + err
    # It said it was waiting, and who for; it did not fail on DuckDB's own lock.
    assert waiting.startswith(f"mdq: waiting for the warehouse {warehouse}: in use by pid {os.getpid()}"), waiting
    assert "Traceback" not in err and "Could not set lock" not in err
    assert query(warehouse, "SELECT org_code, count(*) FROM bookings GROUP BY 1 ORDER BY 1") == [
        ("RJC", 241),
        ("RKB", 489),
        ("RLT", 155),
    ]


def test_two_runs_at_once_both_land(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    common = ["--landing", str(SAMPLE_DATA), "--warehouse", str(warehouse), "--out", str(tmp_path / "out")]
    first = _mdq(["run", "--month", "2025-04", *common], tmp_path)
    second = _mdq(["run", "--month", "2025-05", *common], tmp_path)
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    months = query(warehouse, "SELECT reporting_month, count(*) FROM gate_results GROUP BY 1 ORDER BY 1")
    assert months == [("2025-04", 6), ("2025-05", 6)]
    assert (tmp_path / "out" / "measures-2025-04.csv").exists() and (tmp_path / "out" / "measures-2025-05.csv").exists()
