"""Go-live assurance: a Trust's parallel-run extract reconciled with its system of record's.

    compute_golive(con, month) -> polars frame      stores the month's `golive` rows
    write_golive_csv(frame, out_dir, month) -> Path  golive-YYYY-MM.csv
    lost_items(frame, max_share) -> list[LostItem]  what the Dagster check WARNs about
    before_after(con, month, org_code=None)         the measures before and after a change of system

Modules: reconcile (the pregnancy-by-pregnancy reconciliation, sql/golive/golive_*.sql) and
before_after (sql/golive/before_after.sql, computed on read from the stored `measures`).
"""

from pipelines.golive.before_after import before_after, change_months
from pipelines.golive.reconcile import (
    CSV_COLUMNS,
    LostItem,
    compute_golive,
    lost_items,
    read_golive,
    write_golive_csv,
)

__all__ = [
    "CSV_COLUMNS",
    "LostItem",
    "before_after",
    "change_months",
    "compute_golive",
    "lost_items",
    "read_golive",
    "write_golive_csv",
]
