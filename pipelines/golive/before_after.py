"""The measures before and after a Trust's change of system of record (e.g. RKB: K2 -> Cerner).

Computed on read from the stored `measures` history (sql/golive/before_after.sql), never stored:
it is a view of rows already kept, cheap to recount, and always agrees with them. The scorecard
restarts its SPC limits from the change month it gives (Making Data Count: a change of source
system is a process change; limits are never pooled across it).
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.core.config import load_layouts, load_rules
from pipelines.core.model_rules import install_rules
from pipelines.core.warehouse import read_sql


def before_after(con: duckdb.DuckDBPyConnection, month: str, org_code: str | None = None) -> pl.DataFrame:
    """Per Trust whose system changed (up to `month`) and measure: the months before pooled (period
    'before') and each month since (period 'YYYY-MM'), with rate and the four-way split. Empty for a
    Trust that never changed system."""
    install_rules(con, load_rules(), load_layouts())
    con.execute("SET VARIABLE month = ?", [month])
    frame = con.sql(read_sql("golive/before_after")).pl()
    return frame if org_code is None else frame.filter(pl.col("org_code") == org_code)


def change_months(con: duckdb.DuckDBPyConnection, month: str) -> dict[str, str]:
    """Trust -> the month its latest change of system took effect (only Trusts that changed)."""
    frame = before_after(con, month)
    return dict(frame.select("org_code", "change_month").unique().sort("org_code").iter_rows())
