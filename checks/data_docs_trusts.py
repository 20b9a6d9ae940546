"""Per-Trust validation results for the Data Docs, derived from the month's one GE validation.

The gate validates a month's bookings once, every Trust in one batch (checks/validation.py says
why: GE costs ~10-17 ms per expectation, so the row-level suite run per Trust costs ~4.8 s a
national month against ~0.2 s). GE's month-wide result lists every unexpected row (``COMPLETE``
result format, by position in the batch); a Trust's result here is that list cut to the Trust's
rows: its own element count, unexpected count, values and their counts, and the rows by file and
line, with the Trust's verdict from GE's Trust-level suite. Nothing is judged again here.

Display copies only: the expectation keeps its configuration, with a description naming the
measure for people (GE then shows it instead of its generated sentence) and the observed value
given as a percentage with its counts; rates on the Trust-level page are shown as percentages.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from checks.measure_specs import MeasureSpec

RECORD_COLUMN = "File:line"  # the unexpected rows' pointer, as GE's index column
SAMPLE = 20  # distinct unexpected values listed per measure (GE's default partial count)


@dataclass(frozen=True)
class MonthValidation:
    """One month's GE results and what the docs need to cut them per Trust."""

    month: str
    rows_result: Any  # ExpectationSuiteValidationResult (row level), None when no bookings
    trusts_result: Any  # ExpectationSuiteValidationResult (Trust level)
    orgs: list[str]
    bookings: np.ndarray  # per org, rows in the batch
    unexpected: dict[str, np.ndarray]  # measure -> per org, unexpected rows
    passed: dict[str, np.ndarray]  # measure -> per org, GE's Trust-level verdict
    batch_orgs: np.ndarray | None = None  # per batch row
    batch_values: Mapping[str, np.ndarray] | None = None  # column -> per batch row, as GE validated it
    records: np.ndarray | None = None  # per batch row: "file:line" (or the row's position)

    def failing_orgs(self) -> list[str]:
        """Trusts with bookings that fail a gated measure: the ones given a page of their own."""
        return [
            org
            for i, org in enumerate(self.orgs)
            if self.bookings[i] and not all(verdicts[i] for verdicts in self.passed.values())
        ]


def record_labels(frame: pd.DataFrame) -> np.ndarray:
    """Each batch row as the clerk finds it: ``<file>:<line>``; the row's position if the frame has
    no file and line (a frame made by hand)."""
    if {"source_file", "source_line"} <= set(frame.columns):
        return (frame["source_file"].astype(str) + ":" + frame["source_line"].astype(str)).to_numpy(dtype=object)
    return np.array([f"row {i}" for i in range(len(frame))], dtype=object)


def percent(rate: float | None) -> str:
    return "n/a" if rate is None or rate != rate else f"{rate:.1%}"


def _described(config: Any, text: str) -> Any:
    shown = copy.deepcopy(config)
    shown.description = text
    return shown


