"""The pandera contracts on Spark frames, from the same declarations as on polars (schemas/).

pandera's PySpark backend judges a column as a whole (its errors say which check failed, not on
which rows), while quarantine needs each failing row with its first failure in column order,
as pipelines/ingest/contract.py gives on polars. So:

* row level (raw contracts, before placement): from each model's declarations (nullable, its
  checks by name) a Spark expression per column names the check a row fails. The built-in
  checks (``str_matches``, ``isin``, ``greater_than_or_equal_to``, ...) translate directly; the
  layouts' own checks (``id_pattern``, ``date_format``, ...) are in ``_LAYOUT_CHECKS`` beside them,
  reading the same layout values as schemas/raw.py. Dates and numbers are parsed by the same
  polars functions as on DuckDB's path, in vectorised UDFs, so "parses" means the same on both.
* table level (canonical bookings, stored tables): ``pyspark_schema`` generates the pandera
  ``pandera.pyspark`` schema from the polars model's declarations, and pandera validates it.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

import pandas as pd
import pandera.polars as pa_polars
import polars as pl

from pipelines.core.config import Layout

CHECK_PREFIX = "_check_"


def _strings(values: pd.Series) -> pl.Series:
    """A UDF's batch of text as polars text: a blank value (NULL) arrives as NaN, and stays NULL."""
    return pl.Series(values.astype(object).where(values.notna(), None).to_numpy(dtype=object), dtype=pl.String)


def _polars_parses(fmt: str):
    """A pandas UDF: the value parses with the layout's format, as polars' strptime reads it."""
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("boolean")
    def parses(values: pd.Series) -> pd.Series:
        series = _strings(values)
        ok = series.is_null() | series.str.strptime(pl.Datetime, fmt, strict=False).is_not_null()
        return pd.Series(ok.to_numpy(), dtype=bool)

    return parses


def polars_datetime(fmt: str):
    """A pandas UDF: the value as polars' strptime parses it (NULL when it does not)."""
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("timestamp")
    def parsed(values: pd.Series) -> pd.Series:
        series = _strings(values)
        return series.str.strptime(pl.Datetime("us"), fmt, strict=False).to_pandas()

    return parsed


def _polars_number():
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("boolean")
    def numeric(values: pd.Series) -> pd.Series:
        series = _strings(values)
        return pd.Series(series.str.strip_chars().cast(pl.Float64, strict=False).is_not_null().to_numpy(), dtype=bool)

    return numeric


def _layout_checks(layout: Layout) -> dict[str, Callable[[Any], Any]]:
    """The layouts' custom checks (schemas/raw.py), each a Spark column that is true when a row passes."""
    from pyspark.sql import functions as F

    checks: dict[str, Callable[[Any], Any]] = {
        "id_pattern": lambda c: c.rlike(layout.patterns["pregnancy_id"]),
        "known_event": lambda c: c.isin(list(layout.maps.get("event_map", {}))),
        "known_unit": lambda c: c.isin(list(layout.extra.get("unit_factors", {}))),
    }
    if "booking_date" in layout.formats or "event_date" in layout.formats:
        column = "booking_date" if "booking_date" in layout.formats else "event_date"
        checks["date_format"] = lambda c: _polars_parses(layout.formats[column])(c)
    if "event_map" in layout.maps:
        text_events = [k for k, v in layout.maps["event_map"].items() if v == "smoking"]
        checks["numeric_result"] = lambda c: (
            F.coalesce(F.col("event").isin(text_events), F.lit(False)) | _polars_number()(c)
        )
    return checks


def _builtin(name: str, statistics: dict[str, Any]) -> Callable[[Any], Any]:
    from pyspark.sql import functions as F

    if name == "str_matches":
        return lambda c: c.rlike(statistics["pattern"])
    if name == "isin":
        return lambda c: c.isin(list(statistics["allowed_values"]))
    if name == "greater_than_or_equal_to":
        return lambda c: c >= F.lit(statistics["min_value"])
    if name == "less_than_or_equal_to":
        return lambda c: c <= F.lit(statistics["max_value"])
    raise NotImplementedError(f"pandera check {name} has no Spark expression here")


def failing_check_columns(model: type[pa_polars.DataFrameModel], layout: Layout, columns: list[str]) -> list[Any]:
    """Per declared column, ``_check_<column>``: the name of the check the row fails, or NULL.

    pandera applies no check to a NULL (``ignore_na``) beyond ``nullable``, so neither does this."""
    from pyspark.sql import functions as F

    schema = model.to_schema()
    custom = _layout_checks(layout)
    out = []
    for name in columns:
        declared = schema.columns.get(name)
        if declared is None:
            continue
        value = F.col(name)
        failing = F.when(value.isNull(), F.lit("not_nullable") if not declared.nullable else F.lit(None))
        for check in declared.checks:
            passes = custom[check.name] if check.name in custom else _builtin(check.name, check.statistics)
            failing = failing.when(~passes(value), F.lit(check.name))
        out.append(failing.cast("string").alias(CHECK_PREFIX + name))
    return out


