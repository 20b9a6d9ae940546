"""Every check of the raw contracts and of the canonical contract (its uniqueness aside) judges a
row by that row alone. The Spark engine runs the polars contracts on each partition of a month
(pipelines/ingest/spark_contract.py), so a check over the whole frame (a count, a sum) would be
judged there on slices: such a check fails here first, by name.

Frames: the fixture month's files (tests/fixtures/landing, 2025-04) as the reference reader reads
them, and the canonical bookings DuckDB loads from them (13 rows).
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.core.config import load_layouts
from pipelines.core.warehouse import connect
from pipelines.ingest.read_extract import read_extract
from schemas.canonical import canonical_failures, canonical_schema
from schemas.raw import RAW_CONTRACTS
from tests.conftest import FIXTURE_LANDING

FILES = {
    "K2": "K2_RKB_MaternityBookings_202504.csv",
    "BadgerNet": "BadgerNet_RJC_Booking_2025-04.csv",
    "Cerner": "CERNER_RLT_202504_PREGNANCY.txt",
    "CernerEvents": "CERNER_RLT_202504_CLINICAL_EVENTS.txt",
}


def _per_row(schema, frame: pl.DataFrame) -> dict[str, int]:
    """Each check's output length over ``frame`` (a check by rows gives one value a row)."""
    lazy = frame.lazy()
    out = {f"frame: {check.name}": check(lazy).check_output.collect().height for check in schema.checks}
    for name, column in schema.columns.items():
        if name in frame.columns:
            out |= {f"{name}: {check.name}": check(lazy, name).check_output.collect().height for check in column.checks}
    return out


@pytest.mark.parametrize("layout", list(FILES))
def test_every_raw_check_judges_a_row_alone(layout):
    """One output a row for every check of the layout's contract, over its fixture file's rows."""
    layouts = load_layouts()
    frame = read_extract(FIXTURE_LANDING / FILES[layout], layouts.by_key(layout)).frame
    lengths = _per_row(RAW_CONTRACTS[layout].to_schema(), frame)
    assert lengths and set(lengths.values()) == {frame.height}, lengths


@pytest.fixture
def bookings(loaded) -> pl.DataFrame:
    """The fixture month's 13 canonical bookings, three made to break a check each: row 0 a flag
    not its class (bmi_recorded against bmi_class), row 5 a quintile of 6 (of 1-5), row 9 an
    org code in lower case."""
    with connect(loaded, read_only=True) as con:
        frame = con.sql("SELECT * FROM bookings ORDER BY submission_id, source_line").pl()
    assert frame.height == 13
    index = pl.int_range(pl.len())
    return frame.with_columns(
        pl.when(index == 0).then(~pl.col("bmi_recorded")).otherwise(pl.col("bmi_recorded")).alias("bmi_recorded"),
        pl.when(index == 5).then(pl.lit(6, pl.Int32)).otherwise(pl.col("imd_quintile")).alias("imd_quintile"),
        pl.when(index == 9).then(pl.col("org_code").str.to_lowercase()).otherwise(pl.col("org_code")).alias("org_code"),
    )


def test_every_canonical_check_but_uniqueness_judges_a_row_alone(bookings):
    lengths = _per_row(canonical_schema(unique=False), bookings)
    assert "frame: flag is class valid" in lengths and set(lengths.values()) == {13}, lengths


def test_the_canonical_contract_judged_in_slices_finds_what_it_finds_whole(bookings):
    """Rows 0, 5 and 9 fail (flag is class valid, imd_quintile at most 5, org_code's
    pattern), judged whole or in slices of 4 rows (the slice's index offset back)."""
    schema = canonical_schema(unique=False)
    whole = canonical_failures(bookings, schema).sort("index")
    slices = pl.concat(
        canonical_failures(bookings.slice(start, 4), schema).with_columns(pl.col("index").cast(pl.Int64) + start)
        for start in range(0, 13, 4)
    ).sort("index")
    assert whole.get_column("index").to_list() == [0, 5, 9]
    assert slices.with_columns(pl.col("index").cast(whole.schema["index"])).equals(whole)
