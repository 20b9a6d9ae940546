"""Each kind of bad input source-layouts.md lists, made from the fixture files by small edits.

Every case asserts where the rows went (loaded or quarantined, with file, line, column and
reason) or, for a file that cannot be read at all, the named reason, with the month's other
files still loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import load, query

K2 = "K2_RKB_MaternityBookings_202504.csv"
BADGER = "BadgerNet_RJC_Booking_2025-04.csv"
PREG = "CERNER_RLT_202504_PREGNANCY.txt"
EVENTS = "CERNER_RLT_202504_CLINICAL_EVENTS.txt"


def _lines(path: Path, encoding: str) -> list[str]:
    return path.read_bytes().decode(encoding).splitlines(keepends=True)


def _write(path: Path, lines: list[str], encoding: str) -> None:
    path.write_bytes("".join(lines).encode(encoding))


def _status(warehouse: Path, file_name: str) -> tuple:
    return query(
        warehouse,
        "SELECT status, rows_read, rows_loaded, rows_quarantined, error FROM submissions WHERE file_name = ?",
        [file_name],
    )[0]


def _others_loaded(warehouse: Path, except_org: str) -> None:
    counts = dict(query(warehouse, "SELECT org_code, count(*) FROM bookings GROUP BY 1"))
    expected = {"RJC": 4, "RKB": 6, "RLT": 3}
    for org, n in expected.items():
        if org != except_org:
            assert counts.get(org) == n


def test_k2_wrong_date_format_is_quarantined(landing, tmp_path):
    """Line 2's booking date written 2025/04/01 09:30: not the dd/mm/yyyy HH:MM layout.

    Line 9 repeated line 2; with line 2 quarantined it is the pregnancy's first placed row and
    loads instead, so the file still loads 6 and quarantines 4 (7, 8, 10 and now 2)."""
    path = landing / K2
    lines = _lines(path, "utf-8-sig")
    lines[1] = lines[1].replace("01/04/2025 09:30", "2025/04/01 09:30")
    _write(path, ["\ufeff" + lines[0], *lines[1:]], "utf-8")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert query(wh, "SELECT column_name, value FROM quarantine WHERE source_file = ? AND line_number = 2", [K2]) == [
        ("Booking Date", "2025/04/01 09:30")
    ]
    assert _status(wh, K2)[1:4] == (10, 6, 4)


def test_year_1900_and_future_bookings_are_quarantined(landing, tmp_path):
    """BadgerNet line 2 booked 1900-04-10 (outside the month) and line 3 booked 2027-04-11 (after today)."""
    path = landing / BADGER
    lines = _lines(path, "cp1252")
    lines[1] = lines[1].replace("2025-04-10", "1900-04-10")
    lines[2] = lines[2].replace("2025-04-11", "2027-04-11")
    _write(path, lines, "cp1252")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    reasons = dict(query(wh, "SELECT line_number, reason FROM quarantine WHERE source_file = ?", [BADGER]))
    assert "outside the file's month" in reasons[2]
    assert "after today" in reasons[3]
    assert _status(wh, BADGER)[1:4] == (7, 2, 5)


def test_reordered_and_renamed_columns_load_the_same(landing, tmp_path):
    """BadgerNet with columns reversed and headers in other case and spacing: same 4 bookings, same flags."""
    path = landing / BADGER
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp1252"))))
    rows = [list(reversed(r)) for r in rows]
    rows[0] = [f"  {h.upper()} " if i % 2 else h.lower() for i, h in enumerate(rows[0])]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("cp1252"))
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert query(
        wh,
        "SELECT count(*), count(*) FILTER (WHERE postcode_valid), count(*) FILTER (WHERE ethnic_category_valid) FROM bookings WHERE org_code='RJC'",
    ) == [(4, 3, 2)]


def test_missing_optional_column_loads_blank_with_warning(landing, tmp_path):
    """K2 without 'CO Reading (ppm)': 6 bookings load, none has a CO reading, the submission warns."""
    path = landing / K2
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    drop = rows[0].index("CO Reading (ppm)")
    rows = [r[:drop] + r[drop + 1 :] if len(r) > drop else r for r in rows]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert query(wh, "SELECT count(*), count(*) FILTER (WHERE co_recorded) FROM bookings WHERE org_code='RKB'") == [
        (6, 0)
    ]
    assert "CO Reading (ppm)" in query(wh, "SELECT warnings FROM submissions WHERE file_name = ?", [K2])[0][0]


def test_extra_column_is_ignored_with_warning(landing, tmp_path):
    path = landing / PREG
    lines = _lines(path, "utf-8")
    lines = [line.rstrip("\n") + ("|EXTRA_COL\n" if i == 0 else "|x\n") for i, line in enumerate(lines)]
    _write(path, lines, "utf-8")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _status(wh, PREG)[:4] == ("loaded", 4, 3, 1)
    assert "EXTRA_COL" in query(wh, "SELECT warnings FROM submissions WHERE file_name = ?", [PREG])[0][0]


def test_row_with_wrong_field_count_is_quarantined(landing, tmp_path):
    """Cerner pregnancy line 3 loses a field mid-file: that row alone is quarantined."""
    path = landing / PREG
    lines = _lines(path, "utf-8")
    lines[2] = lines[2].replace("|z|", "|", 1)
    _write(path, lines, "utf-8")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert query(
        wh, "SELECT line_number, reason FROM quarantine WHERE source_file = ? AND line_number = 3", [PREG]
    ) == [(3, "expected 10 fields, found 9")]


@pytest.mark.parametrize(
    ("file_name", "corrupt", "reason"),
    [
        (K2, lambda b: b[: b.index(b"\n") + 1], "header only"),
        (K2, lambda b: b"", "empty file"),
        (K2, lambda b: b.rstrip(b"\r\n")[:-20], "truncated"),
        (
            K2,
            lambda b: b.decode("utf-8-sig").replace("White - British", "White – Brítish").encode("cp1252"),
            "wrong encoding",
        ),
        (BADGER, lambda b: b.decode("cp1252").encode("utf-8"), "wrong encoding"),
        (BADGER, lambda b: b.replace(b"EpisodeID", b"Episode"), "not the BadgerNet layout"),
        (BADGER, lambda b: b"\x00\x01\x02binary" + b, "binary content"),
        (PREG, lambda b: b.replace(b"|", b","), "not the Cerner layout"),
    ],
    ids=[
        "header-only",
        "empty",
        "truncated",
        "k2-cp1252",
        "badgernet-utf8",
        "missing-required-column",
        "nul-bytes",
        "wrong-delimiter",
    ],
)
def test_unreadable_file_is_reported_and_others_still_load(landing, tmp_path, file_name, corrupt, reason):
    path = landing / file_name
    path.write_bytes(corrupt(path.read_bytes()))
    wh = tmp_path / "w.duckdb"
    prepared, _ = load(landing, wh)
    status, rows_read, *_, error = _status(wh, file_name)
    assert status == "unreadable"
    assert reason in error
    assert rows_read is None
    org = file_name.split("_")[1]
    _others_loaded(wh, org)
    assert query(wh, "SELECT count(*) FROM bookings WHERE org_code = ?", [org]) == [(0,)]


def test_unknown_ods_code_is_not_loaded(landing, tmp_path):
    (landing / K2).rename(landing / "K2_RXX_MaternityBookings_202504.csv")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    status, *_, error = _status(wh, "K2_RXX_MaternityBookings_202504.csv")
    assert status == "unreadable" and "unknown provider ODS code RXX" in error


def test_events_without_pregnancy_file_are_quarantined(landing, tmp_path):
    (landing / PREG).unlink()
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _status(wh, EVENTS)[1:4] == (14, 0, 14)
    reasons = {r for (r,) in query(wh, "SELECT DISTINCT reason FROM quarantine WHERE source_file = ?", [EVENTS])}
    assert "no readable pregnancy file for this Trust and month" in reasons


def test_k2_with_semicolons_is_not_the_layout(landing, tmp_path):
    path = landing / K2
    path.write_bytes(path.read_bytes().replace(b",", b";"))
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    status, *_, error = _status(wh, K2)
    assert status == "unreadable" and "not the K2 layout" in error


def test_bom_in_a_windows_1252_layout_is_named(landing, tmp_path):
    path = landing / BADGER
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    status, *_, error = _status(wh, BADGER)
    assert status == "unreadable" and "byte-order mark" in error


def test_duplicated_header_line_is_quarantined(landing, tmp_path):
    path = landing / PREG
    lines = _lines(path, "utf-8")
    _write(path, [lines[0], lines[0], *lines[1:]], "utf-8")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert query(
        wh, "SELECT line_number, reason FROM quarantine WHERE source_file = ? AND line_number = 2", [PREG]
    ) == [(2, "repeated header line")]
    assert _status(wh, PREG)[1:4] == (5, 3, 2)


def test_ten_thousand_character_fields(landing, tmp_path):
    """A 10,000-character note loads (notes are never stored); a 10,000-character ID is quarantined."""
    path = landing / BADGER
    lines = _lines(path, "cp1252")
    lines[6] = lines[6].replace("señora", "x" * 10_000)  # line 7, EpisodeID 1006
    lines[1] = lines[1].replace("1001,", "9" * 10_000 + ",", 1)  # line 2
    _write(path, lines, "cp1252")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert query(wh, "SELECT count(*) FROM bookings WHERE org_code = 'RJC'") == [(3,)]
    reason = query(wh, "SELECT reason FROM quarantine WHERE source_file = ? AND line_number = 2", [BADGER])[0][0]
    assert "not a valid identifier" in reason and len(reason) < 12_000


def test_mixed_line_ends_load(landing, tmp_path):
    """K2 (CRLF) with some lines ended LF and one CR: every row still read, same 6 bookings."""
    path = landing / K2
    lines = path.read_bytes().split(b"\r\n")
    data = b"\r\n".join(lines[:4]) + b"\n" + b"\n".join(lines[4:7]) + b"\r" + b"\r\n".join(lines[7:])
    path.write_bytes(data)
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _status(wh, K2)[1:4] == (10, 6, 4)


def test_file_name_month_disagreeing_with_rows(landing, tmp_path):
    """The K2 file named 2025-05 holds April bookings: all its rows are quarantined as outside its
    month, RKB's May is marked empty, and the April file set loses RKB (missing)."""
    (landing / K2).rename(landing / "K2_RKB_MaternityBookings_202505.csv")
    wh = tmp_path / "w.duckdb"
    load(landing, wh, month="2025-05")
    assert _status(wh, "K2_RKB_MaternityBookings_202505.csv")[1:4] == (10, 0, 10)
    from pipelines.core.warehouse import connect
    from pipelines.measures.compute import compute_measures

    with connect(wh) as con:
        compute_measures(con, "2025-05")
    assert query(
        wh, "SELECT org_code, completeness FROM trust_month_status WHERE reporting_month = '2025-05' ORDER BY 1"
    ) == [("RJC", "missing"), ("RKB", "empty"), ("RLT", "missing")]


def test_pregnancy_file_without_events_marks_the_trust_incomplete(landing, tmp_path):
    (landing / EVENTS).unlink()
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _status(wh, PREG)[:4] == ("loaded", 4, 3, 1)
    assert (
        "no readable clinical events file"
        in query(wh, "SELECT warnings FROM submissions WHERE file_name = ?", [PREG])[0][0]
    )
    from pipelines.core.warehouse import connect
    from pipelines.measures.compute import compute_measures

    with connect(wh) as con:
        compute_measures(con, "2025-04")
    assert query(wh, "SELECT completeness, completeness_detail FROM trust_month_status WHERE org_code = 'RLT'") == [
        ("incomplete", "Cerner clinical events file missing")
    ]
