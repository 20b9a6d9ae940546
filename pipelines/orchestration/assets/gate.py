"""The Great Expectations gate: one verdict per Trust and gated measure, visible as asset checks.

A breach is a WARN check failure in the UI (the scorecard must still be written so people see
the breach); `mdq gate` turns the same stored verdicts into exit status 1.
"""

import dagster as dg
import polars as pl

from pipelines.core.config import gated_measures, load_layouts, load_rules
from pipelines.core.warehouse import connect
from pipelines.gate.results import run_month_gate
from pipelines.orchestration.partitions import monthly
from pipelines.orchestration.resources import MdqSettings


def _check_name(org: str, measure_id: str) -> str:
    return f"{org}_{measure_id}"


GATE_CHECKS = [
    dg.AssetCheckSpec(
        _check_name(org, m["id"]),
        asset="gate_results",
        partitions_def=monthly,
        description=f"{org}: {m['title']} at or above the threshold in checks/rules.yaml (Great Expectations).",
    )
    for org in load_layouts().providers
    for m in gated_measures(load_rules())
]


@dg.asset(
    deps=["measures"],
    partitions_def=monthly,
    group_name="gate",
    check_specs=GATE_CHECKS,
    description="Great Expectations verdicts per Trust and gated measure, and the month's Data Docs.",
)
def gate_results(context: dg.AssetExecutionContext, mdq: MdqSettings):
    month = context.partition_key
    with connect(mdq.warehouse_file) as con:
        frame, docs = run_month_gate(con, month, mdq.warehouse_file.parent / "gx", mdq.out_dir)
        sql = con.execute(
            """SELECT s.org_code, m.measure_id, m.numerator, m.denominator, m.rate, m.status, s.completeness
               FROM measures m JOIN trust_month_status s USING (reporting_month, org_code)
               WHERE m.reporting_month = ? AND m.breakdown = 'overall' AND m.threshold IS NOT NULL""",
            [month],
        ).fetchall()
    by_key = {(r["org_code"], r["measure_id"]): r for r in frame.iter_rows(named=True)}
    yield dg.MaterializeResult(
        metadata={
            "data_docs": dg.MetadataValue.path(str(docs)) if docs else None,
            "breaches": int(frame.filter(~pl.col("success")).height),
        }
    )
    specs = {(spec.name): spec for spec in GATE_CHECKS}
    for org, measure_id, numerator, denominator, rate, _status, completeness in sql:
        name = _check_name(org, measure_id)
        if name not in specs:
            continue
        ge = by_key.get((org, measure_id))
        agrees = (
            ge is not None
            and ge["element_count"] == denominator
            and ge["element_count"] - ge["unexpected_count"] == numerator
        )
        passed = bool(ge and ge["success"]) and completeness == "complete" and agrees
        yield dg.AssetCheckResult(
            check_name=name,
            passed=passed,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "observed_rate": rate,
                "threshold": ge["threshold"] if ge else None,
                "numerator": numerator,
                "denominator": denominator,
                "submission": completeness,
                "ge_agrees_with_sql": agrees,
            },
        )
