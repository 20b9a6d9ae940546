"""Raw contracts: what a row of each extract must hold before it can be placed in a month.

One DataFrameModel per source layout, over the text values the reader returns (column names
are the layout's logical names from schemas/layouts.yaml). Only failures that stop a row being
placed are checks here (no pregnancy ID, no usable booking date): a blank postcode or a junk BMI
is not a contract breach but a data-quality finding, so such rows load and the measures count
them. Every failure here quarantines its row with the reason in REASONS.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.core.config import load_layouts

_LAYOUTS = load_layouts()

# Human reason per check name, formatted with the column's header and the offending value.
REASONS = {
    "not_nullable": "{header} is blank",
    "id_pattern": "{header} '{value}' is not a valid identifier for this layout",
    "date_format": "{header} '{value}' is not a real date in the layout's format {format}",
    "known_event": "{header} '{value}' is not a known clinical event",
    "known_unit": "{header} '{value}' is not a known unit",
    "numeric_result": "{header} '{value}' is not a number",
}


def _layout_of(cls) -> str:
    return cls.__config__.metadata["layout"]


def _parses(data: pa.PolarsData, fmt: str) -> pl.LazyFrame:
    col = pl.col(data.key)
    parsed = col.str.strptime(pl.Datetime, fmt, strict=False)
    return data.lazyframe.select(col.is_null() | parsed.is_not_null())


class _Extract(pa.DataFrameModel):
    """Shared by every layout: the pregnancy identifier and the booking date place a row."""

    pregnancy_id: str = pa.Field(nullable=False, description="Source system's pregnancy identifier.")
    booking_date: str = pa.Field(nullable=False, description="Booking appointment date: places the row in a month.")

    @pa.check("pregnancy_id")
    def id_pattern(cls, data: pa.PolarsData) -> pl.LazyFrame:
        pattern = _LAYOUTS.by_key(_layout_of(cls)).patterns["pregnancy_id"]
        return data.lazyframe.select(pl.col(data.key).str.contains(pattern))

    @pa.check("booking_date")
    def date_format(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _parses(data, _LAYOUTS.by_key(_layout_of(cls)).formats["booking_date"])

    class Config:
        strict = False  # identifiers vary by layout and are dropped after pseudonymisation
        metadata = {"layout": None}


class _Booking(_Extract):
    nhs_number: str | None = pa.Field(nullable=True, description="NHS number: validity is a measure, not a contract.")
    date_of_birth: str | None = pa.Field(nullable=True, description="Mother's date of birth; identifier, never stored.")
    gestation: str | None = pa.Field(nullable=True, description="Gestation at booking as the source writes it.")
    postcode: str | None = pa.Field(nullable=True, description="Postcode as typed; validity is measured, not enforced.")
    ethnic_source: str | None = pa.Field(nullable=True, description="Ethnicity as the source codes it.")
    site_code: str | None = pa.Field(nullable=True, description="ODS site code of the booking unit.")


class K2Bookings(_Booking):
    """K2 Athena `K2_<ORG>_MaternityBookings_<YYYYMM>.csv`: one row per pregnancy booking."""

    local_id: str | None = pa.Field(nullable=True, description="Hospital Number (MRN); identifier, never stored.")
    height: str | None = pa.Field(nullable=True, description="Height (cm), decimal text.")
    weight: str | None = pa.Field(nullable=True, description="Weight (kg), decimal text.")
    bmi: str | None = pa.Field(nullable=True, description="BMI, decimal text.")
    smoking_source: str | None = pa.Field(nullable=True, description="Smoking Status text.")
    co_ppm: str | None = pa.Field(nullable=True, description="CO Reading (ppm), integer text.")

    class Config:
        metadata = {"layout": "K2"}


class BadgerNetBookings(_Booking):
    """BadgerNet Maternity `BadgerNet_<ORG>_Booking_<YYYY>-<MM>.csv` (Windows-1252)."""

    height: str | None = pa.Field(nullable=True, description="HeightCm.")
    weight: str | None = pa.Field(nullable=True, description="WeightKg.")
    bmi: str | None = pa.Field(nullable=True, description="BMIAtBooking.")
    smoking_source: str | None = pa.Field(nullable=True, description="SmokingAtBooking code 1/2/3/9.")
    co_ppm: str | None = pa.Field(nullable=True, description="COReadingPPM.")
    notes: str | None = pa.Field(nullable=True, description="Free text; may identify, never stored.")

    class Config:
        metadata = {"layout": "BadgerNet"}


class CernerPregnancies(_Booking):
    """Cerner Millennium `CERNER_<ORG>_<YYYYMM>_PREGNANCY.txt`: one row per pregnancy."""

    local_id: str | None = pa.Field(nullable=True, description="PERSON_ID; identifier, never stored.")
    ethnic_display: str | None = pa.Field(nullable=True, description="ETHNIC_GRP_DISP, informational only.")

    class Config:
        metadata = {"layout": "Cerner"}


class CernerClinicalEvents(pa.DataFrameModel):
    """Cerner `CERNER_<ORG>_<YYYYMM>_CLINICAL_EVENTS.txt`: long format, zero or more per pregnancy."""

    pregnancy_id: str = pa.Field(nullable=False, description="Joins to the pregnancy file.")
    event: str = pa.Field(nullable=False, description="EVENT_CD_DISP: which measurement.")
    result_value: str = pa.Field(nullable=False, description="RESULT_VAL as text.")
    result_units: str | None = pa.Field(nullable=True, description="RESULT_UNITS_DISP; converted to canonical units.")
    event_date: str = pa.Field(nullable=False, description="EVENT_END_DT_TM: picks the booking value.")

    @pa.check("pregnancy_id")
    def id_pattern(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col(data.key).str.contains(_LAYOUTS.by_key("CernerEvents").patterns["pregnancy_id"])
        )

    @pa.check("event")
    def known_event(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_in(list(_LAYOUTS.by_key("CernerEvents").maps["event_map"])))

    @pa.check("result_units")
    def known_unit(cls, data: pa.PolarsData) -> pl.LazyFrame:
        units = list(_LAYOUTS.by_key("CernerEvents").extra["unit_factors"])
        return data.lazyframe.select(pl.col(data.key).is_null() | pl.col(data.key).is_in(units))

    @pa.check("event_date")
    def date_format(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _parses(data, _LAYOUTS.by_key("CernerEvents").formats["event_date"])

    @pa.check("result_value")
    def numeric_result(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # Smoking status is text; every other event is a measurement and must be a number.
        text_events = [k for k, v in _LAYOUTS.by_key("CernerEvents").maps["event_map"].items() if v == "smoking"]
        frame = data.lazyframe
        is_text = pl.col("event").is_in(text_events)
        numeric = pl.col(data.key).str.strip_chars().cast(pl.Float64, strict=False).is_not_null()
        return frame.select(is_text.fill_null(False) | numeric)

    class Config:
        strict = False
        metadata = {"layout": "CernerEvents"}


RAW_CONTRACTS: dict[str, type[pa.DataFrameModel]] = {
    "K2": K2Bookings,
    "BadgerNet": BadgerNetBookings,
    "Cerner": CernerPregnancies,
    "CernerEvents": CernerClinicalEvents,
}
