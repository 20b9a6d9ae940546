"""Every rule of checks/rules.yaml at its edges, through the real path: the edge cases of
tests/ingest/rule_edge_cases.py written as the three layouts' extracts, loaded by `load_month`
(readers, pandera contracts, staging SQL, the bookings mart with the rules installed), measured,
and gated by Great Expectations. Each row's class must be the one worked by hand from the spec.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from pipelines.core.paths import RULES_FILE
from tests.conftest import load, query
from tests.ingest.rule_edge_cases import ALL_CASES, FORMAT_CASES, K2_CODES, NHS_CASES
from tests.ingest.rule_edges import FILES, MONTH, Case, write_landing

CLASS_COLUMNS = (
    "postcode_class",
    "ethnic_category_class",
    "bmi_class",
    "smoking_class",
    "co_class",
    "gestation_class",
    "nhs_number_class",
)
RULE_CASES = [c for c in ALL_CASES if c.measure != "nhs_number_class"]


def _load_and_gate(root: Path, cases: list[Case]) -> tuple[Path, dict[int, dict[str, str] | None]]:
    """The cases loaded, measured and gated; each case's row of classes (None: not loaded)."""
    from pipelines.core.warehouse import connect
    from pipelines.gate.results import run_month_gate
    from pipelines.measures.compute import compute_measures

    where = write_landing(root / "landing", cases)
    warehouse = root / "w.duckdb"
    load(root / "landing", warehouse, MONTH)
    with connect(warehouse) as con:
        compute_measures(con, MONTH)
        run_month_gate(con, MONTH, root / "work", None)
    columns = (*CLASS_COLUMNS, "postcode", "ethnic_category")
    rows = query(warehouse, f"SELECT source_file, source_line, {', '.join(columns)} FROM bookings")
    classes = {(r[0], r[1]): dict(zip(columns, r[2:], strict=True)) for r in rows}
    return warehouse, {id(case): classes.get(place) for case, place in zip(cases, where, strict=True)}


@pytest.fixture(scope="module")
def edges(tmp_path_factory) -> tuple[Path, dict[int, dict[str, str] | None]]:
    """The edge month under the shipped rules (postcode validity by the directory)."""
    return _load_and_gate(tmp_path_factory.mktemp("rule_edges"), ALL_CASES)


@pytest.fixture(scope="module")
def format_edges(tmp_path_factory) -> tuple[Path, dict[int, dict[str, str] | None]]:
    """The format-mode postcode cases under a copy of the rules with `postcode.validity: format`."""
    root = tmp_path_factory.mktemp("rule_edges_format")
    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    rules["postcode"]["validity"] = "format"
    (root / "rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MDQ_RULES", str(root / "rules.yaml"))
        return _load_and_gate(root, FORMAT_CASES)


def _class_of(edges, case: Case) -> str:
    row = edges[1][id(case)]
    assert row is not None, f"{case.id}: the row did not load"
    return row[case.measure]


@pytest.mark.parametrize("case", RULE_CASES, ids=[c.id for c in RULE_CASES])
def test_each_edge_gets_its_class(edges, case):
    assert _class_of(edges, case) == case.expected


POSTCODE_CASES = [c for c in ALL_CASES if c.measure == "postcode_class"]


@pytest.mark.parametrize("case", POSTCODE_CASES, ids=[c.id for c in POSTCODE_CASES])
def test_the_gates_own_normalisation_agrees_on_every_postcode_edge(edges, case):
    """The gate normalises the postcodes as typed itself (checks/postcodes.py): a null token or
    blank is None (missing) there exactly when the case is missing, and otherwise the gate's form
    is the warehouse's, so both judge the same postcode."""
    import pandas as pd

    from checks.postcodes import normalise_postcodes
    from pipelines.core.config import load_rules

    (gate_form,) = normalise_postcodes(pd.Series([case.values["postcode"]]), load_rules()).tolist()
    assert (gate_form is None) == (case.expected == "missing")
    assert gate_form == edges[1][id(case)]["postcode"]


def test_the_warehouse_normalises_as_the_spec_says(edges):
    """measures.md rule 1 by hand: white space removed, upper-cased, one space before the last three
    characters; three characters or fewer stay whole (no leading space)."""
    forms = {c.values["postcode"]: edges[1][id(c)]["postcode"] for c in POSTCODE_CASES if c.layout == "K2"}
    typed = ["CV1", " cv1 ", "B1", "O", "NONE", "C V 1 2 A B", "\ufeffCV1 2AB", "zz99 3vz", "CV1 2AB X"]
    assert [forms[t] for t in typed] == ["CV1", "CV1", "B1", "O", "N ONE", "CV1 2AB", "CV1 2AB", "ZZ99 3VZ", "CV12 ABX"]


def test_each_k2_text_maps_to_its_code(edges):
    """source-layouts.md's K2 table, text by text: the NHS code each maps to, and the mart's class."""
    mapped = {
        c.values["ethnic"]: edges[1][id(c)]["ethnic_category"]
        for c in ALL_CASES
        if c.layout == "K2" and c.measure == "ethnic_category_class" and c.values["ethnic"] in K2_CODES
    }
    assert mapped == K2_CODES


