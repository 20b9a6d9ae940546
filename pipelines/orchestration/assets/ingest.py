"""Ingest: the month's extracts into the canonical bookings, quarantine and submissions tables
(a parallel-run extract into parallel_bookings: pipelines/ingest/routing.py).

The checks on what ingest stored run inside this step, month by month (check_events.py says
why): rows conserved, every stored table against its contract, every extract readable.
"""

import dagster as dg

from pipelines.core.warehouse import connect
from pipelines.ingest.load_month import load_months
from pipelines.orchestration.assets.contracts import contract_verdict
from pipelines.orchestration.check_events import SINGLE_RUN, record_checks, selected, verdict
from pipelines.orchestration.partitions import month_problem, monthly
from pipelines.orchestration.progress import step_done
from pipelines.orchestration.resources import EngineResource, MdqSettings
from schemas.canonical import canonical_failures
from schemas.outputs import QuarantineRows, SubmissionRows

INGEST_GROUP = "ingest"

CHECKS = [
    dg.AssetCheckSpec(
        "rows_conserved",
        asset="bookings",
        partitions_def=monthly,
        description="Every input row is loaded or quarantined: rows read = loaded + quarantined, file by file; "
        "and every physical line starts or continues one of those rows: lines = rows read + continuation lines.",
    ),
    dg.AssetCheckSpec(
        "canonical_contract",
        asset="bookings",
        partitions_def=monthly,
        description="The month's stored bookings conform to the canonical pandera contract (schemas/canonical.py).",
    ),
    dg.AssetCheckSpec(
        "canonical_contract",
        asset="parallel_bookings",
        partitions_def=monthly,
        description="The month's parallel-run bookings conform to the canonical pandera contract too.",
    ),
    dg.AssetCheckSpec(
        "quarantine_contract",
        asset="quarantine",
        partitions_def=monthly,
        description="The month's quarantined rows conform to schemas/outputs.py::QuarantineRows.",
    ),
    dg.AssetCheckSpec(
        "extracts_readable",
        asset="submissions",
        partitions_def=monthly,
        description="Every current extract could be read as its layout (encoding, header, structure); "
        "a WARN lists those that could not, with the reason.",
    ),
    dg.AssetCheckSpec(
        "submissions_contract",
        asset="submissions",
        partitions_def=monthly,
        description="The month's audit records conform to schemas/outputs.py::SubmissionRows.",
    ),
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "bookings",
            description="Canonical MSDS-aligned bookings, pseudonymised, one row per pregnancy booked in the month.",
            group_name=INGEST_GROUP,
        ),
        dg.AssetSpec(
            "quarantine",
            description="Input rows not loaded, with file, line, column and reason.",
            group_name=INGEST_GROUP,
        ),
        dg.AssetSpec(
            "submissions", description="Audit trail of every extract seen, by checksum.", group_name=INGEST_GROUP
        ),
        dg.AssetSpec(
            "parallel_bookings",
            description="Parallel-run extracts (a second system's extract for a Trust-month at go-live), "
            "canonical like bookings, with their own quarantine and events; never counted in bookings.",
            group_name=INGEST_GROUP,
        ),
    ],
    partitions_def=monthly,
    backfill_policy=SINGLE_RUN,
    check_specs=CHECKS,
)
def ingest_month(context: dg.AssetExecutionContext, mdq: MdqSettings, engine: EngineResource):
    months = context.partition_keys
    # Refuse before loading anything, with the line `mdq run` prints for the same month.
    for month in months:
        problem = month_problem(month, mdq.landing_dir)
        if problem:
            raise dg.Failure(description=problem)
    verdicts = []
    if engine.spark:
        from pipelines.ingest.spark_write import load_month_spark

        loaded = (load_month_spark(m, mdq.landing_dir, mdq.warehouse_file, mdq.reference_dir) for m in months)
    else:
        loaded = load_months(months, mdq.landing_dir, mdq.warehouse_file, mdq.reference_dir)
    for month in months:
        with engine.month_scope():  # the month's load (next) and its checks
            prepared, summary = next(loaded)
            for f in prepared.files:
                if f.error is not None:
                    context.log.warning(str(f.error))
            verdicts += _record_month(context, month, mdq, summary, engine.spark)
        step_done("ingest", month)
    loaded.close()
    for key in ("bookings", "quarantine", "submissions", "parallel_bookings"):
        yield dg.MaterializeResult(asset_key=key)
    yield from record_checks(context, verdicts)


