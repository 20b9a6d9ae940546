"""Runs the gate's Great Expectations validations for a month and reads its verdicts back.

Validated once per reporting month: the row-level suite on one batch holding every Trust's
bookings (GE reports every unexpected row, ``result_format=COMPLETE``; counting those per
``org_code`` gives each Trust-month's unexpected_count), then the Trust-level suite on one row
per Trust (GE names the failing Trusts; that is each Trust-month's verdict).

Why not one expectation per Trust-month (``row_condition``) or one validation per
Trust-month: GE's cost is per expectation (~10-17 ms of framework overhead each), not per
row, so 130 Trusts x 12 months x 2 measures = 3,120 expectations cannot be 5x faster than
1,560 two-expectation validations. Two month-wide row-level expectations plus one tiny
Trust-level validation per month is: on a synthetic 650,000-row frame (130 Trusts x 12
months) ~2.7 s (~3.5 s with Data Docs) against ~41 s for one validation per Trust-month and
~54 s for per-Trust ``row_condition`` expectations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from checks import context as context_module
from checks.batch import prepare_batch
from checks.data_docs_trusts import MonthValidation, record_labels
from checks.measure_specs import MeasureSpec, gated_measure_specs
from checks.suites import BOOKINGS_COLUMN, build_row_suite, build_trust_suite
from pipelines.core.months import is_month

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations.core import ExpectationSuiteValidationResult

ASSET_ROWS = "bookings_by_month"
ASSET_TRUSTS = "trust_month_rates"
RUN_NAME_PREFIX = "maternity_dq_gate_"

_ROWS_RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "return_unexpected_index_query": False,
    "partial_unexpected_count": 20,
}
_TRUSTS_RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["org_code"],
    "return_unexpected_index_query": False,
}


class GateError(RuntimeError):
    """GE did not produce a usable result (exception inside GE, or a broken invariant)."""


@dataclass(frozen=True)
class GateResult:
    reporting_month: str
    org_code: str
    measure_id: str
    element_count: int
    unexpected_count: int
    observed_rate: float | None
    threshold: float
    success: bool


# ---------------------------------------------------------------------------- GE runs


def _validation_definitions(context, specs: list[MeasureSpec]):
    import great_expectations as gx

    rows_suite = context.suites.add_or_update(build_row_suite(specs))
    trusts_suite = context.suites.add_or_update(build_trust_suite(specs))
    definitions = []
    for suite, asset in ((rows_suite, ASSET_ROWS), (trusts_suite, ASSET_TRUSTS)):
        batch_definition = context_module.whole_dataframe_batch_definition(context, asset)
        definitions.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=suite)
            )
        )
    return definitions


# Per GE context (open_context keeps one per work_dir for the process): the specs the validation
# definitions were made for, and the definitions. Making them (add_or_update of two suites and two
# validation definitions: YAML and JSON read and written) cost 20-45 ms per call.
_DEFINITIONS: dict[int, tuple[Any, tuple[MeasureSpec, ...], list[Any]]] = {}


def _definitions(context, specs: list[MeasureSpec], *, refresh: bool = False) -> list[Any]:
    """[rows, trusts] validation definitions for ``specs``, made once per context and specs."""
    cached = _DEFINITIONS.get(id(context))
    if refresh or cached is None or cached[0] is not context or cached[1] != tuple(specs):
        cached = (context, tuple(specs), _validation_definitions(context, specs))
        _DEFINITIONS[id(context)] = cached
    return cached[2]


def _run(context, specs: list[MeasureSpec], which: int, **kwargs) -> ExpectationSuiteValidationResult:
    """``ValidationDefinition.run`` of definition ``which`` (0 rows, 1 trusts), kept fresh.

    ``run`` first checks that the definition and its suite equal what the project's stores hold,
    and raises before validating if not (e.g. another process with other rules updated them since
    they were cached here). Then the definitions are made again from ``specs`` (add_or_update, as
    every run did before they were cached) and the run is repeated once.
    """
    from great_expectations.exceptions.resource_freshness import ResourceFreshnessAggregateError

    try:
        return _definitions(context, specs)[which].run(**kwargs)
    except ResourceFreshnessAggregateError:
        return _definitions(context, specs, refresh=True)[which].run(**kwargs)


def _checked(result: ExpectationSuiteValidationResult) -> ExpectationSuiteValidationResult:
    for evr in result.results:
        info = evr.exception_info or {}
        if info.get("raised_exception"):
            raise GateError(
                f"GE raised inside {evr.expectation_config.type} "
                f"({evr.expectation_config.kwargs.get('column')}): {info.get('exception_message')}"
            )
    return result


def _row_level_unexpected(result, batch: pd.DataFrame, specs: list[MeasureSpec]) -> dict[str, pd.Series]:
    """Per measure: unexpected rows counted per org_code, from GE's unexpected_index_list."""
    orgs = batch["org_code"].to_numpy()
    by_measure: dict[str, pd.Series] = {}
    for evr in result.results:
        measure_id = evr.expectation_config.meta["measure_id"]
        res = evr.result
        index = np.asarray(res.get("unexpected_index_list") or [], dtype=np.int64)
        if res.get("element_count") != len(batch):
            raise GateError(f"{measure_id}: GE element_count {res.get('element_count')} != {len(batch)} rows")
        if res.get("missing_count", 0) != 0:
            raise GateError(f"{measure_id}: GE saw {res['missing_count']} nulls; the sentinel failed")
        if res.get("unexpected_count") != len(index):
            raise GateError(f"{measure_id}: unexpected_index_list length != unexpected_count")
        by_measure[measure_id] = pd.Series(orgs[index]).value_counts()
    absent = {spec.measure_id for spec in specs} - set(by_measure)
    if absent:
        raise GateError(f"GE returned no row-level result for {sorted(absent)}")
    return by_measure


