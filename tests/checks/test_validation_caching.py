"""What checks/validation.py keeps between gate calls in one process, and its faster input path.

* The two validation definitions (and suites) are made once per GE context and rules, not on
  every call; made again when the rules change, or when the project's stored suite no longer
  matches the cached one (another process, other rules).
* ``_prepare`` turns DuckDB's strings (pandas' pyarrow-backed "str") into the validated frame
  without a trip through Python objects; the frame is the same whatever the input dtype.

Fixture: one month, 2025-04, rules from checks/rules.yaml (postcode >= 0.95, ethnic >= 0.80):

    RAA  10 bookings: 9 valid postcodes + NULL (0.9), all 10 ethnic codes valid (1.0)
    RBB   5 bookings: 5 valid postcodes (1.0), ethnic 4 valid + 'Z' (0.8)

Verdicts: RAA postcode fails at 0.95 and passes at 0.90; RBB ethnic passes at 0.80 and fails
at 0.85; the other two pass at any of these thresholds.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from checks import batch, measure_specs, suites, validation
from checks import context as gx_context
from checks.validation import run_ge_gate

RULES_PATH = Path(__file__).resolve().parents[2] / "checks" / "rules.yaml"
PC = "MSD_MOTHER_POSTCODE_VALID"
EC = "MSD_MOTHER_ETHNIC_VALID"

POSTCODES = ["B1 1AA", "M60 1NW", "CV1 2AB"]
ROWS = [("RAA", POSTCODES[i % 3], "A") for i in range(9)] + [("RAA", None, "B")]
ROWS += [("RBB", POSTCODES[i % 3], "C") for i in range(4)] + [("RBB", "LS1 4AP", "Z")]


def _bookings() -> pd.DataFrame:
    return pd.DataFrame(
        [{"reporting_month": "2025-04", "org_code": o, "postcode": p, "ethnic_category": e} for o, p, e in ROWS]
    )


@pytest.fixture(scope="module")
def rules() -> dict:
    # These tests exercise GE's mechanics on hand-written formats: format mode. Directory mode
    # (the shipped setting) is tested in tests/checks/test_postcodes.py.
    return format_mode(yaml.safe_load(RULES_PATH.read_text()))


def format_mode(rules: dict) -> dict:
    rules["postcode"]["validity"] = "format"
    return rules


def _with_thresholds(rules: dict, pc: float, ec: float) -> dict:
    changed = copy.deepcopy(rules)
    for m in changed["measures"]:
        if m["id"] == PC:
            m["threshold"] = pc
        if m["id"] == EC:
            m["threshold"] = ec
    return changed


def _verdicts(results) -> dict[tuple[str, str], bool]:
    return {(r.org_code, r.measure_id): r.success for r in results}


def _counting(monkeypatch) -> list[int]:
    made: list[int] = []
    original = validation._validation_definitions

    def counting(context, specs):
        made.append(1)
        return original(context, specs)

    monkeypatch.setattr(validation, "_validation_definitions", counting)
    return made


def _stored_mostly(work: Path) -> dict[str, float]:
    suite = json.loads((work / "gx" / "expectations" / f"{suites.SUITE_ROWS}.json").read_text())
    return {e["kwargs"]["column"]: e["kwargs"]["mostly"] for e in suite["expectations"]}


def test_definitions_are_made_once_per_context_and_rules(tmp_path, rules, monkeypatch):
    made = _counting(monkeypatch)
    work = tmp_path / "work"
    as_rules = {("RAA", PC): False, ("RAA", EC): True, ("RBB", PC): True, ("RBB", EC): True}

    first, _ = run_ge_gate(_bookings(), rules, work)
    second, _ = run_ge_gate(_bookings(), rules, work)
    assert len(made) == 1
    assert _verdicts(first) == _verdicts(second) == as_rules
    assert [r.__dict__ for r in first] == [r.__dict__ for r in second]

    # other thresholds, same project: made again, and they apply
    looser_pc_stricter_ec = _with_thresholds(rules, 0.90, 0.85)
    changed, _ = run_ge_gate(_bookings(), looser_pc_stricter_ec, work)
    assert len(made) == 2
    assert _verdicts(changed) == {("RAA", PC): True, ("RAA", EC): True, ("RBB", PC): True, ("RBB", EC): False}
    assert _stored_mostly(work) == {"postcode": 0.90, "ethnic_category": 0.85}

    back, _ = run_ge_gate(_bookings(), rules, work)
    assert len(made) == 3
    assert _verdicts(back) == as_rules
    assert _stored_mostly(work) == {"postcode": 0.95, "ethnic_category": 0.80}


def test_definitions_are_made_again_when_the_stored_suite_changed(tmp_path, rules, monkeypatch):
    made = _counting(monkeypatch)
    work = tmp_path / "work"
    run_ge_gate(_bookings(), rules, work)
    assert len(made) == 1

    # Another process with other rules rewrites the stored row suite in the same project.
    context = gx_context.open_context(work)
    other = measure_specs.gated_measure_specs(_with_thresholds(rules, 0.90, 0.85))
    context.suites.add_or_update(suites.build_row_suite(other))
    assert _stored_mostly(work) == {"postcode": 0.90, "ethnic_category": 0.85}

    results, _ = run_ge_gate(_bookings(), rules, work)
    assert len(made) == 2  # GE found the cached suite stale; the definitions were made again
    assert _verdicts(results) == {("RAA", PC): False, ("RAA", EC): True, ("RBB", PC): True, ("RBB", EC): True}
    assert _stored_mostly(work) == {"postcode": 0.95, "ethnic_category": 0.80}


def _expected_prepared() -> pd.DataFrame:
    # NULLs as '' (invalid, in the denominator); strings with the dtype pandas gives Python strs
    return pd.DataFrame(
        {
            "reporting_month": ["2025-04"] * len(ROWS),
            "org_code": [o for o, _, _ in ROWS],
            "postcode": ["" if p is None else p for _, p, _ in ROWS],
            "ethnic_category": [e for _, _, e in ROWS],
        }
    )


@pytest.mark.parametrize("dtype", ["python objects", "pandas default str", "pyarrow ArrowDtype"])
def test_prepare_gives_the_same_frame_whatever_the_string_dtype(rules, dtype):
    frame = _bookings()
    if dtype == "python objects":
        frame = frame.astype(object)
        assert frame["postcode"].dtype == object
    elif dtype == "pyarrow ArrowDtype":
        import pyarrow as pa

        frame = frame.astype(pd.ArrowDtype(pa.string()))
    else:
        assert frame["postcode"].dtype == pd.Series(["x"]).dtype  # DuckDB -> Arrow -> pandas gives this
    assert frame["postcode"].isna().sum() == 1

    prepared = batch.prepare_batch(frame, measure_specs.gated_measure_specs(rules))
    pd.testing.assert_frame_equal(prepared, _expected_prepared(), check_exact=True)


def test_prepare_fast_path_keeps_the_input_untouched(rules):
    frame = _bookings()
    before = frame.copy()
    prepared = batch.prepare_batch(frame, measure_specs.gated_measure_specs(rules))
    prepared.loc[0, "postcode"] = "changed"
    pd.testing.assert_frame_equal(frame, before)
