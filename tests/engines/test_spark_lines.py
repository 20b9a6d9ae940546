"""Line numbers of the files Spark's CSV reader reads: right when a file is split across tasks,
and checked whole (spark_read.read_layout, spark_standardise._check_lines).

Each record names its own line (its pregnancy ID is the line number plus a base), so the line
Spark gives a row can be checked against the row's content, counted by no code under test.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.core.config import load_layouts
from pipelines.ingest.landing import identify
from pipelines.ingest.spark_read import SOURCE, SparkFile, prescan, read_layout

pytestmark = pytest.mark.spark

BADGERNET_HEADER = (
    "EpisodeID,NHSNumber,MotherDOB,BookingDate,GestationAtBookingDays,Postcode,EthnicCategory,"
    "HeightCm,WeightKg,BMIAtBooking,SmokingAtBooking,COReadingPPM,OrgSiteCode,Notes"
)
K2_HEADER = (
    "Booking ID,Hospital Number,NHS Number,Date of Birth,Booking Date,Gestation at Booking,Postcode,"
    "Ethnic Origin,Height (cm),Weight (kg),BMI,Smoking Status,CO Reading (ppm),Site Code"
)


def _badgernet(lines: int) -> str:
    """Header and records on lines 2..lines, EpisodeID 100000 + line; notes of varying length."""
    rows = [
        f'{100000 + n},,1990-01-01,2025-04-02,70,CV1 2AB,A,160,60,23.4,3,1,RJC01,"note {"x" * (n % 37)}, ok"'
        for n in range(2, lines + 1)
    ]
    return "\n".join([BADGERNET_HEADER, *rows]) + "\n"


def _k2(lines: int) -> str:
    """UTF-8 with a BOM, CRLF; Booking ID BK + 8 digits, 10000000 + line; é and ẞ (2 and 3 bytes)."""
    rows = [
        f"BK{10000000 + n},H1,,03/03/1994,01/04/2025 09:30,10+3,cv1 2ab é{'ẞ' * (n % 5)},White - British,165,70,"
        "25.0,Never smoked,2,RKB01"
        for n in range(2, lines + 1)
    ]
    return "\ufeff" + "\r\n".join([K2_HEADER, *rows]) + "\r\n"


def _files(tmp_path: Path, layout: str, texts: list[str]) -> list[SparkFile]:
    found = []
    for i, text in enumerate(texts):
        name = (
            f"BadgerNet_RJC_Booking_2025-04_resub{i}.csv"
            if layout == "BadgerNet"
            else f"K2_RKB_MaternityBookings_202504_resub{i}.csv"
        )
        path = tmp_path / name
        path.write_bytes(text.encode("cp1252" if layout == "BadgerNet" else "utf-8"))
        item = prescan(identify(path, load_layouts(), tmp_path), load_layouts(), tmp_path / f"{i:05d}.csv")
        assert isinstance(item, SparkFile)
        found.append(item)
    return found


@pytest.fixture
def small_splits(spark):
    """Files split every 2 KiB (Spark's default: 128 MiB), each split its own task."""
    saved = {k: spark.conf.get(k) for k in ("spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")}
    spark.conf.set("spark.sql.files.maxPartitionBytes", "2048")
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    yield spark
    for key, value in saved.items():
        spark.conf.set(key, value)


@pytest.mark.parametrize(
    ("layout", "make", "base"),
    [("BadgerNet", _badgernet, 100000), ("K2", _k2, 10000000)],
)
def test_line_numbers_are_right_across_a_files_splits(small_splits, tmp_path, layout, make, base):
    """Three files of 700, 260 and 2 lines (~70-90 bytes a line: the first two in tens of 2 KiB
    splits, packed by Spark among the other file's splits; the last in one): every row's line
    is the line its ID names, and each file's rows are lines 2..n, once each (699, 259 and 1
    rows)."""
    spark = small_splits
    lengths = [700, 260, 2]
    found = _files(tmp_path, layout, [make(n) for n in lengths])
    raw = spark.read.csv([str(f.staged) for f in found], header=False)
    assert raw.rdd.getNumPartitions() > 20  # split, not one task per file
    frame = read_layout(spark, found[0].result.extract.layout, found)
    got = pl.from_arrow(frame.select(SOURCE, "_line", "pregnancy_id").toArrow())
    ids = got.get_column("pregnancy_id").str.replace("^BK", "").cast(pl.Int64)
    assert (ids - base == got.get_column("_line")).all()
    counts = got.group_by(SOURCE).agg(
        pl.len(), pl.col("_line").min().alias("first"), pl.col("_line").max().alias("last")
    )
    assert sorted(counts.rows()) == [(0, 699, 2, 700), (1, 259, 2, 260), (2, 1, 2, 2)]


@pytest.mark.parametrize(
    ("numbers", "whole"),
    [([2, 3, 4, 5], True), ([2, 3, 5], False), ([2, 3, 3, 5], False), ([3, 4, 5, 6], False)],
    ids=["whole", "a-line-lost", "a-line-twice", "shifted"],
)
def test_a_files_lines_are_checked_whole(spark, numbers, whole):
    """A file of 5 physical lines (the header and lines 2-5) must give rows numbered exactly 2, 3,
    4, 5. Lines 2, 3, 5 (one lost; the last still 5, all the old check looked at), 2, 3, 3, 5 (4
    rows ending at 5, one line twice) and 3-6 (one too far) are refused."""
    from pipelines.ingest.spark_standardise import _check_lines

    frame = spark.createDataFrame([(0, n) for n in numbers], f"{SOURCE} INT, _line BIGINT")
    if whole:
        _check_lines(frame, {0: ("BadgerNet_RJC_Booking_2025-04.csv", 5)})
        return
    with pytest.raises(RuntimeError, match="BadgerNet_RJC_Booking_2025-04.csv: Spark read"):
        _check_lines(frame, {0: ("BadgerNet_RJC_Booking_2025-04.csv", 5)})
