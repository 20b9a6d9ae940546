"""The hostile month on both engines: the same bytes, the same stored rows, the same verdicts.

One graph run per engine over the hostile month, 2025-05 (tests/engines/hostile_month.py: what
real extracts carry, in every layout). Each engine's measures-, dq-, golive-YYYY-MM.csv,
worklists and scorecard (its start time masked) must be the other's to the byte, every stored
table of the month equal row for row (bench/compare_engines.py), and the gate's verdicts equal;
a few of the month's figures are counted by hand below. The rule edge cases' month (2025-04)
runs beside it on both engines in `python -m tests.engines.hostile_month` + compare_engines.py
(~40 s more of Spark: not in CI; its measurement rules are run on Spark by
tests/engines/test_spark_functions.py).
"""

from __future__ import annotations

import re

import dagster as dg
import pytest

from bench.compare_engines import compare_files, compare_tables
from pipelines.ingest.pseudonymise import ENV_KEY
from pipelines.orchestration.in_process import RunSettings, run_months
from tests.engines import hostile_month as hostile

pytestmark = pytest.mark.spark
MONTHS = [hostile.MONTH]


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    """{engine: RunSettings} after one run of the graph over MONTHS on each engine, with the
    layouts file that adds the month's three extra providers (set for the module's tests)."""
    work = tmp_path_factory.mktemp("hostile")
    landing = work / "landing"
    hostile.write_hostile_month(landing)  # marked synthetic: the sample-only key
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MDQ_LAYOUTS", str(hostile.write_layouts(work / "layouts.yaml")))
        patch.delenv(ENV_KEY, raising=False)
        settings = {}
        for engine in ("spark", "duckdb"):
            warehouse = work / engine / ("warehouse" if engine == "spark" else "mdq.duckdb")
            settings[engine] = RunSettings(landing, landing / "reference", warehouse, work / engine / "out", engine)
            with dg.instance_for_test() as instance:
                run_months(MONTHS, settings[engine], instance)
        yield settings


def test_every_file_is_the_same_bytes_on_both_engines(runs):
    """measures, dq, golive, scorecard and a worklist per provider (RJC, RKB, RLT, RXA, RXB, RXC):
    10 files, none differing."""
    on_spark, on_duckdb = runs["spark"].out, runs["duckdb"].out
    for month in MONTHS:
        assert len(list(on_spark.glob(f"*-{month}.*"))) == 4
        assert len(list((on_spark / "worklists").glob(f"worklist-{month}-*.csv"))) == 6
        assert compare_files(on_duckdb, on_spark, month) == []


def test_every_stored_row_is_the_same_on_both_engines(runs):
    """bookings, quarantine, clinical events, submissions, the measures, the gate's results and the
    parallel run's tables: equal row for row (audit timestamps aside)."""
    for month in MONTHS:
        assert compare_tables(runs["duckdb"].warehouse, runs["spark"].warehouse, month) == []


def test_the_gate_gives_the_same_verdicts_counted_by_hand(runs):
    """2025-05, each Trust's (valid, booked, completeness) per gated measure:

    RJC (BadgerNet, 40 records, 32 booked: lines 2-28, 31 and 38-41): ethnic valid 23 (the 16
    codes A-S on lines 2-17, `a` and ` s ` on 23-24, and A on 31, 38, 39, 40, 41); default 3 (Z,
    99, z), missing 2 (blank, a lone no-break space), invalid 4 (I, O, 9, ZZ). Postcode valid 29:
    all but line 39 (zz99 3vz, default), 40 (n/a after a no-break space, missing) and 41 (CV5 6EF,
    terminated 202001, invalid).
    RKB (K2, 10 booked: lines 2, 3, 4, 5, 15, 17, 21, 22, 23, 24): postcode valid 4 (2; 3 in
    no-break, thin and ideographic spaces; 15; 17), default 1 (21), invalid 5 (Arabic-Indic
    digits, a comma, ß, a formula, an emoji); ethnic valid 7 (all but 3 Not Stated and 4 Unknown,
    default, and 24's en dash, invalid).
    RLT: 2 booked (lines 2-4 and 6), both valid. RXA: its file header only (unreadable). RXB:
    nothing sent (missing). RXC: both its bookings April's (empty)."""
    from pipelines.gate.verdicts import evaluate_gate

    for month in MONTHS:
        assert evaluate_gate(runs["spark"].warehouse, month) == evaluate_gate(runs["duckdb"].warehouse, month)
    verdicts = {
        (v.org_code, v.measure_id.split("_")[2]): (v.numerator, v.denominator, v.completeness)
        for v in evaluate_gate(runs["spark"].warehouse, hostile.MONTH)
    }
    assert verdicts == {
        ("RJC", "ETHNIC"): (23, 32, "complete"),
        ("RJC", "POSTCODE"): (29, 32, "complete"),
        ("RKB", "ETHNIC"): (7, 10, "complete"),
        ("RKB", "POSTCODE"): (4, 10, "complete"),
        ("RLT", "ETHNIC"): (2, 2, "complete"),
        ("RLT", "POSTCODE"): (2, 2, "complete"),
        **{(org, m): (0, 0, status) for org, status in (("RXA", "unreadable"), ("RXB", "missing"), ("RXC", "empty"))
           for m in ("ETHNIC", "POSTCODE")},
    }  # fmt: skip


