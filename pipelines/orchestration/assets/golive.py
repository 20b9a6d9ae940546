"""Go-live assurance: a Trust's parallel-run extract reconciled with its system of record's.

One check WARNs (never blocks) when the new system's extraction loses an item that was valid in
the system of record for more than the rules file's share of linked pregnancies: the LMNS's
question "can ethnic coding be extracted from Cerner?" answered each month of a parallel run.
"""

import dagster as dg

from pipelines.core.config import load_rules
from pipelines.core.warehouse import connect
from pipelines.golive import compute_golive, lost_items, write_golive_csv
from pipelines.orchestration.assets.contracts import contract_verdict
from pipelines.orchestration.check_events import SINGLE_RUN, record_checks, selected, verdict
from pipelines.orchestration.partitions import monthly
from pipelines.orchestration.progress import step_done
from pipelines.orchestration.resources import EngineResource, MdqSettings
from schemas.outputs import GoliveRows

CHECKS = [
    dg.AssetCheckSpec(
        "valid_items_kept",
        asset="golive",
        partitions_def=monthly,
        description="In a parallel run, no data item valid in the system of record is lost by the new system's "
        "extraction (valid only in the record) for more than golive.max_lost_share of linked pregnancies "
        "(checks/rules.yaml). A WARN names each item, Trust and share.",
    ),
    dg.AssetCheckSpec(
        "golive_contract",
        asset="golive",
        partitions_def=monthly,
        description="The month's reconciliation rows conform to schemas/outputs.py::GoliveRows.",
    ),
]


@dg.asset(
    deps=["bookings", "parallel_bookings", "submissions"],
    partitions_def=monthly,
    backfill_policy=SINGLE_RUN,
    group_name="golive",
    check_specs=CHECKS,
    description="Parallel-run extracts reconciled with the system of record pregnancy by pregnancy: "
    "golive-YYYY-MM.csv (header only in a month without a parallel run).",
)
def golive(context: dg.AssetExecutionContext, mdq: MdqSettings, engine: EngineResource):
    rules = load_rules()
    max_share = float(rules.get("golive", {}).get("max_lost_share", 0))
    titles = {m["id"]: m["title"] for m in rules["measures"]}
    verdicts = []
    for month in context.partition_keys:
        if engine.spark:
            from pipelines.golive.spark_reconcile import compute_golive_spark

            with engine.month_scope():
                frame = compute_golive_spark(mdq.warehouse_file, month)
        with connect(mdq.warehouse_file, read_only=engine.spark) as con:
            if not engine.spark:
                frame = compute_golive(con, month)
            if selected(context, "golive", "golive_contract"):
                verdicts.append(contract_verdict(con, "golive", "golive", GoliveRows, month))
        path = write_golive_csv(frame, mdq.out_dir, month)
        runs = frame.filter(frame["data_item"] == "pregnancies")
        context.add_asset_metadata(
            {
                "csv": dg.MetadataValue.path(str(path)),
                "parallel_runs": ", ".join(f"{o} {p}" for o, p in runs.select("org_code", "parallel_system").rows())
                or "none",
            },
            partition_key=month,
        )
        if selected(context, "golive", "valid_items_kept"):
            verdicts.append(items_kept_verdict(frame, month, max_share, titles))
        step_done("golive", month)
    yield dg.MaterializeResult()
    yield from record_checks(context, verdicts)


def items_kept_verdict(frame, month: str, max_share: float, titles: dict[str, str]) -> dg.AssetCheckEvaluation:
    """WARN when an item is lost in more than max_share of linked pregnancies; metadata names them."""
    lost = lost_items(frame, max_share)
    items = frame.filter((frame["data_item"] != "pregnancies") & (frame["linked"] > 0))
    shares = {
        f"{r['org_code']} {r['parallel_system']} {titles.get(r['data_item'], r['data_item'])}": (
            f"{r['valid_only_in_record']} of {r['linked']} ({r['valid_only_in_record'] / r['linked']:.1%})"
        )
        for r in items.iter_rows(named=True)
    }
    metadata = {
        "max_lost_share": f"{max_share:.0%}",
        "items_lost": len(lost),
        **({"lost": dg.MetadataValue.json({i.describe(titles): f"{i.share:.1%}" for i in lost})} if lost else {}),
        **({"lost_share_by_item": dg.MetadataValue.json(shares)} if shares else {}),
    }
    if frame.is_empty():
        description = "No parallel-run extract this month: nothing to reconcile."
    elif lost:
        description = f"{len(lost)} item(s) lost by the new extraction above {max_share:.0%}: " + "; ".join(
            i.describe(titles) for i in lost
        )
    else:
        description = f"No item lost in more than {max_share:.0%} of linked pregnancies."
    return verdict(
        "golive",
        "valid_items_kept",
        month,
        not lost,
        metadata,
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
    )
