"""Runs the Dagster job in-process for one month: the CLI's way into the same asset graph.

Runs are recorded in the project's Dagster instance (dagster.yaml at the repository root), so a
month materialised by `mdq run` shows in `dagster dev` like one launched from the UI.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from filelock import FileLock

from pipelines.core.paths import REPO_ROOT


@dataclass(frozen=True)
class RunSettings:
    landing: Path
    reference: Path
    warehouse: Path
    out: Path

    def run_config(self) -> dict:
        config = {k: str(v.resolve()) for k, v in vars(self).items()}
        # The CLI prints its own summary and one line per error; Dagster's events stay in the UI.
        return {"resources": {"mdq": {"config": config}}, "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class StepFailed(RuntimeError):
    """A step of the graph raised: the message is the step's own error, one line."""


@contextmanager
def project_instance():
    """The Dagster instance in DAGSTER_HOME, else the repository's (dagster.yaml at its root).

    dagster.yaml's storage paths are relative, and Dagster resolves them from the working
    directory, so the instance is used from inside its home. Two `mdq` processes creating a new
    instance's SQLite schemas at once collide, so creation is serialised by a file lock.
    """
    home = Path(os.environ.get("DAGSTER_HOME") or REPO_ROOT).resolve()
    previous = Path.cwd()
    os.chdir(home)
    try:
        with FileLock(str(home / ".mdq-instance.lock")):
            instance = dg.DagsterInstance.from_config(str(home))
            # Touch every shared store now, inside the lock, so their schemas exist before any run.
            instance.get_runs(limit=1)
            instance.all_instigator_state()
            instance.event_log_storage.get_asset_records([])
        with instance:
            yield instance
    finally:
        os.chdir(previous)


def run_month(
    month: str, settings: RunSettings, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    from pipelines.orchestration.definitions import defs

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
            message = error.message.strip().splitlines()[-1]
            # "pipelines.ingest.reference.ReferenceError: <reason>" -> "<reason>"
            message = re.sub(r"^[\w.]+(Error|Exception|Busy|Failed): ", "", message)
            return f"{event.step_key}: {message}"
    return "the run failed"
