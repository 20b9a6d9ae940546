"""No patient identifier leaves the warehouse, and a run opens no network connection.

Runs the Dagster job in-process over two sample months (K2 + BadgerNet in 2026-03, Cerner +
BadgerNet in 2026-04) with every internet socket refused, then scans every output file and the
Dagster instance (event log with asset metadata, compute logs) for the identifiers read from the
extracts themselves: NHS numbers (plain and spaced), hospital numbers, Cerner person IDs, dates of
birth in the source and ISO forms, and free-text notes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import socket
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from pipelines.core.paths import SAMPLE_DATA
from pipelines.definitions import defs
from pipelines.orchestration.in_process import RunSettings

MONTHS = ("2026-03", "2026-04")


def _rows(path: Path, encoding: str, delimiter: str):
    quoting = csv.QUOTE_NONE if delimiter == "|" else csv.QUOTE_MINIMAL
    return list(
        csv.DictReader(
            io.StringIO(path.read_bytes().decode(encoding), newline=""), delimiter=delimiter, quoting=quoting
        )
    )


def _identifiers() -> tuple[set[str], list[str]]:
    tokens, notes = set(), []
    for month in MONTHS:
        yyyymm = month.replace("-", "")
        for path in SAMPLE_DATA.glob(f"K2_*_{yyyymm}.csv"):
            for r in _rows(path, "utf-8-sig", ","):
                tokens |= {r["NHS Number"].replace(" ", ""), r["Hospital Number"]}
                with contextlib.suppress(ValueError):
                    tokens.add(datetime.strptime(r["Date of Birth"], "%d/%m/%Y").strftime("%Y-%m-%d"))
                tokens.add(r["Date of Birth"])
        for path in SAMPLE_DATA.glob(f"BadgerNet_*_{month}.csv"):
            for r in _rows(path, "cp1252", ","):
                tokens |= {r["NHSNumber"], r["MotherDOB"]}
                if len(r["Notes"] or "") >= 12:
                    notes.append(r["Notes"])
        for path in SAMPLE_DATA.glob(f"CERNER_*_{yyyymm}_PREGNANCY.txt"):
            for r in _rows(path, "utf-8", "|"):
                tokens |= {r["NHS_NBR"], r["PERSON_ID"], r["BIRTH_DT_TM"][:11]}
    return {t.strip() for t in tokens if t and len(t.strip()) >= 8}, notes


TOKEN = re.compile(r"\d{3} ?\d{3} ?\d{4}|H\d{7}|\d{8}|\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}|\d{2}-[A-Z]{3}-\d{4}")


@pytest.fixture(scope="module")
def run_outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("leaks")
    settings = RunSettings(
        landing=SAMPLE_DATA, reference=SAMPLE_DATA / "reference", warehouse=root / "w.duckdb", out=root / "out"
    )
    refused = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            refused.append(address)
            raise OSError(f"network blocked in test: {address}")
        return real_connect(self, address)

    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", guarded)
    mp.setattr(socket.socket, "connect_ex", lambda self, address: guarded(self, address) or 0)
    try:
        (root / "dagster").mkdir()
        with dg.instance_for_test(temp_dir=str(root / "dagster")) as instance:
            for month in MONTHS:
                result = defs.resolve_job_def("monthly_dq").execute_in_process(
                    partition_key=month, run_config=settings.run_config(), instance=instance
                )
                assert result.success
    finally:
        mp.undo()
    return root, refused


def test_no_network_connection_attempted(run_outputs):
    _, refused = run_outputs
    assert refused == []


def test_no_identifier_in_any_output(run_outputs):
    root, _ = run_outputs
    identifiers, notes = _identifiers()
    assert len(identifiers) > 1000 and notes  # the scan has something to find
    scanned = 0
    for path in root.rglob("*"):
        if not path.is_file() or path.suffix == ".duckdb" or path.name.endswith(".wal"):
            continue  # the warehouse itself is scanned in tests/ingest/test_fixture_month.py
        text = path.read_bytes().decode("utf-8", errors="replace")
        scanned += 1
        found = {t.replace(" ", "") for t in TOKEN.findall(text)} & {i.replace(" ", "") for i in identifiers}
        assert not found, f"{path.relative_to(root)} holds identifiers {sorted(found)[:5]}"
        for note in notes:
            assert note not in text, f"{path.relative_to(root)} holds a free-text note"
    assert scanned >= 10
