"""read_extract's two paths: polars for files it provably reads alike, the csv module for
everything else.

Clean hand-written files of each layout must take the fast path and give what the exact path
gives (and what the file says, worked out by hand); files that need the csv module's line
numbers and reasons must fall back to it; and for random files the public result must be the
exact path's, whichever path read them.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest.read_extract import RowProblem, UnreadableExtract, read_extract
from tests.ingest.read_extract_helpers import (
    BADGER,
    BADGER_HEADER,
    EVENTS,
    EVENTS_HEADER,
    K2,
    K2_COLUMNS,
    K2_HEADER,
    PREG,
    PREG_HEADER,
    _fast,
    _outcome,
    _paths,
    _public,
    _write,
    rx,
)


def test_k2_clean_file_takes_fast_path(tmp_path):
    """BOM, CRLF, padding and blanks, a quote-free comma-separated file."""
    text = (
        K2_HEADER + "\r\n"
        "BK001,H1,943 476 5919,01/02/1990,01/04/2025 09:30,10+3, cv1 2ab ,White - British,160,60.5,23.6,"
        "Never smoked,1,RKB01\r\n"
        "BK002,H2,,15/06/1988,02/04/2025 10:00,,CV2 3CD,Mixed - White and Asian,,,,Not asked,,RKB02\r\n"
        "BK003,H3,  ,20/12/1995,03/04/2025 11:15,12+0,\t,Other ethnic group\u3000,170,70,24.2,Ex-smoker,0,RKB01\r\n"
    )
    path = _write(tmp_path, "K2_RKB_MaternityBookings_202504.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    fast, exact = _paths(path, K2)
    assert fast is not None
    assert _public(fast) == _public(exact) == _public(read_extract(path, K2))
    assert fast.frame.columns == K2_COLUMNS
    assert fast.frame.schema["_line"] == pl.Int64
    assert fast.frame.rows() == [
        (2, "BK001", "H1", "943 476 5919", "01/02/1990", "01/04/2025 09:30", "10+3", "cv1 2ab", "White - British")
        + ("160", "60.5", "23.6", "Never smoked", "1", "RKB01"),
        (3, "BK002", "H2", None, "15/06/1988", "02/04/2025 10:00", None, "CV2 3CD", "Mixed - White and Asian")
        + (None, None, None, "Not asked", None, "RKB02"),
        (4, "BK003", "H3", None, "20/12/1995", "03/04/2025 11:15", "12+0", None, "Other ethnic group")
        + ("170", "70", "24.2", "Ex-smoker", "0", "RKB01"),
    ]
    assert (fast.problems, fast.warnings, fast.rows_read) == ([], [], 3)


def test_badgernet_clean_file_with_header_changes_takes_fast_path(tmp_path):
    """Windows-1252, LF; header reordered, respaced and recased, one column missing, one extra."""
    header = (
        "BookingDate, episodeid ,NHSNumber,MotherDOB,GestationAtBookingDays,Postcode,EthnicCategory,"
        "HeightCm,WeightKg,BMIAtBooking,SmokingAtBooking,OrgSiteCode,Notes,Extra"
    )
    text = (
        header + "\n"
        "2025-04-01,1001,9434765919,1990-02-01,70,CV12AB,A,160,60.5,23.6,3,RJC01,Seen by Zoë: urgent,x\n"
        "2025-04-02,1002,,1988-06-15,,  ,99,,,,9,RJC02,,\n"
        "2025-04-03,1003,,1995-12-20,84,CV3 4EF,Z,170,70,24.2,1,RJC01, ,y\n"
    )
    path = _write(tmp_path, "BadgerNet_RJC_Booking_2025-04.csv", text.encode("cp1252"))
    fast, exact = _paths(path, BADGER)
    assert fast is not None
    assert _public(fast) == _public(exact) == _public(read_extract(path, BADGER))
    assert fast.frame.columns == [
        "_line",
        "pregnancy_id",
        "nhs_number",
        "date_of_birth",
        "booking_date",
        "gestation",
        "postcode",
        "ethnic_source",
        "height",
        "weight",
        "bmi",
        "smoking_source",
        "site_code",
        "notes",
    ]
    assert fast.frame.rows() == [
        (2, "1001", "9434765919", "1990-02-01", "2025-04-01", "70", "CV12AB", "A", "160", "60.5", "23.6", "3")
        + ("RJC01", "Seen by Zoë: urgent"),
        (3, "1002", None, "1988-06-15", "2025-04-02", None, None, "99", None, None, None, "9", "RJC02", None),
        (4, "1003", None, "1995-12-20", "2025-04-03", "84", "CV3 4EF", "Z", "170", "70", "24.2", "1", "RJC01", None),
    ]
    assert fast.warnings == ["column 'COReadingPPM' missing: loaded as blank", "extra columns ignored: Extra"]
    assert (fast.problems, fast.rows_read) == ([], 3)


def test_cerner_clean_file_takes_fast_path(tmp_path):
    """No quoting: a quote is an ordinary character. Python's whitespace (\\x1c, U+3000) is
    stripped."""
    text = (
        PREG_HEADER + "\n"
        '70001|35001|9434765919|03-MAR-1994 00:00:00|01-APR-2025 09:30:00|70|CV1 2AB|A|White "British"|RLT01\n'
        "70002|35002||22-APR-1993 00:00:00|02-APR-2025 10:00:00||\u3000cv6 4tn\x1c|99| |RLT01\n"
    )
    path = _write(tmp_path, "CERNER_RLT_202504_PREGNANCY.txt", text.encode("utf-8"))
    fast, exact = _paths(path, PREG)
    assert fast is not None
    assert _public(fast) == _public(exact) == _public(read_extract(path, PREG))
    assert fast.frame.rows() == [
        (2, "70001", "35001", "9434765919", "03-MAR-1994 00:00:00", "01-APR-2025 09:30:00", "70", "CV1 2AB", "A")
        + ('White "British"', "RLT01"),
        (3, "70002", "35002", None, "22-APR-1993 00:00:00", "02-APR-2025 10:00:00", None, "cv6 4tn", "99")
        + (None, "RLT01"),
    ]
    assert (fast.problems, fast.warnings, fast.rows_read) == ([], [], 2)


def test_cerner_events_clean_crlf_file_takes_fast_path(tmp_path):
    text = (
        EVENTS_HEADER + "\r\n"
        "70001|Height|1.62|m|01-APR-2025 09:40:00\r\n"
        "70001|Smoking Status|Never smoked||01-APR-2025 09:45:00\r\n"
        "70002|Weight|140|lb |02-APR-2025 10:05:00\r\n"
    )
    path = _write(tmp_path, "CERNER_RLT_202504_CLINICAL_EVENTS.txt", text.encode("utf-8"))
    fast, exact = _paths(path, EVENTS)
    assert fast is not None
    assert _public(fast) == _public(exact) == _public(read_extract(path, EVENTS))
    assert fast.frame.rows() == [
        (2, "70001", "Height", "1.62", "m", "01-APR-2025 09:40:00"),
        (3, "70001", "Smoking Status", "Never smoked", None, "01-APR-2025 09:45:00"),
        (4, "70002", "Weight", "140", "lb", "02-APR-2025 10:05:00"),
    ]
    assert (fast.problems, fast.warnings, fast.rows_read) == ([], [], 3)


# ------------------------------------------------------- files that need the exact path's lines


def _k2_row(booking_id: str, ethnic: str = "White - British") -> str:
    return f"{booking_id},H1,,01/02/1990,01/04/2025 09:30,10+3,CV1 2AB,{ethnic},160,60,23.4,Never smoked,1,RKB01"


def _badger_row(episode: str, notes: str = "") -> str:
    return f"{episode},9434765919,1990-02-01,2025-04-01,70,CV12AB,A,160,60.5,23.6,3,1,RJC01,{notes}"


def _falls_back(path: Path, layout):
    assert _fast(path, layout) is None
    return read_extract(path, layout)


def test_quoted_fields_are_left_to_the_csv_module(tmp_path):
    """Commas and doubled quotes inside quotes, spaces inside quotes: the csv module reads them."""
    text = (
        K2_HEADER + "\r\n"
        'BK002,H2,,15/06/1988,02/04/2025 10:00,,CV2 3CD,"Mixed - White and Asian",,,,"Not asked",,RKB02\r\n'
        'BK003,H3,  ,20/12/1995,03/04/2025 11:15,12+0,"  ","Other, ""quoted"" text",170,70,24.2,Ex-smoker,0,RKB01\r\n'
    )
    path = _write(tmp_path, "K2_RKB_MaternityBookings_202504.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    parsed = _falls_back(path, K2)
    assert parsed.frame.rows() == [
        (2, "BK002", "H2", None, "15/06/1988", "02/04/2025 10:00", None, "CV2 3CD", "Mixed - White and Asian")
        + (None, None, None, "Not asked", None, "RKB02"),
        (3, "BK003", "H3", None, "20/12/1995", "03/04/2025 11:15", "12+0", None, 'Other, "quoted" text')
        + ("170", "70", "24.2", "Ex-smoker", "0", "RKB01"),
    ]
    assert (parsed.problems, parsed.warnings, parsed.rows_read) == ([], [], 2)


def test_line_break_inside_quotes_where_the_layout_allows_none_falls_back(tmp_path):
    """K2 lets no value span lines: line 3's quote does not close on its line, so line 3 is
    quarantined, and line 4 (`British",160,60,23.4,Never smoked,1,RKB01`) is a record of 7 fields."""
    text = "\r\n".join([K2_HEADER, _k2_row("BK001"), _k2_row("BK002", '"White -\r\nBritish"'), _k2_row("BK003")])
    path = _write(tmp_path, "K2_RKB_MaternityBookings_202504.csv", b"\xef\xbb\xbf" + (text + "\r\n").encode())
    parsed = _falls_back(path, K2)
    assert parsed.frame["_line"].to_list() == [2, 5]
    reason = "a quoted field in Ethnic Origin does not close on its line (Ethnic Origin may not span lines)"
    assert parsed.problems == [
        RowProblem(3, "Ethnic Origin", None, reason),
        RowProblem(4, None, None, "expected 14 fields, found 7"),
    ]
    assert (parsed.rows_read, parsed.lines_read, parsed.spans) == (4, 4, {})


def test_ragged_row_falls_back(tmp_path):
    text = "\n".join([BADGER_HEADER, _badger_row("1001"), _badger_row("1002").rsplit(",", 1)[0], _badger_row("1003")])
    path = _write(tmp_path, "BadgerNet_RJC_Booking_2025-04.csv", (text + "\n").encode("cp1252"))
    parsed = _falls_back(path, BADGER)
    assert parsed.frame["_line"].to_list() == [2, 4]
    assert parsed.problems == [RowProblem(3, None, None, "expected 14 fields, found 13")]
    assert parsed.rows_read == 3


def test_extra_field_falls_back(tmp_path):
    text = "\n".join([BADGER_HEADER, _badger_row("1001", "a,b"), _badger_row("1002")])
    path = _write(tmp_path, "BadgerNet_RJC_Booking_2025-04.csv", (text + "\n").encode("cp1252"))
    parsed = _falls_back(path, BADGER)
    assert parsed.frame["_line"].to_list() == [3]
    assert parsed.problems == [RowProblem(2, None, None, "expected 14 fields, found 15")]


def test_long_and_short_rows_that_even_out_fall_back(tmp_path):
    """One field too many on line 2 and one too few on line 3: the separators add up as for
    whole records, and only the reader's refusal of a long line tells."""
    text = EVENTS_HEADER + "\n70001|Height|162|cm|01-APR-2025 09:40:00|x\n70001|Weight|60|kg\n"
    path = _write(tmp_path, "CERNER_RLT_202504_CLINICAL_EVENTS.txt", text.encode())
    parsed = _falls_back(path, EVENTS)
    assert parsed.frame.height == 0
    assert parsed.problems == [
        RowProblem(2, None, None, "expected 5 fields, found 6"),
        RowProblem(3, None, None, "expected 5 fields, found 4"),
    ]


