"""The gate's Great Expectations validations on GE's Spark execution engine (the Spark engine's gate).

The same suites (checks/suites.py, from the rules) and the same result shape as
checks/validation.py's ``run_ge_gate`` (a GateResult per Trust x gated measure, and the Data
Docs), with the month's batch a Spark frame rather than pandas: GE runs each expectation as
Spark jobs. Spark frames have no row index, so the row-level results name each unexpected row by
its ``org_code`` (``unexpected_index_column_names``) and are counted per Trust from that; the
Trust-level suite runs on a Spark frame of one row per Trust, as on pandas.

The batch is made as checks/batch.py makes it: NULLs become ``NULL_SENTINEL`` (invalid, in the
denominator), and in directory mode a postcode the gate's own lookup does not find live in the
month carries ``NOT_LIVE_NOTE``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from checks import context as context_module
from checks.data_docs import build_offline_data_docs
from checks.measure_specs import NULL_SENTINEL, MeasureSpec, gated_measure_specs
from checks.postcodes import NOT_LIVE_NOTE
from checks.suites import BOOKINGS_COLUMN, SUITE_ROWS, SUITE_TRUSTS, build_row_suite, build_trust_suite
from checks.validation import (
    _ROWS_RESULT_FORMAT,
    _TRUSTS_RESULT_FORMAT,
    RUN_NAME_PREFIX,
    GateError,
    GateResult,
    _checked,
    _failing_orgs,
    _result_id,
)

SPARK_DATASOURCE = "maternity_dq_spark"
ASSET_ROWS, ASSET_TRUSTS = "bookings_by_month_spark", "trust_month_rates_spark"
_DEFINITIONS: dict[int, tuple[Any, tuple[MeasureSpec, ...], list[Any]]] = {}


def _batch_definition(context, asset_name: str):
    sources = context.data_sources.all()
    source = (
        sources[SPARK_DATASOURCE] if SPARK_DATASOURCE in sources else context.data_sources.add_spark(SPARK_DATASOURCE)
    )
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition(asset_name)
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(asset_name)


def _definitions(context, specs: list[MeasureSpec]) -> list[Any]:
    """[rows, trusts] validation definitions on the Spark datasource, made once per context."""
    import great_expectations as gx

    cached = _DEFINITIONS.get(id(context))
    if cached is not None and cached[0] is context and cached[1] == tuple(specs):
        return cached[2]
    made = []
    for suite, asset in ((build_row_suite(specs), ASSET_ROWS), (build_trust_suite(specs), ASSET_TRUSTS)):
        suite = context.suites.add_or_update(suite)
        made.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=f"{suite.name}_spark", data=_batch_definition(context, asset), suite=suite)
            )
        )
    _DEFINITIONS[id(context)] = (context, tuple(specs), made)
    return made


def gate_batch(bookings, live, rules: Mapping[str, Any], specs: list[MeasureSpec]):
    """The month's Spark batch: org_code and each gated column as GE validates it (checks/batch.py).

    ``bookings`` has org_code, postcode (normalised by the gate), ethnic_category; ``live`` the
    postcodes the gate's own directory lookup found live in the month (or None: format mode)."""
    from pyspark.sql import functions as F

    frame = bookings
    if live is not None:
        live = live.select(F.col("postcode").alias("_live")).distinct()
        frame = frame.join(F.broadcast(live), frame["postcode"] == live["_live"], "left")
        frame = frame.withColumn(
            "postcode",
            F.when(
                F.col("postcode").isNotNull() & F.col("_live").isNull(), F.concat("postcode", F.lit(NOT_LIVE_NOTE))
            ).otherwise(F.col("postcode")),
        ).drop("_live")
    columns = list(dict.fromkeys(spec.column for spec in specs))
    return frame.select(
        "org_code", *[F.coalesce(F.col(c).cast("string"), F.lit(NULL_SENTINEL)).alias(c) for c in columns]
    )


