"""The before/after view of a Trust whose system of record changed, from a hand-written measure history.

Valid ethnic category, overall rows (valid / default / invalid / missing of booked):
  RKB: 2025-10 K2 90/5/0/5 of 100; 2025-11 K2 85/5/0/10; 2025-12 no submission (system empty,
       0 of 0); 2026-01 K2 88/5/0/7; 2026-02 Cerner 42/8/0/50; 2026-03 Cerner 58/7/0/35.
       Change 2026-02. Before, pooled: 3 months 2025-10..2026-01, 263/15/0/22 of 300 = 87.67%.
  RJC: BadgerNet every month: never changed, so not in the view.
  RLT: 2025-10 K2 10/0/0/0 of 10; 2025-11 and 2025-12 BadgerNet 20/0/0/0 of 20 each; 2026-01
       Cerner 5/0/0/5 of 10. Latest change 2026-01; before = the BadgerNet run only (not the K2
       month before it): 40 of 40.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines.core.warehouse import read_sql

ETHNIC = "MSD_MOTHER_ETHNIC_VALID"
HISTORY = [
    ("2025-10", "RKB", "K2", 90, 5, 0, 5),
    ("2025-11", "RKB", "K2", 85, 5, 0, 10),
    ("2025-12", "RKB", None, 0, 0, 0, 0),
    ("2026-01", "RKB", "K2", 88, 5, 0, 7),
    ("2026-02", "RKB", "Cerner", 42, 8, 0, 50),
    ("2026-03", "RKB", "Cerner", 58, 7, 0, 35),
    *[(m, "RJC", "BadgerNet", 95, 5, 0, 0) for m in ("2025-10", "2025-11", "2025-12", "2026-01", "2026-02")],
    ("2025-10", "RLT", "K2", 10, 0, 0, 0),
    ("2025-11", "RLT", "BadgerNet", 20, 0, 0, 0),
    ("2025-12", "RLT", "BadgerNet", 20, 0, 0, 0),
    ("2026-01", "RLT", "Cerner", 5, 0, 0, 5),
]


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(read_sql("warehouse/tables"))
    for month, org, system, valid, default, invalid, missing in HISTORY:
        booked = valid + default + invalid + missing
        con.execute(
            """INSERT INTO measures (reporting_month, org_code, source_system, measure_id, breakdown, "group",
               numerator, denominator, valid, "default", invalid, missing)
               VALUES (?, ?, ?, ?, 'overall', 'overall', ?, ?, ?, ?, ?, ?)""",
            [month, org, system, ETHNIC, valid, booked, valid, default, invalid, missing],
        )
    # A breakdown row is not the Trust's figure: it must not enter the pooled counts.
    con.execute(
        """INSERT INTO measures (reporting_month, org_code, source_system, measure_id, breakdown, "group",
           numerator, denominator, valid, "default", invalid, missing)
           VALUES ('2025-10', 'RKB', 'K2', ?, 'ethnic_group', 'White', 50, 60, 50, 5, 0, 5)""",
        [ETHNIC],
    )
    yield con
    con.close()


def _rows(frame: pl.DataFrame, org: str) -> list[tuple]:
    return frame.filter(pl.col("org_code") == org).select(
        "period", "change_month", "source_system", "first_month", "last_month", "months",
        "numerator", "denominator", "valid", "default", "invalid", "missing",
    ).rows()  # fmt: skip


def test_months_before_pooled_and_each_month_since(con):
    from pipelines.golive import before_after

    frame = before_after(con, "2026-03")
    assert sorted(set(frame.get_column("org_code"))) == ["RKB", "RLT"]
    assert _rows(frame, "RKB") == [
        ("before", "2026-02", "K2", "2025-10", "2026-01", 3, 263, 300, 263, 15, 0, 22),
        ("2026-02", "2026-02", "Cerner", "2026-02", "2026-02", 1, 42, 100, 42, 8, 0, 50),
        ("2026-03", "2026-02", "Cerner", "2026-03", "2026-03", 1, 58, 100, 58, 7, 0, 35),
    ]
    before = frame.filter((pl.col("org_code") == "RKB") & (pl.col("period") == "before")).row(0, named=True)
    assert before["rate"] == pytest.approx(263 / 300)


def test_before_is_the_previous_systems_run_only(con):
    from pipelines.golive import before_after

    assert _rows(before_after(con, "2026-03", "RLT"), "RLT") == [
        ("before", "2026-01", "BadgerNet", "2025-11", "2025-12", 2, 40, 40, 40, 0, 0, 0),
        ("2026-01", "2026-01", "Cerner", "2026-01", "2026-01", 1, 5, 10, 5, 0, 0, 5),
    ]


def test_a_change_after_the_month_asked_for_is_not_seen(con):
    from pipelines.golive import before_after, change_months

    assert _rows(before_after(con, "2026-01", "RKB"), "RKB") == []
    assert change_months(con, "2026-01") == {"RLT": "2026-01"}
    assert change_months(con, "2026-03") == {"RKB": "2026-02", "RLT": "2026-01"}
