"""Which reader reads a file on the Spark engine, and that Spark's reading is the reference's.

Hand-written files: their rows, lines and problems are counted in each test's docstring.
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


def test_a_file_of_whole_records_one_a_line_is_left_to_spark(tmp_path):
    """3 data lines, each one record of 14 fields (a quoted note with a comma and doubled quotes,
    a Windows-1252 é): Spark reads it; 4 physical lines with the header, 3 rows read."""
    found = prescan(_extract(tmp_path, REGULAR), load_layouts())
    assert isinstance(found, SparkFile)
    assert (found.lines, found.result.rows_read, found.result.lines_read) == (4, 3, 3)
    assert found.mapping["notes"] == 13 and found.mapping["pregnancy_id"] == 0


def test_a_file_with_a_value_over_two_lines_goes_to_the_reference_reader(tmp_path):
    """5 physical lines after the header: records on lines 2, 3 (spanning 3-4) and 5, so 3 rows
    read, 1 continuation line; line 5 has 13 of 14 fields, a problem. As parse_extract reads it."""
    extract = _extract(tmp_path, IRREGULAR)
    found = prescan(extract, load_layouts())
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
    found = prescan(extract, load_layouts())
    frame = read_layout(spark, extract.layout, [found])
    got = pl.from_arrow(frame.toArrow()).sort("_line").drop(SOURCE)
    reference = parse_extract(REGULAR.encode("cp1252"), extract.layout, extract.file_name).frame
    assert got.get_column("_line").to_list() == [2, 3, 4]
    assert got.get_column("notes").to_list() == ['Allergic, "mild"', None, "Café visit"]
    assert got.get_column("postcode").to_list()[1] == "cv3 4cd"
    assert got.select(reference.columns).equals(reference)


# A name the layout's pattern takes (anything may follow the month) as a download folder or a
# copy makes it: Hadoop reads [..] and {..} as globs, and Spark's file URI percent-encodes a
# space, # and % but not (, + or é, where Python's as_uri() does.
ODD_NAME = "BadgerNet_RJC_Booking_2025-04 (1) [copy] {x} é#%+&'.csv"


def test_a_name_with_a_colon_goes_to_the_reference_reader(tmp_path):
    """Hadoop takes a colon in a file name for a URI scheme and cannot read the file: the regular
    file's 3 rows are read on the driver instead, as parse_extract reads them."""
    extract = _extract(tmp_path, REGULAR, "BadgerNet_RJC_Booking_2025-04 10:30.csv")
    found = prescan(extract, load_layouts())
    assert not isinstance(found, SparkFile)
    assert found.rows_read == 3 and found.frame.equals(
        parse_extract(REGULAR.encode("cp1252"), extract.layout, "x").frame
    )


@pytest.mark.spark
def test_spark_reads_a_file_whatever_its_name(spark, tmp_path):
    """The regular file under ODD_NAME, beside the same file under its plain name: Spark reads both
    in one pass (one header), each file's 3 rows matched back to it (_source 0 and 1), with line
    numbers 2, 3, 4 and the reference reader's values."""
    from pipelines.ingest.spark_read import SOURCE, read_layout

    odd, plain = _extract(tmp_path, REGULAR, ODD_NAME), _extract(tmp_path, REGULAR)
    found = [prescan(odd, load_layouts()), prescan(plain, load_layouts())]
    assert all(isinstance(f, SparkFile) for f in found)
    got = pl.from_arrow(read_layout(spark, odd.layout, found).toArrow()).sort(SOURCE, "_line")
    reference = parse_extract(REGULAR.encode("cp1252"), odd.layout, ODD_NAME).frame
    assert got.get_column(SOURCE).to_list() == [0, 0, 0, 1, 1, 1]
    for source in (0, 1):
        assert got.filter(pl.col(SOURCE) == source).select(reference.columns).equals(reference)