def breaking_rows(model: type[pa_polars.DataFrameModel], frame, row_checks: list[Any]) -> tuple[int, int]:
    """(rows breaking a declared column check or one of ``row_checks``, rows beyond the first of
    each ``unique`` key), in one pass: what the load must know before it stores the month.

    pandera.pyspark (``pyspark_errors``) answers the same question check by check, one Spark job
    each (~40 for the canonical bookings): the asset check uses it; the load uses this."""
    from pyspark.sql import functions as F

    schema = model.to_schema()
    breaks = []
    for name, declared in schema.columns.items():
        value = F.col(name)
        if not declared.nullable:
            breaks.append(value.isNull())
        for check in declared.checks:
            breaks.append(value.isNotNull() & ~_builtin(check.name, check.statistics)(value))
    breaks += row_checks
    broken = F.greatest(*[F.coalesce(b, F.lit(False)).cast("int") for b in breaks])
    unique = list(schema.unique or [])
    aggregates = [F.sum(broken).alias("broken"), F.count(F.lit(1)).alias("rows")]
    if unique:
        aggregates.append(F.count_distinct(F.struct(*unique)).alias("keys"))
    row = frame.agg(*aggregates).collect()[0]
    return int(row["broken"] or 0), (int(row["rows"]) - int(row["keys"])) if unique else 0


def _pandera_pyspark():
    """``pandera.pyspark``, importable beside pandas 3.

    pandera names pandas-on-Spark's DataFrame in a type union, so importing it imports
    ``pyspark.pandas``, which fails under pandas 3 (``pandas.tseries.frequencies.DateOffset`` is
    gone; PySpark warns that it does not support pandas 3 yet). The project never uses
    pandas-on-Spark: a stand-in module with that one name lets pandera import, and its PySpark
    SQL backend, which this project uses, is unaffected."""
    try:
        import pyspark.pandas  # noqa: F401
    except ImportError:
        for name in [n for n in sys.modules if n == "pyspark.pandas" or n.startswith("pyspark.pandas.")]:
            del sys.modules[name]
        stand_in = types.ModuleType("pyspark.pandas")
        stand_in.__path__ = []  # a package: pandera imports pyspark.pandas.extensions from it
        for kind in ("DataFrame", "Series", "Index", "MultiIndex"):
            setattr(stand_in, kind, type(kind, (), {"__doc__": "pandas-on-Spark is not importable here"}))
        extensions = types.ModuleType("pyspark.pandas.extensions")
        # pandera registers its accessor on pandas-on-Spark frames, which never occur here.
        extensions.register_dataframe_accessor = extensions.register_series_accessor = lambda name: lambda cls: cls
        sys.modules["pyspark.pandas"], sys.modules["pyspark.pandas.extensions"] = stand_in, extensions
    import pandera.pyspark as pa_spark

    return pa_spark


def pyspark_schema(model: type[pa_polars.DataFrameModel]):
    """The pandera PySpark schema of a polars model: its columns, nullability and built-in checks."""
    pa_spark = _pandera_pyspark()
    from pyspark.sql import types as T

    spark_types = {
        "String": T.StringType(),
        "Int64": T.LongType(),
        "Int32": T.IntegerType(),
        "Boolean": T.BooleanType(),
        "Date": T.DateType(),
        "Float64": T.DoubleType(),
    }
    columns = {}
    for name, column in model.to_schema().columns.items():
        checks = [getattr(pa_spark.Check, check.name)(*check.statistics.values()) for check in column.checks]
        columns[name] = pa_spark.Column(spark_types[str(column.dtype)], checks=checks, nullable=column.nullable)
    return pa_spark.DataFrameSchema(columns, name=model.__name__, strict=False)


def pyspark_errors(model: type[pa_polars.DataFrameModel], frame) -> dict[str, Any]:
    """pandera's verdict on a Spark frame: {} when it conforms, else pandera's error report."""
    validated = pyspark_schema(model).validate(frame)
    return dict(validated.pandera.errors or {})


def stored_canonical_verdict(warehouse, month: str, table: str = "bookings") -> tuple[int, list[str]]:
    """(rows, failed checks) of the stored month's `table` (bookings or parallel_bookings) against
    the canonical contract, on Spark: pandera's PySpark backend for the columns' declared checks,
    and in one pass the model's frame-wide checks it cannot run there (flags follow classes,
    quintile follows decile) and its uniqueness (``breaking_rows``)."""
    from pyspark.sql import functions as F

    from pipelines.core.config import load_rules
    from pipelines.core.engines.spark_session import spark_session
    from pipelines.core.engines.spark_warehouse import read_table
    from schemas.canonical import CanonicalBookings

    frame = read_table(spark_session(), warehouse, table, month).cache()
    try:
        rows = frame.count()
        if rows == 0:  # nothing to break (most months have no parallel run); saves pandera's ~40 jobs
            return 0, []
        errors = pyspark_errors(CanonicalBookings, frame)
        failing = sorted({str(e.get("check")) for kind in errors.values() for found in kind.values() for e in found})
        flags = [
            F.col(m["flag"]) != (F.col(m["class_column"]) == "valid")
            for m in load_rules()["measures"]
            if m["kind"] == "flag_rate"
        ]
        quintile = F.col("imd_decile").isNotNull() & (F.col("imd_quintile") != F.floor((F.col("imd_decile") + 1) / 2))
        broken, duplicated = breaking_rows(CanonicalBookings, frame, [*flags, quintile]) if rows else (0, 0)
        failing += ["frame-wide or column checks"] if broken and not failing else []
        failing += ["pregnancy unique per Trust and month"] if duplicated else []
        return rows, failing
    finally:
        frame.unpersist()
