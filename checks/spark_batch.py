"""The gate's Great Expectations validations on GE's Spark execution engine (the Spark engine's gate).

The same suites (checks/suites.py, from the rules) and the same result shape as
checks/validation.py's ``run_ge_gate`` (a GateResult per Trust x gated measure, and the Data
Docs), with the month's batch a Spark frame rather than pandas: GE runs each expectation as
Spark jobs. Spark frames have no row index, so the batch carries its row's position (``_pos``,
by file and line) and the row-level results name each unexpected row by its ``org_code`` and
position (``unexpected_index_column_names``): counted per Trust from the first, cut per Trust for
the Data Docs from the second (checks/data_docs_trusts.py, as on pandas). The Trust-level suite
runs on a Spark frame of one row per Trust, as on pandas.

The batch is made as checks/batch.py makes it: NULLs become ``NULL_SENTINEL`` (invalid, in the
denominator), and in directory mode a postcode the gate's own lookup does not find live in the
month carries ``NOT_LIVE_NOTE``.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from checks import context as context_module
from checks.data_docs import build_month_docs
from checks.data_docs_trusts import MonthValidation, record_labels
from checks.measure_specs import NULL_SENTINEL, MeasureSpec, gated_measure_specs
from checks.postcodes import NOT_LIVE_NOTE
from checks.suites import BOOKINGS_COLUMN, build_row_suite, build_trust_suite
from checks.validation import (
    _ROWS_RESULT_FORMAT,
    _TRUSTS_RESULT_FORMAT,
    RUN_NAME_PREFIX,
    GateError,
    GateResult,
    _checked,
    _failing_orgs,
)

SPARK_DATASOURCE = "maternity_dq_spark"
ASSET_ROWS, ASSET_TRUSTS = "bookings_by_month_spark", "trust_month_rates_spark"
POSITION = "_pos"  # the batch row's position, by file and line (Spark frames have no index)
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

    ``bookings`` has org_code, postcode (normalised by the gate), ethnic_category, source_file and
    source_line; ``live`` the postcodes the gate's own directory lookup found live in the month (or
    None: format mode). Each row gets its position by file and line (``POSITION``)."""
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
    from pyspark.sql.window import Window

    columns = list(dict.fromkeys(spec.column for spec in specs))
    position = F.row_number().over(Window.orderBy("source_file", "source_line")) - 1
    return frame.select(
        position.alias(POSITION),
        "org_code",
        *[F.coalesce(F.col(c).cast("string"), F.lit(NULL_SENTINEL)).alias(c) for c in columns],
        "source_file",
        "source_line",
    )


def _unexpected(result, specs: list[MeasureSpec], rows: int) -> dict[str, list[tuple[str, int]]]:
    """Per measure: each unexpected row's (org_code, position), from GE's unexpected_index_list."""
    by_measure: dict[str, list[tuple[str, int]]] = {}
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
        by_measure[measure_id] = [(str(row["org_code"]), int(row[POSITION])) for row in listed]
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

    specs = gated_measure_specs(rules)
    spark = batch.sparkSession
    batch = batch.cache()
    counts = {row["org_code"]: int(row["count"]) for row in batch.groupBy("org_code").count().collect()}
    rows = sum(counts.values())
    orgs = sorted(set(counts) | set(trust_orgs))
    run_id = RunIdentifier(run_name=f"{RUN_NAME_PREFIX}{month}", run_time=datetime.now(UTC))
    results: list[GateResult] = []
    with context_module.context_lock(work_dir):
        context = context_module.open_project(work_dir, lambda c: _definitions(c, specs))
        rows_definition, trusts_definition = _definitions(context, specs)
        rows_result = None
        if rows:
            rows_result = _checked(
                rows_definition.run(
                    batch_parameters={"dataframe": batch},
                    result_format={**_ROWS_RESULT_FORMAT, "unexpected_index_column_names": ["org_code", POSITION]},
                    run_id=run_id,
                )
            )
            listed = _unexpected(rows_result, specs, rows)
        else:
            listed = {spec.measure_id: [] for spec in specs}
        unexpected = {m: Counter(org for org, _ in found) for m, found in listed.items()}
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
        failing = _failing_orgs(trusts_result)
        empty = failing.get(None, set())
        if empty != {o for o in orgs if not counts.get(o)}:
            raise GateError(f"{month}: GE's empty Trust-months {sorted(empty)} disagree with counts")
        passed: dict[str, list[bool]] = {spec.measure_id: [] for spec in specs}
        for i, org in enumerate(orgs):
            for spec in specs:
                count, rate = counts.get(org, 0), rates[spec.measure_id][i]
                ge_pass = org not in failing.get(spec.measure_id, set()) and org not in empty
                passed[spec.measure_id].append(ge_pass)
                if count and ge_pass != (rate >= spec.threshold):
                    raise GateError(f"{month} {org} {spec.measure_id}: GE verdict {ge_pass} disagrees with {rate}")
                results.append(
                    GateResult(
                        month,
                        org,
                        spec.measure_id,
                        count,
                        unexpected[spec.measure_id][org],
                        rate,
                        spec.threshold,
                        bool(count and ge_pass),
                    )
                )
        index = None
        if docs_dir is not None:
            validated = MonthValidation(
                month=month,
                rows_result=_by_position(rows_result, listed) if rows_result is not None else None,
                trusts_result=trusts_result,
                orgs=orgs,
                bookings=np.array([counts.get(o, 0) for o in orgs], dtype=np.int64),
                unexpected={m: np.array([c[o] for o in orgs], dtype=np.int64) for m, c in unexpected.items()},
                passed={m: np.array(v, dtype=bool) for m, v in passed.items()},
                **(_batch_arrays(batch, specs) if rows else {}),
            )
            from pipelines.core.config import load_layouts

            suites = [definition.suite for definition in (rows_definition, trusts_definition)]
            index = build_month_docs(Path(docs_dir) / "data_docs", validated, suites, specs, load_layouts().providers)
    batch.unpersist()
    return results, index


def _by_position(result, listed: dict[str, list[tuple[str, int]]]):
    """The row-level result as pandas gives it (checks/data_docs_trusts.py cuts it per Trust): each
    measure's unexpected rows as their positions in the batch."""
    shown = copy.deepcopy(result)
    for evr in shown.results:
        evr.result["unexpected_index_list"] = sorted(p for _, p in listed[evr.expectation_config.meta["measure_id"]])
    return shown


def _batch_arrays(batch, specs: list[MeasureSpec]) -> dict[str, Any]:
    """The batch on the driver, by position, as the Data Docs' per-Trust pages read it (the rows
    of a month's bookings: what the DuckDB path holds in pandas throughout)."""
    columns = list(dict.fromkeys(spec.column for spec in specs))
    frame = batch.orderBy(POSITION).select("org_code", *columns, "source_file", "source_line").toArrow().to_pandas()
    return {
        "batch_orgs": frame["org_code"].to_numpy(dtype=object),
        "batch_values": {c: frame[c].to_numpy(dtype=object) for c in columns},
        "records": record_labels(frame),
    }
