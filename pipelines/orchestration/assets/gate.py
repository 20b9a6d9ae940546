"""The Great Expectations gate, visible as one asset check per gated measure and month.

Each check carries the per-Trust verdicts as a table in its metadata; the verdicts themselves
are the gate's own table (`gate_results`, one row per Trust and measure). One check per measure
rather than per Trust keeps the UI readable and the event log small (130 Trusts would be 260
checks a month). A breach is a failed check with the measure's severity from checks/rules.yaml
(ERROR for the MIS measures), never blocking: the scorecard must still be written, since that is
where people see the breach. The run is tagged `mdq/gate` = `breach` or `pass`.
"""

import re

import dagster as dg

from pipelines.core.config import gated_measures, load_layouts, load_rules
from pipelines.core.warehouse import connect
from pipelines.gate.results import run_month_gate
from pipelines.gate.verdicts import GateVerdict, evaluate_gate
from pipelines.measures.worklists import worklist_path
from pipelines.orchestration.check_events import SINGLE_RUN, record_checks, selected, verdict
from pipelines.orchestration.partitions import monthly
from pipelines.orchestration.progress import step_done
from pipelines.orchestration.resources import EngineResource, MdqSettings

GATE_TAG, BREACHES_TAG = "mdq/gate", "mdq/breaches"
_LISTED = 5  # Trusts named in a check's one-line summary; the table has them all


def check_name(measure: dict) -> str:
    """The check's name: the measure's title as an identifier ("Valid postcode" -> valid_postcode).

    Dagster names must be identifiers and the UI elides long ones in the middle, so the name is
    short and whole; the measure id, threshold and Trusts are in the description and metadata.
    """
    return re.sub(r"[^a-z0-9]+", "_", measure["title"].lower()).strip("_")


def _spec(measure: dict) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        check_name(measure),
        asset="gate_results",
        partitions_def=monthly,
        description=f"{measure['title']} ({measure['id']}) at or above {measure['threshold']:.0%} for every Trust "
        "(Maternity Incentive Scheme safety action 2), judged by Great Expectations and cross-checked with the SQL "
        "measures. The table in the metadata has each Trust's rate, records short and worklist.",
    )


GATED = {check_name(m): m for m in gated_measures(load_rules())}


@dg.asset(
    deps=["measures", "worklists"],
    partitions_def=monthly,
    backfill_policy=SINGLE_RUN,
    group_name="gate",
    check_specs=[_spec(m) for m in GATED.values()],
    description="Great Expectations verdicts per Trust and gated measure, and the month's Data Docs.",
)
def gate_results(context: dg.AssetExecutionContext, mdq: MdqSettings, engine: EngineResource):
    evaluations, breaches = [], []
    for month in context.partition_keys:
        if engine.spark:
            from pipelines.gate.spark_results import run_month_gate_spark

            with engine.month_scope():
                _, docs = run_month_gate_spark(mdq.warehouse_file, month, mdq.warehouse_file.parent / "gx", mdq.out_dir)
        else:
            with connect(mdq.warehouse_file) as con:
                _, docs = run_month_gate(con, month, mdq.warehouse_file.parent / "gx", mdq.out_dir)
        verdicts = evaluate_gate(mdq.warehouse_file, month)
        breaches += [v for v in verdicts if v.breach]
        context.add_asset_metadata(
            {
                "data_docs": dg.MetadataValue.path(str(docs)) if docs else "not built",
                "breaches": sum(v.breach for v in verdicts),
            },
            partition_key=month,
        )
        for name, measure in GATED.items():
            if selected(context, "gate_results", name):
                mine = [v for v in verdicts if v.measure_id == measure["id"]]
                evaluations.append(measure_verdict(name, measure, month, mine, mdq))
        step_done("gate", month)
    context.instance.add_run_tags(
        context.run.run_id, {GATE_TAG: "breach" if breaches else "pass", BREACHES_TAG: str(len(breaches))}
    )
    yield dg.MaterializeResult()
    yield from record_checks(context, evaluations)


def measure_verdict(
    name: str, measure: dict, month: str, verdicts: list[GateVerdict], mdq: MdqSettings
) -> dg.AssetCheckEvaluation:
    """One gated measure in one month, every Trust's verdict in a table."""
    providers = load_layouts().providers
    failing = [v for v in verdicts if not v.passed]
    rows, worklists = [], {}
    for v in verdicts:
        path = worklist_path(mdq.out_dir, month, v.org_code)
        if not v.passed and path.exists():
            worklists[f"worklist {v.org_code}"] = dg.MetadataValue.path(str(path))
        rows.append(
            dg.TableRecord(
                {
                    "trust": v.org_code,
                    "name": providers.get(v.org_code, ""),
                    "rate": "n/a" if v.rate is None else f"{v.rate:.1%}",
                    "valid": v.numerator,
                    "booked": v.denominator,
                    "records_short": v.records_short,
                    "submission": v.completeness,
                    "verdict": "pass" if v.passed else ("fail" if v.breach else "warn"),
                    "worklist": str(path) if path.exists() else "",
                }
            )
        )
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn("trust", "string", description="ODS code"),
            dg.TableColumn("name", "string"),
            dg.TableColumn("rate", "string", description=f"{measure['title']}, of women booked in the month"),
            dg.TableColumn("valid", "int"),
            dg.TableColumn("booked", "int"),
            dg.TableColumn("records_short", "int", description="valid records needed to reach the threshold"),
            dg.TableColumn("submission", "string"),
            dg.TableColumn("verdict", "string"),
            dg.TableColumn("worklist", "string", description="the Trust's failing records, by file and line"),
        ]
    )
    lowest = min((v for v in verdicts if v.rate is not None), key=lambda v: v.rate, default=None)
    metadata = {
        "threshold": f"{measure['threshold']:.0%}",
        "trusts": len(verdicts),
        "trusts_failing": len(failing),
        "lowest_rate": f"{lowest.org_code} {lowest.rate:.1%}" if lowest else "n/a",
        "per_trust": dg.MetadataValue.table(rows, schema=schema),
        **worklists,
    }
    severity = (
        dg.AssetCheckSeverity.ERROR if measure.get("severity", "error") == "error" else dg.AssetCheckSeverity.WARN
    )
    return verdict(
        "gate_results", name, month, not failing, metadata, severity=severity, description=summary(measure, verdicts)
    )


def summary(measure: dict, verdicts: list[GateVerdict]) -> str:
    """One line for the UI: how many Trusts fall short, and the worst of them."""
    failing = sorted((v for v in verdicts if not v.passed), key=lambda v: (v.rate is not None, v.rate or 0))
    if not failing:
        return f"All {len(verdicts)} Trusts at or above {measure['threshold']:.0%}."
    named = [
        f"{v.org_code} {v.rate:.1%} ({v.records_short} short)"
        if v.completeness == "complete" and v.rate is not None
        else f"{v.org_code} submission {v.completeness}"
        for v in failing[:_LISTED]
    ]
    more = f" and {len(failing) - _LISTED} more" if len(failing) > _LISTED else ""
    return (
        f"{len(failing)} of {len(verdicts)} Trusts below {measure['threshold']:.0%}: " + ", ".join(named) + more + "."
    )
