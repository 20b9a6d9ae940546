"""Measures: every measure of the rules file per Trust, overall and by IMD and ethnicity."""

import dagster as dg

from pipelines.core.warehouse import connect
from pipelines.measures.compute import compute_measures, write_dq_csv, write_measures_csv
from pipelines.measures.worklists import write_worklists
from pipelines.orchestration.assets.contracts import contract_verdict
from pipelines.orchestration.check_events import SINGLE_RUN, record_checks, selected
from pipelines.orchestration.partitions import monthly
from pipelines.orchestration.progress import step_done
from pipelines.orchestration.resources import EngineResource, MdqSettings
from schemas.outputs import MeasureRows


@dg.asset(
    deps=["bookings", "submissions"],
    partitions_def=monthly,
    backfill_policy=SINGLE_RUN,
    group_name="measures",
    check_specs=[
        dg.AssetCheckSpec(
            "measures_contract",
            asset="measures",
            partitions_def=monthly,
            description="The month's measure rows conform to schemas/outputs.py::MeasureRows.",
        )
    ],
    description="Measure history in the warehouse and measures-YYYY-MM.csv: exact numerators and denominators.",
)
def measures(context: dg.AssetExecutionContext, mdq: MdqSettings, engine: EngineResource):
    verdicts = []
    for month in context.partition_keys:
        if engine.spark:
            from pipelines.measures.spark_compute import compute_measures_spark, write_dq_csv_spark

            with engine.month_scope():
                frame = compute_measures_spark(mdq.warehouse_file, month)
                dq_path = write_dq_csv_spark(mdq.warehouse_file, mdq.out_dir, month)
        with connect(mdq.warehouse_file, read_only=engine.spark) as con:
            if not engine.spark:
                frame = compute_measures(con, month)
                dq_path = write_dq_csv(con, mdq.out_dir, month)
            if selected(context, "measures", "measures_contract"):
                verdicts.append(contract_verdict(con, "measures", "measures", MeasureRows, month))
        path = write_measures_csv(frame, mdq.out_dir, month)
        context.add_asset_metadata(
            {
                "csv": dg.MetadataValue.path(str(path)),
                "dq_csv": dg.MetadataValue.path(str(dq_path)),
                "rows": frame.height,
            },
            partition_key=month,
        )
        step_done("measures", month)
    yield dg.MaterializeResult()
    yield from record_checks(context, verdicts)


@dg.asset(
    deps=["measures"],
    partitions_def=monthly,
    backfill_policy=SINGLE_RUN,
    group_name="measures",
    description="Per-Trust CSVs of the month's records failing a gated measure, by file and line, to fix at source.",
)
def worklists(context: dg.AssetExecutionContext, mdq: MdqSettings, engine: EngineResource) -> dg.MaterializeResult:
    for month in context.partition_keys:
        if engine.spark:
            from pipelines.measures.spark_compute import write_worklists_spark

            with engine.month_scope():
                paths = write_worklists_spark(mdq.warehouse_file, month, mdq.out_dir)
        else:
            with connect(mdq.warehouse_file) as con:
                paths = write_worklists(con, month, mdq.out_dir)
        folder = mdq.out_dir / "worklists"
        context.add_asset_metadata(
            {"folder": dg.MetadataValue.path(str(folder)), "trusts": len(paths)}, partition_key=month
        )
        step_done("worklists", month)
    return dg.MaterializeResult()
