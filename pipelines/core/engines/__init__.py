"""The engines the models and rules run on: DuckDB (embedded, the default) and Apache Spark.

Chosen by ``--engine`` on `mdq run` / `mdq gate`, else ``MDQ_ENGINE``, else DuckDB. Spark's cluster
is ``MDQ_SPARK_MASTER`` (``local[*]`` when unset; ``spark://host:7077``; ``sc://host:15002`` for
Spark Connect, e.g. a Databricks cluster). Spark needs the optional extra (``uv sync --extra
spark``) and a Java 17+ runtime; nothing here imports it unless Spark is chosen.
"""

from __future__ import annotations

import os
from pathlib import Path

ENGINES = ("duckdb", "spark")
ENV_ENGINE = "MDQ_ENGINE"
ENV_SPARK_MASTER = "MDQ_SPARK_MASTER"
# The folder a Parquet warehouse (Spark's) holds at its top: how readers tell it from a DuckDB file.
PARQUET_MARKER = ".mdq-parquet-warehouse"


class EngineError(ValueError):
    """The engine asked for cannot be used here (unknown name, PySpark or Java missing)."""


def engine_name(flag: str | None = None) -> str:
    """The engine for this run: the flag, else MDQ_ENGINE, else duckdb."""
    name = (flag or os.environ.get(ENV_ENGINE) or "duckdb").strip().lower()
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r} (--engine / {ENV_ENGINE}): choose one of {', '.join(ENGINES)}")
    return name


def default_warehouse(engine: str) -> Path:
    """var/warehouse/mdq.duckdb (DuckDB) or the folder var/warehouse/spark (Spark's Parquet tables)."""
    from pipelines.core.paths import DEFAULT_SPARK_WAREHOUSE, DEFAULT_WAREHOUSE

    return DEFAULT_SPARK_WAREHOUSE if engine == "spark" else DEFAULT_WAREHOUSE


def spark_master() -> str:
    return os.environ.get(ENV_SPARK_MASTER) or "local[*]"


def is_parquet_warehouse(path: Path) -> bool:
    """A folder written by the Spark engine (Parquet tables), rather than a DuckDB file."""
    return (Path(path) / PARQUET_MARKER).exists()
