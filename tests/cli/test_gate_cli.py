"""`mdq gate` end to end: exit codes, printed breaches, JUnit XML, and the rules file as the one
source of truth for thresholds.

In-process (`main(argv)`, tests/cli/mdq_in_process.py), the fixture month gated once for the
module and gated again by the tests that follow, as CI gates a month it already holds; the
installed entry point and a setting read at start-up are run as subprocesses (tests/cli/mdq_process.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest
import yaml

from pipelines.core.paths import RULES_FILE
from tests.cli import mdq_process
from tests.cli.mdq_in_process import mdq, mdq_in_process
from tests.conftest import FIXTURE_LANDING, FIXTURE_MONTH

__all__ = ["mdq"]  # the fixture, for the tests here and the modules importing it


def _paths(landing: Path, tmp_path: Path) -> list[str]:
    return ["--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out")]


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    """The fixture month through `mdq gate --junit` once (it runs the month: no warehouse yet); the
    tests gate the same warehouse again with `gated.mdq(...)`."""
    root = tmp_path_factory.mktemp("gate_cli")
    landing = root / "landing"
    shutil.copytree(FIXTURE_LANDING, landing)
    with mdq_in_process(root / "dagster-home") as call:
        first = call("gate", "--month", FIXTURE_MONTH, "--junit", str(root / "gate.xml"), *_paths(landing, root))
        yield SimpleNamespace(root=root, paths=_paths(landing, root), mdq=call, first=first)


def test_gate_fails_and_writes_junit(gated):
    """Fixture month: every Trust breaches both gated measures (hand-counted: RJC 3/4 and 2/4,
    RKB 2/6 and 4/6, RLT 1/3 and 1/3; CV5 6EF and CV11 4XY are not live in the directory), so 6
    breaches and exit 1. RKB's valid postcode needs ceil(0.95 x 6) = 6 valid records: 4 short."""
    tmp_path, junit, result = gated.root, gated.root / "gate.xml", gated.first
    assert result.returncode == 1, result.stderr
    breaches = [line for line in result.stdout.splitlines() if line.startswith("BREACH")]
    assert len(breaches) == 6
    worklist = tmp_path / "out" / "worklists" / f"worklist-{FIXTURE_MONTH}-RKB.csv"
    assert (
        f"BREACH {FIXTURE_MONTH} RKB MSD_MOTHER_POSTCODE_VALID: 33.3% (2/6) below threshold 95%, 4 records short; "
        f"worklist {worklist}" in result.stdout
    )
    assert (
        result.stdout.splitlines()[-1]
        == f"gate {FIXTURE_MONTH}: 0 of 6 Trust x measure checks pass; 6 breaches: the gate fails"
    )
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "6" and suite.get("failures") == "6"
    assert float(suite.get("time")) > 0 and suite.get("timestamp")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {
        f"{org}: {title}" for org in ("RJC", "RKB", "RLT") for title in ("Valid postcode", "Valid ethnic category")
    }
    assert {c.get("classname") for c in cases.values()} == {f"mdq.gate.{FIXTURE_MONTH}"}
    assert abs(sum(float(c.get("time")) for c in cases.values()) - float(suite.get("time"))) < 0.01
    failure = cases["RKB: Valid postcode"].find("failure")
    assert failure.get("type") == "threshold_breach"
    assert failure.get("message") == (
        f"RKB Valid postcode: rate 33.3% (2 of 6 booked), threshold 95%, 4 records short; worklist: {worklist}"
    )


def test_warn_only_reports_but_passes(gated):
    result = gated.mdq("gate", "--month", FIXTURE_MONTH, "--warn-only", *gated.paths)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("WARN ") == 6
    assert "breach" not in result.stdout.lower()
    assert result.stdout.splitlines()[-1] == (
        f"gate {FIXTURE_MONTH}: 0 of 6 Trust x measure checks pass; "
        "6 below threshold, reported as warnings only (--warn-only): exit 0"
    )


