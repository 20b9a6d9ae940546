"""Every way `mdq` ends with status 2, and the warehouse timeout's 75, in-process (`main(argv)`).

interfaces.md: "A bad flag, month or path gets one clear line and status 2, never a traceback";
`mdq run` exits 2 "on unusable arguments or when no extract could be read at all"; `mdq gate`
exits 2 on a usage or input error. Each case below is one such path, with the one line it must
print on stderr. `{landing}` is a copy of the fixture landing folder (tests/fixtures/landing,
extracts for 2025-04 only), `{tmp}` the test's folder, which holds a file `a-file`.
"""

from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path

import pytest

from pipelines.core.paths import RULES_FILE
from pipelines.core.warehouse import connect
from tests.conftest import FIXTURE_LANDING, FIXTURE_MONTH

TODAY = date.today()
THIS_MONTH = f"{TODAY:%Y-%m}"  # never ended while the test runs
NEXT_YEAR = f"{TODAY.year + 1}-{TODAY.month:02d}"  # always in the future, whatever year the suite runs
LAST_COMPLETE = f"{TODAY.year - 1}-12" if TODAY.month == 1 else f"{TODAY.year}-{TODAY.month - 1:02d}"
PATHS = ["--landing", "{landing}", "--warehouse", "{tmp}/w.duckdb", "--out", "{tmp}/out"]
GENERATE = ["generate", "--from", "2025-04", "--to", "2025-04", "--out", "{tmp}/g"]

USAGE = [
    ("no command", [], "mdq: the following arguments are required: command"),
    (
        "unknown command",
        ["frobnicate"],
        "mdq: argument command: invalid choice: 'frobnicate' (choose from 'run', 'gate', 'generate', 'ui')",
    ),
    ("unknown flag", ["run", "--bogus"], "mdq: unrecognized arguments: --bogus"),
    ("month not YYYY-MM", ["run", "--month", "2025-4"], "mdq run: argument --month: '2025-4' is not a month in the form YYYY-MM"),
    ("month 13", ["gate", "--month", "2025-13"], "mdq gate: argument --month: '2025-13' is not a month in the form YYYY-MM"),
    (
        "month and range",
        ["run", "--month", "2025-04", "--from", "2025-04"],
        "mdq run: argument --from: not allowed with argument --month",
    ),
    ("gate without month", ["gate"], "mdq gate: the following arguments are required: --month"),
    ("port not a number", ["ui", "--port", "http"], "mdq ui: argument --port: 'http' is not a port number (1-65535)"),
    ("port 0", ["ui", "--port", "0"], "mdq ui: argument --port: '0' is not a port number (1-65535)"),
    ("port 65536", ["ui", "--port", "65536"], "mdq ui: argument --port: '65536' is not a port number (1-65535)"),
    ("generate without --to", ["generate", "--from", "2025-04"], "mdq generate: the following arguments are required: --to, --out"),
]  # fmt: skip
MONTHS = [
    ("range backwards", ["run", "--from", "2025-05", "--to", "2025-04", *PATHS], "mdq: --from 2025-05 is after --to 2025-04"),
    ("--from alone", ["run", "--from", "2025-04", *PATHS], "mdq run: --from and --to go together"),
    ("--to alone", ["run", "--to", "2025-04", *PATHS], "mdq run: --from and --to go together"),
    (
        "before the first month",
        ["run", "--month", "2025-03", *PATHS],
        "mdq run: 2025-03 is before the first reporting month 2025-04 (set MDQ_FIRST_MONTH to run earlier months)",
    ),
    (
        "month not ended",
        ["run", "--month", THIS_MONTH, *PATHS],
        f"mdq run: {THIS_MONTH} has not ended yet (the latest complete month is {LAST_COMPLETE})",
    ),
    (
        "future month",
        ["gate", "--month", NEXT_YEAR, *PATHS],
        f"mdq gate: {NEXT_YEAR} is in the future (the latest complete month is {LAST_COMPLETE})",
    ),
    ("month without extract", ["run", "--month", "2025-05", *PATHS], "mdq run: no extract for 2025-05 in {landing}"),
    ("range with a month without extract", ["run", "--from", "2025-04", "--to", "2025-05", *PATHS], "mdq run: no extract for 2025-05 in {landing}"),
    ("gate month without extract", ["gate", "--month", "2025-06", *PATHS], "mdq gate: no extract for 2025-06 in {landing}"),
    ("generate range backwards", ["generate", "--from", "2025-05", "--to", "2025-04", "--out", "{tmp}/g"], "mdq: --from 2025-05 is after --to 2025-04"),
]  # fmt: skip
PATH_CASES = [
    ("landing missing", ["run", "--landing", "{tmp}/nowhere"], "mdq: --landing {tmp}/nowhere: no such folder"),
    (
        "reference missing",
        ["run", "--month", "2025-04", *PATHS, "--reference", "{tmp}/noref"],
        "mdq: --reference {tmp}/noref: no such folder (postcode directory and IoD File 7)",
    ),
    (
        "warehouse is a folder",
        ["run", "--month", "2025-04", "--landing", "{landing}", "--warehouse", "{tmp}", "--out", "{tmp}/out"],
        "mdq: --warehouse {tmp} is a folder; give a .duckdb file path",
    ),
    (
        "warehouse under a file",
        ["run", "--month", "2025-04", "--landing", "{landing}", "--warehouse", "{tmp}/a-file/w.duckdb"],
        "mdq: --warehouse {tmp}/a-file/w.duckdb: cannot write there (File exists)",
    ),
    (
        "out under a file",
        ["gate", "--month", "2025-04", "--landing", "{landing}", "--out", "{tmp}/a-file/out"],
        "mdq: --out {tmp}/a-file/out: cannot write there (Not a directory)",
    ),
    (
        "junit is a folder",
        ["gate", "--month", "2025-04", *PATHS, "--junit", "{tmp}"],
        "mdq gate: --junit {tmp} is a folder; give a file path for the JUnit XML",
    ),
    (
        "junit folder missing",
        ["gate", "--month", "2025-04", *PATHS, "--junit", "{tmp}/nodir/gate.xml"],
        "mdq gate: --junit {tmp}/nodir/gate.xml: folder {tmp}/nodir does not exist",
    ),
    ("generate into a file", [*GENERATE[:-1], "{tmp}/a-file"], "mdq generate: --out {tmp}/a-file is a file, not a folder"),
    *[
        (f"scale {scale}", [*GENERATE, "--scale", scale], "mdq generate: --scale must be a positive number")
        for scale in ("0", "-1", "nan", "inf")
    ],
]  # fmt: skip


