"""A run killed with SIGKILL part-way leaves every table and output file whole (the earlier
version or the new one, never half), other months untouched, the month marked as far as it got,
and the next run succeeds. Kills land at several points of a real `mdq run` subprocess: start-up,
ingest, measures, GE and file writing."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from pipelines.core.paths import REPO_ROOT, SAMPLE_DATA

MONTH = "2025-05"
RESUBMITTED = "BadgerNet_RJC_Booking_2025-05.csv"


def _state(warehouse, out):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {
            t: con.execute(
                f"SELECT md5(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR))), count(*) "
                f"FROM (SELECT * EXCLUDE ({drop}) FROM {t} WHERE reporting_month = ?) AS x",
                [MONTH],
            ).fetchone()
            # Paths differ between the two copies compared, so they are left out of the digest.
            for t, drop in (
                ("bookings", "reporting_month"),
                ("quarantine", "reporting_month"),
                ("measures", "reporting_month"),
                ("gate_results", "data_docs"),
                ("trust_month_status", "reporting_month"),
            )
        }
        tables["other_months"] = con.execute(
            "SELECT count(*), md5(string_agg(pregnancy_key, '' ORDER BY pregnancy_key)) FROM bookings WHERE reporting_month <> ?",
            [MONTH],
        ).fetchone()
    files = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*.csv"))}
    return tables, files


@pytest.fixture
def workspace(tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(SAMPLE_DATA, landing)
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    return tmp_path, landing, home


def _start(tmp_path, landing, home, month=MONTH):
    args = [
        sys.executable,
        "-m",
        "pipelines.cli",
        "run",
        "--month",
        month,
        "--landing",
        str(landing),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--out",
        str(tmp_path / "out"),
    ]
    return subprocess.Popen(
        args,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_sigkill_mid_run_leaves_earlier_results_intact(workspace):
    tmp_path, landing, home = workspace
    for month in ("2025-04", MONTH):  # an earlier month, then the month under test
        first = _start(tmp_path, landing, home, month)
        assert first.wait(timeout=300) == 0, first.stderr.read()
    before = _state(tmp_path / "w.duckdb", tmp_path / "out")

    # A resubmission drops half of RJC's rows, so a completed run would change every table.
    path = landing / RESUBMITTED
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[: len(lines) // 2]) + b"\n")

    # What a completed run of the resubmission gives, computed in a separate copy.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    shutil.copy(tmp_path / "w.duckdb", shadow / "w.duckdb")
    done = _start(shadow, landing, home)
    assert done.wait(timeout=300) == 0, done.stderr.read()
    after = _state(shadow / "w.duckdb", shadow / "out")
    assert after[0]["bookings"] != before[0]["bookings"]

    states = []
    for delay in (1.5, 4.5, 6.5, 8.5):
        process = _start(tmp_path, landing, home)
        time.sleep(delay)
        if process.poll() is not None:
            break  # finished before the kill: nothing left to interrupt at this delay
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        tables, files = _state(tmp_path / "w.duckdb", tmp_path / "out")
        for name, value in tables.items():
            assert value in (before[0][name], after[0][name]), f"{name} half-written by a run killed at {delay}s"
        assert tables["other_months"] == before[0]["other_months"]
        for name, digest in files.items():
            assert digest in (before[1].get(name), after[1].get(name)), f"{name} half-written at {delay}s"
        states.append(tables["bookings"] == after[0]["bookings"])
    assert False in states, "no kill landed before the ingest committed: the test proved nothing"

    final = _start(tmp_path, landing, home)
    assert final.wait(timeout=300) == 0, final.stderr.read()
    assert _state(tmp_path / "w.duckdb", tmp_path / "out")[0] == after[0]
