"""Runs the sql/ models on Spark: the rules as temp views and literals, each model rendered once.

The Spark counterpart of pipelines/core/model_rules.py's install_rules and warehouse.py's
create_temp_model: the rule tables (rule_*, map_*) become temp views from the same frames, the
rule variables become literals in the rendered SQL (pipelines/core/engines/sql_render.py), and a model's result is a
temp view named after its file, as DuckDB's temp tables are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from pipelines.core.config import Layouts
from pipelines.core.engines.spark_warehouse import arrow_schema, open_warehouse, read_table
from pipelines.core.engines.sql_render import render
from pipelines.core.model_rules import rule_tables, rule_variables
from pipelines.core.warehouse import read_sql

_INSTALLED: dict[int, tuple] = {}
_RENDERED: dict[tuple, tuple[str, dict[str, list[str]]]] = {}


def spark_frame(spark, frame: pl.DataFrame):
    """A polars frame as a Spark frame, through Arrow (plain string columns: Spark reads no views)."""
    import pyarrow as pa

    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    schema = pa.schema(
        [
            pa.field(f.name, pa.string() if pa.types.is_large_string(f.type) else f.type)
            if not pa.types.is_large_list(f.type)
            else pa.field(f.name, pa.list_(pa.string()))
            for f in table.schema
        ]
    )
    if table.num_rows == 0:  # Spark Connect infers no schema from no rows: give it
        from pyspark.sql.pandas.types import from_arrow_schema

        return spark.createDataFrame(table.cast(schema), schema=from_arrow_schema(schema))
    return spark.createDataFrame(table.cast(schema))


class SparkModels:
    """One Spark session's view of the warehouse, the rules and the models, for one step."""

    def __init__(self, spark, warehouse: Path, rules: dict[str, Any], layouts: Layouts):
        self.spark, self.warehouse = spark, warehouse
        self.variables = rule_variables(rules, layouts)
        # The rule tables are the same for every step of a run: registered once per session and
        # rules (each is a small job), again only when the rules or layouts change.
        identity = (id(spark), repr(self.variables), id(rules), id(layouts))
        if _INSTALLED.get(id(spark)) != identity:
            for name, frame in rule_tables(rules, layouts).items():
                self.register(name, frame)
            _INSTALLED[id(spark)] = identity

    def register(self, name: str, frame) -> None:
        """A polars or Spark frame as a temp view the models can read."""
        if isinstance(frame, pl.DataFrame):
            frame = spark_frame(self.spark, frame)
        frame.createOrReplaceTempView(name)

    def bind_tables(self, *tables: str, month: str | None = None) -> None:
        """Stored tables as temp views of their names (one month of each, when ``month`` is given)."""
        for table in tables:
            read_table(self.spark, self.warehouse, table, month).createOrReplaceTempView(table)

    def sql(self, model: str, month: str | None = None) -> str:
        variables = {**self.variables, **({"month": month} if month else {})}
        columns = {}

        def columns_of(name: str) -> list[str]:
            if name not in columns:
                columns[name] = list(self.spark.table(name).columns)
            return columns[name]

        # The rendering depends on the variables and on the columns of what the model reads.
        text = read_sql(model)
        key = (model, text, tuple(sorted((k, repr(v)) for k, v in variables.items())))
        cached = _RENDERED.get(key)
        if cached is not None and all(list(self.spark.table(n).columns) == c for n, c in cached[1].items()):
            return cached[0]
        rendered = render(text, variables, columns_of)
        _RENDERED[key] = (rendered, dict(columns))
        return rendered

    def model(self, model: str, month: str | None = None):
        """The model's result as a Spark frame (lazy)."""
        return self.spark.sql(self.sql(model, month))

    def temp_model(self, model: str, month: str | None = None, cache: bool = True):
        """The model as a temp view named after its file (DuckDB: create_temp_model)."""
        frame = self.model(model, month)
        if cache:
            frame = frame.cache()
        frame.createOrReplaceTempView(Path(model).name)
        return frame


def open_models(warehouse: Path) -> SparkModels:
    """The session's models over a Parquet warehouse (made one if new; an unfinished commit finished)."""
    from pipelines.core.config import load_layouts, load_rules
    from pipelines.core.engines.spark_session import spark_session

    open_warehouse(warehouse)
    return SparkModels(spark_session(), warehouse, load_rules(), load_layouts())


def collected(frame, table: str | None = None) -> pl.DataFrame:
    """A Spark result on the driver, in the model's order, with the stored table's declared types."""
    out = pl.from_arrow(frame.toArrow())
    if table is None:
        return out
    schema = arrow_schema(table)
    return pl.from_arrow(out.select([f.name for f in schema]).to_arrow().cast(schema))