@pytest.fixture
def mdq(mdq_main):
    return mdq_main


@pytest.fixture
def place(tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE_LANDING, landing)
    (tmp_path / "a-file").write_text("not a folder")
    return lambda text: text.format(landing=landing, tmp=tmp_path)


@pytest.mark.parametrize(
    ("args", "line"), [c[1:] for c in USAGE + MONTHS + PATH_CASES], ids=[c[0] for c in USAGE + MONTHS + PATH_CASES]
)
def test_exit_2_with_one_line(mdq, place, tmp_path, args, line):
    status, out, err = mdq(*[place(a) for a in args])
    assert (status, err.splitlines()) == (2, [place(line)])
    assert out == ""
    assert not (tmp_path / "w.duckdb").exists()  # refused before any work


def test_no_extract_in_the_landing_folder(mdq, tmp_path):
    """`mdq run` without --month runs the latest month in the landing folder; there is none."""
    landing = tmp_path / "empty"
    shutil.copytree(FIXTURE_LANDING / "reference", landing / "reference")
    (landing / ".mdq-synthetic").touch()
    status, out, err = mdq("run", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"))
    assert (status, err.splitlines(), out) == (2, [f"mdq run: no extract in {landing}"], "")


def test_no_extract_readable_exits_2_after_saying_why(mdq, tmp_path):
    """The month's only extract is binary: the run goes ahead (the scorecard shows the Trust
    unreadable), but nothing could be read, so the status is 2 and stderr says so."""
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE_LANDING / "reference", landing / "reference")
    (landing / ".mdq-synthetic").touch()
    (landing / "K2_RKB_MaternityBookings_202504.csv").write_bytes(b"\x00\x01 not an extract")
    status, out, err = mdq(
        "run",
        "--month",
        "2025-04",
        "--landing",
        str(landing),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--out",
        str(tmp_path / "out"),
    )
    assert (status, err.splitlines()) == (2, ["mdq run: no extract for 2025-04 could be read: nothing was measured"])
    assert "unreadable: K2_RKB_MaternityBookings_202504.csv, line 1: binary content (NUL byte)" in out.splitlines()


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("MDQ_RULES", "{tmp}/missing.yaml", "mdq: {tmp}/missing.yaml: configuration file not found"),
        ("MDQ_LAYOUTS", "{tmp}/missing.yaml", "mdq: {tmp}/missing.yaml: configuration file not found"),
        ("MDQ_RULES", "{tmp}/a-file", "mdq: {tmp}/a-file: expected a mapping at the top level"),
        ("MDQ_LOCK_TIMEOUT", "soon", "mdq: MDQ_LOCK_TIMEOUT='soon' is not a number of seconds (e.g. 600)"),
        ("MDQ_LOCK_TIMEOUT", "-5", "mdq: MDQ_LOCK_TIMEOUT='-5' is not a number of seconds (e.g. 600)"),
    ],
)
def test_configuration_errors_exit_2(mdq, place, tmp_path, monkeypatch, variable, value, line):
    monkeypatch.setenv(variable, place(value))
    status, out, err = mdq("gate", "--month", FIXTURE_MONTH, *[place(a) for a in PATHS])
    assert (status, err.splitlines(), out) == (2, [place(line)], "")


