"""The one job: every asset of the graph for a reporting month or a range of them.

`mdq run` executes this same job. Its steps run one after another in the run's own process
(the in-process executor): a month's steps share the warehouse one at a time anyway, and a
process per step would cost each step Dagster's and Great Expectations' imports again (a UI run
took ~4x the CLI's time that way).
"""

import dagster as dg

monthly_dq_job = dg.define_asset_job(
    "monthly_dq",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest a month's extracts, compute the measures, gate them and write the scorecard.",
)
