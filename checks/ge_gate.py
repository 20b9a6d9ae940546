"""Great Expectations gate for the gated MSDS validity measures, per Trust and month.

Rules come from ``checks/rules.yaml`` (parsed dict passed in): for every measure with
``gated: true`` this module builds GE 1.x expectations from the rule blocks. No threshold,
regex or code list is written here; only the wiring "measure -> canonical column -> rule
block" is (``_MEASURE_WIRING``).

Two suites, run once per reporting month:

``maternity_dq_gate_rows`` (row level, the MSDS rules as GE built-ins)
    * ``MSD_MOTHER_POSTCODE_VALID``: ``ExpectColumnValuesToMatchRegex`` on ``postcode`` with
      one regex built from ``postcode.format_regex`` plus a negative lookahead for
      ``postcode.pseudo_outward_codes`` (``^(?!(?:ZZ99) )(?:<format_regex>)``).
    * ``MSD_MOTHER_ETHNIC_VALID``: ``ExpectColumnValuesToBeInSet`` on ``ethnic_category`` with
      ``ethnic_category.valid_codes``.
    * ``mostly`` = the measure's ``threshold``.

    Validated on one batch per month holding every Trust's bookings. GE reports every
    unexpected row (``result_format=COMPLETE``, ``unexpected_index_list``); counting those
    per ``org_code`` gives each Trust-month's unexpected_count, and its row count is its
    element_count.

``maternity_dq_gate_trusts`` (Trust level, the gate)
    Validated on one small frame per month, one row per Trust: ``bookings`` and, per gated
    measure, the observed rate. ``ExpectColumnValuesToBeBetween(<measure>, min_value=threshold,
    max_value=1)`` (inclusive, so a rate exactly at the threshold passes) and
    ``ExpectColumnValuesToBeBetween(bookings, min_value=1)`` (a Trust-month with no bookings
    fails). GE names the failing Trusts (``unexpected_index_column_names=["org_code"]``);
    that is each Trust-month's verdict, and the Data Docs show it.

Nulls. GE's ``mostly`` divides by non-null values only, but MSDS counts a missing postcode or
ethnic category as invalid and in the denominator. The batch validated therefore has NULLs
coalesced to ``""`` (``NULL_SENTINEL``), which matches neither the postcode regex nor any
valid code (checked at suite-build time), so GE's element_count = all rows, missing_count =
0 and its success ratio = valid / all rows. Each run asserts missing_count == 0.

Why not one expectation per Trust-month (``row_condition``) or one validation per
Trust-month: GE's cost is per expectation (~10-17 ms of framework overhead each), not per
row, so 130 Trusts x 12 months x 2 measures = 3,120 expectations cannot be 5x faster than
1,560 two-expectation validations. Two month-wide row-level expectations plus one tiny
Trust-level validation per month is: on a synthetic 650,000-row frame (130 Trusts x 12
months) ~2.7 s (~3.5 s with Data Docs) against ~41 s for one validation per Trust-month and
~54 s for per-Trust ``row_condition`` expectations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from checks import data_docs_offline, ge_context

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations.core import ExpectationSuiteValidationResult

NULL_SENTINEL = ""
SUITE_ROWS = "maternity_dq_gate_rows"
SUITE_TRUSTS = "maternity_dq_gate_trusts"
ASSET_ROWS = "bookings_by_month"
ASSET_TRUSTS = "trust_month_rates"
BOOKINGS_COLUMN = "bookings"
RUN_NAME_PREFIX = "maternity_dq_gate_"
REQUIRED_COLUMNS = ("reporting_month", "org_code")
_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# Wiring only (no thresholds, codes or regexes): the canonical column each gated measure
# validates, and which kind of expectation its rule block becomes.
_MEASURE_WIRING: dict[str, tuple[str, Literal["regex", "in_set"]]] = {
    "MSD_MOTHER_POSTCODE_VALID": ("postcode", "regex"),
    "MSD_MOTHER_ETHNIC_VALID": ("ethnic_category", "in_set"),
}

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


@dataclass(frozen=True)
class MeasureSpec:
    """One gated measure, as read from the rules."""

    measure_id: str
    title: str
    column: str
    kind: Literal["regex", "in_set"]
    threshold: float
    regex: str | None = None
    value_set: tuple[str, ...] | None = None


# --------------------------------------------------------------------------- rules -> specs


def postcode_validity_regex(rules: Mapping[str, Any]) -> str:
    """One regex: the postcode format AND an outward code that is not a pseudo postcode.

    ``^(?!(?:P1|P2) )(?:<format_regex>)``: the lookahead rejects a value whose outward code
    (everything before the single space of a normalised postcode) is exactly a pseudo code;
    the format regex keeps its own anchors (``^`` inside the group still matches at 0).
    """
    block = rules["postcode"]
    fmt = block["format_regex"]
    pseudo = [str(code).strip().upper() for code in block.get("pseudo_outward_codes") or []]
    if not pseudo:
        return f"(?:{fmt})"
    alternatives = "|".join(re.escape(code) for code in pseudo)
    return f"^(?!(?:{alternatives}) )(?:{fmt})"


def gated_measure_specs(rules: Mapping[str, Any]) -> list[MeasureSpec]:
    """The gated measures of ``rules`` (in rules order) with their thresholds and rule values."""
    specs: list[MeasureSpec] = []
    for measure in rules["measures"]:
        if not measure.get("gated"):
            continue
        measure_id = measure["id"]
        if measure_id not in _MEASURE_WIRING:
            raise ValueError(
                f"gated measure {measure_id} has no Great Expectations wiring in "
                "checks/ge_gate.py; the gate cannot silently skip a gated measure"
            )
        threshold = measure.get("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < float(threshold) <= 1:
            raise ValueError(f"{measure_id}: threshold must be a number in (0, 1], got {threshold!r}")
        column, kind = _MEASURE_WIRING[measure_id]
        common: dict[str, Any] = {
            "measure_id": measure_id,
            "title": str(measure.get("title", measure_id)),
            "column": column,
            "kind": kind,
            "threshold": float(threshold),
        }
        if kind == "regex":
            regex = postcode_validity_regex(rules)
            compiled = re.compile(regex)
            if compiled.search(NULL_SENTINEL):
                raise ValueError(f"{measure_id}: regex {regex!r} accepts the null sentinel ''")
            specs.append(MeasureSpec(**common, regex=regex))
        else:
            codes = tuple(str(code) for code in rules["ethnic_category"]["valid_codes"])
            if not codes:
                raise ValueError(f"{measure_id}: ethnic_category.valid_codes is empty")
            if NULL_SENTINEL in codes:
                raise ValueError(f"{measure_id}: valid_codes contains the null sentinel ''")
            specs.append(MeasureSpec(**common, value_set=codes))
    if not specs:
        raise ValueError("rules define no gated measure")
    return specs


# ---------------------------------------------------------------------------- GE suites


def build_row_suite(specs: Iterable[MeasureSpec]):
    """The row-level suite: one built-in GE expectation per gated measure."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    expectations = []
    for spec in specs:
        note = (
            f"{spec.measure_id} ({spec.title}). mostly = rules.yaml threshold {spec.threshold}. "
            f"Missing values are coalesced to '' before validation, so they are invalid and "
            f"stay in the denominator (MSDS). This row-level result covers all Trusts in the "
            f"month; the gate verdict is per Trust, in suite {SUITE_TRUSTS}."
        )
        meta = {"measure_id": spec.measure_id, "threshold": spec.threshold}
        if spec.kind == "regex":
            expectations.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=spec.column,
                    regex=spec.regex,
                    mostly=spec.threshold,
                    meta=meta,
                    notes=note,
                )
            )
        else:
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=spec.column,
                    value_set=list(spec.value_set or ()),
                    mostly=spec.threshold,
                    meta=meta,
                    notes=note,
                )
            )
    return gx.ExpectationSuite(
        name=SUITE_ROWS,
        expectations=expectations,
        meta={"source": "checks/rules.yaml"},
        notes=(
            "MSDS validity rules from checks/rules.yaml, validated on one batch per reporting "
            "month holding every Trust's bookings. NULLs are validated as '' so that they "
            "count as invalid and stay in the denominator."
        ),
    )


