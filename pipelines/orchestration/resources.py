"""Where a run reads and writes: one resource, configured from the CLI flags or the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.core.paths import DEFAULT_OUT, DEFAULT_WAREHOUSE, SAMPLE_DATA


class MdqSettings(dg.ConfigurableResource):
    """Landing folder, reference folder, warehouse file and output folder for a run."""

    landing: str = os.environ.get("MDQ_LANDING", str(SAMPLE_DATA))
    reference: str = os.environ.get("MDQ_REFERENCE", "")  # empty: <landing>/reference
    warehouse: str = os.environ.get("MDQ_WAREHOUSE", str(DEFAULT_WAREHOUSE))
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
