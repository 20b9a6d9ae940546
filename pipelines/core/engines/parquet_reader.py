"""DuckDB views over the Spark engine's Parquet warehouse, for everything that only reads it.

The scorecard, `mdq gate`'s verdicts and reuse check, the CLI's summary and the asset checks read
a few thousand result rows with the same SQL on either engine: over the Parquet warehouse they
read these views (DuckDB's Parquet reader on the driver; no JVM round trip for small reads).
Each view has the columns, order and types sql/warehouse/tables.sql declares, so a reader cannot
tell which engine wrote the month.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.core.paths import SQL_DIR

# Tables replaced whole rather than a month at a time (no reporting_month partitions).
UNPARTITIONED = ("ref_postcodes", "ref_imd", "reference_fingerprint")


def table_dir(warehouse: Path, table: str) -> Path:
    return Path(warehouse) / table


def month_dir(warehouse: Path, table: str, month: str) -> Path:
    return table_dir(warehouse, table) / f"reporting_month={month}"


def has_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.rglob("*.parquet"))


@contextmanager
def parquet_views(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB whose tables are views over the warehouse's Parquet tables."""
    con = duckdb.connect(":memory:")
    try:
        con.execute((SQL_DIR / "warehouse" / "tables.sql").read_text(encoding="utf-8"))
        declared: dict[str, list[tuple[str, str]]] = {}
        for table, column, dtype in con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns ORDER BY table_name, ordinal_position"
        ).fetchall():
            declared.setdefault(table, []).append((column, dtype))
        for table, columns in declared.items():
            folder = table_dir(warehouse, table)
            if not has_files(folder):
                continue  # the empty declared table stands in
            glob = str(folder / ("*.parquet" if table in UNPARTITIONED else "reporting_month=*/*.parquet"))
            select = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in columns)
            hive = "false" if table in UNPARTITIONED else "true"
            con.execute(f"DROP TABLE {table}")
            con.execute(
                f"CREATE VIEW {table} AS SELECT {select} FROM read_parquet('{glob}', "
                f"hive_partitioning = {hive}, hive_types = {{'reporting_month': VARCHAR}}, union_by_name = true)"
                if hive == "true"
                else f"CREATE VIEW {table} AS SELECT {select} FROM read_parquet('{glob}', union_by_name = true)"
            )
        yield con
    finally:
        con.close()
