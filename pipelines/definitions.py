"""The Dagster entry point: `dagster dev` from the repository root loads `defs` from here."""

from pipelines.orchestration.definitions import defs

__all__ = ["defs"]
