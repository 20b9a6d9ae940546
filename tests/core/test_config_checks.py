"""The rules and layouts files are checked as they load: every problem named, one line each,
instead of a traceback from the first step that trips over it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pipelines.core.config import ConfigError, load_layouts, load_rules
from pipelines.core.paths import LAYOUTS_FILE, RULES_FILE


def _rules_with(tmp_path: Path, edit) -> Path:
    rules = yaml.safe_load(RULES_FILE.read_text())
    edit(rules)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False))
    return path


def _problems(load, path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(path)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines)
    return [line.removeprefix(f"{path}: ") for line in lines]


def test_shipped_files_have_no_problem():
    assert load_rules(RULES_FILE)["measures"] and load_layouts(LAYOUTS_FILE).layouts


def test_threshold_that_is_not_a_number(tmp_path):
    path = _rules_with(tmp_path, lambda r: r["measures"][0].update(threshold="abc"))
    assert _problems(load_rules, path) == [
        "measures[0] (MSD_MOTHER_POSTCODE_VALID): threshold must be a number from 0 to 1 (0.95 for 95%), found 'abc'"
    ]


@pytest.mark.parametrize("measures", [None, []])
def test_measures_null_or_empty(tmp_path, measures):
    path = _rules_with(tmp_path, lambda r: r.update(measures=measures))
    assert _problems(load_rules, path) == [f"measures: expected a list of at least one measure, found {measures!r}"]


def test_every_problem_at_once(tmp_path):
    def edit(rules):
        rules["measures"][0]["threshold"] = 95
        rules["measures"][1]["severity"] = "fatal"
        rules["measures"][2]["kind"] = "ratio"
        rules["plausibility"]["bmi"] = {"min": 70, "max": 12}

    assert _problems(load_rules, _rules_with(tmp_path, edit)) == [
        "measures[0] (MSD_MOTHER_POSTCODE_VALID): threshold must be a number from 0 to 1 (0.95 for 95%), found 95",
        "measures[1] (MSD_MOTHER_ETHNIC_VALID): severity must be one of error, warn, found 'fatal'",
        "measures[2] (MSD_MOTHER_POSTCODE_LSOA): kind must be one of flag_rate, found 'ratio'",
        "plausibility.bmi: min 70 is above max 12",
    ]


def _layouts_with(tmp_path: Path, old: str, new: str) -> Path:
    text = LAYOUTS_FILE.read_text()
    assert old in text
    path = tmp_path / "layouts.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_file_pattern_that_is_no_regular_expression(tmp_path):
    path = _layouts_with(tmp_path, "^K2_(?P<org>", "^K2_(?P<org")
    [problem] = _problems(load_layouts, path)
    assert re.fullmatch(r"K2\.file_pattern: not a valid regular expression \(bad character in group name .*", problem)


def test_file_pattern_without_a_month(tmp_path):
    path = _layouts_with(
        tmp_path,
        "(?P<mm>\\d{2})(?P<suffix>[^.]*)\\.csv$'\n  encoding: utf-8-sig",
        "(\\d{2})\\.csv$'\n  encoding: utf-8-sig",
    )
    assert _problems(load_layouts, path) == ["K2.file_pattern: the pattern has no group (?P<mm>...)"]


def test_max_lines_below_one(tmp_path):
    path = _layouts_with(tmp_path, "max_lines: 10", "max_lines: 0")
    assert _problems(load_layouts, path) == [
        "BadgerNet.columns.notes.max_lines: expected a whole number of at least 1, found 0"
    ]


def test_systems_of_record_by_month_are_read_and_checked(tmp_path):
    """RKB: K2 from the start, Cerner from 2026-04 (schemas/layouts.yaml); a Trust listed as
    `ODS: name` has no history. Then four mistakes in one history, each named."""
    layouts = load_layouts(LAYOUTS_FILE)
    assert [layouts.system_of_record("RKB", m) for m in ("2025-04", "2026-03", "2026-04")] == ["K2", "K2", "Cerner"]
    assert layouts.system_of_record("RJC", "2026-09") == "BadgerNet"
    (tmp_path / "plain").mkdir()
    plain = _layouts_with(
        tmp_path / "plain",
        "  RJC:\n    name: South Warwickshire University NHS Foundation Trust\n    systems:\n      - {system: BadgerNet}\n",
        "  RJC: South Warwickshire University NHS Foundation Trust\n",
    )
    loaded = load_layouts(plain)
    assert loaded.providers["RJC"] == "South Warwickshire University NHS Foundation Trust"
    assert loaded.system_of_record("RJC", "2026-09") is None
    broken = _layouts_with(
        tmp_path,
        "      - {system: K2}\n      - {system: Cerner, from: '2026-04'}\n",
        "      - {system: K2}\n      - {system: Meditech, from: '2026-04'}\n      - {system: Cerner, from: 2026-4}\n"
        "      - {system: BadgerNet, from: '2026-01'}\n      - {system: K2}\n",
    )
    assert _problems(load_layouts, broken) == [
        "providers.RKB.systems[1].system: 'Meditech' is not the system of any layout (BadgerNet, Cerner, K2)",
        "providers.RKB.systems[2].from: expected a month 'YYYY-MM' (quoted), found '2026-4'",
        "providers.RKB.systems[3].from: 2026-01 is not after the entry before it (2026-04)",
        "providers.RKB.systems[4].from: expected a month 'YYYY-MM' (quoted), found None",
    ]


def test_reconciled_items_and_the_lost_share_are_checked(tmp_path):
    def edit(rules):
        rules["measures"][0]["reconcile"] = {"decimals": 1}
        rules["measures"][3]["reconcile"]["decimals"] = -1
        rules["golive"]["max_lost_share"] = 5

    assert _problems(load_rules, _rules_with(tmp_path, edit)) == [
        "measures[0] (MSD_MOTHER_POSTCODE_VALID): reconcile must be {value: <column compared>, decimals: N}, "
        "found {'decimals': 1}",
        "measures[3] (MSD_BMI_RECORDED): reconcile.decimals must be a whole number of places, found -1",
        "golive.max_lost_share: expected a share from 0 to 1 (0.05 for 5%), found 5",
    ]


def test_the_scorecards_settings_are_checked(tmp_path):
    """A measure's better direction, the findings' group size, confidence and Not known share, and
    the breakdown rates' decimal places (issue #14)."""

    def edit(rules):
        rules["measures"][1]["better"] = "up"
        rules["findings"].update(min_group_women=0, confidence=99.8, not_known_dominates_share=None)
        rules["disclosure"]["rate_decimals"] = 1.5

    assert _problems(load_rules, _rules_with(tmp_path, edit)) == [
        "measures[1] (MSD_MOTHER_ETHNIC_VALID): better must be higher or lower, found 'up'",
        "disclosure.rate_decimals: expected a whole number from 0 to 3, found 1.5",
        "findings.min_group_women: expected a whole number of women, found 0",
        "findings.confidence: expected a share between 0 and 1 (0.998), found 99.8",
        "findings.not_known_dominates_share: expected a share from 0 to 1, found None",
    ]


def test_a_rules_file_without_findings_is_refused(tmp_path):
    assert _problems(load_rules, _rules_with(tmp_path, lambda r: r.pop("findings"))) == [
        "findings: expected a section (a mapping), found None"
    ]
