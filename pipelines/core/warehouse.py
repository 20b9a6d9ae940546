"""The DuckDB warehouse: one file, one writer at a time, rules and mappings loaded per connection.

DuckDB lets only one process hold a database file open for writing, and a writer excludes other
processes' readers too. `dagster dev` runs and `mdq` on the same checkout therefore take a file
lock beside the warehouse before connecting and hold the connection only for the step at hand;
a second process waits its turn (up to MDQ_LOCK_TIMEOUT seconds) instead of failing, and is told
who holds the warehouse: the holder writes its pid, host and command beside the lock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from pipelines.core.config import ConfigError
from pipelines.core.kill_points import kill_point
from pipelines.core.paths import SQL_DIR

DEFAULT_LOCK_TIMEOUT_S = 600.0
# Wait this long in silence before saying who holds the warehouse: a step's hold is usually brief.
_NOTICE_AFTER_S = 2.0
_log = logging.getLogger("mdq.warehouse")
# The stage the current transaction records (mark_stage), for the crash tests' kill points.
_marked = threading.local()


def lock_timeout_s() -> float:
    """Seconds a step waits for the warehouse: MDQ_LOCK_TIMEOUT, default 600 (ConfigError if not a number)."""
    text = os.environ.get("MDQ_LOCK_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT_S
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ConfigError(f"MDQ_LOCK_TIMEOUT={text!r} is not a number of seconds (e.g. 600)")
    return seconds


class WarehouseBusy(RuntimeError):
    """Another process held the warehouse for longer than the lock timeout."""


def holder_file(path: Path) -> Path:
    """The lock's sidecar: who holds the warehouse now (pid, host, command, since when)."""
    return path.with_name(path.name + ".lock.holder")


def describe_holder(path: Path) -> str:
    """Who holds the warehouse, from the sidecar: pid, host, command and since when."""
    try:
        holder = json.loads(holder_file(path).read_text(encoding="utf-8"))
        return f"pid {holder['pid']} on {holder['host']}, `{holder['command']}`, since {holder['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process (it has not said which)"


def _write_holder(path: Path) -> None:
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else "python"
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        # A Dagster run worker's arguments are a page of JSON: the start says what it is.
        "command": command if len(command) <= 100 else command[:99] + "…",
        "since": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
    }
    with contextlib.suppress(OSError):  # the sidecar is a courtesy to waiters, never a reason to fail
        holder_file(path).write_text(json.dumps(holder), encoding="utf-8")


def _acquire(lock: FileLock, path: Path) -> None:
    timeout = lock_timeout_s()
    try:
        lock.acquire(timeout=min(_NOTICE_AFTER_S, timeout))
        return
    except Timeout:
        if timeout <= _NOTICE_AFTER_S:
            raise WarehouseBusy(
                f"{path}: still in use by {describe_holder(path)} after {timeout:.0f} s (MDQ_LOCK_TIMEOUT)"
            ) from None
    _log.warning(
        "waiting for the warehouse %s: in use by %s (giving up after %.0f s, MDQ_LOCK_TIMEOUT)",
        path,
        describe_holder(path),
        timeout,
    )
    try:
        lock.acquire(timeout=timeout - _NOTICE_AFTER_S)
    except Timeout:
        raise WarehouseBusy(
            f"{path}: still in use by {describe_holder(path)} after {timeout:.0f} s (MDQ_LOCK_TIMEOUT)"
        ) from None


@contextmanager
def held(path: Path) -> Iterator[None]:
    """The warehouse's file lock for one step, with the holder written beside it (any engine)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path) + ".lock")
    _acquire(lock, path)
    _write_holder(path)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            holder_file(path).unlink()
        lock.release()


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection to the warehouse; for the Spark engine's Parquet warehouse (a folder),
    read-only: DuckDB views over its tables, so every reader serves both engines. A commit a stopped
    process left there is finished first, under the lock: no reader sees half of one."""
    from pipelines.core.engines import is_parquet_warehouse

    if is_parquet_warehouse(path):
        if not read_only:
            raise ValueError(f"{path} is a Parquet warehouse (the Spark engine's): run with --engine spark")
        from pipelines.core.engines.parquet_commit import recover
        from pipelines.core.engines.parquet_reader import parquet_views

        with held(path):
            recover(path)
            with parquet_views(path) as con:
                yield con
        return
    with held(path):
        if read_only and not path.exists():
            raise FileNotFoundError(f"{path}: no warehouse yet; run `mdq run` first")
        con = duckdb.connect(str(path), read_only=read_only)
        try:
            if not read_only:
                con.execute(read_sql("warehouse/tables"))
            yield con
        finally:
            con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN ... COMMIT, rolled back on any error, and the error raised is the one that happened.

    A commit that fails (a full disk) can end DuckDB's transaction itself; a ROLLBACK after it
    then fails with "no transaction is active", which must not hide why the commit failed.
    """
    _marked.stage = None
    con.execute("BEGIN")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    if _marked.stage:
        kill_point(_marked.stage)  # crash tests: the stage's step has just committed


def read_sql(model: str) -> str:
    return (SQL_DIR / f"{model}.sql").read_text(encoding="utf-8")


def create_temp_model(con: duckdb.DuckDBPyConnection, model: str) -> None:
    """Materialise sql/<model>.sql as a temp table named after the file."""
    name = Path(model).name
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {read_sql(model)}")


STAGES = ("ingested", "measured", "gated", "published")


def mark_stage(con: duckdb.DuckDBPyConnection, month: str, stage: str, fingerprint: str | None = None) -> None:
    """Record the step just finished; call inside the step's own transaction. The ingest passes the
    configuration fingerprint; later steps keep it."""
    con.execute(
        """INSERT INTO month_progress VALUES (?, ?, ?, now()::TIMESTAMP, ?)
           ON CONFLICT (reporting_month) DO UPDATE SET stage = EXCLUDED.stage, stage_rank = EXCLUDED.stage_rank,
           updated_at = EXCLUDED.updated_at,
           config_fingerprint = coalesce(EXCLUDED.config_fingerprint, month_progress.config_fingerprint)""",
        [month, stage, STAGES.index(stage), fingerprint],
    )
    _marked.stage = stage
    kill_point(f"{stage}:uncommitted")


def month_stage(con: duckdb.DuckDBPyConnection, month: str) -> tuple[str | None, str | None]:
    """(last finished stage, configuration fingerprint of the month's ingest)."""
    row = con.execute(
        "SELECT stage, config_fingerprint FROM month_progress WHERE reporting_month = ?", [month]
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)
