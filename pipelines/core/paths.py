"""Where the project keeps things, relative to the checkout so nothing depends on the caller's cwd."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = REPO_ROOT / "sql"
RULES_FILE = REPO_ROOT / "checks" / "rules.yaml"
LAYOUTS_FILE = REPO_ROOT / "schemas" / "layouts.yaml"
SAMPLE_DATA = REPO_ROOT / "sample_data"
SAMPLE_REFERENCE = SAMPLE_DATA / "reference"
# Git-ignored working area: the warehouse, outputs and Dagster's instance storage.
VAR_DIR = REPO_ROOT / "var"
DEFAULT_WAREHOUSE = VAR_DIR / "warehouse" / "mdq.duckdb"
# The Spark engine's warehouse: a folder of Parquet tables (pipelines/core/engines/spark_warehouse.py).
DEFAULT_SPARK_WAREHOUSE = VAR_DIR / "warehouse" / "spark"
DEFAULT_OUT = VAR_DIR / "out"
