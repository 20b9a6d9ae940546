"""The pandera contracts on Spark frames: the same declarations, run by the same code, as on polars.

Every check of the raw contracts (schemas/raw.py) and of the canonical contract but its
uniqueness (schemas/canonical.py) judges a row by that row alone (tests/ingest/test_contract_rows.py
holds them to it). So the polars contract itself runs on each partition of a Spark frame, in a
vectorised UDF (``mapInArrow``): each failing row gets its first failure, named and ordered
exactly as on DuckDB's path (pipelines/ingest/contract.py ``first_failures``,
``canonical_failures``), and a check added to a model runs on both engines with nothing copied
into Spark code. The one check over the whole month, the canonical contract's uniqueness, is
counted in Spark from the model's own ``unique`` columns.

pandera's PySpark backend (``pyspark_errors``) also judges the stored canonical bookings' column
checks for the asset check, from the same declarations.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pandera.polars as pa_polars
import polars as pl
import pyarrow as pa

from pipelines.core.config import Layout
from pipelines.ingest.read_extract import LINE_COLUMN

# Each row's first failure: its column, its check and the failing value (NULL when the row passes).
FAILED_COLUMN, FAILED_CHECK, FAILED_VALUE = "_failed_column", "_failed_check", "_failed_value"
_FAILED = (FAILED_COLUMN, FAILED_CHECK, FAILED_VALUE)
# A polars frame -> (index, column, check, failure_case) of its failing rows' first failures.
Judge = Callable[[pl.DataFrame], pl.DataFrame]


def _strings(values: pd.Series) -> pl.Series:
    """A UDF's batch of text as polars text: a blank value (NULL) arrives as NaN, and stays NULL."""
    return pl.Series(values.astype(object).where(values.notna(), None).to_numpy(dtype=object), dtype=pl.String)


def polars_datetime(fmt: str):
    """A pandas UDF: the value as polars' strptime parses it (NULL when it does not)."""
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("timestamp")
    def parsed(values: pd.Series) -> pd.Series:
        series = _strings(values)
        return series.str.strptime(pl.Datetime("us"), fmt, strict=False).to_pandas()

    return parsed


def _shipped(schema) -> Callable[[], Any]:
    """The schema for the executors: pickled here, unpickled there by the judge. A check made
    after pandera's PySpark backend registered its built-in checks (``pyspark_errors`` earlier in
    the process) names PySpark types, and a worker unpickling it imports ``pandera.pyspark``,
    which under pandas 3 needs the stand-in ``_pandera_pyspark`` installs: so the judge installs
    it first (tests/engines/test_spark_contract.py)."""
    from pyspark import cloudpickle

    payload, needs_stand_in = cloudpickle.dumps(schema), "pandera.api.pyspark" in sys.modules

    def load():
        if needs_stand_in:
            _pandera_pyspark()
        return cloudpickle.loads(payload)

    return load


def raw_judge(contract: type[pa_polars.DataFrameModel], layout: Layout) -> Judge:
    """The raw contract as DuckDB's path applies it (contract.first_failures), on the layout's
    columns. The schema is resolved here and sent to the executors whole, so they judge by the
    declarations the driver sees."""
    from pipelines.ingest.contract import first_failures

    columns, load = [LINE_COLUMN, *(c.name for c in layout.columns)], _shipped(contract.to_schema())
    return lambda rows: first_failures(rows.select(columns), load(), layout)


def canonical_judge() -> Judge:
    """The canonical contract but its uniqueness (counted over the month: ``duplicated_rows``)."""
    from schemas.canonical import canonical_failures, canonical_schema

    load = _shipped(canonical_schema(unique=False))
    return lambda rows: canonical_failures(rows, load())


def _failure_columns(judge: Judge, table: pa.Table) -> list[pa.Array]:
    """The failed column, check and value of each row of ``table`` (NULL where the row passes)."""
    failures = judge(pl.from_arrow(table))
    rows = pl.DataFrame({"index": pl.int_range(0, table.num_rows, dtype=pl.UInt32, eager=True)})
    found = rows.join(
        failures.with_columns(pl.col("index").cast(pl.UInt32)), on="index", how="left", maintain_order="left"
    )
    return [
        found.get_column(c).cast(pl.String).to_arrow().cast(pa.string()) for c in ("column", "check", "failure_case")
    ]


