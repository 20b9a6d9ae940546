"""Running a month again changes nothing; the pseudonymisation key is never a silent default."""

from __future__ import annotations

import hashlib

import dagster as dg
import pytest

from pipelines.core.config import ConfigError
from pipelines.definitions import defs
from pipelines.ingest.pseudonymise import ENV_KEY, SAMPLE_ONLY_KEY, SYNTHETIC_MARKER, pseudonym_key
from pipelines.orchestration.in_process import RunSettings
from tests.conftest import FIXTURE_MONTH, query


def _digests(out):
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*.csv"))
    }


def test_three_runs_give_byte_identical_outputs_and_tables(landing, tmp_path):
    settings = RunSettings(
        landing=landing, reference=landing / "reference", warehouse=tmp_path / "w.duckdb", out=tmp_path / "out"
    )
    seen = []
    with dg.instance_for_test() as instance:
        for _ in range(3):
            assert (
                defs.resolve_job_def("monthly_dq")
                .execute_in_process(partition_key=FIXTURE_MONTH, run_config=settings.run_config(), instance=instance)
                .success
            )
            tables = {
                t: sorted(query(settings.warehouse, f"SELECT * FROM {t}"), key=repr)
                for t in ("bookings", "quarantine", "clinical_events", "measures", "trust_month_status")
            }
            seen.append((_digests(settings.out), tables))
    # The measures, dq and go-live CSVs (the last its header only: no parallel run in the fixture
    # month), and a worklist for each Trust: all three fail a gated measure in the fixture month
    # (hand-counted in tests/cli/test_gate_cli.py::test_gate_fails_and_writes_junit).
    assert sorted(seen[0][0]) == [
        "dq-2025-04.csv",
        "golive-2025-04.csv",
        "measures-2025-04.csv",
        "worklists/worklist-2025-04-RJC.csv",
        "worklists/worklist-2025-04-RKB.csv",
        "worklists/worklist-2025-04-RLT.csv",
    ]
    assert seen[0] == seen[1] == seen[2]


def test_real_data_without_a_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)
    with pytest.raises(ConfigError, match=ENV_KEY):
        pseudonym_key(tmp_path)


def test_sample_only_key_is_refused_for_real_data(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_KEY, SAMPLE_ONLY_KEY)
    with pytest.raises(ConfigError, match="sample-only"):
        pseudonym_key(tmp_path)


def test_configured_key_is_used_and_changes_every_pseudonym(landing, tmp_path, monkeypatch):
    from tests.conftest import load

    load(landing, tmp_path / "a.duckdb")
    monkeypatch.setenv(ENV_KEY, "a-real-secret-of-at-least-32-chars")
    (landing / SYNTHETIC_MARKER).unlink()  # real data: only the configured key may be used
    load(landing, tmp_path / "b.duckdb")
    a = {k for (k,) in query(tmp_path / "a.duckdb", "SELECT pregnancy_key FROM bookings")}
    b = {k for (k,) in query(tmp_path / "b.duckdb", "SELECT pregnancy_key FROM bookings")}
    assert len(a) == len(b) == 13 and not a & b


def test_keys_are_keyed_blake2b_of_the_documented_messages(landing, tmp_path, monkeypatch):
    """Expected keys computed here with hashlib from the fixture's raw values (pseudonymise.py's scheme)."""
    from tests.conftest import load

    monkeypatch.delenv(ENV_KEY, raising=False)  # the fixture folder is synthetic: the sample-only key
    load(landing, tmp_path / "w.duckdb")

    def mac(message: str) -> str:
        return hashlib.blake2b(message.encode(), key=SAMPLE_ONLY_KEY.encode(), digest_size=16).hexdigest()

    person_of = dict(query(tmp_path / "w.duckdb", "SELECT pregnancy_key, person_key FROM bookings"))
    # 943 476 5919 is valid (Modulus 11) and booked at RKB (K2) and at RJC (BadgerNet): one woman.
    assert person_of[mac("pregnancy|K2|RKB|BK00000001")] == mac("nhs|9434765919")
    assert person_of[mac("pregnancy|BadgerNet|RJC|1001")] == mac("nhs|9434765919")
    # 943 476 5918 fails the check digit: the hospital number identifies her, within K2 at RKB.
    assert person_of[mac("pregnancy|K2|RKB|BK00000002")] == mac("local|K2|RKB|H0000002")


def test_short_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_KEY, "x" * 15)
    with pytest.raises(ConfigError, match="15 bytes long; a pseudonymisation key needs at least 16"):
        pseudonym_key(tmp_path)
    monkeypatch.setenv(ENV_KEY, "x" * 16)
    assert pseudonym_key(tmp_path) == b"x" * 16


def test_gate_with_another_key_runs_the_month_again(landing, tmp_path, monkeypatch):
    """The key is part of the month's fingerprint (as a keyed hash of a constant, never the key):
    a month run with one key is not reused under another, and is again under the first."""
    from pipelines.gate.reuse import month_is_current

    first, second = "k" * 40, "m" * 40
    settings = RunSettings(
        landing=landing, reference=landing / "reference", warehouse=tmp_path / "w.duckdb", out=tmp_path / "out"
    )
    monkeypatch.setenv(ENV_KEY, first)
    with dg.instance_for_test() as instance:
        job = defs.resolve_job_def("monthly_dq")
        assert job.execute_in_process(
            partition_key=FIXTURE_MONTH, run_config=settings.run_config(), instance=instance
        ).success
    assert month_is_current(settings, FIXTURE_MONTH)
    monkeypatch.setenv(ENV_KEY, second)
    assert not month_is_current(settings, FIXTURE_MONTH)
    monkeypatch.setenv(ENV_KEY, first)
    assert month_is_current(settings, FIXTURE_MONTH)
    tables = [t for (t,) in query(settings.warehouse, "SELECT table_name FROM information_schema.tables")]
    for table in tables:
        assert first not in " ".join(str(v) for row in query(settings.warehouse, f"SELECT * FROM {table}") for v in row)
