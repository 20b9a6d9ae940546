"""Reconciles a Trust's parallel-run extract with its system of record's, pregnancy by pregnancy.

The SQL does the work (sql/golive/, one model per file): golive_sides (both extracts, the linking
key and the order duplicates pair in), golive_links (every pregnancy once: linked pair, only in
record, only in parallel, unlinkable), golive_items (each linked pair per reconciled data item)
and golive (the counts). This module runs them for a month, stores the counts as history in the
`golive` table and writes golive-YYYY-MM.csv: always written, holding its header only when no
Trust sent a parallel-run extract that month, so no stale reconciliation outlives its extract.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.config import load_layouts, load_rules
from pipelines.core.files import write_atomically
from pipelines.core.model_rules import install_rules
from pipelines.core.spreadsheet import spreadsheet_csv
from pipelines.core.warehouse import create_temp_model, read_sql, transaction

# golive-YYYY-MM.csv: exactly the columns of source-layouts.md ("System of record, and parallel
# running at go-live"). The table also keeps unlinkable split by extract.
CSV_COLUMNS = [
    "reporting_month",
    "org_code",
    "system_of_record",
    "parallel_system",
    "data_item",
    "linked",
    "both_valid_same",
    "both_valid_different",
    "valid_only_in_record",
    "valid_only_in_parallel",
    "neither_valid",
    "only_in_record",
    "only_in_parallel",
    "unlinkable",
]
TABLE_COLUMNS = [*CSV_COLUMNS, "unlinkable_in_record", "unlinkable_in_parallel"]
COVERAGE_ITEM = "pregnancies"
MODELS = ("golive/golive_sides", "golive/golive_links", "golive/golive_items")


def compute_golive(con: duckdb.DuckDBPyConnection, month: str) -> pl.DataFrame:
    """Replace the month's rows of `golive` from bookings and parallel_bookings; return them."""
    rules = load_rules()
    install_rules(con, rules, load_layouts())
    con.execute("SET VARIABLE month = ?", [month])
    has_run = con.execute("SELECT count(*) FROM parallel_bookings WHERE reporting_month = ?", [month]).fetchone()[0]
    reconciled = any(m.get("reconcile") for m in rules["measures"])
    # The models are built as temp tables first, outside the transaction (as the ingest writes a
    # month): temp tables made inside it cost ~1 s a month here, for a few hundred rows.
    if has_run and reconciled:
        for model in MODELS:
            create_temp_model(con, model)
        con.execute("CREATE OR REPLACE TEMP TABLE new_golive AS " + read_sql("golive/golive"))
    with transaction(con):
        con.execute("DELETE FROM golive WHERE reporting_month = ?", [month])
        if has_run and reconciled:
            con.execute("INSERT INTO golive BY NAME SELECT * FROM new_golive")
    return read_golive(con, month)


def read_golive(con: duckdb.DuckDBPyConnection, month: str) -> pl.DataFrame:
    """The month's stored reconciliation in golive.sql's order: Trust, parallel system, then the
    pregnancies row and the items in the rules file's order (empty: no parallel run). Ordered by
    its columns, not rowid, so the Spark engine's Parquet tables (DuckDB views) read the same."""
    items = [m["id"] for m in load_rules()["measures"] if m.get("reconcile")]
    frame = con.sql(
        f"""SELECT {", ".join(TABLE_COLUMNS)} FROM golive WHERE reporting_month = $m
            ORDER BY org_code, parallel_system, data_item <> '{COVERAGE_ITEM}', list_position($items, data_item)""",
        params={"m": month, "items": items},
    ).pl()
    return frame.cast({c: pl.Int64 for c in TABLE_COLUMNS[5:]})


def write_golive_csv(frame: pl.DataFrame, out_dir: Path, month: str) -> Path:
    path = Path(out_dir) / f"golive-{month}.csv"
    # Codes and counts only, but it opens in a spreadsheet like the other CSVs.
    write_atomically(path, spreadsheet_csv(frame.select(CSV_COLUMNS)))
    return path


@dataclass(frozen=True)
class LostItem:
    """A data item valid in the system of record but not in the parallel extract for a share of
    the linked pregnancies above the rules file's `golive.max_lost_share`."""

    org_code: str
    system_of_record: str | None
    parallel_system: str
    data_item: str
    lost: int
    linked: int

    @property
    def share(self) -> float:
        return self.lost / self.linked

    def describe(self, titles: dict[str, str]) -> str:
        return (
            f"{self.org_code} {titles.get(self.data_item, self.data_item)}: valid in {self.system_of_record} but not "
            f"in {self.parallel_system} for {self.lost} of {self.linked} linked pregnancies ({self.share:.1%})"
        )


def lost_items(frame: pl.DataFrame, max_share: float) -> list[LostItem]:
    """Items lost by the new extraction in more than `max_share` of linked pregnancies, worst first."""
    items = frame.filter((pl.col("data_item") != COVERAGE_ITEM) & (pl.col("linked") > 0))
    over = items.filter(pl.col("valid_only_in_record") > max_share * pl.col("linked"))
    found = [
        LostItem(
            r["org_code"],
            r["system_of_record"],
            r["parallel_system"],
            r["data_item"],
            r["valid_only_in_record"],
            r["linked"],
        )
        for r in over.iter_rows(named=True)
    ]
    # Worst first; ties keep the stored order (Trust, then the rules file's order of items).
    return sorted(found, key=lambda item: -item.share)