def with_first_failure(frame, judge: Judge):
    """``frame`` with FAILED_COLUMN, FAILED_CHECK and FAILED_VALUE: ``judge`` run on each partition,
    the rows passed through as Spark gave them."""
    from pyspark.sql import types as T

    out = T.StructType([*frame.schema.fields, *(T.StructField(name, T.StringType()) for name in _FAILED)])

    def judged(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        parts = list(batches)
        if not parts:
            return
        table = pa.Table.from_batches(parts)
        for name, column in zip(_FAILED, _failure_columns(judge, table), strict=True):
            table = table.append_column(name, column)
        yield from table.to_batches()

    return frame.mapInArrow(judged, out)


def failing_rows(frame, judge: Judge, keep: list[str]) -> pl.DataFrame:
    """The rows of ``frame`` that ``judge`` fails (few: collected), ``keep`` and the failure columns."""
    from pyspark.sql import functions as F

    return pl.from_arrow(
        with_first_failure(frame, judge)  # the frame's own column order: a failure case may be its row
        .where(F.col(FAILED_CHECK).isNotNull())
        .select(*keep, *_FAILED)
        .toArrow()
    )


def duplicated_rows(model: type[pa_polars.DataFrameModel], frame) -> int:
    """Rows beyond the first of each of the model's ``unique`` keys (0 when it declares none)."""
    from pyspark.sql import functions as F

    unique = list(model.to_schema().unique or [])
    if not unique:
        return 0
    row = frame.agg(F.count(F.lit(1)).alias("rows"), F.count_distinct(F.struct(*unique)).alias("keys")).collect()[0]
    return int(row["rows"]) - int(row["keys"])


def _pandera_pyspark():
    """``pandera.pyspark``, importable beside pandas 3.

    pandera names pandas-on-Spark's DataFrame in a type union, so importing it imports
    ``pyspark.pandas``, which fails under pandas 3 (``pandas.tseries.frequencies.DateOffset`` is
    gone; PySpark warns that it does not support pandas 3 yet). The project never uses
    pandas-on-Spark: a stand-in module with that one name lets pandera import, and its PySpark
    SQL backend, which this project uses, is unaffected."""
    _pandas_on_spark_stand_in()
    import pandera.pyspark as pa_spark

    return pa_spark


def _pandas_on_spark_stand_in() -> None:
    """Install the stand-in ``pyspark.pandas`` where the real one cannot be imported."""
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
        # A model's own checks have no PySpark twin: the polars contract judges them (failing_rows).
        builtin = [check for check in column.checks if hasattr(pa_spark.Check, check.name)]
        checks = [getattr(pa_spark.Check, check.name)(*check.statistics.values()) for check in builtin]
        columns[name] = pa_spark.Column(spark_types[str(column.dtype)], checks=checks, nullable=column.nullable)
    return pa_spark.DataFrameSchema(columns, name=model.__name__, strict=False)


def pyspark_errors(model: type[pa_polars.DataFrameModel], frame) -> dict[str, Any]:
    """pandera's verdict on a Spark frame: {} when it conforms, else pandera's error report."""
    validated = pyspark_schema(model).validate(frame)
    return dict(validated.pandera.errors or {})


def stored_canonical_verdict(warehouse, month: str, table: str = "bookings") -> tuple[int, list[str]]:
    """(rows, failed checks) of the stored month's `table` (bookings or parallel_bookings) against
    the canonical contract, on Spark: pandera's PySpark backend for the columns' declared checks,
    and in one pass every check of the model (the polars contract on each partition,
    ``failing_rows``), and its uniqueness (``duplicated_rows``)."""
    from pipelines.core.engines.spark_session import spark_session
    from pipelines.core.engines.spark_warehouse import read_table
    from schemas.canonical import CanonicalBookings

    frame = read_table(spark_session(), warehouse, table, month).cache()
    try:
        rows = frame.count()
        if rows == 0:  # nothing to break (most months have no parallel run); saves pandera's ~40 jobs
            return 0, []
        errors = pyspark_errors(CanonicalBookings, frame)
        failing = {str(e.get("check")) for kind in errors.values() for found in kind.values() for e in found}
        failing |= set(failing_rows(frame, canonical_judge(), []).get_column(FAILED_CHECK).to_list())
        duplicated = duplicated_rows(CanonicalBookings, frame)
        return rows, sorted(failing) + (["pregnancy unique per Trust and month"] if duplicated else [])
    finally:
        frame.unpersist()
