"""The Spark engine's Parquet warehouse: a step's tables appear together or not at all, to every
reader, after any stop, and durably.

No Spark needed: the commit protocol (staged folders, a commit log, renames, roll forward by
whoever opens the warehouse next) is the same for files Spark wrote and for the small ones the
driver writes, so it is exercised here with the driver's writer. The kills are real: a child
process commits and dies by SIGKILL at a named point (MDQ_TEST_KILL_AT, pipelines/core/kill_points.py).

Every test starts from the same month, 2025-04, as committed by the ``warehouse`` fixture: the
"old" version (trust_month_status RJC and RKB with 10 bookings each; month_outputs a.csv). The
"new" version a child commits: trust_month_status RLT with 3 bookings; month_outputs b.csv.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

pytest.importorskip("sqlglot", reason="sqlglot comes with the spark extra (uv sync --extra spark)")

from pipelines.core.engines import parquet_commit  # noqa: E402
from pipelines.core.engines.parquet_commit import WarehouseDamaged  # noqa: E402
from pipelines.core.engines.parquet_reader import parquet_views  # noqa: E402
from pipelines.core.engines.spark_warehouse import month_commit, open_warehouse  # noqa: E402
from pipelines.core.paths import REPO_ROOT  # noqa: E402
from pipelines.core.warehouse import connect, held  # noqa: E402

MONTH = "2025-04"
OLD = ([("RJC", 10), ("RKB", 10)], [("a.csv",)])
NEW = ([("RLT", 3)], [("b.csv",)])
STATUS, OUTPUTS = "trust_month_status/reporting_month=2025-04", "month_outputs/reporting_month=2025-04"


def _status(month: str, orgs: list[str], bookings: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "reporting_month": [month] * len(orgs),
            "org_code": orgs,
            "source_system": ["K2"] * len(orgs),
            "files": [1] * len(orgs),
            "rows_read": [bookings] * len(orgs),
            "rows_loaded": [bookings] * len(orgs),
            "rows_quarantined": [0] * len(orgs),
            "bookings": [bookings] * len(orgs),
            "completeness": ["complete"] * len(orgs),
            "completeness_detail": pl.Series([None] * len(orgs), dtype=pl.String),
        }
    )


def _outputs(month: str, paths: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"reporting_month": [month] * len(paths), "path": paths, "sha256": ["0" * 64] * len(paths)})


def _progress(stage: str, rank: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "reporting_month": [MONTH],
            "stage": [stage],
            "stage_rank": [rank],
            "updated_at": [datetime(2025, 5, 1)],
            "config_fingerprint": ["f"],
        }
    )


def commit_new_version(warehouse: Path) -> None:
    """The step a child process runs: the new version of both tables, in one commit, as a step does."""
    with held(warehouse), month_commit(warehouse) as commit:
        commit.stage_frame("trust_month_status", MONTH, _status(MONTH, ["RLT"], 3))
        commit.stage_frame("month_outputs", MONTH, _outputs(MONTH, ["b.csv"]))


def commit_gated(warehouse: Path) -> None:
    with held(warehouse), month_commit(warehouse) as commit:
        commit.stage_frame("month_progress", MONTH, _progress("gated", 2))


def _killed_at(warehouse: Path, point: str, step: str = "commit_new_version") -> None:
    """Runs ``step`` in a child process that SIGKILLs itself at ``point``."""
    script = f"import sys, pathlib; from tests.engines.test_parquet_warehouse import {step}; {step}(pathlib.Path(sys.argv[1]))"
    env = {**os.environ, "MDQ_TEST_KILL_AT": point}
    child = subprocess.run(
        [sys.executable, "-c", script, str(warehouse)], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert child.returncode == -signal.SIGKILL, f"not killed at {point}: {child.stderr}"


def _read(warehouse: Path) -> tuple[list[tuple], list[tuple]]:
    """What a reader (the scorecard, `mdq gate`, the CLI's summary: warehouse.connect) sees of the month."""
    with connect(warehouse, read_only=True) as con:
        status = con.execute("SELECT org_code, bookings FROM trust_month_status ORDER BY 1").fetchall()
        outputs = con.execute("SELECT path FROM month_outputs ORDER BY 1").fetchall()
    return status, outputs


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "parquet"
    open_warehouse(path)
    with month_commit(path) as commit:
        commit.stage_frame("trust_month_status", MONTH, _status(MONTH, ["RKB", "RJC"], 10))
        commit.stage_frame("month_outputs", MONTH, _outputs(MONTH, ["a.csv"]))
    return path


def test_readers_see_the_declared_columns_and_types(warehouse):
    """rows_read is HUGEINT in tables.sql: the view gives it so, and the month from the folder name."""
    with connect(warehouse, read_only=True) as con:
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE trust_month_status)").fetchall())
        rows = con.execute(
            "SELECT reporting_month, org_code, bookings FROM trust_month_status ORDER BY org_code"
        ).fetchall()
    assert types["rows_read"] == "HUGEINT" and types["reporting_month"] == "VARCHAR"
    assert rows == [("2025-04", "RJC", 10), ("2025-04", "RKB", 10)]


