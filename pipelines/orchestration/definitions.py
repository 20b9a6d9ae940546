"""Every asset, check, job, sensor, schedule and resource of the graph (pipelines/definitions.py re-exports them)."""

import dagster as dg

from pipelines.orchestration.assets import gate, golive, ingest, measures, scorecard
from pipelines.orchestration.jobs import monthly_dq_job
from pipelines.orchestration.resources import MdqSettings
from pipelines.orchestration.schedules import monthly_schedule
from pipelines.orchestration.sensors import landing_sensor

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([ingest, golive, measures, gate, scorecard]),
    jobs=[monthly_dq_job],
    sensors=[landing_sensor],
    schedules=[monthly_schedule],
    resources={"mdq": MdqSettings()},
    # Materialising from the asset graph (not the job) runs in one process too, as the job does.
    executor=dg.in_process_executor,
)
