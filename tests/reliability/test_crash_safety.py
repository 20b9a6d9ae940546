"""A run killed with SIGKILL part-way leaves every table and output file whole (the earlier
version or the new one, never half), other months untouched, the month marked as far as it got,
and the next run succeeds.

Each kill lands at a named point of a real `mdq run` subprocess (MDQ_TEST_KILL_AT, the test-only
hook of pipelines/core/kill_points.py), so the step it hits does not depend on the machine's
speed, and each starts from the same earlier state (restored from a copy), so what each table and
file must hold afterwards is known exactly:

* the earlier state: 2025-04 and 2025-05 run from the sample;
* then RJC resubmits 2025-05 with half its rows, and the run of the month is killed at a point;
* "new" is what a completed run of the resubmission gives (computed in a copy of the warehouse);
* after a kill, the next run completes and gives the new version (shown for the kills that leave
  the most to recover from).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys

import duckdb
import pytest

from pipelines.core.paths import REPO_ROOT, SAMPLE_DATA

MONTH = "2025-05"
RESUBMITTED = "BadgerNet_RJC_Booking_2025-05.csv"
TABLES = ("bookings", "quarantine", "trust_month_status", "measures", "gate_results")
CSVS = ("measures-2025-05.csv", "dq-2025-05.csv", "worklists/worklist-2025-05-RJC.csv")
SCORECARD = "scorecard-2025-05.html"
OLD, NEW = "old", "new"

# point -> (which tables and CSV files hold the new version, the month's recorded stage). Tables
# and files not named hold the old version. The steps: ingest (bookings, quarantine) -> measures
# (trust_month_status, measures; then dq and measures CSVs) -> worklists -> gate (Data Docs
# rebuilt and swapped in, then gate_results) -> scorecard -> published.
POINTS = {
    "ingested:uncommitted": (set(), "published"),
    "ingested": ({"bookings", "quarantine"}, "ingested"),
    "measured": ({"bookings", "quarantine", "trust_month_status", "measures"}, "measured"),
    "writing:measures-2025-05.csv": (
        {"bookings", "quarantine", "trust_month_status", "measures", "dq-2025-05.csv"},
        "measured",
    ),
    "swapping:2025-05": ({*TABLES[:4], *CSVS}, "measured"),
    "gated": ({*TABLES, *CSVS}, "gated"),
}
# Where the next run must also be shown to succeed: a month left half-way through its steps, and
# a Data Docs site left aside by a kill between its renames. (Each run costs a process start.)
RECOVERY = ("ingested", "swapping:2025-05")


def _state(warehouse, out) -> dict[str, object]:
    """Digest of the month's rows in each table (paths left out: the copies compared differ in
    them), of the other months' bookings, and of each output file; the month's stage."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        state: dict[str, object] = {
            t: con.execute(
                f"SELECT md5(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR))), count(*) "
                f"FROM (SELECT * EXCLUDE ({'data_docs' if t == 'gate_results' else 'reporting_month'}) "
                f"FROM {t} WHERE reporting_month = ?) AS x",
                [MONTH],
            ).fetchone()
            for t in TABLES
        }
        state["other_months"] = con.execute(
            "SELECT count(*), md5(string_agg(pregnancy_key, '' ORDER BY pregnancy_key)) FROM bookings "
            "WHERE reporting_month <> ?",
            [MONTH],
        ).fetchone()
        state["stage"] = con.execute("SELECT stage FROM month_progress WHERE reporting_month = ?", [MONTH]).fetchone()[
            0
        ]
    for name in (*CSVS, SCORECARD):
        path = out / name
        state[name] = hashlib.md5(path.read_bytes()).hexdigest() if path.exists() else None
    return state


def _mdq_run(root, home, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    env.pop("MDQ_TEST_KILL_AT", None)
    if kill_at:
        env["MDQ_TEST_KILL_AT"] = kill_at
    args = ["--landing", str(root / "landing"), "--warehouse", str(root / "w.duckdb"), "--out", str(root / "out")]
    months = ["--month", MONTH] if kill_at or (root / "w.duckdb").exists() else ["--from", "2025-04", "--to", MONTH]
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", *months, *args],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """The earlier state (saved aside), the resubmission landed, and the new state from a copy."""
    root = tmp_path_factory.mktemp("crash")
    landing = root / "landing"
    landing.mkdir()
    for path in SAMPLE_DATA.iterdir():  # the two months and the reference data are enough
        if path.is_dir() or any(m in path.name for m in ("2025-04", "202504", "2025-05", "202505", ".mdq")):
            (shutil.copytree if path.is_dir() else shutil.copy)(path, landing / path.name)
    home = root / "dagster"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    first = _mdq_run(root, home)
    assert first.returncode == 0, first.stderr
    shutil.copytree(root / "out", root / "saved" / "out")
    shutil.copy(root / "w.duckdb", root / "saved" / "w.duckdb")
    old = _state(root / "w.duckdb", root / "out")

    # The resubmission drops half of RJC's rows, so a completed run changes every table.
    lines = (landing / RESUBMITTED).read_bytes().split(b"\n")
    (landing / RESUBMITTED).write_bytes(b"\n".join(lines[: len(lines) // 2]) + b"\n")
    shadow = root / "shadow"
    shadow.mkdir()
    shutil.copy(root / "w.duckdb", shadow / "w.duckdb")
    os.symlink(landing, shadow / "landing")
    done = _mdq_run(shadow, home)
    assert done.returncode == 0, done.stderr
    new = _state(shadow / "w.duckdb", shadow / "out")
    assert all(new[k] != old[k] for k in (*TABLES, *CSVS)), "the resubmission must change every table and file"
    return root, home, {OLD: old, NEW: new}


def _restore_earlier_state(root) -> None:
    shutil.rmtree(root / "out")
    shutil.copytree(root / "saved" / "out", root / "out")
    shutil.copy(root / "saved" / "w.duckdb", root / "w.duckdb")
    for stale in root.glob("w.duckdb.*"):  # lock files and the WAL of the killed run
        stale.unlink()


@pytest.mark.parametrize("point", list(POINTS))
def test_sigkill_at_a_named_point_leaves_old_or_new_never_half(workspace, point):
    root, home, versions = workspace
    _restore_earlier_state(root)
    killed = _mdq_run(root, home, kill_at=point)
    assert killed.returncode == -signal.SIGKILL, f"{point}: the run was not killed there\n{killed.stderr}"

    state = _state(root / "w.duckdb", root / "out")
    now_new, stage = POINTS[point]
    expected = {name: versions[NEW if name in now_new else OLD][name] for name in (*TABLES, *CSVS)}
    assert {name: state[name] for name in (*TABLES, *CSVS)} == expected
    assert state["scorecard-2025-05.html"] == versions[OLD][SCORECARD]
    assert state["other_months"] == versions[OLD]["other_months"]
    assert state["stage"] == stage
    docs = root / "out" / "data_docs" / MONTH
    if point == "swapping:2025-05":
        # Killed between the two renames: the old site is aside whole, the new one not in place.
        assert not docs.exists()
        assert [p.name.split("-")[0] for p in docs.parent.glob(f".{MONTH}.old-*")] == [".2025"]
    else:
        assert (docs / "index.html").exists()

    if point not in RECOVERY:
        return
    final = _mdq_run(root, home)
    assert final.returncode == 0, final.stderr
    state = _state(root / "w.duckdb", root / "out")
    assert {name: state[name] for name in (*TABLES, *CSVS)} == {name: versions[NEW][name] for name in (*TABLES, *CSVS)}
    assert state["stage"] == "published" and (docs / "index.html").exists()