def _record_month(context: dg.AssetExecutionContext, month: str, mdq: MdqSettings, summary, spark: bool) -> list:
    """The month's materialisation metadata, and its check verdicts."""
    out = []
    with connect(mdq.warehouse_file, read_only=True) as con:
        stored = con.execute(
            """SELECT file_name, status, rows_read, rows_loaded, rows_quarantined FROM submissions
               WHERE reporting_month = ? AND status IN ('loaded', 'unreadable') ORDER BY 1""",
            [month],
        ).fetchall()
        per_file = {
            name: f"{status}: read {read}, loaded {loaded}, quarantined {quarantined}"
            for name, status, read, loaded, quarantined in stored
        }
        context.add_asset_metadata(
            {
                "rows_read": summary.rows_read,
                "rows_loaded": summary.rows_loaded,
                "files": dg.MetadataValue.json(per_file),
            },
            asset_key="bookings",
            partition_key=month,
        )
        context.add_asset_metadata(
            {"rows_quarantined": summary.rows_quarantined}, asset_key="quarantine", partition_key=month
        )
        context.add_asset_metadata(
            {"files": summary.files, "unreadable_files": summary.unreadable, "parallel_files": summary.parallel_files},
            asset_key="submissions",
            partition_key=month,
        )
        parallel = con.execute("SELECT count(*) FROM parallel_bookings WHERE reporting_month = ?", [month]).fetchone()[
            0
        ]
        context.add_asset_metadata(
            {"rows": parallel, "files": summary.parallel_files}, asset_key="parallel_bookings", partition_key=month
        )
        if selected(context, "bookings", "rows_conserved"):
            broken = con.execute(
                """SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM submissions
                   WHERE reporting_month = ? AND status = 'loaded'
                     AND (rows_read <> rows_loaded + rows_quarantined
                          OR lines_read IS DISTINCT FROM rows_read + continuation_lines)
                   ORDER BY 1""",
                [month],
            ).fetchall()
            files = {name: f"read {r}, loaded {lo}, quarantined {q}" for name, r, lo, q in broken}
            out.append(
                verdict(
                    "bookings",
                    "rows_conserved",
                    month,
                    not broken,
                    {"files_not_conserved": len(broken), **({"files": dg.MetadataValue.json(files)} if files else {})},
                )
            )
        for table in ("bookings", "parallel_bookings"):
            if selected(context, table, "canonical_contract") and spark:
                # pandera's PySpark backend over the stored month, on Spark.
                from pipelines.ingest.spark_contract import stored_canonical_verdict

                rows, failing = stored_canonical_verdict(mdq.warehouse_file, month, table)
                out.append(
                    verdict(
                        table,
                        "canonical_contract",
                        month,
                        not failing,
                        {"rows": rows, "failed_checks": ", ".join(failing) or "none"},
                    )
                )
            elif selected(context, table, "canonical_contract"):
                frame = con.sql(f"SELECT * FROM {table} WHERE reporting_month = $m", params={"m": month}).pl()
                failures = canonical_failures(frame)
                out.append(
                    verdict(
                        table,
                        "canonical_contract",
                        month,
                        failures.height == 0,
                        {"rows": frame.height, "failing_rows": failures.height},
                    )
                )
        if selected(context, "quarantine", "quarantine_contract"):
            out.append(contract_verdict(con, "quarantine", "quarantine", QuarantineRows, month))
        if selected(context, "submissions", "submissions_contract"):
            out.append(contract_verdict(con, "submissions", "submissions", SubmissionRows, month))
        if selected(context, "submissions", "extracts_readable"):
            out.append(_readable(con, month))
    return out


def _readable(con, month: str) -> dg.AssetCheckEvaluation:
    unreadable = con.execute(
        """SELECT file_name, error_line, error_column, error FROM submissions
           WHERE reporting_month = ? AND status = 'unreadable' ORDER BY 1""",
        [month],
    ).fetchall()
    quarantined = con.execute("SELECT count(*) FROM quarantine WHERE reporting_month = ?", [month]).fetchone()[0]
    reasons = {
        name: (f"line {line}, " if line else "") + (f"column {column}: " if column else "") + str(error)
        for name, line, column, error in unreadable
    }
    return verdict(
        "submissions",
        "extracts_readable",
        month,
        not unreadable,
        {
            "unreadable_files": len(unreadable),
            **({"reasons": dg.MetadataValue.json(reasons)} if reasons else {}),
            "rows_quarantined": quarantined,
        },
        severity=dg.AssetCheckSeverity.WARN,
        description=None
        if not unreadable
        else f"{len(unreadable)} extract(s) could not be read: " + ", ".join(reasons),
    )
