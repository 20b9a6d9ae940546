"""Asset-check verdicts recorded per reporting month, in a run over one month or many.

Dagster records an `AssetCheckResult` against the run's partition, and a run over a range of
months (the single-run backfill every asset here declares) has no single partition: its results
would belong to no month and the UI could not show which month failed. So the assets compute
their checks month by month and yield one `AssetCheckEvaluation` per check and month, with the
month as its partition, after the one `Output` per check that tells Dagster the check ran.

The UI counts a month's verdict only when it names the materialisation it checked (the latest of
that month), so `record_checks` looks those up, one query per asset and run, once the asset's
materialisations are stored (it is called after the asset has yielded its results).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)

SINGLE_RUN = dg.BackfillPolicy.single_run()


def selected(context: dg.AssetExecutionContext, asset: str, name: str) -> bool:
    return dg.AssetCheckKey(dg.AssetKey(asset), name) in context.selected_asset_check_keys


def record_checks(
    context: dg.AssetExecutionContext, verdicts: Iterable[dg.AssetCheckEvaluation]
) -> Iterator[dg.Output | dg.AssetCheckEvaluation]:
    """The Output of every selected check of the step, then each verdict with its target."""
    for output_name, spec in context.assets_def.check_specs_by_output_name.items():
        if spec.key in context.selected_asset_check_keys:
            yield dg.Output(None, output_name=output_name)
    verdicts = list(verdicts)
    targets = {}
    for asset_key in {v.asset_key for v in verdicts}:
        months = sorted({v.partition for v in verdicts if v.asset_key == asset_key})
        # Newest first: this run's materialisation of each month comes before any earlier one.
        records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=months), limit=len(months)
        ).records
        for record in records:
            targets.setdefault(
                (asset_key, record.partition_key),
                AssetCheckEvaluationTargetMaterializationData(
                    run_id=record.run_id, storage_id=record.storage_id, timestamp=record.timestamp
                ),
            )
    for v in verdicts:
        yield dg.AssetCheckEvaluation(
            asset_key=v.asset_key,
            check_name=v.check_name,
            passed=v.passed,
            metadata=v.metadata,
            target_materialization_data=targets.get((v.asset_key, v.partition)),
            severity=v.severity,
            description=v.description,
            blocking=v.blocking,
            partition=v.partition,
        )


def verdict(
    asset: str,
    name: str,
    month: str,
    passed: bool,
    metadata: Mapping[str, Any],
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    description: str | None = None,
) -> dg.AssetCheckEvaluation:
    """One month's verdict of one check. Never blocking: a failed check must not stop the
    scorecard, which is how people see the failure."""
    return dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey(asset),
        check_name=name,
        passed=passed,
        metadata=dict(metadata),
        severity=severity,
        description=description,
        blocking=False,
        partition=month,
    )
