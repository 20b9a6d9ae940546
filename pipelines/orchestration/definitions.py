"""Every asset, check, job, sensor, schedule and resource of the graph (pipelines/definitions.py re-exports them)."""

import dagster as dg

from pipelines.orchestration.assets import contracts, gate, ingest, measures, scorecard
from pipelines.orchestration.jobs import monthly_dq_job
from pipelines.orchestration.resources import MdqSettings
from pipelines.orchestration.schedules import monthly_schedule
from pipelines.orchestration.sensors import landing_sensor

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([ingest, measures, gate, scorecard]),
    asset_checks=dg.load_asset_checks_from_modules([ingest, measures, gate, scorecard, contracts]),
    jobs=[monthly_dq_job],
    sensors=[landing_sensor],
    schedules=[monthly_schedule],
    resources={"mdq": MdqSettings()},
)
