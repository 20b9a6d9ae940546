"""The same graph on Spark local[2] as on DuckDB: the same files to the byte, the same verdicts.

CI runs these (scripts/test.sh installs PySpark and Java); they are skipped, saying which is
missing, only where neither can be had. bench/compare_engines.py runs all 18 sample months.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import pytest

from pipelines.core.paths import SAMPLE_DATA
from pipelines.definitions import defs
from pipelines.ingest.pseudonymise import ENV_KEY, SAMPLE_ONLY_KEY
from pipelines.orchestration.in_process import RunSettings
from tests.conftest import FIXTURE_MONTH

pytestmark = pytest.mark.spark
SAMPLE_MONTH = "2026-04"  # RKB's first Cerner month (pregnancy and clinical events) beside BadgerNet


def _run(landing: Path, work: Path, engine: str, month: str) -> tuple[RunSettings, dg.ExecuteInProcessResult]:
    warehouse = work / ("warehouse" if engine == "spark" else "mdq.duckdb")
    settings = RunSettings(
        landing=landing, reference=landing / "reference", warehouse=warehouse, out=work / "out", engine=engine
    )
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("monthly_dq").execute_in_process(
            partition_key=month, run_config=settings.run_config(), instance=instance
        )
    assert result.success
    return settings, result


def _files(out: Path, month: str) -> dict[str, bytes]:
    names = [out / f"{name}-{month}.csv" for name in ("measures", "dq", "golive")]
    names += sorted((out / "worklists").glob("*.csv"))
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in names}


@pytest.fixture(scope="module")
def fixture_runs(spark, tmp_path_factory):
    """The hand-written fixture month (four layouts, Cerner events among them) on each engine."""
    import os
    import shutil

    from tests.conftest import FIXTURE_LANDING

    work = tmp_path_factory.mktemp("fixture_runs")
    landing = work / "landing"
    shutil.copytree(FIXTURE_LANDING, landing)
    key = os.environ.pop(ENV_KEY, None)  # the fixture folder is synthetic: the sample-only key
    try:
        runs = {engine: _run(landing, work / engine, engine, FIXTURE_MONTH) for engine in ("spark", "duckdb")}
    finally:
        if key is not None:
            os.environ[ENV_KEY] = key
    return runs


def test_fixture_month_on_spark(fixture_runs):
    """On Spark every check of what ingest stored passes and the gate's checks give DuckDB's
    verdicts; 35 rows read and 22 loaded (10+7+4+14 read, 6+4+3+9 loaded, counted in
    tests/orchestration/test_dagster_graph.py); the files are DuckDB's to the byte."""
    (on_spark, spark_result), (on_duckdb, duckdb_result) = fixture_runs["spark"], fixture_runs["duckdb"]
    checks = {e.check_name: e.passed for e in spark_result.get_asset_check_evaluations()}
    stored = (
        "rows_conserved",
        "canonical_contract",
        "measures_contract",
        "quarantine_contract",
        "submissions_contract",
    )
    assert all(checks[name] for name in (*stored, "extracts_readable")), checks
    assert checks == {e.check_name: e.passed for e in duckdb_result.get_asset_check_evaluations()}
    bookings = next(
        e for e in spark_result.get_asset_materialization_events() if e.asset_key.to_user_string() == "bookings"
    )
    assert bookings.materialization.metadata["rows_read"].value == 35
    assert bookings.materialization.metadata["rows_loaded"].value == 22
    assert _files(on_spark.out, FIXTURE_MONTH) == _files(on_duckdb.out, FIXTURE_MONTH)


def test_keys_are_the_same_keyed_blake2b_on_spark(fixture_runs):
    """Recomputed here with hashlib from the fixture's raw values: 943 476 5919 (valid) booked at
    RKB (K2) and RJC (BadgerNet) is one woman; 943 476 5918 fails its check digit, so her
    hospital number identifies her within K2 at RKB; Cerner's pregnancy 5001 keyed in its scope."""
    from pipelines.core.warehouse import connect

    settings, _ = fixture_runs["spark"]

    def mac(message: str) -> str:
        return hashlib.blake2b(message.encode(), key=SAMPLE_ONLY_KEY.encode(), digest_size=16).hexdigest()

    with connect(settings.warehouse, read_only=True) as con:
        person_of = dict(con.execute("SELECT pregnancy_key, person_key FROM bookings").fetchall())
    assert person_of[mac("pregnancy|K2|RKB|BK00000001")] == mac("nhs|9434765919")
    assert person_of[mac("pregnancy|BadgerNet|RJC|1001")] == mac("nhs|9434765919")
    assert person_of[mac("pregnancy|K2|RKB|BK00000002")] == mac("local|K2|RKB|H0000002")
    assert mac("pregnancy|Cerner|RLT|5001") in person_of


def test_sample_month_on_spark_is_byte_identical_to_duckdb(spark, tmp_path, monkeypatch):
    """One shipped sample month through the whole graph on each engine: measures-YYYY-MM.csv,
    dq-YYYY-MM.csv, golive-YYYY-MM.csv and every worklist the same bytes, and `mdq gate`'s
    verdicts equal."""
    from pipelines.gate.verdicts import evaluate_gate

    monkeypatch.delenv(ENV_KEY, raising=False)
    on_spark, _ = _run(SAMPLE_DATA, tmp_path / "spark", "spark", SAMPLE_MONTH)
    on_duckdb, _ = _run(SAMPLE_DATA, tmp_path / "duckdb", "duckdb", SAMPLE_MONTH)
    spark_files = _files(on_spark.out, SAMPLE_MONTH)
    assert len(spark_files) == 6  # measures, dq, golive (its header: no parallel run) and three Trusts' worklists
    assert spark_files == _files(on_duckdb.out, SAMPLE_MONTH)
    verdicts = evaluate_gate(on_spark.warehouse, SAMPLE_MONTH)
    assert len(verdicts) == 6 and verdicts == evaluate_gate(on_duckdb.warehouse, SAMPLE_MONTH)
