"""Measures: every measure of the rules file per Trust, overall and by IMD and ethnicity."""

import dagster as dg
import polars as pl

from pipelines.core.warehouse import connect
from pipelines.measures.compute import compute_measures, write_dq_csv, write_measures_csv
from pipelines.measures.worklists import write_worklists
from pipelines.orchestration.partitions import monthly
from pipelines.orchestration.resources import MdqSettings


@dg.asset(
    deps=["bookings", "submissions"],
    partitions_def=monthly,
    group_name="measures",
    description="Measure history in the warehouse and measures-YYYY-MM.csv: exact numerators and denominators.",
)
def measures(context: dg.AssetExecutionContext, mdq: MdqSettings) -> dg.MaterializeResult:
    month = context.partition_key
    with connect(mdq.warehouse_file) as con:
        frame = compute_measures(con, month)
        dq_path = write_dq_csv(con, mdq.out_dir, month)
    path = write_measures_csv(frame, mdq.out_dir, month)
    overall = frame.filter((pl.col("breakdown") == "overall") & (pl.col("threshold").is_not_null()))
    rates = {
        f"{r['org_code']} {r['measure_id']}": f"{r['numerator']}/{r['denominator']} "
        f"({'n/a' if r['rate'] is None else format(r['rate'], '.1%')}) {r['status']}"
        for r in overall.iter_rows(named=True)
    }
    return dg.MaterializeResult(
        metadata={
            "csv": dg.MetadataValue.path(str(path)),
            "dq_csv": dg.MetadataValue.path(str(dq_path)),
            "rows": frame.height,
            "gated_rates": dg.MetadataValue.json(rates),
        }
    )


@dg.asset(
    deps=["measures"],
    partitions_def=monthly,
    group_name="measures",
    description="Per-Trust CSVs of the month's records failing a gated measure, by file and line, to fix at source.",
)
def worklists(context: dg.AssetExecutionContext, mdq: MdqSettings) -> dg.MaterializeResult:
    month = context.partition_key
    with connect(mdq.warehouse_file) as con:
        paths = write_worklists(con, month, mdq.out_dir)
    return dg.MaterializeResult(metadata={org: dg.MetadataValue.path(str(p)) for org, p in paths.items()})
