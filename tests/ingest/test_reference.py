"""Reference data is checked as it loads: bad files stop the run with the file and reason, instead
of silently moving women out of denominators."""

from __future__ import annotations

import pytest

from pipelines.ingest.reference import ReferenceError
from tests.conftest import load, query

ONSPD = "ONSPD_fixture.csv"
IOD = "File_7_IoD2025_fixture.csv"


@pytest.mark.parametrize("decile", ["0", "12", "", "x"])
def test_bad_imd_decile_is_refused_with_file_and_line(landing, tmp_path, decile):
    ref = landing / "reference" / IOD
    ref.write_text(ref.read_text().replace("E01031001,Warwick 001A,9", f"E01031001,Warwick 001A,{decile}"))
    with pytest.raises(ReferenceError, match=rf"{IOD}, line 4, column Index of Multiple Deprivation"):
        load(landing, tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists() or query(tmp_path / "w.duckdb", "SELECT count(*) FROM bookings") == [
        (0,)
    ]


def test_two_directory_releases_that_disagree_are_refused(landing, tmp_path):
    second = landing / "reference" / "ONSPD_older_release.csv"
    second.write_text((landing / "reference" / ONSPD).read_text().replace("E01031001,E01031001", "E01031001,E01099999"))
    with pytest.raises(ReferenceError, match="postcode CV31 2AB is live with different LSOAs"):
        load(landing, tmp_path / "w.duckdb")


def test_two_identical_directory_releases_do_not_duplicate_bookings(landing, tmp_path):
    """The same rows twice (e.g. a full file beside a subset) still give one booking per pregnancy."""
    (landing / "reference" / "ONSPD_copy.csv").write_text((landing / "reference" / ONSPD).read_text())
    load(landing, tmp_path / "w.duckdb")
    assert query(tmp_path / "w.duckdb", "SELECT org_code, count(*) FROM bookings GROUP BY 1 ORDER BY 1") == [
        ("RJC", 4),
        ("RKB", 6),
        ("RLT", 3),
    ]


def test_postcode_terminated_before_the_month_is_invalid_and_unplaced(landing, tmp_path):
    """CV5 6EF (K2 line 11) is well-formed but terminated in 202001: invalid in 2025-04, no LSOA."""
    load(landing, tmp_path / "w.duckdb")
    assert query(
        tmp_path / "w.duckdb",
        "SELECT postcode_class, postcode_valid, postcode_has_lsoa, lsoa_code FROM bookings "
        "WHERE source_system = 'K2' AND source_line = 11",
    ) == [("invalid", False, False, None)]
