"""The Spark session the Spark engine runs on: one per process, configured for DuckDB's semantics.

Settings that make Spark compute what DuckDB computes (the models are written once):

* ANSI mode off: DuckDB gives NULL for a division by zero in a branch the CASE does not take, and
  the models rely on TRY_CAST; Spark 4's ANSI mode would raise instead.
* the session time zone UTC: timestamps in the extracts carry no zone, as in DuckDB.
* ``spark.sql.legacy.javaCharsets``: Spark 4 reads only a short list of charsets unless this is
  set; BadgerNet's extracts are Windows-1252.
* few shuffle partitions: a month is tens of thousands of rows; 200 partitions (the default)
  would be 200 tasks of nothing each on two cores.

And settings that keep raw identifiers (read before pseudonymisation) where they belong:

* local disk I/O encrypted (``spark.io.encryption.enabled``): shuffle files, spills and cached
  blocks Spark writes under its local folders (/tmp unless SPARK_LOCAL_DIRS) hold the raw rows
  of the extracts; encrypted with a key that lives only in the JVM, they are not plain on disk
  (its cost: docs/performance.md, "What the safety settings cost");
* with a ``local[...]`` master, the driver bound to 127.0.0.1: its RPC and block manager ports
  are not open to the network (a cluster's driver must be reachable by its executors);
* each step's month ends with ``release_month``: every frame the month cached (raw identifiers
  among them, in ingest) is dropped, so a backfill holds no earlier month.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.core.engines import EngineError, spark_master

warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

PANDAS3_WARNING_FILTER = "ignore:PySpark does not yet fully support pandas:FutureWarning"
_LOCK = threading.Lock()
_SESSION: SparkSession | None = None

CONFIG = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.legacy.javaCharsets": "true",
    "spark.sql.shuffle.partitions": os.environ.get("MDQ_SPARK_SHUFFLE_PARTITIONS", "4"),
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # The warehouse's Parquet files carry no Spark-only metadata readers would need.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.sources.partitionOverwriteMode": "static",
    "spark.sql.adaptive.coalescePartitions.enabled": "true",
    "spark.io.encryption.enabled": "true",
}
# A local master runs every executor in this process: nothing needs to reach the driver from outside.
LOCAL_ONLY = {"spark.driver.bindAddress": "127.0.0.1", "spark.driver.host": "127.0.0.1"}


def session_config(master: str) -> dict[str, str]:
    """The settings a session on ``master`` starts with (a Spark Connect server keeps its own
    except the SQL ones)."""
    if master.startswith("sc://"):
        return {k: v for k, v in CONFIG.items() if k.startswith("spark.sql.")}
    return {**CONFIG, **(LOCAL_ONLY if master.startswith("local") else {})}


def spark_session() -> SparkSession:
    """The process's Spark session, started on first use (a JVM: ~5-7 s on the reference machine)."""
    global _SESSION
    with _LOCK:
        if _SESSION is not None:
            return _SESSION
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise EngineError(
                "the Spark engine needs PySpark: install the extra with `bash scripts/uv.sh sync --extra spark`"
            ) from exc
        master = spark_master()
        # Python workers run this interpreter (this environment's polars and the project), not the
        # first python3 on PATH; a cluster sets PYSPARK_PYTHON to its own environment's.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = SparkSession.builder.appName("maternity-dq")
        connect = master.startswith("sc://")
        builder = builder.remote(master) if connect else builder.master(master)
        # A Spark Connect session sets the SQL settings only: the server's JVM, UI and logging
        # are its own (docs/performance.md, "A national deployment").
        for key, value in session_config(master).items():
            builder = builder.config(key, value)
        if not connect:
            logging = f"-Dlog4j2.configurationFile={Path(__file__).with_name('log4j2.properties').as_uri()}"
            builder = builder.config("spark.driver.extraJavaOptions", logging).config(
                "spark.executor.extraJavaOptions", logging
            )
        # PySpark warns that it does not support pandas 3 in every Python worker; the project uses
        # only its SQL and Arrow paths (not pandas-on-Spark), which its own tests cover.
        os.environ.setdefault("PYTHONWARNINGS", PANDAS3_WARNING_FILTER)
        driver_memory = os.environ.get("MDQ_SPARK_DRIVER_MEMORY")
        if driver_memory and not connect:
            builder = builder.config("spark.driver.memory", driver_memory)
        try:
            _SESSION = builder.getOrCreate()
        except Exception as exc:  # no Java, or a cluster that does not answer
            raise EngineError(f"cannot start Spark ({master}): {str(exc).splitlines()[0]}") from exc
        return _SESSION


def stop_spark() -> None:
    global _SESSION
    with _LOCK:
        if _SESSION is not None:
            _SESSION.stop()
            _SESSION = None


def release_month() -> None:
    """Drops every frame cached in the session (a step's month is done with them)."""
    if _SESSION is not None:
        _SESSION.catalog.clearCache()


@contextmanager
def month_scope() -> Iterator[None]:
    """One step's month on Spark: whatever it cached is released when it ends, however it ends."""
    try:
        yield
    finally:
        release_month()
