"""The gate's verdicts (pipelines/gate/verdicts.py) on hand-written stored results: what passes,
what is a breach and how many records short, what kind of failure, what is printed, and that
Great Expectations disagreeing with the SQL measures is a defect, never a verdict.

A warehouse is made with the project's tables and filled by hand, so each figure below is worked
from the rows written here (no run of the pipeline): measures.md, "at least 95%" and "at least
80%" (a rate equal to the threshold passes); records short = ceil(threshold x denominator) -
numerator, never below 0.
"""

from __future__ import annotations

import pytest

from pipelines.core.warehouse import connect, mark_stage
from pipelines.gate.verdicts import GateInconsistent, GateVerdict, evaluate_gate

MONTH = "2025-04"
PC, EC = "MSD_MOTHER_POSTCODE_VALID", "MSD_MOTHER_ETHNIC_VALID"


def verdict(num: int, den: int, threshold: float = 0.95, completeness: str = "complete", **kw) -> GateVerdict:
    rate = num / den if den else None
    fields = dict(org_code="RKB", measure_id=PC, title="Valid postcode", numerator=num, denominator=den)
    fields |= dict(rate=rate, threshold=threshold, completeness=completeness, detail=None, severity="error")
    return GateVerdict(**(fields | kw))


@pytest.mark.parametrize(
    ("num", "den", "threshold", "passed", "short"),
    [
        (19, 20, 0.95, True, 0),  # 95.0% = threshold: passes
        (18, 20, 0.95, False, 1),  # 90.0%: ceil(19.0) - 18 = 1
        (20, 20, 0.95, True, 0),
        (2, 6, 0.95, False, 4),  # ceil(5.7) = 6, 6 - 2 = 4 (the fixture month's RKB)
        (16, 20, 0.80, True, 0),  # 80.0% = threshold
        (15, 20, 0.80, False, 1),
        (0, 1, 0.80, False, 1),  # ceil(0.8) = 1
        (79, 100, 0.80, False, 1),
        (94, 100, 0.95, False, 1),  # 95 needed: ceil(95.0) exactly, not 96
        (0, 40, 0.95, False, 38),
    ],
)
def test_pass_at_the_threshold_and_records_short(num, den, threshold, passed, short):
    v = verdict(num, den, threshold)
    assert (v.passed, v.breach, v.records_short, v.failure_type) == (passed, not passed, short, "threshold_breach")


def test_a_submission_not_complete_fails_whatever_its_rate():
    """A Trust whose month is incomplete fails even at 100%: no data is not good data."""
    for completeness in ("missing", "unreadable", "incomplete", "empty"):
        v = verdict(20, 20, completeness=completeness, detail="why")
        assert (v.passed, v.breach, v.failure_type) == (False, True, f"{completeness}_submission")


def test_no_rate_never_passes():
    assert verdict(0, 0).passed is False


def test_a_warn_severity_is_reported_never_a_breach():
    v = verdict(1, 20, severity="warn")
    assert (v.passed, v.breach) == (False, False)
    assert verdict(20, 20, severity="warn").breach is False


def test_describe():
    assert verdict(2, 6).describe() == (
        "RKB MSD_MOTHER_POSTCODE_VALID: 33.3% (2/6) below threshold 95%, 4 records short"
    )
    missing = verdict(0, 0, completeness="missing", detail="no extract received")
    assert missing.describe() == (
        "RKB MSD_MOTHER_POSTCODE_VALID: submission missing (no extract received); threshold 95%"
    )
    assert verdict(0, 0).describe() == "RKB MSD_MOTHER_POSTCODE_VALID: n/a (0/0) below threshold 95%, 0 records short"


# --------------------------------------------------------------------------- evaluate_gate

# org, completeness, (GE valid, GE rows, GE success) and (SQL numerator, denominator) per measure
STORED = {
    "RJC": ("complete", {PC: (18, 20, False, 18, 20), EC: (15, 20, False, 15, 20)}),
    "RKB": ("complete", {PC: (19, 20, True, 19, 20), EC: (16, 20, True, 16, 20)}),
    "RLT": ("missing", {PC: (0, 0, False, 0, 0), EC: (0, 0, False, 0, 0)}),
}


def _warehouse(path, stored=STORED, stage="published"):
    with connect(path) as con:
        for org, (completeness, measures) in stored.items():
            con.execute(
                "INSERT INTO trust_month_status (reporting_month, org_code, completeness, completeness_detail) "
                "VALUES (?, ?, ?, ?)",
                [MONTH, org, completeness, None if completeness == "complete" else "no extract received"],
            )
            for mid, (valid, rows, success, num, den) in measures.items():
                threshold = 0.95 if mid == PC else 0.80
                rate = valid / rows if rows else None
                con.execute(
                    "INSERT INTO gate_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    [MONTH, org, mid, rows, rows - valid, rate, threshold, success],
                )
                con.execute(
                    "INSERT INTO measures (reporting_month, org_code, measure_id, breakdown, numerator, denominator) "
                    "VALUES (?, ?, ?, 'overall', ?, ?)",
                    [MONTH, org, mid, num, den],
                )
        if stage:
            mark_stage(con, MONTH, stage)
    return path


