"""Property-based tests: no byte sequence crashes a reader or breaks conservation.

For arbitrary bytes, for random mutations of the valid fixture files, and for files full of
quotes, line breaks inside quotes, unclosed quotes and blank lines, reading a file either reports
it unreadable with a reason, or accounts for every record it read (read = loaded + quarantined)
and for every physical line: each line after the header lies in exactly one loaded or
quarantined record, the lines counted here from the bytes, apart from the reader.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.core.config import load_layouts
from pipelines.ingest.landing import identify
from pipelines.ingest.read_month import read_one
from tests.conftest import FIXTURE_LANDING, examples

FILES = [
    "K2_RKB_MaternityBookings_202504.csv",
    "BadgerNet_RJC_Booking_2025-04.csv",
    "CERNER_RLT_202504_PREGNANCY.txt",
    "CERNER_RLT_202504_CLINICAL_EVENTS.txt",
]
KEY = b"fuzz-key"
FUZZ = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read(tmp_path: Path, name: str, data: bytes):
    folder = tmp_path / "fuzz"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    path = folder / name
    path.write_bytes(data)
    layouts = load_layouts()
    result = read_one(identify(path, layouts), layouts, KEY, date(2026, 11, 23))
    if result.status == "unreadable":
        assert result.error is not None and result.error.reason
    else:
        assert result.rows_read == result.rows_loaded + len(result.problems)
        assert all(p.line >= 2 and p.reason for p in result.problems)
        _every_line_once(data, result)
    return result


def _every_line_once(data: bytes, result) -> None:
    """Each physical line after the header is covered by exactly one loaded row or quarantined
    record (a record covers the lines from its first to its first + span - 1)."""
    lines = re.findall(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", data)
    header = next(i for i, line in enumerate(lines) if line.strip(b"\r\n"))  # blank lines before it are no data
    starts = [*result.frame.get_column("_line").to_list(), *(p.line for p in result.problems)]
    covered = [line for start in starts for line in range(start, start + result.spans.get(start, 1))]
    assert sorted(covered) == list(range(header + 2, len(lines) + 1))
    assert result.lines_read == len(lines) - header - 1


@FUZZ
@given(name=st.sampled_from(FILES), data=st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(tmp_path, name, data):
    _read(tmp_path, name, data)


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(FILES))
    data = bytearray((FIXTURE_LANDING / name).read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate_line"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[at:at] = draw(
                st.sampled_from([b",", b"|", b'"', b"\n", b"\r\n", b"\x00", b"\xff", "é".encode(), b"  "])
            )
        elif kind == "truncate":
            del data[at:]
        elif kind == "duplicate_line":
            lines = bytes(data).split(b"\n")
            if len(lines) > 1:
                i = draw(st.integers(0, len(lines) - 1))
                lines.insert(i, lines[i])
                data = bytearray(b"\n".join(lines))
    return name, bytes(data)


@FUZZ
@given(case=mutated())
def test_mutated_valid_files_never_crash_or_lose_rows(tmp_path, case):
    name, data = case
    _read(tmp_path, name, data)


@st.composite
def quoted_extracts(draw):
    """(file name, bytes): a BadgerNet or K2 file whose values carry commas, quotes, line breaks
    inside quotes, unclosed quotes, and blank lines between records; always a final line end."""
    name = draw(st.sampled_from(FILES[:2]))
    encoding, end = ("cp1252", "\n") if name.startswith("BadgerNet") else ("utf-8-sig", "\r\n")
    lines = (FIXTURE_LANDING / name).read_bytes().decode(encoding).splitlines()
    pieces = ["x", ",", '"', '""', "\n", "\r\n", " ", "é"]
    out = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(fields) - 1))
            value = "".join(draw(st.lists(st.sampled_from(pieces), max_size=5)))
            fields[at] = draw(st.sampled_from([value, f'"{value}"', f'"{value}']))
        out.append(",".join(fields))
        if draw(st.integers(0, 9)) == 0:
            out.append("")
    return name, (end.join(out) + end).encode(encoding, errors="replace")


@FUZZ
@given(case=quoted_extracts())
def test_quotes_and_line_breaks_never_lose_a_line(tmp_path, case):
    name, data = case
    _read(tmp_path, name, data)
