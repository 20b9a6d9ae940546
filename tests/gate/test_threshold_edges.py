"""The gated thresholds at their edge: a rate equal to the threshold passes ("at least 95%", "at
least 80%", measures.md), one woman fewer fails, in the SQL measures, Great Expectations and the
gate's verdicts alike.

RKB (K2), 20 women: 19 valid postcodes and 1 `N/A` = 19/20 = 95.0%, exactly the threshold: pass;
16 valid ethnic categories and 4 `Not Stated` = 16/20 = 80.0%: pass.
RJC (BadgerNet), 20 women: 18 valid postcodes and 2 blank = 90.0%: fail, ceil(0.95 x 20) - 18 =
1 record short; 15 valid ethnic categories and 5 `Z` = 75.0%: fail, 16 - 15 = 1 short.
RLT sent nothing: missing, fails both.
"""

from __future__ import annotations

import pytest

from tests.conftest import load, query
from tests.ingest.rule_edges import MONTH, Case, write_landing

PC, EC = "MSD_MOTHER_POSTCODE_VALID", "MSD_MOTHER_ETHNIC_VALID"


def _women(layout: str, n: int, odd_postcodes: int, odd_ethnic: int, blank_pc: str, default_ec: str) -> list[Case]:
    return [
        Case(
            layout,
            "postcode_class",
            {
                **({"postcode": blank_pc} if i < odd_postcodes else {}),
                **({"ethnic": default_ec} if i >= n - odd_ethnic else {}),
            },
            "",
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    from pipelines.core.warehouse import connect
    from pipelines.gate.results import run_month_gate
    from pipelines.measures.compute import compute_measures

    root = tmp_path_factory.mktemp("thresholds")
    cases = _women("K2", 20, 1, 4, "N/A", "Not Stated") + _women("BadgerNet", 20, 2, 5, "", "Z")
    write_landing(root / "landing", cases)
    load(root / "landing", root / "w.duckdb", MONTH)
    with connect(root / "w.duckdb") as con:
        compute_measures(con, MONTH)
        run_month_gate(con, MONTH, root / "work", None)
    return root / "w.duckdb"


def test_sql_measures_pass_at_the_threshold_and_fail_below(gated):
    assert query(
        gated,
        "SELECT org_code, measure_id, numerator, denominator, threshold, status FROM measures "
        "WHERE breakdown = 'overall' AND measure_id IN (?, ?) ORDER BY 1, 2",
        [PC, EC],
    ) == [
        ("RJC", EC, 15, 20, 0.80, "fail"),
        ("RJC", PC, 18, 20, 0.95, "fail"),
        ("RKB", EC, 16, 20, 0.80, "pass"),
        ("RKB", PC, 19, 20, 0.95, "pass"),
        ("RLT", EC, 0, 0, 0.80, "fail"),
        ("RLT", PC, 0, 0, 0.95, "fail"),
    ]


def test_great_expectations_and_the_verdicts_agree(gated):
    from pipelines.gate.verdicts import evaluate_gate

    assert query(
        gated,
        "SELECT org_code, measure_id, element_count, unexpected_count, threshold, success FROM gate_results ORDER BY 1, 2",
    ) == [
        ("RJC", EC, 20, 5, 0.80, False),
        ("RJC", PC, 20, 2, 0.95, False),
        ("RKB", EC, 20, 4, 0.80, True),
        ("RKB", PC, 20, 1, 0.95, True),
        ("RLT", EC, 0, 0, 0.80, False),
        ("RLT", PC, 0, 0, 0.95, False),
    ]
    verdicts = sorted(
        (v.org_code, v.measure_id, v.passed, v.breach, v.records_short, v.failure_type)
        for v in evaluate_gate(gated, MONTH)
    )
    assert verdicts == [
        ("RJC", EC, False, True, 1, "threshold_breach"),
        ("RJC", PC, False, True, 1, "threshold_breach"),
        ("RKB", EC, True, False, 0, "threshold_breach"),
        ("RKB", PC, True, False, 0, "threshold_breach"),
        ("RLT", EC, False, True, 0, "missing_submission"),
        ("RLT", PC, False, True, 0, "missing_submission"),
    ]
