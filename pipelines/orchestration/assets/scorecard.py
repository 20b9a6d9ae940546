"""The month's self-contained HTML scorecard for the Quality and Safety workstream."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from pipelines.core.warehouse import connect
from pipelines.gate.reuse import publish, publish_parquet
from pipelines.orchestration.check_events import SINGLE_RUN
from pipelines.orchestration.partitions import monthly
from pipelines.orchestration.progress import step_done
from pipelines.orchestration.resources import EngineResource, MdqSettings
from pipelines.scorecard import write_scorecard


@dg.asset(
    deps=["measures", "gate_results", "worklists", "golive"],
    partitions_def=monthly,
    backfill_policy=SINGLE_RUN,
    group_name="scorecard",
    description="scorecard-YYYY-MM.html: headline tiles, SPC trends, IMD and ethnicity breakdowns, method notes.",
)
def scorecard(context: dg.AssetExecutionContext, mdq: MdqSettings, engine: EngineResource) -> dg.MaterializeResult:
    for month in context.partition_keys:
        started = datetime.now(UTC)
        # On Spark the scorecard reads the Parquet warehouse through DuckDB views (read only).
        with connect(mdq.warehouse_file, read_only=engine.spark) as con:
            docs = con.execute(
                "SELECT any_value(data_docs) FROM gate_results WHERE reporting_month = ?", [month]
            ).fetchone()[0]
            worklists = {
                path.stem.rsplit("-", 1)[-1]: path
                for path in sorted((mdq.out_dir / "worklists").glob(f"worklist-{month}-*.csv"))
            }
            path = write_scorecard(
                con,
                month,
                mdq.out_dir,
                data_docs=Path(docs) if docs else None,
                worklists=worklists,
                run_started=started,
            )
            # Published with the files this run wrote: `mdq gate` reuses the month only while they stand.
            outputs = [mdq.out_dir / f"{name}-{month}.csv" for name in ("measures", "dq", "golive")]
            outputs += [*worklists.values(), path]
            # The month's Data Docs folder, and the site's static files its pages load.
            docs_folders = [Path(docs).parent, Path(docs).parent.parent / "static"] if docs else []
            if not engine.spark:
                publish(con, month, outputs + docs_folders)
        if engine.spark:
            publish_parquet(mdq.warehouse_file, month, outputs + docs_folders)
        context.add_asset_metadata(
            {
                "scorecard": dg.MetadataValue.path(str(path)),
                "size_kb": round(path.stat().st_size / 1024, 1),
                "data_docs": dg.MetadataValue.path(docs) if docs else "not built",
            },
            partition_key=month,
        )
        step_done("scorecard", month)
    return dg.MaterializeResult()
