"""The gate's JUnit XML (pipelines/gate/junit.py) from hand-made verdicts, read back as a CI
system reads it: one test case per Trust and gated measure, a failure for each breach typed by
its kind, a warning (--warn-only) as output not failure, the suite's time shared by its cases.

Verdicts (hand-worked, test_verdicts.py's arithmetic): RKB postcode 2/6 below 95%: ceil(5.7) -
2 = 4 records short; RKB ethnic 16/20 = 80%: passes; RJC missing: fails as a missing submission.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from pipelines.gate.junit import write_junit
from pipelines.gate.verdicts import GateVerdict

MONTH = "2025-04"


def _verdict(org, mid, title, num, den, threshold, completeness="complete", detail=None, severity="error"):
    rate = num / den if den else None
    return GateVerdict(org, mid, title, num, den, rate, threshold, completeness, detail, severity)


VERDICTS = [
    _verdict("RJC", "MSD_MOTHER_POSTCODE_VALID", "Valid postcode", 0, 0, 0.95, "missing", "no extract received"),
    _verdict("RKB", "MSD_MOTHER_ETHNIC_VALID", "Valid ethnic category", 16, 20, 0.80),
    _verdict("RKB", "MSD_MOTHER_POSTCODE_VALID", "Valid postcode", 2, 6, 0.95),
]


def _read(path: Path) -> tuple[ET.Element, dict[str, ET.Element]]:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites" and len(root) == 1
    suite = root[0]
    return suite, {case.get("name"): case for case in suite.iter("testcase")}


def test_cases_failures_and_messages(tmp_path):
    worklist = tmp_path / "worklist-2025-04-RKB.csv"
    started = datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)
    path = write_junit(VERDICTS, tmp_path / "gate.xml", MONTH, {"RKB": worklist}, started, seconds=3.0)
    suite, cases = _read(path)
    assert suite.attrib == {
        "name": "mdq gate 2025-04",
        "tests": "3",
        "failures": "2",
        "errors": "0",
        "skipped": "0",
        "time": "3.000",
        "timestamp": "2025-05-06T07:08:09+00:00",
    }
    assert list(cases) == ["RJC: Valid postcode", "RKB: Valid ethnic category", "RKB: Valid postcode"]
    assert {c.get("classname") for c in cases.values()} == {"mdq.gate.2025-04"}
    assert [c.get("time") for c in cases.values()] == ["1.000", "1.000", "1.000"]  # 3 s shared by 3 cases

    passed = cases["RKB: Valid ethnic category"]
    assert len(passed) == 0  # no failure, no output

    breach = cases["RKB: Valid postcode"].find("failure")
    message = f"RKB Valid postcode: rate 33.3% (2 of 6 booked), threshold 95%, 4 records short; worklist: {worklist}"
    assert breach.attrib == {"message": message, "type": "threshold_breach"}
    assert breach.text == f"{message}\nmeasure MSD_MOTHER_POSTCODE_VALID, reporting month 2025-04"

    missing = cases["RJC: Valid postcode"].find("failure")
    assert missing.attrib == {
        "message": "RJC Valid postcode: submission missing (no extract received); "
        "threshold 95% cannot be met without the Trust's data",
        "type": "missing_submission",
    }


def test_without_a_worklist_or_a_start_time(tmp_path):
    suite, cases = _read(write_junit(VERDICTS[2:], tmp_path / "gate.xml", MONTH))
    assert "timestamp" not in suite.attrib and suite.get("time") == "0.000"
    assert cases["RKB: Valid postcode"].find("failure").get("message") == (
        "RKB Valid postcode: rate 33.3% (2 of 6 booked), threshold 95%, 4 records short"
    )


def test_counts_are_written_with_thousands_separators(tmp_path):
    """A national Trust: 9,000 of 10,000 at 95%: ceil(9,500) - 9,000 = 500 records short."""
    big = _verdict("RXX", "MSD_MOTHER_POSTCODE_VALID", "Valid postcode", 9000, 10000, 0.95)
    _, cases = _read(write_junit([big], tmp_path / "gate.xml", MONTH))
    assert cases["RXX: Valid postcode"].find("failure").get("message") == (
        "RXX Valid postcode: rate 90.0% (9,000 of 10,000 booked), threshold 95%, 500 records short"
    )


def test_warn_only_reports_below_threshold_as_output_not_failure(tmp_path):
    warned = [
        _verdict(
            v.org_code, v.measure_id, v.title, v.numerator, v.denominator, v.threshold, v.completeness, v.detail, "warn"
        )
        for v in VERDICTS
    ]
    suite, cases = _read(write_junit(warned, tmp_path / "gate.xml", MONTH, seconds=1.5))
    assert (suite.get("tests"), suite.get("failures"), suite.get("time")) == ("3", "0", "1.500")
    assert [c.get("time") for c in cases.values()] == ["0.500", "0.500", "0.500"]
    assert [c.tag for c in cases["RKB: Valid postcode"]] == ["system-out"]
    assert cases["RKB: Valid postcode"].find("system-out").text == (
        "warning only: RKB Valid postcode: rate 33.3% (2 of 6 booked), threshold 95%, 4 records short"
    )
    assert (
        cases["RJC: Valid postcode"]
        .find("system-out")
        .text.startswith("warning only: RJC Valid postcode: submission missing")
    )
    assert len(cases["RKB: Valid ethnic category"]) == 0  # passed: nothing to say


def test_no_verdicts_is_an_empty_suite(tmp_path):
    suite, cases = _read(write_junit([], tmp_path / "gate.xml", MONTH, seconds=2.0))
    assert (suite.get("tests"), suite.get("failures"), suite.get("time"), cases) == ("0", "0", "2.000", {})


def test_the_file_is_utf8_xml_with_a_declaration(tmp_path):
    path = write_junit(VERDICTS, tmp_path / "gate.xml", MONTH)
    assert path == tmp_path / "gate.xml"
    assert path.read_bytes().startswith(b"<?xml version='1.0' encoding='utf-8'?>")
