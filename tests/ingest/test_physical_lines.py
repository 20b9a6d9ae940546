"""Conservation against physical lines: a quote that does not close costs its own line, never the
lines after it, and every physical line after the header ends loaded or quarantined.

Edits of the hand-written fixture files; the fixture month's own quarantine (tests/ingest/
test_fixture_month.py) is counted in each docstring.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest.read_extract import read_extract
from tests.conftest import load, query
from tests.ingest.read_extract_helpers import BADGER as BADGER_LAYOUT
from tests.ingest.read_extract_helpers import BADGER_HEADER, PREG_HEADER, _fast, _write
from tests.ingest.read_extract_helpers import PREG as PREG_LAYOUT

K2 = "K2_RKB_MaternityBookings_202504.csv"
BADGER = "BadgerNet_RJC_Booking_2025-04.csv"
PREG = "CERNER_RLT_202504_PREGNANCY.txt"


def _edit(path: Path, encoding: str, line: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` on physical line ``line`` (from 1) of the file."""
    text = path.read_bytes().decode(encoding)
    lines = text.splitlines(keepends=True)
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_bytes("".join(lines).encode(encoding))


def _submission(warehouse: Path, file_name: str) -> tuple:
    return query(
        warehouse,
        """SELECT status, rows_read, rows_loaded, rows_quarantined, lines_read, continuation_lines, error
           FROM submissions WHERE file_name = ?""",
        [file_name],
    )[0]


def _quarantine(warehouse: Path, file_name: str) -> list[tuple]:
    return query(
        warehouse,
        "SELECT line_number, column_name, value, reason FROM quarantine WHERE source_file = ? ORDER BY 1",
        [file_name],
    )


def test_unclosed_quote_in_notes_costs_its_own_line(landing, tmp_path):
    """BadgerNet line 3 (EpisodeID 1002) gets Notes `"Mum said she will ring back` with no closing
    quote, and no later line has a quote to close it. Lines 2-8 are 7 data lines: line 3 is
    quarantined (its quote runs to the end of the file), and the rest read as
    before: 1001 (line 2), 1003 (4) and 1006 (7) load; 5 (31 April), 6 (May) and 8 (1003 again)
    are quarantined. So read 7 = loaded 3 + quarantined 4, over 7 physical lines."""
    _edit(landing / BADGER, "cp1252", 3, "café", '"Mum said she will ring back')
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _submission(wh, BADGER)[:6] == ("loaded", 7, 3, 4, 7, 0)
    quarantined = _quarantine(wh, BADGER)
    assert [line for line, *_ in quarantined] == [3, 5, 6, 8]
    line, column, value, reason = quarantined[0]
    assert (column, value) == ("Notes", None)
    assert reason == "a quoted field in Notes opens on this line and does not close before the end of the file"
    assert query(wh, "SELECT count(*) FROM bookings WHERE org_code = 'RJC'") == [(3,)]


def test_a_later_quote_closing_it_loses_no_line(landing, tmp_path):
    """As above, and line 7's Notes (1006) become `call "later"`: the csv module alone would close
    line 3's quote there and read lines 3-7 as one record. Here line 3 alone is quarantined (it
    would swallow line 4, a whole record of its own), and line 7 loads with its quotes as ordinary
    characters (quotes inside an unquoted field): read 7 = loaded 3 + quarantined 4."""
    _edit(landing / BADGER, "cp1252", 3, "café", '"Mum said she will ring back')
    _edit(landing / BADGER, "cp1252", 7, "señora", 'call "later"')
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _submission(wh, BADGER)[:6] == ("loaded", 7, 3, 4, 7, 0)
    quarantined = _quarantine(wh, BADGER)
    assert [line for line, *_ in quarantined] == [3, 5, 6, 8]
    assert (
        quarantined[0][3] == "a quoted field in Notes does not close before line 4, which is a whole record of its own"
    )


def test_notes_may_span_lines_where_the_layout_allows(landing, tmp_path):
    """BadgerNet's Notes may span up to 10 lines (schemas/layouts.yaml): line 3's Notes become
    `"first line<LF>second line"`, so the file has 8 data lines and 7 records. 1002 still loads
    (from line 3, its Notes running onto line 4) and every later record moves down a line: 1003
    loads from line 5, 1006 from 8, and the quarantined ones are
    6, 7 and 9. Read 7 = loaded 4 + quarantined 3; 8 lines = 7 records + 1 continuation line."""
    _edit(landing / BADGER, "cp1252", 3, "café", '"first line\nsecond line"')
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _submission(wh, BADGER)[:6] == ("loaded", 7, 4, 3, 8, 1)
    assert [line for line, *_ in _quarantine(wh, BADGER)] == [6, 7, 9]
    assert query(wh, "SELECT source_line FROM bookings WHERE org_code = 'RJC' ORDER BY 1") == [(2,), (3,), (5,), (8,)]


