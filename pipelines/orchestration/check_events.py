"""Asset-check verdicts recorded per reporting month, in a run over one month or many.

Dagster records an `AssetCheckResult` against the run's partition, and a run over a range of
months (the single-run backfill every asset here declares) has no single partition: its results
would belong to no month and the UI could not show which month failed. So the assets compute
their checks month by month and yield one `AssetCheckEvaluation` per check and month, with the
month as its partition, after the one `Output` per check that tells Dagster the check ran.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg

SINGLE_RUN = dg.BackfillPolicy.single_run()


def selected(context: dg.AssetExecutionContext, asset: str, name: str) -> bool:
    return dg.AssetCheckKey(dg.AssetKey(asset), name) in context.selected_asset_check_keys


def check_outputs(context: dg.AssetExecutionContext) -> Iterator[dg.Output]:
    """The Output of every selected check of the step (their verdicts follow as evaluations)."""
    for output_name, spec in context.assets_def.check_specs_by_output_name.items():
        if spec.key in context.selected_asset_check_keys:
            yield dg.Output(None, output_name=output_name)


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
