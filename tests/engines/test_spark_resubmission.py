"""A month run again on Spark after a resubmission replaces the earlier extract, never doubles it,
and gives DuckDB's files to the byte; a load of one Trust leaves the others' rows as they were.

The hand-written fixture month (tests/fixtures/landing, 2025-04) runs through the whole job on
each engine, into one warehouse and output folder per engine, three times:

1. as landed. K2 (RKB) has 10 rows: lines 2-6 and 11 load (BK00000001-5, BK00000010), line 7
   (31/02) is not a date, line 8 (30/03) is outside the month, line 9 repeats line 2 exactly,
   line 10 has no Booking ID: 6 loaded, 4 quarantined. With BadgerNet (RJC) 4 bookings and
   Cerner (RLT) 3 (tests/engines/test_spark_engine.py), the month has 13 bookings.
2. `K2_RKB_MaternityBookings_202504_resub1.csv` lands: the K2 file without line 3
   (BK00000002): 9 rows, 5 loaded (the same 4 quarantined, now lines 6-9). The original is
   `superseded` (recorded, not read: no counts); RKB has 5 bookings, not 6 + 5; the month 12.
3. `_resub2` lands (without lines 3 and 4: BK00000002-3, so 8 rows, 4 loaded, the 4
   quarantined now lines 5-8) and RJC's BadgerNet file is taken away; only RKB is loaded again
   (``orgs={"RKB"}``, as a Trust's own re-run does): RKB 4 bookings, RJC's 4 kept though its
   file is gone, RLT's 3: 11.

Runs 1 and 2 materialise the assets whose files are compared (ingest, go-live, measures,
worklists); the gate and the scorecard, which read what these store, are left out to keep the
test short (tests/engines/test_spark_engine.py runs the whole job).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.ingest.pseudonymise import ENV_KEY
from pipelines.orchestration.in_process import RunSettings
from tests.conftest import FIXTURE_LANDING, FIXTURE_MONTH
from tests.engines.test_spark_engine import _files

pytestmark = pytest.mark.spark
K2 = "K2_RKB_MaternityBookings_202504.csv"
RESUB1, RESUB2 = K2.replace(".csv", "_resub1.csv"), K2.replace(".csv", "_resub2.csv")
ENGINES = ("spark", "duckdb")
ASSETS = ("bookings", "quarantine", "submissions", "parallel_bookings", "golive", "measures", "worklists")


def _run(landing: Path, work: Path, engine: str) -> RunSettings:
    warehouse = work / ("warehouse" if engine == "spark" else "mdq.duckdb")
    settings = RunSettings(
        landing=landing, reference=landing / "reference", warehouse=warehouse, out=work / "out", engine=engine
    )
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("monthly_dq").execute_in_process(
            partition_key=FIXTURE_MONTH,
            run_config=settings.run_config(),
            instance=instance,
            asset_selection=[dg.AssetKey(a) for a in ASSETS],
        )
    assert result.success
    return settings


def _k2_without(landing: Path, name: str, lines: set[int]) -> None:
    rows = (FIXTURE_LANDING / K2).read_bytes().split(b"\r\n")
    (landing / name).write_bytes(b"\r\n".join(r for n, r in enumerate(rows, start=1) if n not in lines))


def _stored(warehouse: Path) -> dict[str, list[tuple]]:
    from pipelines.core.warehouse import connect

    with connect(warehouse, read_only=True) as con:
        return {
            "bookings": con.execute("SELECT org_code, count(*) FROM bookings GROUP BY 1 ORDER BY 1").fetchall(),
            "submissions": con.execute(
                "SELECT file_name, status, rows_read, rows_loaded, rows_quarantined FROM submissions "
                "WHERE org_code = 'RKB' ORDER BY 1"
            ).fetchall(),
            "orphans": con.execute(
                "SELECT count(*) FROM bookings JOIN submissions USING (submission_id) WHERE status <> 'loaded'"
            ).fetchall(),
            "quarantined": con.execute(
                "SELECT source_file, line_number FROM quarantine WHERE org_code = 'RKB' ORDER BY 1, 2"
            ).fetchall(),
            "rows": sorted(con.execute("SELECT * FROM bookings").fetchall(), key=repr),
        }


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    """{engine: [(output files, stored tables) after each of the three steps]}."""
    from pipelines.ingest.load_month import load_month
    from pipelines.ingest.spark_write import load_month_spark

    mp = pytest.MonkeyPatch()
    mp.delenv(ENV_KEY, raising=False)  # the fixture folder is synthetic: the sample-only key
    work = tmp_path_factory.mktemp("spark_resubmission")
    landing = work / "landing"
    shutil.copytree(FIXTURE_LANDING, landing)
    seen = {engine: [] for engine in ENGINES}
    try:
        for step in (1, 2):
            if step == 2:
                _k2_without(landing, RESUB1, {3})
            for engine in ENGINES:
                settings = _run(landing, work / engine, engine)
                seen[engine].append((_files(settings.out, FIXTURE_MONTH), _stored(settings.warehouse)))
        _k2_without(landing, RESUB2, {3, 4})
        (landing / "BadgerNet_RJC_Booking_2025-04.csv").unlink()
        for engine, load in (("spark", load_month_spark), ("duckdb", load_month)):
            warehouse = work / engine / ("warehouse" if engine == "spark" else "mdq.duckdb")
            load(FIXTURE_MONTH, landing, warehouse, landing / "reference", orgs={"RKB"})
            seen[engine].append(({}, _stored(warehouse)))
    finally:
        mp.undo()
    return seen


def test_a_resubmission_run_again_replaces_never_doubles(runs):
    after = [stored for _, stored in runs["spark"]]
    assert [s["bookings"] for s in after[:2]] == [
        [("RJC", 4), ("RKB", 6), ("RLT", 3)],
        [("RJC", 4), ("RKB", 5), ("RLT", 3)],
    ]
    assert after[1]["submissions"] == [(K2, "superseded", None, None, None), (RESUB1, "loaded", 9, 5, 4)]
    assert after[1]["quarantined"] == [(RESUB1, 6), (RESUB1, 7), (RESUB1, 8), (RESUB1, 9)]
    assert [s["orphans"] for s in after] == [[(0,)]] * 3  # no row of a superseded submission is left


def test_a_load_of_one_trust_leaves_the_others(runs):
    [before, after] = [stored for _, stored in runs["spark"][1:]]
    assert after["bookings"] == [("RJC", 4), ("RKB", 4), ("RLT", 3)]
    assert [r for r in after["rows"] if r[1] != "RKB"] == [r for r in before["rows"] if r[1] != "RKB"]
    assert after["submissions"] == [
        (K2, "superseded", None, None, None),
        (RESUB1, "superseded", None, None, None),
        (RESUB2, "loaded", 8, 4, 4),
    ]
    assert after["quarantined"] == [(RESUB2, 5), (RESUB2, 6), (RESUB2, 7), (RESUB2, 8)]


def test_each_run_is_duckdbs_to_the_byte(runs):
    """The files of runs 1 and 2 (measures, dq, golive, worklists) and the stored rows after each
    of the three steps are the same on both engines."""
    spark, duckdb = runs["spark"], runs["duckdb"]
    for step, ((spark_files, spark_stored), (duckdb_files, duckdb_stored)) in enumerate(
        zip(spark, duckdb, strict=True)
    ):
        assert spark_files == duckdb_files, f"step {step + 1}"
        assert spark_stored == duckdb_stored, f"step {step + 1}"
    assert len(spark[1][0]) == 6  # measures, dq, golive and the three Trusts' worklists