def test_line_break_where_the_layout_allows_none(landing, tmp_path):
    """K2 line 3's postcode becomes `"CV1<CRLF>2AB"`: K2 lets no field span lines. Line 3 is
    quarantined for the quote, line 4 (`2AB",  white - irish ,,,,Current smoker,14,RKB01`) for
    its 8 fields; the fixture's own K2 quarantine (lines 7-10) moves to lines 8-11. 11 data lines,
    11 records: loaded 5 (lines 2, 5, 6, 7, 12), quarantined 6."""
    _edit(landing / K2, "utf-8-sig", 3, "CV12AB ", '"CV1\r\n2AB"')
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _submission(wh, K2)[:6] == ("loaded", 11, 5, 6, 11, 0)
    quarantined = _quarantine(wh, K2)
    assert [line for line, *_ in quarantined] == [3, 4, 8, 9, 10, 11]
    assert quarantined[0][1:] == (
        "Postcode",
        None,
        "a quoted field in Postcode does not close on its line (Postcode may not span lines)",
    )
    assert quarantined[1][3] == "expected 14 fields, found 8"


def test_whole_last_line_without_a_line_end_loads_with_a_warning(landing, tmp_path):
    """K2's last line `…,Never smoked,101,RKB01<CRLF>` without its line end: every field is there,
    so it may be whole (many exports omit the final line end) or cut inside its last field; no
    field count can tell. It loads (10 data lines, as before), and the submission warns on line 11."""
    path = landing / K2
    data = path.read_bytes()
    assert data.endswith(b",101,RKB01\r\n")
    path.write_bytes(data[: -len(b"\r\n")])
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _submission(wh, K2)[0] == "loaded"
    (warnings,) = query(wh, "SELECT warnings FROM submissions WHERE file_name = ?", [K2])[0]
    assert "line 11: the file does not end with a line end" in warnings
    assert query(wh, "SELECT site_code FROM bookings WHERE source_file = ? AND source_line = 11", [K2]) == [("RKB01",)]


def test_last_line_short_of_fields_without_a_line_end_is_unreadable(landing, tmp_path):
    """K2's last line cut to `…,Never smoked,10`: 13 of 14 fields and no line end. The file is
    unreadable (the Trust's month with it) and the other Trusts still load."""
    path = landing / K2
    data = path.read_bytes()
    path.write_bytes(data[: -len(b"1,RKB01\r\n")])
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    status, *_, error = _submission(wh, K2)
    assert status == "unreadable"
    assert error == "truncated: last record has 13 of 14 fields and no line end"
    assert query(wh, "SELECT error_line FROM submissions WHERE file_name = ?", [K2]) == [(11,)]
    assert query(wh, "SELECT org_code, count(*) FROM bookings GROUP BY 1 ORDER BY 1") == [("RJC", 4), ("RLT", 3)]


def test_blank_line_is_quarantined(landing, tmp_path):
    """A blank line after Cerner pregnancy line 3 is a physical line like any other: quarantined
    as `blank line` (line 4). The March booking moves from line 5 to 6. Read 5 = loaded 3 +
    quarantined 2, over 5 lines."""
    _edit(landing / PREG, "utf-8", 3, "\n", "\n\n")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _submission(wh, PREG)[:6] == ("loaded", 5, 3, 2, 5, 0)
    assert [(line, reason) for line, _, _, reason in _quarantine(wh, PREG)] == [
        (4, "blank line"),
        (6, "BOOKING_DT_TM 2025-03-20 is outside the file's month 2025-04"),
    ]


# ------------------------------------------------------------------ the reader on its own


def _badger_row(episode: str, notes: str = "") -> str:
    return f"{episode},9434765919,1990-02-01,2025-04-01,70,CV12AB,A,160,60.5,23.6,3,1,RJC01,{notes}"


def _falls_back(path: Path, layout):
    assert _fast(path, layout) is None
    return read_extract(path, layout)


def test_line_break_inside_quotes_where_the_layout_allows_it_falls_back(tmp_path):
    """BadgerNet's Notes may span lines: the record starting on line 3 runs to line 4, so the next
    one starts on line 5. 3 records over 4 lines."""
    rows = [_badger_row("1001"), _badger_row("1002", '"seen,\nwill call"'), _badger_row("1003")]
    path = _write(tmp_path, "BadgerNet_RJC_Booking_2025-04.csv", ("\n".join([BADGER_HEADER, *rows]) + "\n").encode())
    parsed = _falls_back(path, BADGER_LAYOUT)
    assert parsed.frame["_line"].to_list() == [2, 3, 5]
    assert parsed.frame["notes"].to_list() == [None, "seen,\nwill call", None]
    assert (parsed.problems, parsed.rows_read, parsed.lines_read, parsed.spans) == ([], 3, 4, {3: 2})


def test_whole_last_line_without_a_line_end_is_read_with_a_warning(tmp_path):
    """Every field there, but no line end: read by the exact path, with a warning naming line 2."""
    text = PREG_HEADER + "\n70001|35001||03-MAR-1994 00:00:00|01-APR-2025 09:30:00|70|CV1 2AB|A|White|RLT0"
    path = _write(tmp_path, "CERNER_RLT_202504_PREGNANCY.txt", text.encode())
    assert _fast(path, PREG_LAYOUT) is None
    parsed = read_extract(path, PREG_LAYOUT)
    assert parsed.frame["site_code"].to_list() == ["RLT0"]
    assert parsed.warnings[-1].startswith("line 2: the file does not end with a line end")
