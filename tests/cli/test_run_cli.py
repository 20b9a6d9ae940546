"""`mdq run` as an analyst sees it: the table fits the terminal and is coloured only in one, the
scorecard's path is printed, a backfill prints a line per month and one table of breaches, and an
unwritable --out is refused before any work. Exit statuses 2 and 75, in-process: test_exit_statuses.py."""

from __future__ import annotations

import re
import time

from pipelines.core.paths import SAMPLE_DATA
from tests.cli import mdq_in_process
from tests.cli.mdq_process import mdq, mdq_in_terminal
from tests.conftest import FIXTURE_MONTH

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _paths(landing, tmp_path) -> list[str]:
    return ["--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out")]


def test_run_fits_the_terminal_is_plain_when_piped_and_names_the_scorecard(landing, tmp_path):
    """Fixture month, hand-counted (tests/ingest/test_fixture_month.py): RJC 4 booked, 3 rows
    quarantined; RKB 6 and 4; RLT 3 and 6 (1 pregnancy row, 5 event rows). Valid postcode RJC
    3/4 = 75.0%, RKB 2/6 = 33.3%, RLT 1/3 = 33.3% (directory rule): all fail."""
    result = mdq("run", "--month", FIXTURE_MONTH, *_paths(landing, tmp_path), env={"COLUMNS": "72"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes
    scorecard = tmp_path / "out" / f"scorecard-{FIXTURE_MONTH}.html"
    assert f"scorecard  {scorecard}" in lines
    table = lines[: lines.index("")]
    assert all(len(line) <= 72 for line in table), table  # sized to COLUMNS, not forced wider
    rows = {line.split()[0]: line.split() for line in table if line.split()[:1] in (["RJC"], ["RKB"], ["RLT"])}
    assert rows["RKB"][:5] == ["RKB", "K2", "6", "4", "33.3%"]
    assert rows["RJC"][:5] == ["RJC", "BadgerNet", "4", "3", "75.0%"]
    assert rows["RLT"][:5] == ["RLT", "Cerner", "3", "6", "33.3%"]
    assert "Breaches by month and Trust" in result.stdout


def test_run_in_a_terminal_is_coloured(landing, tmp_path):
    status, output = mdq_in_terminal(
        "run", "--month", FIXTURE_MONTH, *_paths(landing, tmp_path), env={"TERM": "xterm-256color", "NO_COLOR": None}
    )
    assert status == 0, output
    assert "\x1b[" in output
    # A failing rate is red ("fail" in bold red), a pass green.
    assert re.search(r"\x1b\[1;31m50\.0% fail\x1b\[0m", output), output


def test_backfill_prints_a_line_per_month_and_one_table_of_breaches(tmp_path):
    """Sample months 2025-09 to 2025-11. The sample's story (tests/synthetic/sample_reading.py::
    EXPECTED_FAILS): RLT's valid postcode breaches in 2025-10 and 2025-11, nothing else. In-process
    (tests/cli/mdq_in_process.py): what a pipe shows is the test above's."""
    with mdq_in_process.mdq_in_process(tmp_path / "dagster-home") as in_process:
        result = in_process("run", "--from", "2025-09", "--to", "2025-11", *_paths(SAMPLE_DATA, tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    month_lines = [line for line in lines if re.match(r"^\d{4}-\d{2}  \d+ Trusts, ", line)]
    assert [line[:7] for line in month_lines] == ["2025-09", "2025-10", "2025-11"]
    assert [line.rsplit("gate: ", 1)[1] for line in month_lines] == ["pass", "1 breach", "1 breach"]
    breaches = [line.split() for line in lines if re.match(r"^2025-\d\d +RLT +Valid postcode", line)]
    assert [b[:4] for b in breaches] == [
        ["2025-10", "RLT", "Valid", "postcode"],
        ["2025-11", "RLT", "Valid", "postcode"],
    ]
    assert len(lines) < 20, result.stdout  # not a table per month
    out = tmp_path / "out"
    assert f"scorecard  {out}/scorecard-2025-09.html … scorecard-2025-11.html (3 files)" in lines
    assert "Traceback" not in result.stderr


def test_unwritable_out_is_refused_before_any_work(landing, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    started = time.monotonic()
    result = mdq(
        "run",
        "--month",
        FIXTURE_MONTH,
        "--landing",
        str(landing),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--out",
        str(blocker / "out"),
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"mdq: --out {blocker / 'out'}: cannot write there (Not a directory)"]
    assert not (tmp_path / "w.duckdb").exists()  # nothing ingested
    assert time.monotonic() - started < 30
