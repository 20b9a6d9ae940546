"""Tests for the Great Expectations gate (checks/validation.py).

Fixture: 2 Trusts (RAA, RBB) x 2 months (2025-04, 2025-05), 57 literal rows, shuffled.
Thresholds from checks/rules.yaml: postcode 0.95, ethnic category 0.80.

Hand count (every NULL, blank and invalid value is in the denominator):

2025-04 RAA, 20 rows
    postcode: 19 valid + 1 NULL                     -> 1 invalid, 19/20 = 0.95   PASS (= threshold)
    ethnic:   16 valid + 'Z', '99', NULL, ''        -> 4 invalid, 16/20 = 0.80   PASS (= threshold)
2025-04 RBB, 10 rows
    postcode: 8 valid + 2 NULL                      -> 2 invalid,  8/10 = 0.80   FAIL
              (GE's default, NULLs out of the denominator, would say 8/8 = 1.0 PASS)
    ethnic:   9 valid + NULL                        -> 1 invalid,  9/10 = 0.90   PASS
2025-05 RAA, 12 rows
    postcode: 9 valid + 'ZZ99 3VZ' (pseudo) + 'cv1 2ab' (lower case) + '' (blank)
                                                    -> 3 invalid,  9/12 = 0.75   FAIL
    ethnic:   8 valid + 'a' (lower case), 'Z', '99', 'X' (unmapped)
                                                    -> 4 invalid,  8/12 = 0.667  FAIL
2025-05 RBB, 15 rows
    postcode: 15 valid                              -> 0 invalid, 15/15 = 1.00   PASS
    ethnic:   13 valid + NULL + 'Z'                 -> 2 invalid, 13/15 = 0.867  PASS

Month-level GE row results (all Trusts of the month in one batch), NULLs as '':
    2025-04 postcode: 30 rows, 3 unexpected, 0 missing; ethnic: 30 rows, 5 unexpected, 0 missing.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import socket
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import yaml

from checks import measure_specs, suites, validation
from checks.validation import GateResult, run_ge_gate

RULES_PATH = Path(__file__).resolve().parents[2] / "checks" / "rules.yaml"
PC = "MSD_MOTHER_POSTCODE_VALID"
EC = "MSD_MOTHER_ETHNIC_VALID"

VALID_PC = [
    "B1 1AA", "M60 1NW", "CV1 2AB", "SW19 2AB", "W1A 1HQ",
    "SW1A 1AA", "LS1 4AP", "NG7 2UH", "CB2 0QQ", "EC1A 1BB",
]  # fmt: skip
VALID_EC = list("ABCDEFGHJKLMNPRS")


def _valid_pc(k: int) -> list[str]:
    return [VALID_PC[i % len(VALID_PC)] for i in range(k)]


def _valid_ec(k: int) -> list[str]:
    return [VALID_EC[i % len(VALID_EC)] for i in range(k)]


# (month, org): (postcodes, ethnic codes) -- equal lengths, one entry per booking
FIXTURE = {
    ("2025-04", "RAA"): (_valid_pc(19) + [None], _valid_ec(16) + ["Z", "99", None, ""]),
    ("2025-04", "RBB"): (_valid_pc(8) + [None, None], _valid_ec(9) + [None]),
    ("2025-05", "RAA"): (
        _valid_pc(9) + ["ZZ99 3VZ", "cv1 2ab", ""],
        _valid_ec(8) + ["a", "Z", "99", "X"],
    ),
    ("2025-05", "RBB"): (_valid_pc(15), _valid_ec(13) + [None, "Z"]),
}

# Hand-counted (see module docstring): (month, org, measure) -> (n, unexpected, rate, success)
EXPECTED = {
    ("2025-04", "RAA", PC): (20, 1, 19 / 20, True),
    ("2025-04", "RAA", EC): (20, 4, 16 / 20, True),
    ("2025-04", "RBB", PC): (10, 2, 8 / 10, False),
    ("2025-04", "RBB", EC): (10, 1, 9 / 10, True),
    ("2025-05", "RAA", PC): (12, 3, 9 / 12, False),
    ("2025-05", "RAA", EC): (12, 4, 8 / 12, False),
    ("2025-05", "RBB", PC): (15, 0, 15 / 15, True),
    ("2025-05", "RBB", EC): (15, 2, 13 / 15, True),
}


def _rows() -> list[dict]:
    rows = []
    for (month, org), (pcs, ecs) in FIXTURE.items():
        assert len(pcs) == len(ecs)
        rows += [
            {"reporting_month": month, "org_code": org, "postcode": p, "ethnic_category": e}
            for p, e in zip(pcs, ecs, strict=False)
        ]
    random.Random(7).shuffle(rows)
    return rows


def bookings_frame(arrow_dtypes: bool = False) -> pd.DataFrame:
    """The fixture as it arrives from DuckDB via Arrow."""
    table = pa.Table.from_pylist(_rows())
    return table.to_pandas(types_mapper=pd.ArrowDtype) if arrow_dtypes else table.to_pandas()


def by_key(results: list[GateResult]) -> dict[tuple[str, str, str], GateResult]:
    return {(r.reporting_month, r.org_code, r.measure_id): r for r in results}


def assert_matches_hand_count(results: list[GateResult], rules: dict) -> None:
    got = by_key(results)
    assert set(got) == set(EXPECTED)
    thresholds = {m["id"]: m["threshold"] for m in rules["measures"] if m.get("gated")}
    for key, (n, u, rate, ok) in EXPECTED.items():
        r = got[key]
        assert (r.element_count, r.unexpected_count, r.success) == (n, u, ok), key
        assert r.observed_rate == pytest.approx(rate, abs=1e-12), key
        assert r.threshold == thresholds[key[2]]


@pytest.fixture(scope="module")
def rules() -> dict:  # GE mechanics on hand-written formats; directory mode: test_postcodes.py
    return format_mode(yaml.safe_load(RULES_PATH.read_text()))


def format_mode(rules: dict) -> dict:
    rules["postcode"]["validity"] = "format"
    return rules


@pytest.fixture(scope="module")
def gate_run(tmp_path_factory, rules):
    base = tmp_path_factory.mktemp("ge_gate")
    results, index = run_ge_gate(bookings_frame(), rules, base / "work", base / "docs")
    return results, index, base


# ------------------------------------------------------------------ results (GE runs)


def test_hand_counted_rates_counts_and_verdicts(gate_run, rules):
    results, _, _ = gate_run
    assert_matches_hand_count(results, rules)
    # sorted by month, Trust, then measure in rules order
    assert [(r.reporting_month, r.org_code, r.measure_id) for r in results] == sorted(
        EXPECTED, key=lambda k: (k[0], k[1], [PC, EC].index(k[2]))
    )


def test_rate_exactly_at_threshold_passes(gate_run):
    got = by_key(gate_run[0])
    assert got[("2025-04", "RAA", PC)].observed_rate == 0.95 == got[("2025-04", "RAA", PC)].threshold
    assert got[("2025-04", "RAA", PC)].success
    assert got[("2025-04", "RAA", EC)].observed_rate == 0.80 == got[("2025-04", "RAA", EC)].threshold
    assert got[("2025-04", "RAA", EC)].success


def test_nulls_count_against_the_rate(gate_run, tmp_path):
    # Our gate: RBB 2025-04 has 8 valid postcodes and 2 NULLs -> 8/10, fails at 0.95.
    r = by_key(gate_run[0])[("2025-04", "RBB", PC)]
    assert (r.element_count, r.unexpected_count, r.observed_rate, r.success) == (10, 2, 0.8, False)

    # The pitfall it designs around: GE's own `mostly` on the raw column leaves the
    # NULLs out (8/8) and passes the same Trust-month.
    import great_expectations.expectations as gxe

    from checks.context import open_context, whole_dataframe_batch_definition

    raw = bookings_frame()
    raw = raw[(raw.reporting_month == "2025-04") & (raw.org_code == "RBB")]
    context = open_context(tmp_path / "pitfall")
    batch = whole_dataframe_batch_definition(context, "raw").get_batch(batch_parameters={"dataframe": raw})
    spec = next(
        s
        for s in measure_specs.gated_measure_specs(format_mode(yaml.safe_load(RULES_PATH.read_text())))
        if s.measure_id == PC
    )
    naive = batch.validate(
        gxe.ExpectColumnValuesToMatchRegex(column="postcode", regex=spec.regex, mostly=0.95),
        result_format="SUMMARY",
    )
    assert naive.success is True
    assert (naive.result["element_count"], naive.result["missing_count"]) == (10, 2)
    assert naive.result["unexpected_count"] == 0


def test_ge_row_level_rate_is_valid_over_all_rows(gate_run):
    """The stored GE result for 2025-04: all 30 rows counted, none missing (NULLs -> '')."""
    _, _, base = gate_run
    stored = list(
        (base / "work" / "gx" / "uncommitted" / "validations" / suites.SUITE_ROWS).glob(
            "maternity_dq_gate_2025-04/*/*.json"
        )
    )
    assert len(stored) == 1
    doc = json.loads(stored[0].read_text())
    by_column = {r["expectation_config"]["kwargs"]["column"]: r["result"] for r in doc["results"]}
    assert by_column["postcode"]["element_count"] == 30
    assert by_column["postcode"]["missing_count"] == 0
    assert by_column["postcode"]["unexpected_count"] == 3  # RAA 1 NULL + RBB 2 NULLs
    assert by_column["ethnic_category"]["element_count"] == 30
    assert by_column["ethnic_category"]["missing_count"] == 0
    assert by_column["ethnic_category"]["unexpected_count"] == 5  # RAA Z,99,NULL,'' + RBB NULL
    # GE's own month-level success ratio is therefore valid / all rows: (30-3)/30 < 0.95
    assert by_column["postcode"]["unexpected_percent"] == pytest.approx(10.0)


def test_changing_threshold_in_rules_copy_flips_verdicts(tmp_path, rules):
    changed = copy.deepcopy(rules)
    for m in changed["measures"]:
        if m["id"] == PC:
            m["threshold"] = 0.75  # RAA 2025-05 (0.75, exactly) and RBB 2025-04 (0.80) now pass
        if m["id"] == EC:
            m["threshold"] = 0.85  # RAA 2025-04 (0.80) now fails
    results, index = run_ge_gate(bookings_frame(), changed, tmp_path / "work")
    assert index is None
    got = by_key(results)
    assert got[("2025-05", "RAA", PC)].success is True
    assert got[("2025-04", "RBB", PC)].success is True
    assert got[("2025-04", "RAA", EC)].success is False
    assert got[("2025-05", "RBB", EC)].success is True  # 0.867 >= 0.85 still
    assert {r.threshold for r in results if r.measure_id == PC} == {0.75}
    # counts do not depend on thresholds
    for key, (n, u, _, _) in EXPECTED.items():
        assert (got[key].element_count, got[key].unexpected_count) == (n, u)


def test_data_docs_of_several_months_are_one_site(gate_run):
    """Two months in one call: a folder each under one site, whose index is returned."""
    _, index, base = gate_run
    site = base / "docs" / "data_docs"
    assert index == (site / "index.html").resolve()
    html = index.read_text()
    assert 'href="2025-04/index.html"' in html and 'href="2025-05/index.html"' in html
    for month, failing in (("2025-04", "RBB"), ("2025-05", "RAA")):  # EXPECTED: one failing Trust a month
        pages = sorted(p.name for p in (site / month / "validations").glob("*.html"))
        assert pages == sorted(["gate.html", f"{failing}.html"])
        for suite in (suites.SUITE_ROWS, suites.SUITE_TRUSTS):
            assert (site / month / "expectations" / f"{suite}.html").is_file()
    assert "RBB" in (site / "2025-04" / "validations" / "gate.html").read_text()  # the failing Trust is named


def test_no_network_no_home_writes_and_project_under_work_dir(tmp_path, monkeypatch, rules):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network connection attempted: {args[1:]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))

    work = tmp_path / "fresh_work"  # a new GE project: context creation is covered too
    results, index = run_ge_gate(bookings_frame(), rules, work, tmp_path / "docs")

    assert_matches_hand_count(results, rules)
    assert index is not None and index.is_file()
    assert list(home.iterdir()) == []
    config = yaml.safe_load((work / "gx" / "great_expectations.yml").read_text())
    assert config["analytics_enabled"] is False
    assert config["progress_bars"] == {"globally": False, "metric_calculations": False}
    assert os.environ["GX_ANALYTICS_ENABLED"] == "False"


def test_trust_month_without_bookings_fails(tmp_path, rules):
    results, _ = run_ge_gate(
        bookings_frame(),
        rules,
        tmp_path / "work",
        trust_months=[("2025-05", "RCC"), ("2025-06", "RAA"), ("2025-04", "RAA")],
    )
    got = by_key(results)
    for key in [
        ("2025-05", "RCC", PC),
        ("2025-05", "RCC", EC),
        ("2025-06", "RAA", PC),
        ("2025-06", "RAA", EC),
    ]:
        r = got[key]
        assert (r.element_count, r.unexpected_count, r.observed_rate, r.success) == (
            0,
            0,
            None,
            False,
        )
    for key, (n, u, _, ok) in EXPECTED.items():  # the others are unchanged
        assert (got[key].element_count, got[key].unexpected_count, got[key].success) == (n, u, ok)
    assert len(results) == len(EXPECTED) + 4


def test_arrow_backed_strings_give_the_same_results(tmp_path, rules):
    results, _ = run_ge_gate(bookings_frame(arrow_dtypes=True), rules, tmp_path / "work")
    assert_matches_hand_count(results, rules)


def test_results_to_frame(gate_run):
    frame = validation.results_to_frame(gate_run[0])
    assert list(frame.columns) == list(GateResult.__dataclass_fields__)
    assert len(frame) == len(EXPECTED)
    assert frame["success"].sum() == sum(ok for *_, ok in EXPECTED.values())


def test_empty_frame_returns_nothing(tmp_path, rules):
    empty = bookings_frame().iloc[0:0]
    assert run_ge_gate(empty, rules, tmp_path / "work", tmp_path / "docs") == ([], None)


def test_gate_data_docs_reference_nothing_outside_the_site(tmp_path, rules):
    """The month's folder run_ge_gate writes is made offline: no page loads anything from the internet.
    RKB: postcodes 1 valid of 3 (a blank, a pseudo-postcode) fails, so it gets a page of its own."""
    frame = pd.DataFrame(
        {
            "reporting_month": ["2025-04"] * 3,
            "org_code": ["RKB"] * 3,
            "postcode": ["CV1 2AB", None, "ZZ99 3VZ"],
            "ethnic_category": ["A", "Z", None],
        }
    )
    _, index = run_ge_gate(frame, rules, tmp_path / "work", tmp_path / "docs")
    pages = list(index.parent.rglob("*.html"))
    assert sorted(p.relative_to(index.parent).as_posix() for p in pages) == [
        "expectations/maternity_dq_gate_rows.html",
        "expectations/maternity_dq_gate_trusts.html",
        "index.html",
        "validations/RKB.html",
        "validations/gate.html",
    ]
    for page in pages:
        assert not re.search(r"""(src|href)\s*=\s*["']https?://""", page.read_text(encoding="utf-8")), page


def test_bad_input_is_rejected(tmp_path, rules):
    frame = bookings_frame()
    with pytest.raises(ValueError, match="lacks column"):
        run_ge_gate(frame.drop(columns=["postcode"]), rules, tmp_path / "w")
    bad = frame.copy()
    bad.loc[0, "org_code"] = None
    with pytest.raises(ValueError, match="org_code"):
        run_ge_gate(bad, rules, tmp_path / "w")
    bad = frame.copy()
    bad.loc[0, "reporting_month"] = "2025-4"
    with pytest.raises(ValueError, match="YYYY-MM"):
        run_ge_gate(bad, rules, tmp_path / "w")
