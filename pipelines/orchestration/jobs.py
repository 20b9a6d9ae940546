"""The one job: every asset of the graph for a reporting month. `mdq run` executes this same job."""

import dagster as dg

monthly_dq_job = dg.define_asset_job(
    "monthly_dq",
    selection=dg.AssetSelection.all(),
    description="Ingest a month's extracts, compute the measures, gate them and write the scorecard.",
)