def _unexpected_by_org(result, specs: list[MeasureSpec], rows: int) -> dict[str, Counter]:
    by_measure: dict[str, Counter] = {}
    for evr in result.results:
        measure_id = evr.expectation_config.meta["measure_id"]
        res = evr.result
        if res.get("element_count") != rows:
            raise GateError(f"{measure_id}: GE element_count {res.get('element_count')} != {rows} rows")
        if res.get("missing_count", 0) != 0:
            raise GateError(f"{measure_id}: GE saw {res['missing_count']} nulls; the sentinel failed")
        listed = res.get("unexpected_index_list") or []
        if res.get("unexpected_count") != len(listed):
            raise GateError(f"{measure_id}: unexpected_index_list length != unexpected_count")
        by_measure[measure_id] = Counter(str(row["org_code"]) for row in listed)
    absent = {spec.measure_id for spec in specs} - set(by_measure)
    if absent:
        raise GateError(f"GE returned no row-level result for {sorted(absent)}")
    return by_measure


def run_ge_gate_spark(
    batch,
    month: str,
    rules: Mapping[str, Any],
    work_dir: Path,
    docs_dir: Path | None,
    trust_orgs: Iterable[str],
) -> tuple[list[GateResult], Path | None]:
    """run_ge_gate for one month whose batch (``gate_batch``) is a Spark frame."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    specs = gated_measure_specs(rules)
    spark = batch.sparkSession
    batch = batch.cache()
    counts = {row["org_code"]: int(row["count"]) for row in batch.groupBy("org_code").count().collect()}
    rows = sum(counts.values())
    orgs = sorted(set(counts) | set(trust_orgs))
    run_id = RunIdentifier(run_name=f"{RUN_NAME_PREFIX}{month}", run_time=datetime.now(UTC))
    docs_ids: list[Any] = [ExpectationSuiteIdentifier(name=SUITE_ROWS), ExpectationSuiteIdentifier(name=SUITE_TRUSTS)]
    results: list[GateResult] = []
    with context_module.context_lock(work_dir):
        context = context_module.open_project(work_dir, lambda c: _definitions(c, specs))
        rows_definition, trusts_definition = _definitions(context, specs)
        if rows:
            rows_result = _checked(
                rows_definition.run(
                    batch_parameters={"dataframe": batch},
                    result_format={**_ROWS_RESULT_FORMAT, "unexpected_index_column_names": ["org_code"]},
                    run_id=run_id,
                )
            )
            docs_ids.append(_result_id(rows_result, run_id))
            unexpected = _unexpected_by_org(rows_result, specs, rows)
        else:
            unexpected = {spec.measure_id: Counter() for spec in specs}
        rates = {
            spec.measure_id: [
                (counts.get(o, 0) - unexpected[spec.measure_id][o]) / counts[o] if counts.get(o) else None for o in orgs
            ]
            for spec in specs
        }
        columns = ", ".join(
            [f"org_code STRING, {BOOKINGS_COLUMN} BIGINT"] + [f"`{s.measure_id}` DOUBLE" for s in specs]
        )
        trust_rows = [(o, counts.get(o, 0), *[rates[s.measure_id][i] for s in specs]) for i, o in enumerate(orgs)]
        trusts_result = _checked(
            trusts_definition.run(
                batch_parameters={"dataframe": spark.createDataFrame(trust_rows, columns)},
                result_format={**_TRUSTS_RESULT_FORMAT, "partial_unexpected_count": max(20, len(orgs))},
                run_id=run_id,
            )
        )
        docs_ids.append(_result_id(trusts_result, run_id))
        failing = _failing_orgs(trusts_result)
        empty = failing.get(None, set())
        if empty != {o for o in orgs if not counts.get(o)}:
            raise GateError(f"{month}: GE's empty Trust-months {sorted(empty)} disagree with counts")
        for i, org in enumerate(orgs):
            for spec in specs:
                count, rate = counts.get(org, 0), rates[spec.measure_id][i]
                passed = org not in failing.get(spec.measure_id, set()) and org not in empty
                if count and passed != (rate >= spec.threshold):
                    raise GateError(f"{month} {org} {spec.measure_id}: GE verdict {passed} disagrees with {rate}")
                results.append(
                    GateResult(
                        month,
                        org,
                        spec.measure_id,
                        count,
                        unexpected[spec.measure_id][org],
                        rate,
                        spec.threshold,
                        bool(count and passed),
                    )
                )
        index = None
        if docs_dir is not None:
            index = build_offline_data_docs(
                context, Path(docs_dir) / "data_docs" / month, docs_ids, site_name=f"{RUN_NAME_PREFIX}{month}"
            )
    batch.unpersist()
    return results, index
