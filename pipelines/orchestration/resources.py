"""Where a run reads and writes: one resource, configured from the CLI flags or the environment.

Nothing here reads the engine at import: a bad MDQ_ENGINE must not stop the definitions loading
(the UI, `mdq run --engine duckdb`); a run on it fails as it starts, saying why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from pipelines.core.engines import EngineError, default_warehouse, engine_name, spark_master
from pipelines.core.paths import DEFAULT_OUT, SAMPLE_DATA


class MdqSettings(dg.ConfigurableResource):
    """Landing folder, reference folder, warehouse file and output folder for a run."""

    landing: str = os.environ.get("MDQ_LANDING", str(SAMPLE_DATA))
    reference: str = os.environ.get("MDQ_REFERENCE", "")  # empty: <landing>/reference
    # Empty: the engine's own (var/warehouse/mdq.duckdb, or the folder var/warehouse/spark).
    warehouse: str = os.environ.get("MDQ_WAREHOUSE", "")
    out: str = os.environ.get("MDQ_OUT", str(DEFAULT_OUT))

    @property
    def landing_dir(self) -> Path:
        return Path(self.landing)

    @property
    def reference_dir(self) -> Path:
        return Path(self.reference) if self.reference else self.landing_dir / "reference"

    @property
    def warehouse_file(self) -> Path:
        return Path(self.warehouse) if self.warehouse else default_warehouse(engine_name())

    @property
    def out_dir(self) -> Path:
        return Path(self.out)


class Engine(Enum):
    duckdb = "duckdb"
    spark = "spark"


class EngineResource(dg.ConfigurableResource):
    """Which engine runs the models and rules: DuckDB (embedded, the default) or Apache Spark.

    ``mdq run --engine`` sets it for the CLI's runs; unset (the UI's runs), MDQ_ENGINE is read
    when the run starts. A name that is no engine is refused by Dagster's config check at launch;
    a bad MDQ_ENGINE fails the run as its resources start, with the line `mdq` prints. Spark's
    cluster is MDQ_SPARK_MASTER (local[*] when unset; spark://, or sc:// for Spark Connect /
    Databricks). The asset graph, checks, sensor and schedule are the same whichever runs.
    """

    name: Engine | None = None
    _engine: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._engine = self.resolved()

    def resolved(self) -> str:
        """The engine's name: this resource's, else MDQ_ENGINE's, else duckdb."""
        try:
            return engine_name(self.name.value if self.name else None)
        except EngineError as exc:
            raise dg.Failure(description=str(exc)) from None

    @property
    def spark(self) -> bool:
        return (self._engine or self.resolved()) == "spark"

    @property
    def master(self) -> str:
        return spark_master()

    @contextmanager
    def month_scope(self) -> Iterator[None]:
        """One step's month: on Spark, every frame it cached is released when it ends (raw
        identifiers among them), so a backfill holds no earlier month."""
        if not self.spark:
            yield
            return
        from pipelines.core.engines.spark_session import month_scope

        with month_scope():
            yield