def test_a_write_connection_to_a_parquet_warehouse_is_refused(warehouse):
    with pytest.raises(ValueError, match="--engine spark"), connect(warehouse):
        pass


def test_a_failed_step_changes_nothing(warehouse):
    """An error after staging: the month keeps its two Trusts, and no staging is left behind."""
    with pytest.raises(RuntimeError, match="step failed"), month_commit(warehouse) as commit:
        commit.stage_frame("trust_month_status", MONTH, _status(MONTH, ["RLT"], 3))
        raise RuntimeError("step failed")
    assert _read(warehouse) == OLD
    assert not any((warehouse / "_staging").glob("*"))


@pytest.mark.parametrize(
    ("point", "on_disk"),
    [
        # The log is durable, nothing moved: on disk the old version of both tables.
        ("commit-logged", {STATUS: True, OUTPUTS: True}),
        # The first table's old folder aside, its new one not in: the month has no status at all.
        (f"moving:{STATUS}", {STATUS: False, OUTPUTS: True}),
        # The first table moved, the second's old folder aside: new status, no outputs.
        (f"moving:{OUTPUTS}", {STATUS: True, OUTPUTS: False}),
    ],
)
def test_a_reader_after_a_commit_killed_part_way_sees_the_whole_new_version(warehouse, point, on_disk):
    """Killed after the commit was decided: the first reader to open the warehouse (no writer
    has run since) finishes the commit under the lock before it reads, so it sees both tables'
    new version; nothing of the commit is left behind."""
    _killed_at(warehouse, point)
    assert {folder: (warehouse / folder).exists() for folder in on_disk} == on_disk
    assert len(list((warehouse / "_commits").glob("*.json"))) == 1
    assert _read(warehouse) == NEW
    assert not [p.name for p in warehouse.glob("_*/*")]


def test_a_commit_killed_before_its_log_is_no_commit(warehouse):
    """Killed while writing the log itself (only its temporary file exists): nothing changes."""
    (warehouse / "_commits").mkdir(exist_ok=True)
    (warehouse / "_commits" / "abc.tmp").write_text('{"half": ')
    assert _read(warehouse) == OLD
    assert not list((warehouse / "_commits").glob("*"))


def test_a_commit_after_a_stopped_one_is_never_overwritten_by_it(warehouse, tmp_path):
    """The gate's commit (stage `gated`) is decided and the process killed; then the scorecard
    publishes (stage `published`) before anything else opens the warehouse. The gate's commit is
    finished first, so `published` stays the month's stage however often the warehouse is opened."""
    from pipelines.gate.reuse import publish_parquet

    _killed_at(warehouse, "commit-logged", step="commit_gated")
    scorecard = tmp_path / "scorecard-2025-04.html"
    scorecard.write_text("<html></html>")
    publish_parquet(warehouse, MONTH, [scorecard])
    open_warehouse(warehouse)
    with connect(warehouse, read_only=True) as con:
        assert con.execute("SELECT reporting_month, stage FROM month_progress").fetchall() == [(MONTH, "published")]
        assert con.execute("SELECT path FROM month_outputs").fetchall() == [(str(scorecard.resolve()),)]


def test_a_staged_folder_lost_before_the_commit_commits_nothing(warehouse):
    """One of the two staged tables is gone when the step commits: an error naming it, and neither
    table changes (never the other table alone, never a table skipped in silence)."""
    lost = pytest.raises(FileNotFoundError, match=f"nothing committed: the staged {OUTPUTS}")
    with lost, month_commit(warehouse) as commit:
        commit.stage_frame("trust_month_status", MONTH, _status(MONTH, ["RLT"], 3))
        commit.stage_frame("month_outputs", MONTH, _outputs(MONTH, ["b.csv"]))
        for staged in commit.staging.glob("month_outputs-*"):
            for file in staged.iterdir():
                file.unlink()
    assert _read(warehouse) == OLD