def test_repeated_header_falls_back(tmp_path):
    row = "70001|35001|9434765919|03-MAR-1994 00:00:00|01-APR-2025 09:30:00|70|CV1 2AB|A|White|RLT01"
    text = "\n".join([PREG_HEADER, row, PREG_HEADER, row.replace("70001", "70002")])
    path = _write(tmp_path, "CERNER_RLT_202504_PREGNANCY.txt", (text + "\n").encode())
    parsed = _falls_back(path, PREG)
    assert parsed.frame["_line"].to_list() == [2, 4]
    assert parsed.frame["pregnancy_id"].to_list() == ["70001", "70002"]
    assert parsed.problems == [RowProblem(3, None, None, "repeated header line")]
    assert parsed.rows_read == 3


def test_blank_line_falls_back(tmp_path):
    """A blank line is a physical line like another: quarantined as such, and the lines after it
    keep their numbers."""
    text = EVENTS_HEADER + "\n70001|Height|162|cm|01-APR-2025 09:40:00\n\n70001|Weight|60|kg|01-APR-2025 09:41:00\n"
    path = _write(tmp_path, "CERNER_RLT_202504_CLINICAL_EVENTS.txt", text.encode())
    parsed = _falls_back(path, EVENTS)
    assert parsed.frame["_line"].to_list() == [2, 4]
    assert parsed.frame["event"].to_list() == ["Height", "Weight"]
    assert (parsed.problems, parsed.rows_read) == ([RowProblem(3, None, None, "blank line")], 3)


