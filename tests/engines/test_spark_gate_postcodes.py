"""On Spark too the gate upper-cases a postcode as the SQL does: the month of
tests/gate/test_postcode_upper_case.py (five RKB bookings typed with ß and an accent), valid 2 of
5 by the SQL and by Great Expectations in directory and in format mode, counted by hand there."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY
from tests.gate.test_postcode_upper_case import MONTH, postcode_rule, postcode_verdict, write_month

pytestmark = pytest.mark.spark
__all__ = ["postcode_rule"]  # the fixture, used below


def test_the_gate_counts_postcodes_as_the_sql_does_on_spark(spark, tmp_path, postcode_rule):
    from pipelines.gate.spark_results import run_month_gate_spark
    from pipelines.ingest.spark_write import load_month_spark
    from pipelines.measures.spark_compute import compute_measures_spark

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    write_month(landing)
    load_month_spark(MONTH, landing, warehouse, landing / "reference", today=TODAY)
    compute_measures_spark(warehouse, MONTH)
    run_month_gate_spark(warehouse, MONTH, tmp_path / "gx", tmp_path / "out")
    assert postcode_verdict(warehouse) == (2, 5)