def build_trust_suite(specs: Iterable[MeasureSpec]):
    """The Trust-level gate suite: each Trust-month's rate >= threshold, and bookings >= 1."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column=BOOKINGS_COLUMN,
            min_value=1,
            meta={"measure_id": None},
            notes=(
                "A Trust-month with no bookings in the gate (missing or unreadable "
                "submission) fails every gated measure: no data is not good data."
            ),
        )
    ]
    for spec in specs:
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=spec.measure_id,
                min_value=spec.threshold,
                max_value=1,
                meta={"measure_id": spec.measure_id, "threshold": spec.threshold},
                notes=(
                    f"{spec.measure_id} ({spec.title}): valid / all bookings of the Trust in "
                    f"the month, NULLs counted as invalid; passes at >= {spec.threshold} "
                    "(rules.yaml threshold). Unexpected rows name the failing Trusts."
                ),
            )
        )
    return gx.ExpectationSuite(
        name=SUITE_TRUSTS,
        expectations=expectations,
        meta={"source": "checks/rules.yaml"},
        notes=(
            "The gate: one row per Trust for the reporting month. A Trust passes a measure "
            "when its observed rate is at least the rules.yaml threshold."
        ),
    )


# ---------------------------------------------------------------------------- input prep


# The dtype ``Series.astype(str)`` gives in the installed pandas (3.x: the pyarrow-backed "str").
_STR_DTYPE = pd.Series([], dtype=object).astype(str).dtype


def _coalesce(series: pd.Series) -> pd.Series:
    values = series.astype(object)
    return values.where(values.notna(), NULL_SENTINEL).astype(str)


def _as_str(series: pd.Series, *, coalesce: bool) -> Any:
    """The values as ``astype(str)`` gives them (NULLs as ``NULL_SENTINEL`` if ``coalesce``).

    A column that already has that dtype (what DuckDB -> Arrow -> pandas gives) is used as it is,
    with ``fillna`` for the NULLs: the same values and dtype as the general path, which goes
    through Python objects and costs ~20 ms per column and national month.
    """
    if series.dtype == _STR_DTYPE:
        return (series.fillna(NULL_SENTINEL) if coalesce else series).array
    return (_coalesce(series) if coalesce else series.astype(str)).to_numpy()


def _prepare(bookings: pd.DataFrame, specs: list[MeasureSpec]) -> pd.DataFrame:
    needed = list(REQUIRED_COLUMNS) + [spec.column for spec in specs]
    missing = [col for col in dict.fromkeys(needed) if col not in bookings.columns]
    if missing:
        raise ValueError(f"bookings frame lacks column(s) {missing}")
    for col in REQUIRED_COLUMNS:
        if bookings[col].isna().any():
            raise ValueError(f"bookings.{col} has NULLs; every booking needs a Trust and month")
    frame = pd.DataFrame(
        {
            "reporting_month": _as_str(bookings["reporting_month"], coalesce=False),
            "org_code": _as_str(bookings["org_code"], coalesce=False),
        }
    )
    for col in dict.fromkeys(spec.column for spec in specs):
        frame[col] = _as_str(bookings[col], coalesce=True)
    bad = sorted({m for m in frame["reporting_month"].unique() if not _MONTH_RE.match(m)})
    if bad:
        raise ValueError(f"reporting_month values not 'YYYY-MM': {bad[:5]}")
    return frame


# ---------------------------------------------------------------------------- GE runs


def _validation_definitions(context, specs: list[MeasureSpec]):
    import great_expectations as gx

    rows_suite = context.suites.add_or_update(build_row_suite(specs))
    trusts_suite = context.suites.add_or_update(build_trust_suite(specs))
    definitions = []
    for suite, asset in ((rows_suite, ASSET_ROWS), (trusts_suite, ASSET_TRUSTS)):
        batch_definition = ge_context.whole_dataframe_batch_definition(context, asset)
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


def _result_id(result, run_id):
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
        run_id=run_id,
        batch_identifier=result.batch_id,
    )


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
) -> tuple[list[GateResult], Path | None]:
    """Validate the gated measures for every Trust x month; optionally write GE Data Docs.

    Args:
        bookings: canonical bookings, one row per woman booked in the month, with
            ``reporting_month`` ('YYYY-MM'), ``org_code`` and the measured columns
            (``postcode`` normalised or NULL, ``ethnic_category`` code or NULL).
        rules: ``yaml.safe_load`` of checks/rules.yaml (or a modified copy).
        work_dir: the GE project lives in ``<work_dir>/gx`` (created if needed); GE writes
            nothing outside it except the Data Docs.
        docs_dir: if given, a fresh Data Docs site for this run's validations is written to
            ``<docs_dir>/data_docs/<YYYY-MM>/`` (``<first>_to_<last>`` when several months).
        trust_months: (reporting_month, org_code) pairs that must be reported even if they
            have no bookings in the frame (e.g. an unreadable submission); such a Trust-month
            gets element_count 0, observed_rate None and success False.

    Returns:
        (results sorted by month, Trust, measure in rules order; path of the Data Docs
        index.html, or None when ``docs_dir`` is None or there was nothing to validate).
    """
    specs = gated_measure_specs(rules)
    frame = _prepare(bookings, specs)

    expected: dict[str, set[str]] = {}
    for month, org in trust_months or ():
        if not _MONTH_RE.match(str(month)):
            raise ValueError(f"trust_months: {month!r} is not 'YYYY-MM'")
        expected.setdefault(str(month), set()).add(str(org))

    positions = frame.groupby("reporting_month", sort=True).indices
    months = sorted(set(positions) | set(expected))
    if not months:
        return [], None

    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    columns = list(dict.fromkeys(spec.column for spec in specs))
    run_time = datetime.now(UTC)
    results: list[GateResult] = []
    docs_ids: list[Any] = [
        ExpectationSuiteIdentifier(name=SUITE_ROWS),
        ExpectationSuiteIdentifier(name=SUITE_TRUSTS),
    ]

    with ge_context.context_lock(work_dir):
        context = ge_context.open_context(work_dir)
        _definitions(context, specs)

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
                docs_ids.append(_result_id(rows_result, run_id))
                unexpected = _row_level_unexpected(rows_result, batch, specs)
                counts = batch["org_code"].value_counts()
            else:
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
            docs_ids.append(_result_id(trusts_result, run_id))
            failing = _failing_orgs(trusts_result)
            empty = failing.get(None, set())
            if empty != {org for org, cnt in zip(orgs, n, strict=False) if cnt == 0}:
                raise GateError(f"{month}: GE's empty Trust-months {sorted(empty)} disagree with counts")

            for i, org in enumerate(orgs):
                for spec in specs:
                    count = int(n[i])
                    bad = int(u_by_measure[spec.measure_id][i])
                    rate = float(rates[spec.measure_id][i]) if count else None
                    ge_pass = org not in failing.get(spec.measure_id, set()) and org not in empty
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

        index = None
        if docs_dir is not None:
            label = months[0] if len(months) == 1 else f"{months[0]}_to_{months[-1]}"
            index = ge_context.build_data_docs(
                context,
                Path(docs_dir) / "data_docs" / label,
                docs_ids,
                site_name=f"{RUN_NAME_PREFIX}{label}",
            )
            # GE's pages load their scripts from CDNs and a tracking logo: serve them from the site.
            data_docs_offline.make_offline(index.parent)
    return results, index


def results_to_frame(results: Iterable[GateResult]) -> pd.DataFrame:
    """GateResults as a DataFrame (one row each), for the scorecard and CSV."""
    rows = [r.__dict__ for r in results]
    cols = list(GateResult.__dataclass_fields__)
    out = pd.DataFrame(rows, columns=cols)
    out["observed_rate"] = out["observed_rate"].astype("float64")
    return out


__all__ = [
    "NULL_SENTINEL",
    "SUITE_ROWS",
    "SUITE_TRUSTS",
    "GateError",
    "GateResult",
    "MeasureSpec",
    "build_row_suite",
    "build_trust_suite",
    "gated_measure_specs",
    "postcode_validity_regex",
    "results_to_frame",
    "run_ge_gate",
]