@pytest.mark.parametrize(
    ("notes", "value"),
    [
        ('Mrs O"Neil', 'Mrs O"Neil'),  # a quote inside an unquoted field is an ordinary character
        ('"seen"later', "seenlater"),  # text after a closing quote joins the field
        (' "spaced"', '"spaced"'),  # a quote after a space does not open quoting
    ],
)
def test_stray_quote_falls_back(tmp_path, notes, value):
    text = "\n".join([BADGER_HEADER, _badger_row("1001", notes), _badger_row("1002")])
    path = _write(tmp_path, "BadgerNet_RJC_Booking_2025-04.csv", (text + "\n").encode("cp1252"))
    parsed = _falls_back(path, BADGER)
    assert parsed.frame["notes"].to_list() == [value, None]
    assert parsed.frame["_line"].to_list() == [2, 3]


def test_lone_carriage_return_ends_a_line_for_the_exact_path(tmp_path):
    text = EVENTS_HEADER + "\r70001|Height|162|cm|01-APR-2025 09:40:00\r70001|Weight|60|kg|01-APR-2025 09:41:00\r"
    path = _write(tmp_path, "CERNER_RLT_202504_CLINICAL_EVENTS.txt", text.encode())
    parsed = _falls_back(path, EVENTS)
    assert parsed.frame["_line"].to_list() == [2, 3]


