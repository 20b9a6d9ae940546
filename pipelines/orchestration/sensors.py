"""Landing sensor: a new or resubmitted extract (by content checksum) requests its month's run.

Off by default: switched on in `dagster dev` it would load every month it finds at once, which
an analyst should choose to do. Turn it on in the UI (Automation) for routine use.
"""

import hashlib
import json

import dagster as dg

from pipelines.core.config import load_layouts
from pipelines.ingest.landing import discover, landed_checksum
from pipelines.orchestration.jobs import monthly_dq_job
from pipelines.orchestration.partitions import partition_problem
from pipelines.orchestration.resources import MdqSettings


def landing_changes(
    mdq: MdqSettings, cursor: "str | None"
) -> "tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]":
    """New cursor ({path: size:mtime:checksum}), the changed files per month, and every file's state per month."""
    seen = json.loads(cursor) if cursor else {}
    current, changed, month_state = {}, {}, {}
    for extract in discover(mdq.landing_dir, load_layouts()):
        try:
            stat = extract.path.lstat()
            stamp = f"{stat.st_mode}:{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:  # gone since it was listed: the next evaluation sees the folder as it is
            continue
        previous = seen.get(str(extract.path), "")
        # Hash only files whose size or time moved: the checksum decides, the stamp saves work.
        digest = previous.rsplit(":", 1)[-1] if previous.startswith(stamp + ":") else landed_checksum(extract)
        current[str(extract.path)] = f"{stamp}:{digest}"
        month_state.setdefault(extract.month, []).append(f"{extract.file_name}:{digest}")
        if previous.rsplit(":", 1)[-1] != digest:
            changed.setdefault(extract.month, []).append(extract.file_name)
    return current, changed, month_state


@dg.sensor(
    job=monthly_dq_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Requests a month's run when an extract for it lands or is resubmitted.",
)
def landing_sensor(context: dg.SensorEvaluationContext, mdq: MdqSettings):
    current, changed, month_state = landing_changes(mdq, context.cursor)
    for month in sorted(changed):
        problem = partition_problem(month)
        if problem:
            context.log.warning(f"extracts for {month} ignored: {problem}")
            continue
        # The run key names the month's exact set of files, so the same content never runs twice.
        state = json.dumps(sorted(month_state[month]))
        run_key = f"{month}:{hashlib.sha256(state.encode()).hexdigest()[:16]}"
        yield dg.RunRequest(
            run_key=run_key, partition_key=month, tags={"mdq/changed_files": ",".join(sorted(changed[month]))}
        )
    context.update_cursor(json.dumps(current, sort_keys=True))