@pytest.mark.parametrize("case", FORMAT_CASES, ids=[c.id for c in FORMAT_CASES])
def test_postcode_format_mode_edges(format_edges, case):
    assert _class_of(format_edges, case) == case.expected


def test_the_gate_counts_the_format_mode_edges(format_edges):
    """Format mode, RKB alone: 9 valid of 9 + 22 + 1 + 3 = 35 booked (FORMAT_CASES), counted by
    Great Expectations with the rules' BS7666 regex and by the SQL alike (RJC and RLT sent nothing:
    0 of 0, missing)."""
    from pipelines.gate.verdicts import evaluate_gate

    warehouse, _ = format_edges
    assert query(
        warehouse,
        "SELECT org_code, element_count - unexpected_count, element_count FROM gate_results "
        "WHERE measure_id = 'MSD_MOTHER_POSTCODE_VALID' ORDER BY 1",
    ) == [("RJC", 0, 0), ("RKB", 9, 35), ("RLT", 0, 0)]
    postcode = [v for v in evaluate_gate(warehouse, MONTH) if v.measure_id == "MSD_MOTHER_POSTCODE_VALID"]
    assert [(v.org_code, v.numerator, v.denominator, v.completeness) for v in postcode] == [
        ("RJC", 0, 0, "missing"),
        ("RKB", 9, 35, "complete"),
        ("RLT", 0, 0, "missing"),
    ]


@pytest.mark.parametrize("case", NHS_CASES, ids=[c.id for c in NHS_CASES])
def test_nhs_number_modulus_11(edges, case):
    """Modulus 11 (measures.md): weights 10, 9, ..., 2 on the first nine digits; remainder of the
    sum by 11; check digit 11 - remainder, where 11 means 0 and 10 means no valid number.

    9434765919: 9x10 + 4x9 + 3x8 + 4x7 + 7x6 + 6x5 + 5x4 + 9x3 + 1x2 = 90+36+24+28+42+30+20+27+2
        = 299; 299 = 27x11 + 2; 11 - 2 = 9 = last digit: valid. 9434765918: last digit 8: invalid.
    4010232137: 40+0+8+0+12+15+8+3+6 = 92 = 8x11 + 4; 11 - 4 = 7: valid. 4010232136: invalid.
    1000000060: 1x10 + 6x2 = 22 = 2x11 + 0; 11 - 0 = 11 -> check digit 0: valid. 1000000061: invalid.
    1000000010 and 1000000011: 1x10 + 1x2 = 12 = 11 + 1; 11 - 1 = 10: no check digit can match, so
        invalid whatever the last digit (a check taken mod 10 would wrongly accept ...10).
    Spaces or dashes between the 3-3-4 groups are allowed; 9 or 11 digits are the wrong length;
    Arabic-Indic digits (U+0660-U+0669) are not ASCII [0-9], so invalid, never zeros or nines.
    Ten identical digits pass Modulus 11 (d x 54 = 55d - d, remainder 11 - d, check digit d) but
    are placeholders typed for "not known": default, never valid. Blank or white space: missing.
    """
    assert _class_of(edges, case) == case.expected


def test_every_edge_row_is_loaded(edges):
    """Every case is a booking in the month; none is quarantined (a quarantined row would hide its class)."""
    warehouse, _ = edges
    per_file = Counter(FILES[c.layout] for c in ALL_CASES)
    assert dict(query(warehouse, "SELECT source_file, count(*) FROM bookings GROUP BY 1")) == dict(per_file)
    assert query(warehouse, "SELECT source_file, line_number, reason FROM quarantine") == []


@pytest.mark.parametrize(
    ("measure_id", "measure"),
    [("MSD_MOTHER_POSTCODE_VALID", "postcode_class"), ("MSD_MOTHER_ETHNIC_VALID", "ethnic_category_class")],
)
def test_the_gate_counts_the_same_edges(edges, measure_id, measure):
    """Great Expectations normalises postcodes and judges them itself (checks/postcodes.py); its
    per-Trust counts must be the table's: every booking in the denominator, valid only where the
    case says so (a case about another field keeps the valid base value). The SQL measures agree
    (the gate's verdicts raise if they do not)."""
    from pipelines.gate.verdicts import evaluate_gate

    warehouse, _ = edges
    booked = Counter(c.layout for c in ALL_CASES)
    not_valid = Counter(c.layout for c in ALL_CASES if c.measure == measure and c.expected != "valid")
    org = {"K2": "RKB", "BadgerNet": "RJC", "Cerner": "RLT"}
    expected = sorted((org[layout], booked[layout] - not_valid[layout], booked[layout]) for layout in booked)
    got = query(
        warehouse,
        "SELECT org_code, element_count - unexpected_count, element_count FROM gate_results "
        "WHERE measure_id = ? ORDER BY 1",
        [measure_id],
    )
    assert got == expected
    sql = {
        (v.org_code, v.numerator, v.denominator) for v in evaluate_gate(warehouse, MONTH) if v.measure_id == measure_id
    }
    assert sql == set(expected)
