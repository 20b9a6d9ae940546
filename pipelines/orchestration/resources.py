"""Where a run reads and writes: one resource, configured from the CLI flags or the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.core.engines import ENGINES, default_warehouse, engine_name, spark_master
from pipelines.core.paths import DEFAULT_OUT, SAMPLE_DATA


class MdqSettings(dg.ConfigurableResource):
    """Landing folder, reference folder, warehouse file and output folder for a run."""

    landing: str = os.environ.get("MDQ_LANDING", str(SAMPLE_DATA))
    reference: str = os.environ.get("MDQ_REFERENCE", "")  # empty: <landing>/reference
    warehouse: str = os.environ.get("MDQ_WAREHOUSE", str(default_warehouse(engine_name())))
    out: str = os.environ.get("MDQ_OUT", str(DEFAULT_OUT))

    @property
    def landing_dir(self) -> Path:
        return Path(self.landing)

    @property
    def reference_dir(self) -> Path:
        return Path(self.reference) if self.reference else self.landing_dir / "reference"

    @property
    def warehouse_file(self) -> Path:
        return Path(self.warehouse)

    @property
    def out_dir(self) -> Path:
        return Path(self.out)


class EngineResource(dg.ConfigurableResource):
    """Which engine runs the models and rules: DuckDB (embedded, the default) or Apache Spark.

    ``mdq run --engine`` sets it for the CLI's runs; the UI's come from MDQ_ENGINE. Spark's cluster
    is MDQ_SPARK_MASTER (local[*] when unset; spark://, or sc:// for Spark Connect / Databricks).
    The asset graph, checks, sensor and schedule are the same whichever runs.
    """

    name: str = engine_name()

    @property
    def spark(self) -> bool:
        if self.name not in ENGINES:
            raise dg.Failure(description=f"unknown engine {self.name!r}: choose one of {', '.join(ENGINES)}")
        return self.name == "spark"

    @property
    def master(self) -> str:
        return spark_master()
