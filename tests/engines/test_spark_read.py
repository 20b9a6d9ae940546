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


def _extract(tmp_path: Path, text: str):
    path = tmp_path / "BadgerNet_RJC_Booking_2025-04.csv"
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
