"""The Parquet warehouse's commit: a step's staged folders moved into place together, durably.

A Spark job writes files, and nothing spans two tables, so no job writes where readers look: a
step's tables are staged in ``<warehouse>/_staging/<id>/`` (pipelines/core/engines/spark_warehouse.py)
and one commit moves them into place:

1. each staged folder gets a ``_commit`` file naming the commit, then every staged file and
   folder is synced to disk, so no log can name a folder a power cut loses;
2. the list of moves is written to ``_commits/<id>.json`` (a temporary name, synced, renamed, the
   folder synced): from here on the commit happens, now or at the next open of the warehouse;
3. each folder is swapped by two renames (old aside into ``_trash/<id>/<n>``, new in), and the
   folders the renames changed are synced;
4. the list is removed; the old folders are deleted.

A process killed (or a machine stopped) after step 2 leaves the list; whoever opens the warehouse
next under its lock, writer or reader (`recover`), finishes the moves before reading anything,
so every reader sees each month as it was or as it became, never a mixture and never a month
missing between the two renames. A log is written only while no other is pending (``recover``
first), so logs never overtake one another.

Renames are atomic within one POSIX filesystem (local disk, NFS); an object store (S3, ADLS, the
Databricks /dbfs mount) has none: there use Delta Lake (docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

from pipelines.core.kill_points import kill_point

STAGING, COMMITS, TRASH = "_staging", "_commits", "_trash"
# In each committed folder: the commit that put it there (Spark and DuckDB's *.parquet globs skip it).
MARKER = "_commit"


class WarehouseDamaged(RuntimeError):
    """A commit cannot be finished: a staged folder it names is gone (removed by hand, or a disk lost it)."""


def new_commit_id() -> str:
    """Sorts by time, so pending logs (at most one, see ``recover``) are finished in the order made."""
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}"


def sync_dir(folder: Path) -> None:
    """A folder's entries (names made, renamed or removed in it) on disk."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def sync_tree(folder: Path) -> None:
    """Every file under ``folder`` and every folder down to it, on disk."""
    for root, _, files in os.walk(folder):
        for name in files:
            with open(Path(root) / name, "rb") as handle:
                os.fsync(handle.fileno())
        sync_dir(Path(root))


def _folders_up_to(folder: Path, warehouse: Path) -> list[Path]:
    """The folders from ``folder``'s parent up to the warehouse: the names that lead to it."""
    chain = []
    for parent in folder.parents:
        chain.append(parent)
        if parent == warehouse:
            break
    return chain


def commit_moves(warehouse: Path, commit_id: str, moves: dict[Path, Path]) -> None:
    """Move each staged folder (key) into place (value), all or none, as the module says."""
    for source in moves:
        (source / MARKER).write_text(commit_id, encoding="utf-8")
        sync_tree(source)
    for folder in sorted({p for source in moves for p in _folders_up_to(source, warehouse)}, reverse=True):
        sync_dir(folder)
    commits = warehouse / COMMITS
    made = not commits.exists()
    commits.mkdir(parents=True, exist_ok=True)
    if made:
        sync_dir(warehouse)
    log = commits / f"{commit_id}.json"
    temporary = log.with_suffix(".tmp")
    listed = {str(s.relative_to(warehouse)): str(t.relative_to(warehouse)) for s, t in moves.items()}
    temporary.write_text(json.dumps(listed), encoding="utf-8")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, log)
    sync_dir(commits)
    kill_point("commit-logged")  # crash tests: the commit is decided, nothing moved yet
    finish_commit(warehouse, log, recovering=False)


def finish_commit(warehouse: Path, log: Path, recovering: bool = True) -> None:
    """Do the moves a log lists (again: a move already made is skipped), then remove the log."""
    moves = json.loads(log.read_text(encoding="utf-8"))
    aside = warehouse / TRASH / log.stem
    for n, (source, target) in enumerate(moves.items()):
        _move(warehouse, warehouse / source, warehouse / target, aside / str(n), log.stem if recovering else None)
    log.unlink()
    sync_dir(log.parent)
    shutil.rmtree(aside, ignore_errors=True)


def _committed_by(folder: Path) -> str | None:
    try:
        return (folder / MARKER).read_text(encoding="utf-8")
    except OSError:
        return None


def _move(warehouse: Path, source: Path, target: Path, aside: Path, recovering: str | None) -> None:
    """target becomes source's content: the old target aside, the source renamed in. ``recovering``:
    the commit being finished after a stop, whose moves already made are skipped."""
    if not source.exists():
        if recovering and _committed_by(target) == recovering:
            return  # renamed in before the process stopped
        if target.exists():
            where = "the earlier version is still in place"
        elif aside.exists():
            where = f"nothing is in place; the earlier version is kept at {aside}"
        else:
            where = "nothing is in place"
        raise WarehouseDamaged(
            f"{warehouse}: the commit of {target.relative_to(warehouse)} cannot be finished: its staged "
            f"folder {source} is gone and {where}; the commit log stays in {warehouse / COMMITS}"
        )
    if not target.parent.exists():
        target.parent.mkdir(parents=True)
        sync_dir(target.parent.parent)
    if target.exists():
        aside.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, aside)
    kill_point(f"moving:{target.relative_to(warehouse)}")  # crash tests: old aside, new not yet in
    os.replace(source, target)
    sync_dir(target.parent)
    sync_dir(source.parent)


def recover(warehouse: Path) -> None:
    """Finish any commit a stopped process left; drop staging no commit names. Call under the
    warehouse's lock, before reading or writing it."""
    for log in sorted((warehouse / COMMITS).glob("*.json")):
        finish_commit(warehouse, log)
    for temporary in (warehouse / COMMITS).glob("*.tmp"):
        temporary.unlink()  # its commit never started
    shutil.rmtree(warehouse / STAGING, ignore_errors=True)
    shutil.rmtree(warehouse / TRASH, ignore_errors=True)