def test_a_stopped_commit_whose_staged_folder_is_gone_is_named_not_skipped(warehouse):
    """Killed with the outputs' old folder aside; then the staged new folder is lost (removed by
    hand). The reader is told which table and month, and where the old version is; the log stays."""
    _killed_at(warehouse, f"moving:{OUTPUTS}")
    for staged in (warehouse / "_staging").glob("*/month_outputs-*"):
        for file in staged.iterdir():
            file.unlink()
        staged.rmdir()
    with pytest.raises(WarehouseDamaged, match=f"commit of {OUTPUTS} cannot be finished.*earlier version is kept"):
        _read(warehouse)
    assert len(list((warehouse / "_commits").glob("*.json"))) == 1


def test_a_reader_waits_for_a_commit_in_progress(warehouse, monkeypatch):
    """A live writer paused between its two tables' moves (holding the lock, as every step
    does): a reader started then waits, and sees the whole new version once the commit ends."""
    paused, resume = threading.Event(), threading.Event()

    def pause_at(point: str) -> None:
        if point == f"moving:{OUTPUTS}":
            paused.set()
            resume.wait(30)

    monkeypatch.setattr(parquet_commit, "kill_point", pause_at)
    writer = threading.Thread(target=commit_new_version, args=(warehouse,))
    writer.start()
    assert paused.wait(30)
    seen = []
    reader = threading.Thread(target=lambda: seen.append(_read(warehouse)))
    reader.start()
    reader.join(1.5)
    assert reader.is_alive() and not seen  # the reader is waiting for the lock
    resume.set()
    writer.join(30)
    reader.join(30)
    assert seen == [NEW]


def test_a_commit_is_on_disk_before_it_is_logged_and_before_the_log_goes(warehouse, monkeypatch):
    """A power cut must not leave a log naming folders the disk lost, nor lose a rename once the
    log is gone: every staged file and the folders leading to it are synced before the log is
    renamed into place, the log's folder before the first move, and the folders each rename
    changed before the log is removed."""
    events: list[tuple[str, Path]] = []
    real_fsync, real_replace, real_unlink = os.fsync, os.replace, Path.unlink

    def fsync(fd: int) -> None:
        events.append(("sync", Path(os.readlink(f"/proc/self/fd/{fd}"))))
        real_fsync(fd)

    def replace(source, target) -> None:
        events.append(("rename", Path(target)))
        real_replace(source, target)

    def unlink(self, missing_ok=False):
        events.append(("unlink", self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Path, "unlink", unlink)
    commit_new_version(warehouse)
    monkeypatch.undo()

    [logged] = [i for i, (kind, path) in enumerate(events) if kind == "rename" and path.suffix == ".json"]
    [unlinked] = [i for i, (kind, path) in enumerate(events) if kind == "unlink" and path.suffix == ".json"]
    before_log = {path for kind, path in events[:logged] if kind == "sync"}
    staging = next(p for p in before_log if p.parent.name == "_staging")
    for table in ("trust_month_status", "month_outputs"):
        staged = staging / f"{table}-{MONTH}"
        assert {staged / "part-00000.parquet", staged / "_commit", staged} <= before_log, table
    assert {staging, warehouse / "_staging"} <= before_log
    moved = [i for i, (kind, path) in enumerate(events) if kind == "rename" and path.name == f"reporting_month={MONTH}"]
    assert ("sync", warehouse / "_commits") in events[logged + 1 : moved[0]]  # the log's name, before any move
    for i in moved:
        parent = events[i][1].parent
        assert ("sync", parent) in events[i + 1 : unlinked], parent
    assert ("sync", warehouse / "_commits") in events[unlinked + 1 :]
    assert _read(warehouse) == NEW


def test_other_months_are_untouched_by_a_months_commit(warehouse):
    with month_commit(warehouse) as commit:
        commit.stage_frame("trust_month_status", "2025-05", _status("2025-05", ["RKB"], 7))
    with parquet_views(warehouse) as con:
        rows = con.execute("SELECT reporting_month, count(*) FROM trust_month_status GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("2025-04", 2), ("2025-05", 1)]