def _failing_orgs(result) -> dict[str | None, set[str]]:
    failing: dict[str | None, set[str]] = {}
    for evr in result.results:
        measure_id = evr.expectation_config.meta.get("measure_id")
        rows = evr.result.get("unexpected_index_list") or []
        failing[measure_id] = {str(row["org_code"]) for row in rows}
        if evr.result.get("unexpected_count", 0) != len(failing[measure_id]):
            raise GateError(f"{measure_id}: Trust-level unexpected rows are not one per Trust")
    return failing


def run_ge_gate(
    bookings: pd.DataFrame,
    rules: Mapping[str, Any],
    work_dir: Path,
    docs_dir: Path | None = None,
    *,
    trust_months: Iterable[tuple[str, str]] | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[list[GateResult], Path | None]:
    """Validate the gated measures for every Trust x month; optionally write GE Data Docs.

    Args:
        bookings: canonical bookings, one row per woman booked in the month, with
            ``reporting_month`` ('YYYY-MM'), ``org_code`` and the measured columns
            (``postcode`` normalised or NULL, ``ethnic_category`` code or NULL).
        rules: ``yaml.safe_load`` of checks/rules.yaml (or a modified copy).
        work_dir: the GE project lives in ``<work_dir>/gx`` (created if needed); GE writes
            nothing outside it except the Data Docs.
        docs_dir: if given, each month's Data Docs are written to ``<docs_dir>/data_docs/<YYYY-MM>/``
            in the site ``<docs_dir>/data_docs/`` (checks/data_docs.py), replacing that month's.
        trust_months: (reporting_month, org_code) pairs that must be reported even if they
            have no bookings in the frame (e.g. an unreadable submission); such a Trust-month
            gets element_count 0, observed_rate None and success False.

    Returns:
        (results sorted by month, Trust, measure in rules order; path of the month's Data Docs
        index.html, the site's index.html when several months, or None when ``docs_dir`` is None
        or there was nothing to validate).
    """
    specs = gated_measure_specs(rules)
    frame = prepare_batch(bookings, specs)

    expected: dict[str, set[str]] = {}
    for month, org in trust_months or ():
        if not is_month(str(month)):
            raise ValueError(f"trust_months: {month!r} is not 'YYYY-MM'")
        expected.setdefault(str(month), set()).add(str(org))

    positions = frame.groupby("reporting_month", sort=True).indices
    months = sorted(set(positions) | set(expected))
    if not months:
        return [], None

    from great_expectations.core.run_identifier import RunIdentifier

    columns = list(dict.fromkeys(spec.column for spec in specs))
    run_time = datetime.now(UTC)
    results: list[GateResult] = []
    validated: list[MonthValidation] = []

    with context_module.context_lock(work_dir):
        context = context_module.open_project(work_dir, lambda c: _definitions(c, specs))

        for month in months:
            run_id = RunIdentifier(run_name=f"{RUN_NAME_PREFIX}{month}", run_time=run_time)
            pos = positions.get(month)
            if pos is not None and len(pos):
                batch = frame.iloc[pos][["org_code", *columns]].reset_index(drop=True)
                rows_result = _checked(
                    _run(
                        context,
                        specs,
                        0,
                        batch_parameters={"dataframe": batch},
                        result_format=_ROWS_RESULT_FORMAT,
                        run_id=run_id,
                    )
                )
                unexpected = _row_level_unexpected(rows_result, batch, specs)
                counts = batch["org_code"].value_counts()
            else:
                rows_result, batch = None, None
                unexpected = {spec.measure_id: pd.Series(dtype="int64") for spec in specs}
                counts = pd.Series(dtype="int64")

            orgs = sorted(set(counts.index) | expected.get(month, set()))
            n = np.array([int(counts.get(org, 0)) for org in orgs], dtype=np.int64)
            u_by_measure = {
                spec.measure_id: np.array(
                    [int(unexpected[spec.measure_id].get(org, 0)) for org in orgs], dtype=np.int64
                )
                for spec in specs
            }
            trust_frame = pd.DataFrame({"org_code": orgs, BOOKINGS_COLUMN: n})
            rates: dict[str, np.ndarray] = {}
            for spec in specs:
                u = u_by_measure[spec.measure_id]
                with np.errstate(divide="ignore", invalid="ignore"):
                    rates[spec.measure_id] = np.where(n > 0, (n - u) / n, np.nan)
                trust_frame[spec.measure_id] = rates[spec.measure_id]
            trusts_result = _checked(
                _run(
                    context,
                    specs,
                    1,
                    batch_parameters={"dataframe": trust_frame},
                    # list every failing Trust in the docs, not GE's default sample of 20
                    result_format={
                        **_TRUSTS_RESULT_FORMAT,
                        "partial_unexpected_count": max(20, len(orgs)),
                    },
                    run_id=run_id,
                )
            )
            failing = _failing_orgs(trusts_result)
            empty = failing.get(None, set())
            if empty != {org for org, cnt in zip(orgs, n, strict=False) if cnt == 0}:
                raise GateError(f"{month}: GE's empty Trust-months {sorted(empty)} disagree with counts")

            verdicts = {
                spec.measure_id: np.array(
                    [org not in failing.get(spec.measure_id, set()) and org not in empty for org in orgs], dtype=bool
                )
                for spec in specs
            }
            for i, org in enumerate(orgs):
                for spec in specs:
                    count = int(n[i])
                    bad = int(u_by_measure[spec.measure_id][i])
                    rate = float(rates[spec.measure_id][i]) if count else None
                    ge_pass = bool(verdicts[spec.measure_id][i])
                    if count and ge_pass != (rate >= spec.threshold):
                        raise GateError(
                            f"{month} {org} {spec.measure_id}: GE verdict {ge_pass} disagrees "
                            f"with {rate} >= {spec.threshold}"
                        )
                    results.append(
                        GateResult(
                            reporting_month=month,
                            org_code=org,
                            measure_id=spec.measure_id,
                            element_count=count,
                            unexpected_count=bad,
                            observed_rate=rate,
                            threshold=spec.threshold,
                            success=bool(count and ge_pass),
                        )
                    )
            if docs_dir is not None:
                validated.append(
                    MonthValidation(
                        month=month,
                        rows_result=rows_result,
                        trusts_result=trusts_result,
                        orgs=orgs,
                        bookings=n,
                        unexpected=u_by_measure,
                        passed=verdicts,
                        batch_orgs=None if batch is None else batch["org_code"].to_numpy(dtype=object),
                        batch_values=None if batch is None else {c: batch[c].to_numpy(dtype=object) for c in columns},
                        records=None if pos is None else record_labels(frame.iloc[pos]),
                    )
                )

        index = _build_docs(context, specs, validated, Path(docs_dir), names) if validated else None
    return results, index


def _build_docs(context, specs: list[MeasureSpec], validated: list[MonthValidation], docs_dir: Path, names):
    from checks.data_docs import build_month_docs
    from pipelines.core.config import load_layouts

    names = load_layouts().providers if names is None else names
    suites = [definition.suite for definition in _definitions(context, specs)]
    root = docs_dir / "data_docs"
    indexes = [build_month_docs(root, month, suites, specs, names) for month in validated]
    return indexes[0] if len(indexes) == 1 else (root / "index.html").resolve()


def results_to_frame(results: Iterable[GateResult]) -> pd.DataFrame:
    """GateResults as a DataFrame (one row each), for the scorecard and CSV."""
    rows = [r.__dict__ for r in results]
    cols = list(GateResult.__dataclass_fields__)
    out = pd.DataFrame(rows, columns=cols)
    out["observed_rate"] = out["observed_rate"].astype("float64")
    return out
