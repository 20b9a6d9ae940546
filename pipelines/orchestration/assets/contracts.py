"""Schema-conformance checks for the stored tables that have no check of their own elsewhere."""

import dagster as dg
import pandera.polars as pa

from pipelines.core.warehouse import connect
from pipelines.orchestration.partitions import monthly
from pipelines.orchestration.resources import MdqSettings
from schemas.outputs import MeasureRows, QuarantineRows, SubmissionRows


def _contract_check(asset: str, table: str, model: type[pa.DataFrameModel]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=f"{table}_contract",
        partitions_def=monthly,
        description=f"The month's rows of `{table}` conform to schemas/outputs.py::{model.__name__}.",
    )
    def _check(context: dg.AssetCheckExecutionContext, mdq: MdqSettings) -> dg.AssetCheckResult:
        with connect(mdq.warehouse_file, read_only=True) as con:
            frame = con.sql(
                f"SELECT * FROM {table} WHERE reporting_month = $m", params={"m": context.partition_key}
            ).pl()
        try:
            model.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
            checks = sorted(set(cases.get_column("check").to_list()))
            return dg.AssetCheckResult(
                passed=False, metadata={"rows": frame.height, "failed_checks": ", ".join(checks)}
            )
        return dg.AssetCheckResult(passed=True, metadata={"rows": frame.height})

    return _check


measures_contract = _contract_check("measures", "measures", MeasureRows)
quarantine_contract = _contract_check("quarantine", "quarantine", QuarantineRows)
submissions_contract = _contract_check("submissions", "submissions", SubmissionRows)