def test_threshold_comes_from_the_rules_file(gated, tmp_path):
    """Lower both thresholds in a copy of rules.yaml to 0.3: every Trust's rates (>= 1/3) pass. The
    month is first gated under the shipped rules; the changed rules must not reuse those verdicts,
    and going back to the shipped rules must not reuse the lowered ones."""
    mdq = gated.mdq
    assert mdq("gate", "--month", FIXTURE_MONTH, *gated.paths).returncode == 1
    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    for measure in rules["measures"]:
        if measure.get("gated"):
            measure["threshold"] = 0.3
    copy = tmp_path / "rules.yaml"
    copy.write_text(yaml.safe_dump(rules))
    result = mdq("gate", "--month", FIXTURE_MONTH, *gated.paths, env={"MDQ_RULES": str(copy)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"gate {FIXTURE_MONTH}: 6 of 6 Trust x measure checks pass; no breach" in result.stdout
    again = mdq("gate", "--month", FIXTURE_MONTH, *gated.paths)
    assert again.returncode == 1 and "below threshold 95%" in again.stdout


def test_missing_trust_fails_the_gate(landing, tmp_path, mdq):
    """Without RJC's extract, RJC fails both gated measures as missing, and JUnit says so
    (`missing_submission`, not a low rate); the others still run."""
    (landing / "BadgerNet_RJC_Booking_2025-04.csv").unlink()
    junit = tmp_path / "gate.xml"
    result = mdq("gate", "--month", FIXTURE_MONTH, "--junit", str(junit), *_paths(landing, tmp_path))
    assert result.returncode == 1
    assert "RJC MSD_MOTHER_POSTCODE_VALID: submission missing (no extract received)" in result.stdout
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    failure = cases["RJC: Valid postcode"].find("failure")
    assert failure.get("type") == "missing_submission"
    assert failure.get("message").startswith("RJC Valid postcode: submission missing (no extract received)")
    assert cases["RKB: Valid postcode"].find("failure").get("type") == "threshold_breach"


def test_a_usage_error_from_the_command_line_is_one_line_and_2():
    """The installed entry point turns a usage error into one line and status 2 (every exit-2 path,
    in-process: tests/cli/test_exit_statuses.py)."""
    result = mdq_process.mdq("gate", "--month", "2025-4")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["mdq gate: argument --month: '2025-4' is not a month in the form YYYY-MM"]


def test_a_bad_first_month_setting_is_one_line_and_2(landing, tmp_path):
    """MDQ_FIRST_MONTH is read where the partitions are defined, once per process: a new process."""
    result = mdq_process.mdq(
        "run", "--month", FIXTURE_MONTH, *_paths(landing, tmp_path), env={"MDQ_FIRST_MONTH": "2025-4"}
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["mdq: MDQ_FIRST_MONTH='2025-4' is not a month in the form YYYY-MM"]


def test_generate_national_then_run(tmp_path, mdq):
    """`mdq generate --national 8` writes 8 Trusts' extracts, reference data and a layouts copy
    naming them; `mdq run` with that layouts file scores all 8 and no other. Generation runs as a
    subprocess (it writes on a process pool, not to be forked from the test process)."""
    out = tmp_path / "national"
    result = mdq_process.mdq("generate", "--from", "2025-04", "--to", "2025-04", "--out", str(out), "--national", "8")
    assert result.returncode == 0, result.stderr
    layouts = out / "reference" / "layouts-national.yaml"
    assert layouts.exists()
    orgs = {p.name.split("_")[1] for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert len(orgs) == 8
    run = mdq(
        "run",
        "--month",
        "2025-04",
        "--landing",
        str(out),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--out",
        str(tmp_path / "o"),
        env={"MDQ_LAYOUTS": str(layouts)},
    )
    assert run.returncode == 0, run.stderr
    with (tmp_path / "o" / "measures-2025-04.csv").open() as fh:
        assert {line.split(",")[1] for line in fh.readlines()[1:]} == orgs
