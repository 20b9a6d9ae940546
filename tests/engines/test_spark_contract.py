"""The contracts on Spark are the polars contracts themselves: a check added to a model is run by
both engines, with nothing to copy into Spark code (pipelines/ingest/spark_contract.py).

The fixture month (tests/fixtures/landing, 2025-04) loaded on DuckDB gives the canonical
bookings: 13 rows, RJC 4, RKB 6 and RLT 3 (as tests/checks/test_postcodes.py counts them).
"""

from __future__ import annotations

import types

import polars as pl
import pytest

from pipelines.core.warehouse import connect
from schemas.canonical import CanonicalBookings
from schemas.raw import BadgerNetBookings
from tests.engines.contract_checks import BadgerNetWithANewCheck, CanonicalWithANewCheck

pytestmark = pytest.mark.spark


@pytest.fixture
def contract_with_a_new_check(monkeypatch):
    """The canonical contract, wherever it is read, is CanonicalWithANewCheck's (contract_checks.py),
    made after pandera's PySpark backend registered its built-in checks, as in a process where a
    canonical_contract asset check on Spark ran first: such a contract's checks name PySpark types
    that the executors must be able to unpickle (spark_contract._shipped)."""
    from pipelines.ingest.spark_contract import _pandera_pyspark

    _pandera_pyspark()
    import pandera.backends.pyspark.builtin_checks  # noqa: F401

    schema = CanonicalWithANewCheck.to_schema().set_name("CanonicalBookings")
    monkeypatch.setattr(CanonicalBookings, "to_schema", classmethod(lambda cls: schema))


def _bookings(warehouse) -> pl.DataFrame:
    with connect(warehouse, read_only=True) as con:
        return con.sql("SELECT * FROM bookings ORDER BY submission_id, source_line").pl()


def test_a_check_added_to_the_canonical_contract_runs_on_spark(spark, loaded, contract_with_a_new_check):
    """The Spark load's canonical step (spark_write._canonical_quarantine) over the fixture month's
    13 bookings: the 6 of RKB are quarantined for "not RKB", the 7 others kept; DuckDB's step
    (write_month._canonical_quarantine) quarantines the same rows in the same words. The Spark
    step knew only the model's two frame-wide checks by name: it kept all 13."""
    from pipelines.core.engines.spark_models import spark_frame
    from pipelines.ingest.spark_write import _canonical_quarantine
    from pipelines.ingest.write_month import _canonical_quarantine as duckdb_quarantine

    bookings = _bookings(loaded)
    assert bookings.height == 13
    kept, quarantine = _canonical_quarantine(types.SimpleNamespace(spark=spark), spark_frame(spark, bookings))
    assert kept.count() == 7
    assert sorted(quarantine.get_column("org_code").to_list()) == ["RKB"] * 6
    assert set(quarantine.get_column("reason").to_list()) == {"canonical contract: not RKB failed on CanonicalBookings"}
    with connect(loaded) as con:
        con.execute("CREATE TEMP TABLE new_bookings AS SELECT * FROM bookings")
        on_duckdb = duckdb_quarantine(con, "new_bookings")
    assert quarantine.sort("submission_id", "line_number").equals(on_duckdb.sort("submission_id", "line_number"))


def test_the_stored_months_verdict_names_the_new_check(spark, loaded, contract_with_a_new_check, tmp_path):
    """The canonical_contract asset check on Spark (stored_canonical_verdict) over the fixture
    month stored as Parquet: 13 rows, failing "not RKB" and nothing else."""
    from pipelines.core.engines.spark_warehouse import month_commit, open_warehouse
    from pipelines.ingest.spark_contract import stored_canonical_verdict

    warehouse = tmp_path / "parquet"
    open_warehouse(warehouse)
    with month_commit(warehouse) as commit:
        commit.stage_frame("bookings", "2025-04", _bookings(loaded))
    assert stored_canonical_verdict(warehouse, "2025-04") == (13, ["not RKB"])


# BadgerNet, Windows-1252: lines 2-4 are EpisodeIDs 4001-4003 at sites RJC01, RJC02, RJC01.
BADGERNET = (
    "EpisodeID,NHSNumber,MotherDOB,BookingDate,GestationAtBookingDays,Postcode,EthnicCategory,"
    "HeightCm,WeightKg,BMIAtBooking,SmokingAtBooking,COReadingPPM,OrgSiteCode,Notes\n"
    "4001,9434765919,1990-01-01,2025-04-02,70,CV1 2AB,A,160,60,23.4,3,1,RJC01,\n"
    "4002,,1991-02-02,2025-04-03,,CV3 4CD,Z,,,,9,,RJC02,\n"
    "4003,9434765919,1992-03-03,2025-04-04,80,CV5 6EF,B,170,70,24.2,1,2,RJC01,Café visit\n"
)


def test_a_check_added_to_a_raw_contract_runs_on_spark(spark, tmp_path, monkeypatch):
    """BadgerNet's raw contract with one more frame-wide check, "one site": OrgSiteCode RJC01.
    Spark's standardising of the file (read by Spark's CSV reader) quarantines line 3 (RJC02) for
    it and loads lines 2 and 4, with the problem DuckDB's path (contract.validate_batch) gives.
    The Spark path translated column checks by name and never ran a frame-wide one: it loaded 3."""
    from pyspark.sql import functions as F

    from pipelines.core.config import load_layouts
    from pipelines.ingest.contract import validate_batch
    from pipelines.ingest.landing import identify
    from pipelines.ingest.read_extract import parse_extract
    from pipelines.ingest.spark_read import SparkFile, prescan, read_layout
    from pipelines.ingest.spark_standardise import standardise_layout
    from tests.conftest import TODAY

    schema = BadgerNetWithANewCheck.to_schema().set_name("BadgerNetBookings")
    monkeypatch.setattr(BadgerNetBookings, "to_schema", classmethod(lambda cls: schema))
    path = tmp_path / "BadgerNet_RJC_Booking_2025-04.csv"
    path.write_bytes(BADGERNET.encode("cp1252"))
    extract = identify(path, load_layouts(), tmp_path)
    found = prescan(extract, load_layouts(), tmp_path / "00000.csv")
    assert isinstance(found, SparkFile)
    frame = read_layout(spark, extract.layout, [found]).withColumn("org_code", F.lit("RJC"))
    rows, problems = standardise_layout(frame, extract.layout, "2025-04", TODAY, b"k" * 32, 1, {0: (path.name, 4)})
    assert sorted(r["_line"] for r in rows.select("_line").collect()) == [2, 4]
    assert [(p.line, p.reason) for p in problems[0]] == [(3, "one site failed on BadgerNetBookings")]
    _, [on_duckdb] = validate_batch(
        [parse_extract(BADGERNET.encode("cp1252"), extract.layout, path.name).frame], BadgerNetBookings, extract.layout
    )
    assert problems[0] == on_duckdb
