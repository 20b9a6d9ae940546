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
    assert by_col["ethnic_category"].mostly == 0.80  # the shipped threshold, unchanged
    gate = {e.column: e for e in suites.build_trust_suite(specs.values()).expectations}
    assert gate[PC].min_value == 0.5
    assert gate[EC].min_value == 0.80


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


@pytest.mark.parametrize(
    ("threshold", "accepted"),
    [(1, True), (1.0, True), (0.0001, True), (0.95, True), (0, False), (0.0, False), (1.0001, False),
     (-0.5, False), (True, False), ("0.95", False), (None, False)],
)  # fmt: skip
def test_a_threshold_is_a_rate_above_0_up_to_1(rules, threshold, accepted):
    """measures.md: a threshold is a share of women, (0, 1]; a YAML `yes` or a quoted number is a
    mistake in the rules file, not a threshold."""
    changed = copy.deepcopy(rules)
    changed["measures"][0]["threshold"] = threshold
    if accepted:
        assert measure_specs.gated_measure_specs(changed)[0].threshold == float(threshold)
    else:
        with pytest.raises(ValueError, match=rf"^{PC}: threshold must be a number in \(0, 1\], got "):
            measure_specs.gated_measure_specs(changed)


def test_directory_mode_accepts_any_normalised_postcode_but_the_pseudo_code(rules):
    """Directory mode: the directory, not a format, says which postcodes exist, so the regex takes
    any normalised value (outward, one space, three characters) whose outward code is not ZZ99; a
    value marked not live (checks/postcodes.py) has more spaces and fails."""
    directory = copy.deepcopy(rules)
    directory["postcode"]["validity"] = "directory"
    regex = measure_specs.postcode_validity_regex(directory)
    typed = ["CV1 2AB", "QQ1 1QQ", "A 1AA", "ZZ99 3VZ", "ZZ991 3VZ", "CV1 2AB (not live)", "CV12AB", "", "CV1 2A"]
    assert [bool(re.search(regex, t)) for t in typed] == [True, True, True, False, True, False, False, False, False]
    spec = measure_specs.gated_measure_specs(directory)[0]
    assert (spec.directory, spec.kind, spec.column) == (True, "regex", "postcode")
    assert measure_specs.gated_measure_specs(rules)[0].directory is False


def test_without_pseudo_codes_the_shape_alone_decides(rules):
    directory = copy.deepcopy(rules)
    directory["postcode"]["validity"] = "directory"
    directory["postcode"]["pseudo_outward_codes"] = []
    assert re.search(measure_specs.postcode_validity_regex(directory), "ZZ99 3VZ")


def test_pseudo_codes_are_matched_trimmed_and_upper_cased(rules):
    changed = copy.deepcopy(rules)
    changed["postcode"]["pseudo_outward_codes"] = [" zz99 "]
    assert not re.search(measure_specs.postcode_validity_regex(changed), "ZZ99 3VZ")


def test_no_valid_code_or_no_gated_measure_is_an_error(rules):
    changed = copy.deepcopy(rules)
    changed["ethnic_category"]["valid_codes"] = []
    with pytest.raises(ValueError, match=f"^{EC}: ethnic_category.valid_codes is empty$"):
        measure_specs.gated_measure_specs(changed)
    changed = copy.deepcopy(rules)
    for measure in changed["measures"]:
        measure["gated"] = False
    with pytest.raises(ValueError, match="^rules define no gated measure$"):
        measure_specs.gated_measure_specs(changed)


def test_titles_and_kinds_of_the_shipped_gated_measures(rules):
    specs = measure_specs.gated_measure_specs(rules)
    assert [(s.title, s.column, s.kind, s.threshold) for s in specs] == [
        ("Valid postcode", "postcode", "regex", 0.95),
        ("Valid ethnic category", "ethnic_category", "in_set", 0.80),
    ]
    assert specs[1].value_set == tuple("ABCDEFGHJKLMNPRS") and specs[0].value_set is None
    # Format mode: no spec asks for the directory lookup (the batch would demand its column).
    assert [s.directory for s in specs] == [False, False]