def test_lone_carriage_return_inside_a_line_splits_it(tmp_path):
    """Split at its separators the line has 5 fields; the csv module reads two lines of 3."""
    text = EVENTS_HEADER + "\n70001|Height|162\r|cm|01-APR-2025 09:40:00\n70001|Weight|60|kg|01-APR-2025 09:41:00\n"
    path = _write(tmp_path, "CERNER_RLT_202504_CLINICAL_EVENTS.txt", text.encode())
    parsed = _falls_back(path, EVENTS)
    assert parsed.frame["_line"].to_list() == [4]
    assert parsed.problems == [
        RowProblem(2, None, None, "expected 5 fields, found 3"),
        RowProblem(3, None, None, "expected 5 fields, found 3"),
    ]
    assert parsed.rows_read == 3


def test_truncated_last_line_falls_back_to_the_same_error(tmp_path):
    text = "\r\n".join([K2_HEADER, _k2_row("BK001"), _k2_row("BK002"), "BK003,H3,"])
    path = _write(tmp_path, "K2_RKB_MaternityBookings_202504.csv", b"\xef\xbb\xbf" + text.encode())
    assert _fast(path, K2) is None
    with pytest.raises(UnreadableExtract) as caught:
        read_extract(path, K2)
    assert (caught.value.reason, caught.value.line) == ("truncated: last record has 3 of 14 fields and no line end", 4)


