"""Which reader reads a file on the Spark engine, and that Spark's reading is the reference's.

Hand-written files: their rows, lines and problems are counted in each test's docstring. Spark
reads the copy prescan writes of the bytes it checksummed (``staged``), never the landing file.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.core.config import load_layouts
from pipelines.ingest.landing import identify
from pipelines.ingest.read_extract import parse_extract
from pipelines.ingest.spark_read import SparkFile, prescan

HEADER = (
    "EpisodeID,NHSNumber,MotherDOB,BookingDate,GestationAtBookingDays,Postcode,EthnicCategory,"
    "HeightCm,WeightKg,BMIAtBooking,SmokingAtBooking,COReadingPPM,OrgSiteCode,Notes\n"
)
REGULAR = (
    HEADER
    + '4001,9434765919,1990-01-01,2025-04-02,70,CV1 2AB,A,160,60,23.4,3,1,RJC01,"Allergic, ""mild"""\n'
    + "4002,,1991-02-02,2025-04-03,, cv3 4cd ,Z,,,,9,,RJC02,\n"
    + "4003,9434765919,1992-03-03,2025-04-04,80,CV5 6EF,B,170,70,24.2,1,2,RJC01,Café visit\n"
)
# Line 3's note continues on line 4 (allowed: Notes may span 10 lines); line 5 has 13 fields.
IRREGULAR = (
    HEADER
    + "4001,9434765919,1990-01-01,2025-04-02,70,CV1 2AB,A,160,60,23.4,3,1,RJC01,\n"
    + '4002,,1991-02-02,2025-04-03,71,CV3 4CD,Z,,,,9,,RJC02,"first line\n'
    + 'second line"\n'
    + "4003,9434765919,1992-03-03,2025-04-04,80,CV5 6EF,B,170,70,24.2,1,2,RJC01\n"
)


