"""The shipped sample tells a story the gate must reveal, and every shipped row is accounted for.

Story (issue 2, sample_data/): RLT's postcode validity dips under 95% in 2025-10, 2025-11 and
2025-12; RKB's ethnic-category validity collapses under 80% in its first three Cerner months,
2026-04 to 2026-06; every other Trust-month passes both gated measures.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from pipelines.core.months import months_between
from pipelines.core.paths import SAMPLE_DATA
from pipelines.gate.verdicts import evaluate_gate
from tests.conftest import query

MONTHS = months_between("2025-04", "2026-09")
STORY_BREACHES = {
    ("2025-10", "RLT", "MSD_MOTHER_POSTCODE_VALID"),
    ("2025-11", "RLT", "MSD_MOTHER_POSTCODE_VALID"),
    ("2025-12", "RLT", "MSD_MOTHER_POSTCODE_VALID"),
    ("2026-04", "RKB", "MSD_MOTHER_ETHNIC_VALID"),
    ("2026-05", "RKB", "MSD_MOTHER_ETHNIC_VALID"),
    ("2026-06", "RKB", "MSD_MOTHER_ETHNIC_VALID"),
}


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory) -> Path:
    from pipelines.core.warehouse import connect
    from pipelines.gate.results import run_month_gate
    from pipelines.ingest.load_month import load_month
    from pipelines.measures.compute import compute_measures

    root = tmp_path_factory.mktemp("sample")
    warehouse = root / "mdq.duckdb"
    for month in MONTHS:
        load_month(month, SAMPLE_DATA, warehouse, SAMPLE_DATA / "reference", today=date(2026, 11, 23))
        with connect(warehouse) as con:
            compute_measures(con, month)
            run_month_gate(con, month, root / "gx", root / "out")
    return warehouse


def test_gate_fails_exactly_the_story(sample_warehouse):
    breaches, passes = set(), 0
    for month in MONTHS:
        for verdict in evaluate_gate(sample_warehouse, month):
            if verdict.breach:
                breaches.add((month, verdict.org_code, verdict.measure_id))
            else:
                passes += 1
    assert breaches == STORY_BREACHES
    assert passes == len(MONTHS) * 3 * 2 - len(STORY_BREACHES)


def test_great_expectations_agrees_with_sql_on_every_trust_month(sample_warehouse):
    """GE's observed rate and verdict equal the SQL measure's for all 18 months x 3 Trusts x 2 measures."""
    rows = query(
        sample_warehouse,
        """
        SELECT g.reporting_month, g.org_code, g.measure_id, g.element_count, g.unexpected_count, g.observed_rate,
               g.success, m.numerator, m.denominator, m.rate, m.status
        FROM gate_results g JOIN measures m USING (reporting_month, org_code, measure_id)
        WHERE m.breakdown = 'overall'""",
    )
    assert len(rows) == len(MONTHS) * 3 * 2
    for month, org, measure, elements, unexpected, ge_rate, success, num, den, sql_rate, status in rows:
        assert (elements, elements - unexpected) == (den, num), (month, org, measure)
        assert ge_rate == pytest.approx(sql_rate, abs=1e-12)
        assert success == (status == "pass"), (month, org, measure)


def _records_in(path: Path, encoding: str, delimiter: str) -> int:
    text = path.read_bytes().decode(encoding)
    quoting = csv.QUOTE_NONE if delimiter == "|" else csv.QUOTE_MINIMAL
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting) if r]
    return len(rows) - 1


def test_every_shipped_row_is_loaded_or_quarantined(sample_warehouse):
    files = query(sample_warehouse, "SELECT file_name, submission_id, rows_read, status FROM submissions ORDER BY 1")
    shipped = sorted(p.name for p in SAMPLE_DATA.iterdir() if p.suffix in (".csv", ".txt"))
    assert [f for f, *_ in files] == shipped
    for file_name, submission_id, rows_read, status in files:
        assert status == "loaded"
        encoding, delimiter = (
            ("utf-8-sig", ",")
            if file_name.startswith("K2_")
            else ("cp1252", ",")
            if file_name.startswith("BadgerNet_")
            else ("utf-8", "|")
        )
        assert rows_read == _records_in(SAMPLE_DATA / file_name, encoding, delimiter), file_name
        # A parallel-run extract (RKB 2026-03's Cerner test extract) has its own tables.
        loaded = query(
            sample_warehouse,
            "SELECT (SELECT count(*) FROM bookings WHERE submission_id = $1) + "
            "(SELECT count(*) FROM clinical_events WHERE submission_id = $1) + "
            "(SELECT count(*) FROM parallel_bookings WHERE submission_id = $1) + "
            "(SELECT count(*) FROM parallel_clinical_events WHERE submission_id = $1)",
            [submission_id],
        )[0][0]
        quarantined = query(
            sample_warehouse,
            "SELECT (SELECT count(*) FROM quarantine WHERE submission_id = $1) + "
            "(SELECT count(*) FROM parallel_quarantine WHERE submission_id = $1)",
            [submission_id],
        )[0][0]
        assert loaded + quarantined == rows_read, file_name