def test_a_rules_file_with_two_problems_names_both(mdq, place, tmp_path, monkeypatch):
    import yaml

    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    rules["plausibility"]["bmi"] = {"min": 70, "max": 12}
    rules["measures"][1]["severity"] = "fatal"
    bad = tmp_path / "rules.yaml"
    bad.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("MDQ_RULES", str(bad))
    status, _, err = mdq("run", "--month", FIXTURE_MONTH, *[place(a) for a in PATHS])
    assert status == 2
    assert err.splitlines() == [
        f"mdq: {bad}: measures[1] (MSD_MOTHER_ETHNIC_VALID): severity must be one of error, warn, found 'fatal'",
        f"mdq: {bad}: plausibility.bmi: min 70 is above max 12",
    ]


def test_ge_and_sql_disagreeing_is_exit_2_never_a_verdict(mdq, place, tmp_path):
    """The month runs; then the warehouse's SQL measure for RKB's valid postcode is changed behind
    the gate's back (2 of 6 -> 1 of 6). `mdq gate` reuses the month (its extracts and outputs are
    unchanged) and finds Great Expectations' 2/6 disagreeing with SQL's 1/6: a defect, exit 2."""
    paths = [place(a) for a in PATHS]
    assert mdq("run", "--month", FIXTURE_MONTH, *paths)[0] == 0
    with connect(tmp_path / "w.duckdb") as con:
        con.execute(
            "UPDATE measures SET numerator = 1 WHERE org_code = 'RKB' AND measure_id = 'MSD_MOTHER_POSTCODE_VALID' "
            "AND breakdown = 'overall'"
        )
    status, out, err = mdq("gate", "--month", FIXTURE_MONTH, *paths)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"mdq: {FIXTURE_MONTH} RKB MSD_MOTHER_POSTCODE_VALID: Great Expectations counted 2/6, SQL 1/6"
    ]


def test_landing_not_marked_synthetic_without_a_key_exits_2(mdq, place, monkeypatch):
    """Real data (no `.mdq-synthetic` marker) and no MDQ_PSEUDONYM_KEY: refused, one line."""
    monkeypatch.delenv("MDQ_PSEUDONYM_KEY", raising=False)
    Path(place("{landing}/.mdq-synthetic")).unlink()
    status, out, err = mdq("gate", "--month", FIXTURE_MONTH, *[place(a) for a in PATHS])
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        place(
            "mdq: {landing}: not marked as synthetic sample data, so the sample-only pseudonymisation key "
            "cannot be used: set MDQ_PSEUDONYM_KEY to the LMNS's secret key"
        )
    ]


def test_warehouse_held_past_the_timeout_is_75(mdq, place, tmp_path, monkeypatch):
    """Another holder keeps the warehouse (a thread of this process holding its lock); with
    MDQ_LOCK_TIMEOUT 2.5 the run says whom it waits for after 2 s and gives up at 2.5 s: 75, not 2."""
    import os
    import socket

    held, release = threading.Event(), threading.Event()

    def hold():
        with connect(tmp_path / "w.duckdb"):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30), "the holder never took the warehouse"
        monkeypatch.setenv("MDQ_LOCK_TIMEOUT", "2.5")
        status, _, err = mdq("run", "--month", FIXTURE_MONTH, *[place(a) for a in PATHS])
    finally:
        release.set()
        holder.join(30)
    who = f"pid {os.getpid()} on {socket.gethostname()}"
    lines = err.splitlines()
    assert status == 75
    assert len(lines) == 2 and lines[0].startswith(
        f"mdq: waiting for the warehouse {tmp_path / 'w.duckdb'}: in use by {who}"
    )
    assert lines[1].startswith(f"mdq: {tmp_path / 'w.duckdb'}: still in use by {who}") and lines[1].endswith(
        "after 2 s (MDQ_LOCK_TIMEOUT)"
    )


def test_a_port_in_use_is_exit_2(mdq):
    """`mdq ui` on a port another socket listens on: one line and 2, before anything starts."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, out, err = mdq("ui", "--host", "127.0.0.1", "--port", str(port))
    assert (status, out, err.splitlines()) == (
        2,
        "",
        [f"mdq ui: cannot listen on 127.0.0.1:{port} (Address already in use)"],
    )


def test_an_interrupt_is_one_line_and_130(mdq, monkeypatch):
    """Ctrl-C during a command: `mdq: interrupted` and 128 + SIGINT (2) = 130, as a shell reports it."""
    from pipelines.cli import commands

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "generate", interrupted)
    assert mdq("generate", "--from", "2025-04", "--to", "2025-04", "--out", "unused") == (130, "", "mdq: interrupted\n")


@pytest.mark.parametrize(("port", "parsed"), [("1", 1), ("3000", 3000), ("65535", 65535)])
def test_ports_at_the_edges_are_accepted(port, parsed):
    """1 to 65535 are ports; 0 and 65536 are refused (USAGE above)."""
    from pipelines.cli.main import build_parser

    assert build_parser().parse_args(["ui", "--port", port]).port == parsed
