"""A parallel-run month on Spark local[2]: routed like DuckDB's, reconciled by the same sql/golive
models rendered for Spark.

The hand-written month (tests/fixtures/golive, 2026-03) is counted by hand in
tests/golive/conftest.py: K2 11 rows (10 load, line 12 quarantined), Cerner pregnancies 9 (8
load, line 10 quarantined), Cerner events 14 (13 load, line 15 quarantined); the Cerner files are
the parallel run. Pregnancies: linked 5, only in K2 2, only in Cerner 1, unlinkable 5 (3 + 2).
"""

from __future__ import annotations

import os
import shutil

import pytest

from pipelines.ingest.pseudonymise import ENV_KEY
from tests.conftest import FIXTURE_LANDING, FIXTURES, TODAY
from tests.golive.conftest import EVENTS, GOLIVE_MONTH, K2, PREGNANCY
from tests.golive.test_reconcile import EXPECTED_ITEMS, ITEMS, OUTCOMES

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def on_spark(spark, tmp_path_factory):
    """The month loaded and reconciled on Spark once for the module: (warehouse, summary, golive frame)."""
    from pipelines.golive.spark_reconcile import compute_golive_spark
    from pipelines.ingest.spark_write import load_month_spark

    work = tmp_path_factory.mktemp("spark_golive")
    landing = work / "landing"
    shutil.copytree(FIXTURES / "golive", landing)
    shutil.copytree(FIXTURE_LANDING / "reference", landing / "reference")
    key = os.environ.pop(ENV_KEY, None)  # the fixture folder is synthetic: the sample-only key
    try:
        warehouse = work / "warehouse"
        _, summary = load_month_spark(GOLIVE_MONTH, landing, warehouse, landing / "reference", today=TODAY)
        return warehouse, summary, compute_golive_spark(warehouse, GOLIVE_MONTH)
    finally:
        if key is not None:
            os.environ[ENV_KEY] = key


def test_parallel_run_is_routed_and_reconciled_on_spark(on_spark):
    """The Parquet tables hold what DuckDB's hold (tests/ingest/test_routing.py), and the counts
    are the hand-counted ones (tests/golive/conftest.py)."""
    from pipelines.core.warehouse import connect
    from pipelines.golive import read_golive

    warehouse, summary, frame = on_spark
    assert list((warehouse / "_extracts").iterdir()) == []  # the load's copies of the extracts are gone
    assert (summary.parallel_files, summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (
        2,
        34,
        31,
        3,
    )
    with connect(warehouse, read_only=True) as con:

        def rows(sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()

        assert rows("SELECT source_system, count(*) FROM bookings GROUP BY 1") == [("K2", 10)]
        assert rows("SELECT source_system, count(*) FROM parallel_bookings GROUP BY 1") == [("Cerner", 8)]
        assert rows("SELECT count(*) FROM clinical_events") == [(0,)]
        assert rows("SELECT count(*) FROM parallel_clinical_events") == [(13,)]
        assert rows("SELECT source_file, line_number FROM quarantine") == [(K2, 12)]
        assert rows("SELECT source_file, line_number FROM parallel_quarantine ORDER BY 1, 2") == [
            (EVENTS, 15),
            (PREGNANCY, 10),
        ]
        assert rows(
            "SELECT file_name, role, status, rows_read, rows_loaded, rows_quarantined FROM submissions ORDER BY 1"
        ) == [
            (EVENTS, "parallel_clinical_events", "loaded", 14, 13, 1),
            (PREGNANCY, "parallel_pregnancy", "loaded", 9, 8, 1),
            (K2, "bookings", "loaded", 11, 10, 1),
        ]
        stored = read_golive(con, GOLIVE_MONTH)
    assert stored.equals(frame)  # read back from the Parquet table in golive.sql's order
    [coverage] = frame.filter(frame["data_item"] == "pregnancies").iter_rows(named=True)
    assert (coverage["org_code"], coverage["system_of_record"], coverage["parallel_system"]) == ("RKB", "K2", "Cerner")
    assert tuple(coverage[c] for c in ("linked", "only_in_record", "only_in_parallel", "unlinkable")) == (5, 2, 1, 5)
    assert (coverage["unlinkable_in_record"], coverage["unlinkable_in_parallel"]) == (3, 2)
    items = {r["data_item"]: r for r in frame.iter_rows(named=True) if r["data_item"] != "pregnancies"}
    assert list(items) == ITEMS
    assert {k: (r["linked"], *(r[c] for c in OUTCOMES)) for k, r in items.items()} == EXPECTED_ITEMS


def test_a_month_without_a_parallel_run_stores_no_golive_rows(on_spark):
    """Reconciling 2026-04 (nothing loaded) writes the month's empty partition; March's rows stay."""
    from pipelines.core.warehouse import connect
    from pipelines.golive.spark_reconcile import compute_golive_spark

    warehouse, _, _ = on_spark
    assert compute_golive_spark(warehouse, "2026-04").height == 0
    with connect(warehouse, read_only=True) as con:
        assert con.execute("SELECT reporting_month, count(*) FROM golive GROUP BY 1").fetchall() == [("2026-03", 7)]
