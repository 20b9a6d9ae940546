"""A reference folder the pipeline cannot use is refused before loading, one line per problem
naming the file and the reason: never a database error, never a silent load."""

from __future__ import annotations

import pytest

from pipelines.core.config import load_rules
from pipelines.ingest.reference import ReferenceError
from pipelines.ingest.reference_checks import reference_problems
from tests.conftest import load, query

ONSPD = "ONSPD_fixture.csv"
IOD = "File_7_IoD2025_fixture.csv"


def _without_last_column(text: str) -> str:
    return "".join(line.rsplit(",", 1)[0] + "\n" for line in text.splitlines())


CASES = {
    "truncated directory": (
        ONSPD,
        lambda b: b[:-20],
        [f"{ONSPD}: truncated: the last line has fewer fields than the header and no line end (an incomplete download?)"],
    ),
    "binary directory": (
        ONSPD,
        lambda b: b"\x00\x01PK\x03\x04" + b,
        [f"{ONSPD}: binary content (a NUL byte), not a CSV file"],
    ),
    "directory without lsoa21": (
        ONSPD,
        lambda b: _without_last_column(b.decode()).encode(),
        [f"{ONSPD}: the postcode directory has no 'lsoa21' column (IMD edition 2025 needs 'lsoa21')"],
    ),
    "header-only IoD File 7": (
        IOD,
        lambda b: b.split(b"\n")[0] + b"\n",
        [f"{IOD}: the IoD 2025 File 7 holds its header only: no LSOA would get a decile"],
    ),
    "header-only directory": (
        ONSPD,
        lambda b: b.split(b"\n")[0] + b"\n",
        [f"{ONSPD}: the postcode directory holds its header only: no postcode in it"],
    ),
    "no IoD File 7": (IOD, None, ["{ref}: no IoD 2025 File 7 (a CSV with 'LSOA code (2021)')"]),
}


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][2] is not None])
def test_unusable_reference_is_refused_with_one_line_per_problem(landing, tmp_path, case):
    name, corrupt, expected = CASES[case]
    ref = landing / "reference"
    if corrupt is None:
        (ref / name).unlink()
    else:
        (ref / name).write_bytes(corrupt((ref / name).read_bytes()))
    expected = [line.format(ref=ref) for line in expected]
    assert reference_problems(ref, load_rules()) == expected
    with pytest.raises(ReferenceError) as caught:
        load(landing, tmp_path / "w.duckdb")
    assert str(caught.value).splitlines() == expected
    assert not (tmp_path / "w.duckdb").exists() or query(tmp_path / "w.duckdb", "SELECT count(*) FROM bookings") == [
        (0,)
    ]


def test_directory_not_in_utf8_is_named(landing):
    ref = landing / "reference"
    (ref / ONSPD).write_bytes((ref / ONSPD).read_bytes().replace(b"E08000026", b"E08\xe90026", 1))
    assert reference_problems(ref, load_rules()) == [
        f"{ONSPD}: not UTF-8 text (byte 0xe9): not a CSV file as ONS and MHCLG publish them"
    ]


def test_shipped_fixture_reference_has_no_problem(landing):
    assert reference_problems(landing / "reference", load_rules()) == []


def test_whole_last_row_without_a_line_end_is_accepted(landing):
    """Files written without a final line end are common and whole: only a last row with fewer
    fields than the header is taken for a cut download."""
    ref = landing / "reference"
    for name in (ONSPD, IOD):
        (ref / name).write_bytes((ref / name).read_bytes().rstrip(b"\r\n"))
    assert reference_problems(ref, load_rules()) == []