def test_header_only_falls_back_to_the_same_error(tmp_path):
    path = _write(tmp_path, "CERNER_RLT_202504_PREGNANCY.txt", (PREG_HEADER + "\n").encode())
    assert _fast(path, PREG) is None
    with pytest.raises(UnreadableExtract, match="header only: no data rows"):
        read_extract(path, PREG)


def test_missing_required_column_is_the_same_error_on_the_fast_path(tmp_path):
    text = EVENTS_HEADER.replace("RESULT_VAL", "VALUE") + "\n70001|Height|162|cm|01-APR-2025 09:40:00\n"
    path = _write(tmp_path, "CERNER_RLT_202504_CLINICAL_EVENTS.txt", text.encode())
    text, _ = rx.decode(path.read_bytes(), EVENTS, path.name)
    fast = _outcome(rx._read_fast, text, EVENTS, path.name, [])
    assert fast == _outcome(rx._read_exact, text, EVENTS, path.name, [])
    assert fast[2:5] == ("not the CernerEvents layout: header lacks RESULT_VAL", 1, "RESULT_VAL")


def test_field_over_the_csv_limit_costs_its_line(tmp_path):
    limit = csv.field_size_limit()
    text = EVENTS_HEADER + "\n70001|Height|" + "1" * 200 + "|cm|01-APR-2025 09:40:00\n"
    path = _write(tmp_path, "CERNER_RLT_202504_CLINICAL_EVENTS.txt", text.encode())
    try:
        csv.field_size_limit(100)
        assert _fast(path, EVENTS) is None
        parsed = read_extract(path, EVENTS)
    finally:
        csv.field_size_limit(limit)
    assert parsed.problems == [RowProblem(2, None, None, "cannot parse: field larger than field limit (100)")]
    assert (parsed.frame.height, parsed.rows_read, parsed.lines_read) == (0, 1, 1)


def test_one_column_layout_keeps_blank_lines_out(tmp_path):
    """With one column a blank line has as many separators as a record: only the csv module
    tells it apart (a blank line, quarantined)."""
    layout = dataclasses.replace(EVENTS, columns=EVENTS.columns[:1])
    path = _write(tmp_path, "CERNER_RLT_202504_CLINICAL_EVENTS.txt", b"PREGNANCY_ID\n70001\n\n70002\n")
    parsed = _falls_back(path, layout)
    assert parsed.frame.rows() == [(2, "70001"), (4, "70002")]
    assert parsed.problems == [RowProblem(3, None, None, "blank line")]


def test_two_layout_columns_on_one_field_read_alike(tmp_path):
    copy = dataclasses.replace(EVENTS.columns[1], name="event_copy")
    layout = dataclasses.replace(EVENTS, columns=(*EVENTS.columns, copy))
    text = EVENTS_HEADER + "\n70001|Height|162|cm|01-APR-2025 09:40:00\n"
    path = _write(tmp_path, "CERNER_RLT_202504_CLINICAL_EVENTS.txt", text.encode())
    fast, exact = _paths(path, layout)
    assert fast is not None
    assert _public(fast) == _public(exact)
    assert fast.frame.select("event", "event_copy").rows() == [("Height", "Height")]


# ------------------------------------------------------------------ whitespace, as Python has it