def _extract(tmp_path: Path, text: str, name: str = "BadgerNet_RJC_Booking_2025-04.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return identify(path, load_layouts(), tmp_path)


def _prescan(extract, staged: Path | None = None):
    """prescan, the copy Spark is to read (if any) beside the landing file unless ``staged`` says."""
    return prescan(extract, load_layouts(), staged or extract.path.with_name("staged.csv"))


def test_a_file_of_whole_records_one_a_line_is_left_to_spark(tmp_path):
    """3 data lines, each one record of 14 fields (a quoted note with a comma and doubled quotes,
    a Windows-1252 é): Spark reads it; 4 physical lines with the header, 3 rows read."""
    found = _prescan(_extract(tmp_path, REGULAR))
    assert isinstance(found, SparkFile)
    assert (found.lines, found.result.rows_read, found.result.lines_read) == (4, 3, 3)
    assert found.mapping["notes"] == 13 and found.mapping["pregnancy_id"] == 0


def test_a_file_with_a_value_over_two_lines_goes_to_the_reference_reader(tmp_path):
    """5 physical lines after the header: records on lines 2, 3 (spanning 3-4) and 5, so 3 rows
    read, 1 continuation line; line 5 has 13 of 14 fields, a problem. As parse_extract reads it."""
    extract = _extract(tmp_path, IRREGULAR)
    found = _prescan(extract)
    assert not isinstance(found, SparkFile)
    assert (found.rows_read, found.lines_read, found.continuation_lines) == (3, 4, 1)
    assert [(p.line, p.reason) for p in found.problems] == [(5, "expected 14 fields, found 13")]
    reference = parse_extract(IRREGULAR.encode("cp1252"), extract.layout, extract.file_name)
    assert found.frame.equals(reference.frame)


@pytest.mark.spark
def test_spark_reads_what_the_reference_reader_reads(spark, tmp_path):
    """The regular file through Spark's CSV reader: the same rows, values (stripped, blanks NULL,
    the note's quotes undoubled, é from Windows-1252) and line numbers 2, 3, 4."""
    from pipelines.ingest.spark_read import SOURCE, read_layout

    extract = _extract(tmp_path, REGULAR)
    found = _prescan(extract)
    frame = read_layout(spark, extract.layout, [found])
    got = pl.from_arrow(frame.toArrow()).sort("_line").drop(SOURCE)
    reference = parse_extract(REGULAR.encode("cp1252"), extract.layout, extract.file_name).frame
    assert got.get_column("_line").to_list() == [2, 3, 4]
    assert got.get_column("notes").to_list() == ['Allergic, "mild"', None, "Café visit"]
    assert got.get_column("postcode").to_list()[1] == "cv3 4cd"
    assert got.select(reference.columns).equals(reference)


# A name the layout's pattern takes (anything may follow the month) as a download folder or a
# copy makes it, and a folder so named: Hadoop reads [..] and {..} as globs and a colon as a URI
# scheme, and Spark's file URI percent-encodes a space, # and % but not (, + or é, where
# Python's as_uri() does.
ODD_NAME = "BadgerNet_RJC_Booking_2025-04 (1) [copy] {x} é#%+&'.csv"
COLON_NAME = "BadgerNet_RJC_Booking_2025-04 10:30.csv"


@pytest.mark.spark
def test_spark_reads_a_file_whatever_its_name(spark, tmp_path):
    """The regular file under ODD_NAME, under COLON_NAME (which Hadoop cannot open by its name) and
    under its plain name: Spark reads the three copies (named by position, in a folder named with
    globs, spaces, é, # and %) in one pass (one header), each file's 3 rows matched back to it
    (_source 0, 1 and 2), with line numbers 2, 3, 4 and the reference reader's values."""
    from pipelines.ingest.spark_read import SOURCE, read_layout

    extracts = [
        _extract(tmp_path, REGULAR, name) for name in (ODD_NAME, COLON_NAME, "BadgerNet_RJC_Booking_2025-04.csv")
    ]
    staging = tmp_path / "warehouse [x] {y} é#%" / "_extracts"
    staging.mkdir(parents=True)
    found = [_prescan(extract, staging / f"{i:05d}.csv") for i, extract in enumerate(extracts)]
    assert all(isinstance(f, SparkFile) for f in found)
    got = pl.from_arrow(read_layout(spark, extracts[0].layout, found).toArrow()).sort(SOURCE, "_line")
    reference = parse_extract(REGULAR.encode("cp1252"), extracts[0].layout, ODD_NAME).frame
    assert got.get_column(SOURCE).to_list() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    for source in (0, 1, 2):
        assert got.filter(pl.col(SOURCE) == source).select(reference.columns).equals(reference)


# Spark reads lazily, and again on recomputing a frame: what it reads must be what was checksummed.
CHANGED = REGULAR.replace("CV1 2AB", "CV9 9ZZ").replace("4003,", "4009,")


@pytest.mark.spark
def test_spark_reads_the_bytes_checksummed_not_the_file_overwritten_since(spark, tmp_path):
    """The regular file is checksummed and judged; then overwritten in place with the same number
    of lines (4001's postcode CV9 9ZZ, 4003 now 4009). Spark's rows are the first bytes' (CV1 2AB,
    4001-4003), those of the checksum recorded, and the staged copy is those bytes; reading the
    landing file, Spark loaded CV9 9ZZ and 4009 under the first checksum."""
    import hashlib

    from pipelines.ingest.spark_read import SOURCE, read_layout

    extract = _extract(tmp_path, REGULAR)
    found = _prescan(extract)
    assert isinstance(found, SparkFile)
    extract.path.write_bytes(CHANGED.encode("cp1252"))
    got = pl.from_arrow(read_layout(spark, extract.layout, [found]).toArrow()).sort("_line").drop(SOURCE)
    assert got.get_column("pregnancy_id").to_list() == ["4001", "4002", "4003"]
    assert got.get_column("postcode").to_list()[0] == "CV1 2AB"
    assert found.result.checksum == hashlib.sha256(REGULAR.encode("cp1252")).hexdigest()
    assert found.staged.read_bytes() == REGULAR.encode("cp1252")


def test_a_load_keeps_its_copies_in_a_folder_of_its_own_and_removes_it(tmp_path):
    """staged_extracts: a folder under <warehouse>/_extracts named for this host and process, gone
    when the block ends (by an error too); a folder a dead process of this host left is removed
    when the next load starts, one of a live process (this one) and another host's are kept."""
    import os
    import socket
    import subprocess
    import sys

    from pipelines.ingest.spark_staging import staged_extracts

    root = tmp_path / "warehouse" / "_extracts"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    left = [root / f"{host}-{dead.stdout.strip()}-aa", root / f"{host}-{os.getpid()}-bb", root / "other-host-1-cc"]
    for folder in left:
        folder.mkdir(parents=True)
        (folder / "00000.csv").write_text("x")
    with pytest.raises(RuntimeError), staged_extracts(tmp_path / "warehouse") as staging:
        assert staging.parent == root and staging.name.startswith(f"{host}-{os.getpid()}-")
        (staging / "00000.csv").write_text("x")
        raise RuntimeError("the load failed")
    assert sorted(p.name for p in root.iterdir()) == sorted(p.name for p in left[1:])


def _with_header_again(header_line: str) -> str:
    return REGULAR + header_line + "4004,,1991-02-02,2025-04-05,,CV1 2AB,A,,,,9,,RJC02,\n"


QUOTED_HEADER = ",".join(f'"{name}"' for name in HEADER.strip().split(",")) + "\n"


@pytest.mark.parametrize(
    ("header", "again"),
    [(QUOTED_HEADER, HEADER), (HEADER, QUOTED_HEADER), (HEADER, HEADER.replace('"', "").replace("Notes", '"Notes"'))],
    ids=["quoted-then-bare", "bare-then-quoted", "one-field-quoted"],
)
def test_a_header_repeated_in_other_quoting_goes_to_the_reference_reader(tmp_path, header, again):
    """The header, then lines 2-4 (REGULAR's records), line 5 the header's fields again written with
    other quotes, line 6 a record: the reference reader compares fields, so line 5 is a "repeated
    header line" (quarantined) and 4 rows load (lines 2, 3, 4, 6). Spark's reader took line 5 for a
    booking (EpisodeID "not a valid identifier"): the file goes to the reference reader."""
    text = header + _with_header_again(again).removeprefix(HEADER)
    extract = _extract(tmp_path, text)
    found = _prescan(extract)
    assert not isinstance(found, SparkFile)
    assert [(p.line, p.reason) for p in found.problems] == [(5, "repeated header line")]
    assert found.frame.get_column("_line").to_list() == [2, 3, 4, 6]
    reference = parse_extract(text.encode("cp1252"), extract.layout, extract.file_name)
    assert found.frame.equals(reference.frame) and found.problems == reference.problems


def test_a_header_name_within_a_line_is_no_repeat(tmp_path):
    """A note reading "EpisodeID,NHSNumber" (quoted, in one field) is not the header: the file stays
    Spark's."""
    text = REGULAR.replace('"Allergic, ""mild"""', '"EpisodeID,NHSNumber"')
    assert isinstance(_prescan(_extract(tmp_path, text)), SparkFile)


def test_a_file_of_16_mib_is_spark_s_and_a_line_that_long_the_reference_reader_s(tmp_path):
    """A file over the csv module's field limit (16 MiB) made of ordinary lines: Spark reads it
    (the limit is a field's, not a file's). A file with a single line of 16 MiB: the reference
    reader reads it, and, as on DuckDB, says why it cannot."""
    import csv

    limit = csv.field_size_limit()
    line = "4002,,1991-02-02,2025-04-03,,CV1 2AB,Z,,,,9,,RJC02,\n"
    many = HEADER + line * (limit // len(line) + 1)
    assert len(many) > limit
    found = _prescan(_extract(tmp_path, many))
    assert isinstance(found, SparkFile) and found.lines == limit // len(line) + 2
    long_note = HEADER + line.replace("RJC02,", "RJC02," + "x" * limit)
    extract = _extract(tmp_path, long_note, "BadgerNet_RJC_Booking_2025-04_resub1.csv")
    found = _prescan(extract)
    assert not isinstance(found, SparkFile)
    try:
        reference = parse_extract(long_note.encode("cp1252"), extract.layout, extract.file_name)
    except Exception as exc:  # noqa: BLE001 - the reference's own verdict, whatever it is
        assert found.status == "unreadable" and str(found.error) == str(exc)
    else:
        assert found.problems == reference.problems and found.frame.equals(reference.frame)
