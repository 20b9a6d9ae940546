"""Whether `mdq gate` may reuse a month the warehouse already holds instead of running it again.

Reused only when the month's last run finished (stage `published`, after the scorecard) from the
extracts, rules, layouts, reference data and pseudonymisation key now in place, and every output
file it wrote is still in the output folder asked for, unchanged: a run killed after the gate
committed but before the scorecard was written, or an output removed or edited since, is run
again. The outputs and their SHA-256 are recorded with the `published` stage (``publish``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from pipelines.core.config import load_layouts
from pipelines.core.fingerprint import config_fingerprint
from pipelines.core.warehouse import connect, mark_stage, month_stage, transaction


def output_digest(path: Path) -> str | None:
    """SHA-256 of a file, or of a folder's files and their names; None when it is not there."""
    digest = hashlib.sha256()
    if path.is_file():
        digest.update(path.read_bytes())
    elif path.is_dir():
        for item in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(item.relative_to(path).as_posix().encode() + b"\0" + item.read_bytes())
    else:
        return None
    return digest.hexdigest()


def publish(con: duckdb.DuckDBPyConnection, month: str, outputs: list[Path]) -> None:
    """Mark the month published, recording the output files (or folders) its run wrote."""
    rows = [(month, str(Path(p).resolve()), output_digest(Path(p))) for p in outputs]
    missing = [path for _, path, digest in rows if digest is None]
    if missing:
        raise FileNotFoundError(f"{month}: outputs not written: {', '.join(missing)}")
    with transaction(con):
        con.execute("DELETE FROM month_outputs WHERE reporting_month = ?", [month])
        con.executemany("INSERT INTO month_outputs VALUES (?, ?, ?)", rows)
        mark_stage(con, month, "published")


def publish_parquet(warehouse: Path, month: str, outputs: list[Path]) -> None:
    """``publish`` for the Spark engine's Parquet warehouse: month_outputs and the stage, one commit."""
    import polars as pl

    from pipelines.core.engines.spark_warehouse import month_commit, progress_row
    from pipelines.core.warehouse import held

    rows = [(month, str(Path(p).resolve()), output_digest(Path(p))) for p in outputs]
    missing = [path for _, path, digest in rows if digest is None]
    if missing:
        raise FileNotFoundError(f"{month}: outputs not written: {', '.join(missing)}")
    frame = pl.DataFrame(rows, schema=["reporting_month", "path", "sha256"], orient="row")
    with held(warehouse), month_commit(warehouse) as commit:
        commit.stage_frame("month_outputs", month, frame)
        commit.stage_frame("month_progress", month, progress_row(warehouse, month, "published"))


def month_is_current(settings, month: str) -> bool:
    """The warehouse holds this month's finished run from exactly what is now in place."""
    from pipelines.ingest.landing import choose_current, discover, landed_checksum
    from pipelines.ingest.pseudonymise import pseudonym_key

    if not settings.warehouse.exists():
        return False
    layouts = load_layouts()
    current = choose_current(discover(settings.landing, layouts, {month}), layouts).current
    wanted = sorted((e.path.name, landed_checksum(e)) for e in current)
    with connect(settings.warehouse, read_only=True) as con:
        stored = sorted(
            con.execute(
                "SELECT file_name, checksum FROM submissions WHERE reporting_month = ? AND status IN ('loaded', 'unreadable')",
                [month],
            ).fetchall()
        )
        stage, fingerprint = month_stage(con, month)
        outputs = con.execute("SELECT path, sha256 FROM month_outputs WHERE reporting_month = ?", [month]).fetchall()
    out = Path(settings.out).resolve()
    return (
        stage == "published"
        and stored == wanted
        and fingerprint == config_fingerprint(settings.reference, pseudonym_key(settings.landing))
        and bool(outputs)
        and all(out in Path(path).parents and output_digest(Path(path)) == digest for path, digest in outputs)
    )
