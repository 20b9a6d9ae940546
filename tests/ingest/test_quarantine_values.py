"""No identifier reaches quarantine.value or its reason, even when an unquoted separator shifts it
into a checked column: a quarantined value shaped like one of its layout's identifiers (an NHS
number, a date of birth, an ID pattern) is withheld, and the reason says so without it. Values that
cannot be a date of birth or an identifier still show.

Fixture month 2025-04 (tests/fixtures/landing); each edit counted in its test."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import load, query

K2 = "K2_RKB_MaternityBookings_202504.csv"
BADGER = "BadgerNet_RJC_Booking_2025-04.csv"


def _edit(path: Path, encoding: str, line: int, old: str, new: str) -> None:
    lines = path.read_bytes().decode(encoding).splitlines(keepends=True)
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_bytes("".join(lines).encode(encoding))


def _quarantined(wh: Path, file_name: str, line: int) -> tuple:
    return query(
        wh,
        "SELECT column_name, value, reason FROM quarantine WHERE source_file = ? AND line_number = ?",
        [file_name, line],
    )[0]


def _everywhere(wh: Path) -> str:
    return " ".join(str(v) for row in query(wh, "SELECT * FROM quarantine") for v in row)


def test_date_of_birth_shifted_into_the_booking_date_is_withheld(landing, tmp_path):
    """K2 line 2: the NHS number typed `943,476 5919` (one field more) and `2,RKB01` run together
    as `2RKB01` (one fewer): 14 fields, so the row is read, with the date of birth 03/03/1994 where
    the booking date belongs. Quarantined for its booking date, without the value."""
    _edit(landing / K2, "utf-8-sig", 2, "943 476 5919", "943,476 5919")
    _edit(landing / K2, "utf-8-sig", 2, ",2,RKB01", ",2RKB01")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    column, value, reason = _quarantined(wh, K2, 2)
    assert (column, value) == ("Booking Date", None)
    assert reason == (
        "Booking Date (withheld: shaped like an identifier) is not a real date in the layout's format %d/%m/%Y %H:%M"
    )
    assert "03/03/1994" not in _everywhere(wh) and "1994-03-03" not in _everywhere(wh)


def test_date_of_birth_read_as_a_booking_date_is_withheld(landing, tmp_path):
    """BadgerNet line 2: NHSNumber `94347,65919` (one field more) and HeightCm, WeightKg `165,70`
    as `16570` (one fewer): MotherDOB 1994-03-03 lands in BookingDate, a real date in BadgerNet's
    format, 31 years before the file's month: quarantined as outside the month, value withheld."""
    _edit(landing / BADGER, "cp1252", 2, "9434765919", "94347,65919")
    _edit(landing / BADGER, "cp1252", 2, ",165,70,", ",16570,")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _quarantined(wh, BADGER, 2) == (
        "BookingDate",
        None,
        "BookingDate (withheld: shaped like an identifier) is outside the file's month 2025-04",
    )
    assert "1994-03-03" not in _everywhere(wh)


def test_nhs_number_in_a_checked_column_is_withheld(landing, tmp_path):
    """K2 line 3's booking date replaced by its own NHS number `943 476 5918`."""
    _edit(landing / K2, "utf-8-sig", 3, "02/04/2025 10:00", "943 476 5918")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _quarantined(wh, K2, 3)[1] is None
    assert "943 476 5918" not in _everywhere(wh) and "9434765918" not in _everywhere(wh)


def test_values_that_cannot_be_identifiers_still_show(landing, tmp_path):
    """The fixture's own: K2 line 7 `31/02/2025 09:00` (not a date), K2 line 8 `30/03/2025 09:00`
    (March), BadgerNet line 5 `2025-04-31` (not a date) and line 6 `2025-05-01` (May, within a
    year of the month: no mother's date of birth)."""
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _quarantined(wh, K2, 7)[1] == "31/02/2025 09:00"
    assert _quarantined(wh, K2, 8)[1:] == (
        "30/03/2025 09:00",
        "Booking Date 2025-03-30 is outside the file's month 2025-04",
    )
    assert _quarantined(wh, BADGER, 5)[1] == "2025-04-31"
    assert _quarantined(wh, BADGER, 6)[1:] == (
        "2025-05-01",
        "BookingDate 2025-05-01 is outside the file's month 2025-04",
    )
