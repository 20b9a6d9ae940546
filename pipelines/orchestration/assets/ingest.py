"""Ingest: the month's extracts into the canonical bookings, quarantine and submissions tables."""

import dagster as dg

from pipelines.core.warehouse import connect
from pipelines.ingest.load_month import load_month
from pipelines.orchestration.partitions import monthly
from pipelines.orchestration.resources import MdqSettings
from schemas.canonical import canonical_failures

INGEST_GROUP = "ingest"


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
    ],
    partitions_def=monthly,
)
def ingest_month(context: dg.AssetExecutionContext, mdq: MdqSettings):
    month = context.partition_key
    prepared, summary = load_month(month, mdq.landing_dir, mdq.warehouse_file, mdq.reference_dir)
    for f in prepared.files:
        if f.error is not None:
            context.log.warning(str(f.error))
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
    yield dg.MaterializeResult(
        asset_key="bookings",
        metadata={
            "rows_read": summary.rows_read,
            "rows_loaded": summary.rows_loaded,
            "files": dg.MetadataValue.json(per_file),
        },
    )
    yield dg.MaterializeResult(asset_key="quarantine", metadata={"rows_quarantined": summary.rows_quarantined})
    yield dg.MaterializeResult(
        asset_key="submissions",
        metadata={
            "files": summary.files,
            "unreadable_files": summary.unreadable,
        },
    )


@dg.asset_check(
    asset="bookings",
    partitions_def=monthly,
    description="Every input row is loaded or quarantined: read = loaded + quarantined, per file; and every "
    "physical line starts or continues one of those rows: lines = read + continuation lines.",
)
def rows_conserved(context: dg.AssetCheckExecutionContext, mdq: MdqSettings) -> dg.AssetCheckResult:
    month = context.partition_key
    with connect(mdq.warehouse_file, read_only=True) as con:
        broken = con.execute(
            """SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM submissions
               WHERE reporting_month = ? AND status = 'loaded'
                 AND (rows_read <> rows_loaded + rows_quarantined
                      OR lines_read IS DISTINCT FROM rows_read + continuation_lines)""",
            [month],
        ).fetchall()
    return dg.AssetCheckResult(passed=not broken, metadata={"month": month, "files_not_conserved": len(broken)})


@dg.asset_check(
    asset="bookings",
    partitions_def=monthly,
    description="Stored rows conform to the canonical pandera contract (schemas/canonical.py).",
)
def canonical_contract(context: dg.AssetCheckExecutionContext, mdq: MdqSettings) -> dg.AssetCheckResult:
    month = context.partition_key
    with connect(mdq.warehouse_file, read_only=True) as con:
        frame = con.sql("SELECT * FROM bookings WHERE reporting_month = $m", params={"m": month}).pl()
    failures = canonical_failures(frame)
    return dg.AssetCheckResult(
        passed=failures.height == 0, metadata={"month": month, "rows": frame.height, "failing_rows": failures.height}
    )


@dg.asset_check(
    asset="submissions",
    partitions_def=monthly,
    description="Every current extract could be read as its layout (encoding, header, structure); WARN lists those that could not.",
)
def extracts_readable(context: dg.AssetCheckExecutionContext, mdq: MdqSettings) -> dg.AssetCheckResult:
    month = context.partition_key
    with connect(mdq.warehouse_file, read_only=True) as con:
        unreadable = con.execute(
            "SELECT file_name, error FROM submissions WHERE reporting_month = ? AND status = 'unreadable' ORDER BY 1",
            [month],
        ).fetchall()
        quarantined = con.execute("SELECT count(*) FROM quarantine WHERE reporting_month = ?", [month]).fetchone()[0]
    return dg.AssetCheckResult(
        passed=not unreadable,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "unreadable_files": dg.MetadataValue.json(dict(unreadable)),
            "rows_failing_raw_contract_or_placement": quarantined,
        },
    )