def trust_result(month: MonthValidation, org: str, specs: Sequence[MeasureSpec], asset_name: str) -> Any:
    """The row-level result of one Trust, cut from the month's; success = GE's Trust-level verdict."""
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult

    i = month.orgs.index(org)
    mine = np.flatnonzero(month.batch_orgs == org)  # the Trust's rows (its element count)
    by_id = {spec.measure_id: spec for spec in specs}
    results = []
    for evr in month.rows_result.results:
        spec = by_id[evr.expectation_config.meta["measure_id"]]
        # GE's unexpected_list stops at 200 values; its index list is complete (COMPLETE format)
        every = np.asarray(evr.result.get("unexpected_index_list") or [], dtype=np.int64)
        index = every[month.batch_orgs[every] == org]
        values = month.batch_values[spec.column][index].tolist()
        n, u = len(mine), len(index)
        counts = pd.Series(values, dtype=object).value_counts(sort=False)
        top = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:SAMPLE]
        rate = (n - u) / n if n else None
        passed = bool(month.passed[spec.measure_id][i])
        results.append(
            ExpectationValidationResult(
                success=passed,
                expectation_config=_described(
                    evr.expectation_config,
                    f"{spec.title} ({spec.measure_id}): at least {spec.threshold:.0%} of the Trust's bookings valid "
                    "(a blank counts against it). The rule itself is on the suite's page.",
                ),
                result={
                    "element_count": n,
                    "unexpected_count": u,
                    "unexpected_percent": 100 * u / n if n else None,
                    "missing_count": 0,
                    "observed_value": f"{percent(rate)} valid ({n - u:,} of {n:,} bookings)",
                    "partial_unexpected_list": values[:SAMPLE],
                    "partial_unexpected_counts": [{"value": v, "count": int(c)} for v, c in top],
                    "unexpected_list": values,
                    "unexpected_index_list": [
                        {spec.column: v, RECORD_COLUMN: month.records[p]} for v, p in zip(values, index, strict=True)
                    ],
                    "unexpected_index_column_names": [RECORD_COLUMN],
                },
                exception_info={"raised_exception": False, "exception_message": None, "exception_traceback": None},
            )
        )
    ok = sum(r.success for r in results)
    return ExpectationSuiteValidationResult(
        success=ok == len(results),
        results=results,
        suite_name=month.rows_result.suite_name,
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": ok,
            "unsuccessful_expectations": len(results) - ok,
            "success_percent": 100 * ok / len(results) if results else None,
        },
        meta=_meta(month.rows_result.meta, asset_name),
    )


def gate_result(month: MonthValidation, specs: Sequence[MeasureSpec], names: Mapping[str, str], asset_name: str):
    """GE's Trust-level result as shown: failing Trusts named, their rates as percentages."""
    shown = copy.deepcopy(month.trusts_result)
    titles = {spec.measure_id: spec for spec in specs}
    for evr in shown.results:
        measure_id = evr.expectation_config.meta.get("measure_id")
        res = evr.result
        spec = titles.get(measure_id)
        if spec is not None:
            evr.expectation_config = _described(
                evr.expectation_config,
                f"{spec.title} ({measure_id}): each Trust's rate at least {spec.threshold:.0%} "
                "(valid of all bookings in the month).",
            )
            label = f"{spec.title}, rate"
        else:
            evr.expectation_config = _described(
                evr.expectation_config,
                "Every Trust has bookings in the month (a missing or unreadable submission fails).",
            )
            label = "Bookings"
        rows = res.get("unexpected_index_list") or []
        shown_rows = [
            {
                label: percent(row.get(measure_id)) if spec is not None else str(row.get("bookings")),
                "Trust": f"{row['org_code']} {names.get(row['org_code'], '')}".strip(),
            }
            for row in rows
        ]
        res.update(
            {
                "observed_value": f"{len(rows)} of {res.get('element_count', 0)} Trusts below "
                + (f"{spec.threshold:.0%}" if spec is not None else "1 booking"),
                "unexpected_list": [r[label] for r in shown_rows],
                "partial_unexpected_list": [r[label] for r in shown_rows],
                "partial_unexpected_counts": _counts([r[label] for r in shown_rows]),
                "unexpected_index_list": shown_rows,
                "unexpected_index_column_names": ["Trust"],
            }
        )
    shown.meta = _meta(shown.meta, asset_name)
    return shown


def _counts(values: list[str]) -> list[dict[str, Any]]:
    counts = pd.Series(values, dtype=object).value_counts(sort=False)
    return [{"value": v, "count": int(c)} for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def _meta(meta: Mapping[str, Any], asset_name: str) -> dict[str, Any]:
    """GE's meta with the batch named for people (GE shows ``Data asset: None`` otherwise)."""
    shown = dict(meta)
    shown["batch_spec"] = {"data_asset_name": asset_name}
    shown.pop("batch_parameters", None)
    definition = dict(shown.get("active_batch_definition") or {})
    definition["data_asset_name"] = asset_name
    definition.pop("batch_identifiers", None)
    shown["active_batch_definition"] = definition
    return shown