def test_evaluate_gate_on_stored_results(tmp_path):
    """Six verdicts, Trusts then measures in id order: RJC fails both (18/20 postcode, 1 short;
    15/20 ethnic, 1 short), RKB passes both at the threshold, RLT fails both as missing."""
    verdicts = evaluate_gate(_warehouse(tmp_path / "w.duckdb"), MONTH)
    assert [
        (v.org_code, v.measure_id, v.numerator, v.denominator, v.passed, v.breach, v.records_short) for v in verdicts
    ] == [
        ("RJC", EC, 15, 20, False, True, 1),
        ("RJC", PC, 18, 20, False, True, 1),
        ("RKB", EC, 16, 20, True, False, 0),
        ("RKB", PC, 19, 20, True, False, 0),
        ("RLT", EC, 0, 0, False, True, 0),
        ("RLT", PC, 0, 0, False, True, 0),
    ]
    assert [v.title for v in verdicts[:2]] == ["Valid ethnic category", "Valid postcode"]
    assert verdicts[4].detail == "no extract received" and verdicts[4].rate is None
    assert {v.severity for v in verdicts} == {"error"}


def test_warn_only_makes_every_verdict_a_warning(tmp_path):
    verdicts = evaluate_gate(_warehouse(tmp_path / "w.duckdb"), MONTH, warn_only=True)
    assert {v.severity for v in verdicts} == {"warn"} and not any(v.breach for v in verdicts)
    assert sum(not v.passed for v in verdicts) == 4


def test_counts_disagreeing_is_a_defect(tmp_path):
    stored = dict(STORED, RKB=("complete", {PC: (19, 20, True, 18, 20), EC: (16, 20, True, 16, 20)}))
    with pytest.raises(
        GateInconsistent, match=r"^2025-04 RKB MSD_MOTHER_POSTCODE_VALID: Great Expectations counted 19/20, SQL 18/20$"
    ):
        evaluate_gate(_warehouse(tmp_path / "w.duckdb", stored), MONTH)


def test_a_missing_sql_measure_is_a_defect(tmp_path):
    path = _warehouse(tmp_path / "w.duckdb")
    with connect(path) as con:
        con.execute("DELETE FROM measures WHERE org_code = 'RJC' AND measure_id = ?", [EC])
    with pytest.raises(
        GateInconsistent, match="RJC MSD_MOTHER_ETHNIC_VALID: Great Expectations counted 15/20, SQL None/None"
    ):
        evaluate_gate(path, MONTH)


@pytest.mark.parametrize(
    ("org", "measures"),
    [
        ("RKB", {PC: (19, 20, False, 19, 20), EC: (16, 20, True, 16, 20)}),  # 95% but GE says fail
        ("RJC", {PC: (18, 20, True, 18, 20), EC: (15, 20, False, 15, 20)}),  # 90% but GE says pass
    ],
)
def test_a_verdict_disagreeing_with_the_rate_is_a_defect(tmp_path, org, measures):
    stored = dict(STORED, **{org: ("complete", measures)})
    with pytest.raises(GateInconsistent, match=f"^2025-04 {org} MSD_MOTHER_POSTCODE_VALID: Great Expectations verdict"):
        evaluate_gate(_warehouse(tmp_path / "w.duckdb", stored), MONTH)


@pytest.mark.parametrize("stage", ["gated", "published"])
def test_a_gated_or_published_month_is_judged(tmp_path, stage):
    assert len(evaluate_gate(_warehouse(tmp_path / "w.duckdb", stage=stage), MONTH)) == 6


@pytest.mark.parametrize("stage", ["ingested", "measured"])
def test_a_month_not_gated_is_refused(tmp_path, stage):
    with pytest.raises(
        GateInconsistent, match=f"^2025-04 was last run only to '{stage}': run `mdq run --month 2025-04` again$"
    ):
        evaluate_gate(_warehouse(tmp_path / "w.duckdb", stage=stage), MONTH)


def test_no_stored_results_is_refused(tmp_path):
    with pytest.raises(
        GateInconsistent, match="^no gate results stored for 2025-04: run `mdq run --month 2025-04` first$"
    ):
        evaluate_gate(_warehouse(tmp_path / "w.duckdb", stored={}), MONTH)


def test_no_warehouse_is_an_error_and_none_is_made(tmp_path):
    """The gate reads the warehouse, read-only: judging a month of a warehouse that does not exist
    says so and leaves no empty warehouse behind."""
    with pytest.raises(FileNotFoundError, match="no warehouse yet"):
        evaluate_gate(tmp_path / "w.duckdb", MONTH)
    assert not (tmp_path / "w.duckdb").exists()


def test_an_incomplete_trust_fails_even_when_its_rows_pass(tmp_path):
    """RLT sent its Cerner pregnancy file without the events file: its 3 bookings load and Great
    Expectations passes them (3 of 3), but the month is incomplete, so the verdict fails as an
    incomplete submission; that is no disagreement between GE and SQL."""
    stored = dict(STORED, RLT=("incomplete", {PC: (3, 3, True, 3, 3), EC: (3, 3, True, 3, 3)}))
    rlt = [v for v in evaluate_gate(_warehouse(tmp_path / "w.duckdb", stored), MONTH) if v.org_code == "RLT"]
    assert [(v.passed, v.breach, v.failure_type, v.rate) for v in rlt] == [
        (False, True, "incomplete_submission", 1.0)
    ] * 2
