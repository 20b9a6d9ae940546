"""The models' scalar functions give DuckDB's answers on Spark: upper-casing and reading numbers.

Each runs the rendered SQL (pipelines/core/engines/sql_render.py, the rules' macros inlined) on
Spark local[2] and the same SQL on DuckDB with the macros installed, over the same values.
"""

from __future__ import annotations

import math

import duckdb
import polars as pl
import pytest

pytestmark = pytest.mark.spark


def _both(spark, sql: str, values: list[str | None]) -> tuple[list, list]:
    """(DuckDB's, Spark's) column ``r`` of ``sql`` over a table ``t`` of (i, v), in order of i."""
    from pipelines.core.config import load_layouts, load_rules
    from pipelines.core.engines.sql_render import render
    from pipelines.core.warehouse import install_rules, rule_variables

    rules, layouts = load_rules(), load_layouts()
    frame = pl.DataFrame({"i": range(len(values)), "v": values}, schema={"i": pl.Int64, "v": pl.String})
    con = duckdb.connect(":memory:")
    install_rules(con, rules, layouts)
    con.register("t", frame.to_arrow())
    on_duckdb = [r for (r,) in con.execute(f"SELECT {sql} AS r FROM t ORDER BY i").fetchall()]
    spark.createDataFrame(frame.to_arrow()).createOrReplaceTempView("t")
    rendered = render(f"SELECT i, {sql} AS r FROM t ORDER BY i", rule_variables(rules, layouts), lambda _: ["i", "v"])
    on_spark = [row["r"] for row in spark.sql(rendered).collect()]
    return on_duckdb, on_spark


def test_upper_is_duckdbs_for_every_character(spark):
    """Every code point (the surrogates aside), 5,000 to a value: Spark's result is DuckDB's. Java
    alone would make ß SS and ﬆ ST (Unicode's full mapping); DuckDB maps one code point to one."""
    characters = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF)
    values = [characters[i : i + 5000] for i in range(0, len(characters), 5000)]
    on_duckdb, on_spark = _both(spark, "upper(v)", [*values, "cv1 2aß", None])
    assert on_spark == on_duckdb
    assert on_spark[-2:] == ["CV1 2A\u1e9e", None]


def test_measurements_are_read_as_decimal_text(spark):
    """decimal_number (sql/macros/msds_rules.sql) by hand: digits with an optional sign, point and
    exponent are numbers ('+12' 12, '.5' 0.5, '5.' 5, '1e2' 100); so are NaN and Infinity, signed
    or not, which no range holds; white space around is trimmed. '2_5' (DuckDB's cast: 25), '25d',
    '2f' and '0x1p4' (Java's: 25, 2, 16), '1,5', '١٢' (Arabic-Indic) and '' are not numbers."""
    values = ["+12", ".5", "5.", "1e2", "NaN", "-nan", "Infinity", "-inf", "\u00a012\u2003"]
    values += ["2_5", "25d", "2f", "0x1p4", "1,5", "\u0661\u0662", "", None]
    on_duckdb, on_spark = _both(spark, "decimal_number(v)", values)
    numbers = [12.0, 0.5, 5.0, 100.0, math.nan, math.nan, math.inf, -math.inf, 12.0]
    expected = [*numbers, *[None] * 8]

    def same(a, b) -> bool:
        return (a is None and b is None) or (a is not None and b is not None and (a == b or (a != a and b != b)))

    for engine in (on_duckdb, on_spark):
        assert len(engine) == len(expected) and all(same(a, b) for a, b in zip(engine, expected, strict=True)), engine
