"""The gated measures' specs and suites come from checks/rules.yaml (checks/measure_specs.py, checks/suites.py)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from checks import measure_specs, suites

RULES_PATH = Path(__file__).resolve().parents[2] / "checks" / "rules.yaml"
PC = "MSD_MOTHER_POSTCODE_VALID"
EC = "MSD_MOTHER_ETHNIC_VALID"


@pytest.fixture(scope="module")
def rules() -> dict:
    # These tests exercise GE's mechanics on hand-written formats: format mode. Directory mode
    # (the shipped setting) is tested in tests/checks/test_postcodes.py.
    return format_mode(yaml.safe_load(RULES_PATH.read_text()))


def format_mode(rules: dict) -> dict:
    rules["postcode"]["validity"] = "format"
    return rules


# ------------------------------------------------------------- suites from rules (no GE run)


@pytest.mark.parametrize(
    "value, valid",
    [
        ("B1 1AA", True), ("M60 1NW", True), ("CV1 2AB", True), ("SW19 2AB", True),
        ("W1A 1HQ", True), ("SW1A 1AA", True),
        ("YY9 9ZZ", True),  # outward YY9 is well-formed and not the pseudo code
        ("ZZ99 3VZ", False), ("ZZ99 9ZZ", False), ("cv1 2ab", False), ("CV12AB", False),
        ("CV1  2AB", False), ("", False), ("N/A", False), ("12345", False), ("CV1 2AB ", False),
        # BS7666 letters by position (issue 12): first never Q V X; second never I J Z; third of
        # A9A only A-H J K P S T U W; fourth of AA9A only A B E H M N P R V W X Y; inward never
        # C I K M O V.
        ("QA1 1AA", False), ("VA1 1AA", False), ("XA1 1AA", False),
        ("AI1 1AA", False), ("AJ1 1AA", False), ("AZ1 1AA", False),
        ("W1L 1AA", False), ("W1P 1AA", True), ("W1U 1AA", True),
        ("EC1C 1AA", False), ("EC1Y 1AA", True), ("EC1V 1AA", True),
        ("CV1 2CA", False), ("CV1 2AI", False), ("CV1 2KA", False), ("CV1 2AM", False),
        ("CV1 2OA", False), ("CV1 2AV", False), ("CV1O 2AB", False),
    ],
)  # fmt: skip
def test_postcode_regex_from_rules(rules, value, valid):

    assert bool(re.search(measure_specs.postcode_validity_regex(rules), value)) is valid


def test_regex_and_codes_come_from_rules(rules):
    changed = copy.deepcopy(rules)
    changed["postcode"]["pseudo_outward_codes"] = ["ZZ99", "YY1"]
    changed["ethnic_category"]["valid_codes"] = ["A", "B"]
    for m in changed["measures"]:
        if m["id"] == PC:
            m["threshold"] = 0.5
    specs = {s.measure_id: s for s in measure_specs.gated_measure_specs(changed)}

    assert re.search(specs[PC].regex, "YY1 1AA") is None
    assert re.search(specs[PC].regex, "YY11 1AA") is not None
    assert specs[EC].value_set == ("A", "B")

    suite = suites.build_row_suite(specs.values())
    by_col = {e.column: e for e in suite.expectations}
    assert by_col["postcode"].regex == specs[PC].regex
    assert by_col["postcode"].mostly == 0.5
    assert list(by_col["ethnic_category"].value_set) == ["A", "B"]
    assert by_col["ethnic_category"].mostly == rules["measures"][1]["threshold"]
    gate = {e.column: e for e in suites.build_trust_suite(specs.values()).expectations}
    assert gate[PC].min_value == 0.5
    assert gate[EC].min_value == rules["measures"][1]["threshold"]


def test_only_gated_measures_and_unwired_gated_measure_is_an_error(rules):
    assert [s.measure_id for s in measure_specs.gated_measure_specs(rules)] == [PC, EC]
    changed = copy.deepcopy(rules)
    for m in changed["measures"]:
        if m["id"] == "MSD_BMI_RECORDED":
            m["gated"], m["threshold"] = True, 0.9
    with pytest.raises(ValueError, match="MSD_BMI_RECORDED"):
        measure_specs.gated_measure_specs(changed)


def test_sentinel_must_stay_invalid(rules):
    changed = copy.deepcopy(rules)
    changed["ethnic_category"]["valid_codes"] = ["A", ""]
    with pytest.raises(ValueError, match="sentinel"):
        measure_specs.gated_measure_specs(changed)
    changed = copy.deepcopy(rules)
    changed["postcode"]["format_regex"] = ".*"
    with pytest.raises(ValueError, match="sentinel"):
        measure_specs.gated_measure_specs(changed)
