"""Runs the Dagster job in-process for a month or a range of months: the CLI's way into the same graph.

Runs are recorded in the project's Dagster instance (dagster.yaml at the repository root), so a
month materialised by `mdq run` shows in the UI (`mdq ui`) like one launched from there.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from filelock import FileLock

from pipelines.core.paths import REPO_ROOT
from pipelines.core.warehouse import WarehouseBusy


@dataclass(frozen=True)
class RunSettings:
    landing: Path
    reference: Path
    warehouse: Path
    out: Path
    engine: str = "duckdb"

    def run_config(self) -> dict:
        config = {k: str(v.resolve()) for k, v in vars(self).items() if isinstance(v, Path)}
        # The CLI prints its own summary and one line per error; Dagster's events stay in the UI.
        return {
            "resources": {"mdq": {"config": config}, "engine": {"config": {"name": self.engine}}},
            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
        }


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


def run_months(
    months: list[str], settings: RunSettings, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """One run of the job over the months, a consecutive range (one month: its partition).

    A backfill is one run over the range, as the assets' single-run backfill policy makes a UI
    backfill: each asset does its months in turn, so the run's fixed costs are paid once.
    """
    from pipelines.orchestration.definitions import defs

    job = defs.resolve_job_def("monthly_dq")
    tags = {"mdq/front_door": "cli"}
    partition_key = None
    if len(months) == 1:
        partition_key = months[0]
    else:
        tags |= {ASSET_PARTITION_RANGE_START_TAG: months[0], ASSET_PARTITION_RANGE_END_TAG: months[-1]}
    result = job.execute_in_process(
        partition_key=partition_key,
        run_config=settings.run_config(),
        instance=instance,
        raise_on_error=False,
        tags=tags,
    )
    if not result.success:
        cause, message = first_error(result)
        if cause == WarehouseBusy.__name__:
            raise WarehouseBusy(message)
        raise StepFailed(message)
    return result


def first_error(result: dg.ExecuteInProcessResult) -> tuple[str | None, str]:
    """(class of the error at the root of the first failed step, its one-line message)."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            # Dagster wraps the step's own exception; the root cause is the user's error.
            while error.cause is not None and error.cls_name in ("DagsterExecutionStepExecutionError",):
                error = error.cause
            user = event.step_failure_data.user_failure_data
            message = user.description if user and user.description else error.message.strip().splitlines()[-1]
            # "pipelines.ingest.reference.ReferenceError: <reason>" -> "<reason>"
            message = re.sub(r"^[\w.]+(Error|Exception|Busy|Failed|Failure): ", "", message)
            if error.cls_name == WarehouseBusy.__name__:
                return error.cls_name, message
            return error.cls_name, f"{event.step_key}: {message}"
    return None, "the run failed"
