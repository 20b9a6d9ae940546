"""Runs the Dagster job in-process for one month: the CLI's way into the same asset graph.

Runs are recorded in the project's Dagster instance (dagster.yaml at the repository root), so a
month materialised by `mdq run` shows in `dagster dev` like one launched from the UI.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.paths import REPO_ROOT


@dataclass(frozen=True)
class RunSettings:
    landing: Path
    reference: Path
    warehouse: Path
    out: Path

    def run_config(self) -> dict:
        config = {k: str(v.resolve()) for k, v in vars(self).items()}
        # The CLI prints its own summary; Dagster's step-by-step DEBUG events stay in the UI.
        return {"resources": {"mdq": {"config": config}}, "loggers": {"console": {"config": {"log_level": "WARNING"}}}}


class StepFailed(RuntimeError):
    """A step of the graph raised: the message is the step's own error, one line."""


@contextmanager
def project_instance():
    """The repository's Dagster instance; its relative storage paths resolve from the repo root."""
    if os.environ.get("DAGSTER_HOME"):
        with dg.DagsterInstance.get() as instance:
            yield instance
        return
    previous = Path.cwd()
    os.chdir(REPO_ROOT)
    try:
        with dg.DagsterInstance.from_config(str(REPO_ROOT)) as instance:
            yield instance
    finally:
        os.chdir(previous)


def run_month(
    month: str, settings: RunSettings, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    from pipelines.definitions import defs

    job = defs.resolve_job_def("monthly_dq")
    result = job.execute_in_process(
        partition_key=month,
        run_config=settings.run_config(),
        instance=instance,
        raise_on_error=False,
        tags={"mdq/front_door": "cli"},
    )
    if not result.success:
        raise StepFailed(first_error(result))
    return result


def first_error(result: dg.ExecuteInProcessResult) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None and error.cls_name in ("DagsterExecutionStepExecutionError",):
                error = error.cause
            return f"{event.step_key}: {error.message.strip().splitlines()[-1]}"
    return "the run failed"