def test_each_file_of_the_hostile_month_counted_by_hand(runs):
    """(rows read, loaded, quarantined), as the comments in hostile_month.py give each line:

    K2 RKB: 25 lines after the header, each one record but for the quote spanning 6-7 (6 broken,
    7 a record of 9 fields): 25 read; 10 loaded; 15 quarantined (6, 7, 8, 9, 10, 11, 12, 13, 14,
    16, 18, 19, 20, 25, 26). BadgerNet RJC: 40 read, 32 loaded, 8 quarantined (29 duplicate, 30
    repeat, 32 slashes, 33 April, 34 blank, 35 year 1500, 36 year 9999, 37 year 1). BadgerNet RLT:
    3 records (2-4, 5, 6), 2 loaded, 1 quarantined (5). Cerner pregnancies (the resubmission): 8
    read, 5 loaded, 3 quarantined (7, 8, 9); the original superseded. Cerner events: 23 read, 16
    loaded, 7 quarantined (8, 14, 15, 16, 17, 18, 22). RXC: K2 2 read, none loaded; events 1 read,
    none loaded. RXA's and RXX's files unreadable."""
    from pipelines.core.warehouse import connect

    with connect(runs["spark"].warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT file_name, status, rows_read, rows_loaded, rows_quarantined FROM submissions "
            "WHERE reporting_month = ? ORDER BY file_name",
            [hostile.MONTH],
        ).fetchall()
    assert {name: tuple(counts) for name, *counts in rows} == {
        hostile.BADGERNET_RJC: ("loaded", 40, 32, 8),
        hostile.BADGERNET_RLT: ("loaded", 3, 2, 1),
        hostile.HEADER_ONLY: ("unreadable", None, None, None),
        hostile.EVENTS: ("loaded", 23, 16, 7),
        hostile.CERNER_ORIGINAL: ("superseded", None, None, None),
        hostile.PREGNANCY: ("loaded", 8, 5, 3),
        hostile.EVENTS_ALONE: ("loaded", 1, 0, 1),
        hostile.K2: ("loaded", 25, 10, 15),
        hostile.APRIL_IN_MAY: ("loaded", 2, 0, 2),
        hostile.UNKNOWN_TRUST: ("unreadable", None, None, None),
    }


def test_measures_and_reconciliation_counted_by_hand(runs):
    """RKB's BMI split (valid, default, invalid, missing) = (3, 0, 4, 3): valid 2 (25.0), 3 (70.0)
    and 5 (BMI 11.9 but height 120 and weight 30); invalid 4 (height 119.9), 21 (25d), 22 (0x1p4,
    height 1e2 = 100), 23 (NaN); missing 15, 17, 24. Read by Java's own cast, 25d and 0x1p4 were
    valid on Spark.

    RKB's go-live pregnancies: K2's line 2 and Cerner's 5001 share 943 476 5919, as do K2's 3 and
    5002 (401 023 2137): linked 2; K2's line 5 is 943 476 5919's second pregnancy, booked later,
    with no second in Cerner: only in the record 1; 5006 (9000000017): only in the parallel run
    1; unlinkable 7 in K2 (line 4's full-width digits, six blank) and 2 in Cerner (5003's
    Arabic-Indic digits, 5004 blank): 9. Their CO: K2's 2 ppm against 5001's 3 ppm (its time has
    two spaces, which Spark's to_timestamp refused), K2's 100 against 5002's -0 ppm: both valid,
    different, 2.

    Cerner's 5006 (booked 08:00) has CO readings 11 minutes before (5 ppm) and after (4 ppm, typed
    08:10:60): equally close, the later is its booking value, 4.

    Cerner's events 23 and 24, heights of 131.0340355 cm and 1.902865015 m, are stored as
    131.034035 and 190.286502 (worked in tests/engines/test_spark_functions.py)."""
    from pipelines.core.warehouse import connect

    out = runs["spark"].out
    measures = (out / f"measures-{hostile.MONTH}.csv").read_text(encoding="utf-8").splitlines()
    bmi = next(line for line in measures if re.match(r"2025-05,RKB,K2,MSD_BMI_RECORDED,overall,overall,", line))
    assert bmi.split(",")[-4:] == ["3", "0", "4", "3"]
    golive = (out / f"golive-{hostile.MONTH}.csv").read_text(encoding="utf-8").splitlines()
    assert "2025-05,RKB,K2,Cerner,pregnancies,2,,,,,,1,1,9" in golive
    assert "2025-05,RKB,K2,Cerner,MSD_CO_RECORDED,2,0,2,0,0,0,,," in golive
    with connect(runs["spark"].warehouse, read_only=True) as con:
        assert con.execute(
            "SELECT co_ppm FROM parallel_bookings WHERE reporting_month = ? AND source_line = 6", [hostile.MONTH]
        ).fetchall() == [(4.0,)]
        assert con.execute(
            "SELECT source_line, value_num FROM parallel_clinical_events WHERE reporting_month = ? "
            "AND source_line IN (23, 24) ORDER BY 1",
            [hostile.MONTH],
        ).fetchall() == [(23, 131.034035), (24, 190.286502)]
