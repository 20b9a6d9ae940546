"""The canonical bookings contract: what every row of the warehouse's `bookings` table promises.

Runs on every load over the rows the SQL models produce, before they are written. A row that
breaks it is quarantined with the check that failed rather than stored.
"""

from __future__ import annotations

import copy

import pandera.polars as pa
import polars as pl

from pipelines.core.config import load_layouts, load_rules

_RULES = load_rules()
_LAYOUTS = load_layouts()
_GROUPS = [*_RULES["ethnic_category"]["groups"], _RULES["ethnic_category"]["not_known_group"]]
_CODES = sorted({code for layout in _LAYOUTS.layouts for code in layout.maps.get("ethnic_map", {}).values()})
_SYSTEMS = sorted({layout.system for layout in _LAYOUTS.layouts})
_SMOKING = [*_RULES["smoking"]["recorded"], *_RULES["smoking"]["not_recorded"]]
_CLASSES = ["valid", "default", "invalid", "missing"]
# measure flag -> its class column (rules file): the flag is exactly `class = 'valid'`.
_FLAG_CLASS = {m["flag"]: m["class_column"] for m in _RULES["measures"] if m["kind"] == "flag_rate"}


class CanonicalBookings(pa.DataFrameModel):
    """One row per pregnancy booked in the month at a Trust (MSDS population), pseudonymised."""

    reporting_month: str = pa.Field(str_matches=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM of the booking date.")
    org_code: str = pa.Field(str_matches=r"^[A-Z0-9]{3,5}$", description="ODS code of the provider Trust.")
    source_system: str = pa.Field(isin=_SYSTEMS, description="Maternity system the extract came from.")
    submission_id: str = pa.Field(description="Audit link to the submissions table.")
    source_file: str = pa.Field(description="Extract file name.")
    source_line: int = pa.Field(ge=1, description="Line of the record in its file.")
    pregnancy_key: str = pa.Field(str_matches=r"^[0-9a-f]{32}$", description="Keyed hash of the source pregnancy ID.")
    person_key: str | None = pa.Field(
        nullable=True, str_matches=r"^[0-9a-f]{32}$", description="Keyed hash of NHS number or local ID."
    )
    booking_date: pl.Date = pa.Field(description="Booking appointment date.")
    gestation_days: pl.Int32 | None = pa.Field(nullable=True, description="Gestation at booking in days, as recorded.")
    gestation_valid: bool = pa.Field(description="Gestation present and within the plausible weeks.")
    postcode: str | None = pa.Field(nullable=True, description="Normalised postcode; NULL when blank or a null token.")
    postcode_valid: bool = pa.Field(description="MSD_MOTHER_POSTCODE_VALID numerator flag.")
    lsoa_code: str | None = pa.Field(nullable=True, description="LSOA of a live, valid postcode.")
    postcode_has_lsoa: bool = pa.Field(description="MSD_MOTHER_POSTCODE_LSOA numerator flag.")
    imd_decile: pl.Int32 | None = pa.Field(nullable=True, ge=1, le=10, description="IMD decile, 1 = most deprived.")
    imd_quintile: pl.Int32 | None = pa.Field(nullable=True, ge=1, le=5, description="IMD quintile, 1 = most deprived.")
    imd_edition: pl.Int32 = pa.Field(description="IoD edition the decile comes from.")
    ethnic_category: str | None = pa.Field(
        nullable=True, isin=_CODES, description="NHS ETHNIC CATEGORY code as mapped."
    )
    ethnic_category_valid: bool = pa.Field(description="MSD_MOTHER_ETHNIC_VALID numerator flag.")
    ethnic_group: str = pa.Field(isin=_GROUPS, description="Broad ethnic group for breakdowns.")
    smoking_status: str | None = pa.Field(nullable=True, isin=_SMOKING, description="Canonical smoking status.")
    nhs_number_valid: bool = pa.Field(description="NHS number present and passes Modulus 11.")
    postcode_source: str | None = pa.Field(nullable=True, description="Postcode as typed, for the worklists.")
    postcode_class: str = pa.Field(isin=_CLASSES, description="MSD_MOTHER_POSTCODE_VALID split class.")
    postcode_lsoa_class: str = pa.Field(isin=_CLASSES, description="MSD_MOTHER_POSTCODE_LSOA split class.")
    ethnic_category_class: str = pa.Field(isin=_CLASSES, description="MSD_MOTHER_ETHNIC_VALID split class.")
    gestation_class: str = pa.Field(isin=_CLASSES, description="MSD_GESTATION_VALID split class.")
    bmi_class: str = pa.Field(isin=_CLASSES, description="MSD_BMI_RECORDED split class.")
    smoking_class: str = pa.Field(isin=_CLASSES, description="MSD_SMOKING_RECORDED split class.")
    co_class: str = pa.Field(isin=_CLASSES, description="MSD_CO_RECORDED split class.")
    nhs_number_class: str = pa.Field(isin=_CLASSES, description="MSD_NHS_NUMBER_VALID split class.")

    @pa.dataframe_check(name="flag is class valid")
    def _flags_follow_classes(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.all_horizontal([pl.col(flag) == (pl.col(column) == "valid") for flag, column in _FLAG_CLASS.items()])
        )

    @pa.dataframe_check(name="quintile follows decile")
    def _quintile(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("imd_decile").is_null() | (pl.col("imd_quintile") == (pl.col("imd_decile") + 1) // 2)
        )

    class Config:
        strict = False
        coerce = False
        # MSDS population: a pregnancy counts once per Trust and month.
        unique = ["reporting_month", "org_code", "pregnancy_key"]


def canonical_schema(unique: bool = True) -> pa.DataFrameSchema:
    """The contract; without its uniqueness (``unique=False``) every check judges a row by that
    row alone, so it may judge any slice of the rows (the Spark engine judges each partition:
    ingest/spark_contract.py) and the month's uniqueness is counted apart."""
    if unique:
        return CanonicalBookings.to_schema()
    schema = copy.deepcopy(CanonicalBookings.to_schema())  # to_schema()'s is the model's own
    schema.unique = None
    return schema


def canonical_failures(frame: pl.DataFrame, schema: pa.DataFrameSchema | None = None) -> pl.DataFrame:
    """(row index, column, check, value) for each row that breaks the contract (``schema``, the
    whole contract unless given); empty when all pass."""
    try:
        (schema or canonical_schema()).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        duplicated = cases.filter(pl.col("check").str.contains("uniqueness"))
        if duplicated.height:
            # Placement keeps one row per pregnancy, so a duplicate here is a join fan-out: a defect
            # to stop on, not a record to quarantine.
            raise ValueError(
                f"canonical bookings hold a pregnancy twice in a month ({duplicated.height} rows)"
            ) from None
        if cases.filter(pl.col("index").is_null()).height:
            raise ValueError(f"canonical bookings schema broken: {cases.filter(pl.col('index').is_null())}") from None
        return cases.select("index", "column", "check", "failure_case").unique(subset="index", keep="first")
    return pl.DataFrame(schema={"index": pl.Int32, "column": pl.String, "check": pl.String, "failure_case": pl.String})
