"""Per-Trust worklists: the month's records failing a gated measure, by file and line, to fix at source."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.config import load_layouts, load_rules
from pipelines.core.files import write_atomically
from pipelines.core.model_rules import install_rules
from pipelines.core.spreadsheet import spreadsheet_csv
from pipelines.core.warehouse import read_sql


def worklist_path(out_dir: Path, month: str, org: str) -> Path:
    return Path(out_dir) / "worklists" / f"worklist-{month}-{org}.csv"


def write_worklists(con: duckdb.DuckDBPyConnection, month: str, out_dir: Path) -> dict[str, Path]:
    """worklist-YYYY-MM-ORG.csv per Trust: its records failing a gated measure, with the reason."""
    install_rules(con, load_rules(), load_layouts())
    con.execute("SET VARIABLE month = ?", [month])
    frame = con.sql(read_sql("measures/worklist")).pl()
    orgs = [
        r[0]
        for r in con.execute(
            "SELECT org_code FROM trust_month_status WHERE reporting_month = ? ORDER BY 1", [month]
        ).fetchall()
    ]
    return write_worklist_files(frame, orgs, month, out_dir)


def write_worklist_files(frame: pl.DataFrame, orgs: list[str], month: str, out_dir: Path) -> dict[str, Path]:
    """The worklist model's rows as one file per Trust of the month (any engine computed them)."""
    by_org = frame.partition_by("org_code", as_dict=True)
    paths = {}
    for org in orgs:
        path = worklist_path(out_dir, month, org)
        rows = by_org.get((org,), frame.clear())  # a Trust with nothing to fix still gets its (empty) file
        write_atomically(path, spreadsheet_csv(rows))
        paths[org] = path
    # A Trust the month no longer has (its extract withdrawn) must not keep an old worklist.
    for stale in (out_dir / "worklists").glob(f"worklist-{month}-*.csv"):
        if stale not in paths.values():
            stale.unlink()
    return paths
