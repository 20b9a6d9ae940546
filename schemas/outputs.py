"""Contracts for the other stored tables: measures, quarantine and the submissions audit trail.

Each runs as a Dagster asset check on the asset that writes the table, so schema conformance is
visible in the UI for every asset that stores data.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.core.config import load_rules

_RULES = load_rules()


class MeasureRows(pa.DataFrameModel):
    """measures: one row per month x Trust x measure x breakdown group (interfaces.md columns)."""

    reporting_month: str = pa.Field(str_matches=r"^\d{4}-(0[1-9]|1[0-2])$")
    org_code: str = pa.Field(str_matches=r"^[A-Z0-9]{3,5}$")
    source_system: str | None = pa.Field(nullable=True, description="Empty when no submission arrived.")
    measure_id: str = pa.Field(isin=[m["id"] for m in _RULES["measures"]])
    breakdown: str = pa.Field(isin=list(_RULES["breakdowns"]))
    group: str = pa.Field()
    numerator: int = pa.Field(ge=0)
    denominator: int = pa.Field(ge=0)
    rate: float | None = pa.Field(nullable=True, ge=0, le=1)
    threshold: float | None = pa.Field(nullable=True, ge=0, le=1)
    status: str = pa.Field(isin=["pass", "fail", "not_gated"])
    valid: int = pa.Field(ge=0, description="Valid: the numerator.")
    default: int = pa.Field(ge=0, description="Default: a 'not known' code (e.g. ZZ99, ethnic Z or 99).")
    invalid: int = pa.Field(ge=0, description="Invalid: recorded but implausible or failing its check.")
    missing: int = pa.Field(ge=0, description="Missing: not recorded.")

    @pa.dataframe_check
    def split_sums_to_denominator(cls, data: pa.PolarsData) -> pl.LazyFrame:
        total = pl.col("valid") + pl.col("default") + pl.col("invalid") + pl.col("missing")
        return data.lazyframe.select(total == pl.col("denominator"))

    @pa.dataframe_check
    def valid_is_numerator(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("valid") == pl.col("numerator"))

    @pa.dataframe_check
    def numerator_within_denominator(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("numerator") <= pl.col("denominator"))

    @pa.dataframe_check
    def rate_is_numerator_over_denominator(cls, data: pa.PolarsData) -> pl.LazyFrame:
        exact = (pl.col("rate") - pl.col("numerator") / pl.col("denominator")).abs() < 1e-12
        return data.lazyframe.select(
            pl.when(pl.col("denominator") == 0).then(pl.col("rate").is_null()).otherwise(exact)
        )

    class Config:
        strict = False
        unique = ["reporting_month", "org_code", "measure_id", "breakdown", "group"]


class QuarantineRows(pa.DataFrameModel):
    """quarantine: where each input row that was not loaded came from, and why."""

    reporting_month: str = pa.Field(str_matches=r"^\d{4}-(0[1-9]|1[0-2])$")
    org_code: str = pa.Field()
    source_file: str = pa.Field()
    line_number: int = pa.Field(ge=1)
    reason: str = pa.Field(str_length={"min_value": 3})

    class Config:
        strict = False
        unique = ["source_file", "submission_id", "line_number"]


class SubmissionRows(pa.DataFrameModel):
    """submissions: the audit trail; a loaded file accounts for every row and every physical line it read."""

    file_name: str = pa.Field()
    checksum: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    status: str = pa.Field(isin=["loaded", "unreadable", "superseded", "withdrawn"])
    rows_read: pl.Int32 | None = pa.Field(nullable=True, ge=0)

    @pa.dataframe_check
    def loaded_files_conserve_rows(cls, data: pa.PolarsData) -> pl.LazyFrame:
        conserved = pl.col("rows_read") == pl.col("rows_loaded") + pl.col("rows_quarantined")
        return data.lazyframe.select((pl.col("status") != "loaded") | conserved.fill_null(False))

    @pa.dataframe_check
    def loaded_files_conserve_lines(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Each physical line after the header starts a record or continues one."""
        conserved = pl.col("lines_read") == pl.col("rows_read") + pl.col("continuation_lines")
        return data.lazyframe.select((pl.col("status") != "loaded") | conserved.fill_null(False))

    @pa.dataframe_check
    def unreadable_files_say_why(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("status") != "unreadable") | pl.col("error").is_not_null())

    class Config:
        strict = False


_ITEM_COUNTS = ["both_valid_same", "both_valid_different", "valid_only_in_record", "valid_only_in_parallel"]


class GoliveRows(pa.DataFrameModel):
    """golive: the go-live reconciliation, per month x Trust x parallel system x data item
    (source-layouts.md, "System of record, and parallel running at go-live")."""

    reporting_month: str = pa.Field(str_matches=r"^\d{4}-(0[1-9]|1[0-2])$")
    org_code: str = pa.Field(str_matches=r"^[A-Z0-9]{3,5}$")
    parallel_system: str = pa.Field(description="The system of the parallel-run extract.")
    data_item: str = pa.Field(
        isin=["pregnancies", *(m["id"] for m in _RULES["measures"] if m.get("reconcile"))],
        description="'pregnancies' (coverage), or a reconciled measure's id.",
    )
    linked: int = pa.Field(ge=0, description="Pregnancies in both extracts, linked by a valid NHS number.")

    @pa.dataframe_check
    def items_sum_to_linked(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Each linked pair falls in exactly one outcome of each data item."""
        total = pl.sum_horizontal(*_ITEM_COUNTS, "neither_valid")
        return data.lazyframe.select((pl.col("data_item") == "pregnancies") | (total == pl.col("linked")))

    @pa.dataframe_check
    def unlinkable_split_by_extract(cls, data: pa.PolarsData) -> pl.LazyFrame:
        split = pl.col("unlinkable_in_record") + pl.col("unlinkable_in_parallel")
        return data.lazyframe.select((pl.col("data_item") != "pregnancies") | (split == pl.col("unlinkable")))

    class Config:
        strict = False
        unique = ["reporting_month", "org_code", "parallel_system", "data_item"]
