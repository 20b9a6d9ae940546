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
    from pipelines.core.model_rules import install_rules, rule_variables

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


def _bits(values: list) -> list[str | None]:
    """Each double as its repr, so -0.0 is not 0.0 and NaN equals NaN."""
    return [None if v is None else repr(float(v)) for v in values]


def test_round_is_duckdbs_on_spark(spark):
    """DuckDB rounds a double as C does: round(x * 10^d) / 10^d, half away from zero on the binary
    value. Spark's own round(x, d) rounds the decimal form half up. Worked by hand:

    * 131.0340355 is the double 131.03403549999998745...: times 10^6 is 131034035.49999998..., so
      131.034035 (Spark alone: 131.034036). A Cerner height in cm.
    * 1.902865015 m times 100 is the double 190.28650149999998575..., whose times 10^6 is exactly
      190286501.5: half away from zero, 190.286502 (Spark alone: 190.286501). A height in m.
    * -131.0340355: -131.034035. 2.5 and -2.5 to 0 places: 3 and -3. -0.4 to 0 places: -0.0, and
      -0.0 stays -0.0 (Spark alone: 0.0). 0.49999999999999994 to 0 places: 0.
    * 1e305 to 6 places: x * 10^6 is infinite, so DuckDB gives x itself; NaN stays NaN, and
      Infinity Infinity.
    * Negative places, round(x / 10^-d) * 10^-d: 1250 to -2 is 1300, -1249 to -2 is -1200;
      5 to -400 places is 0 (10^400 is infinite, 5 / it 0, 0 times it NaN: not finite, so 0);
      Infinity to -1 stays Infinity (DuckDB 2.0 keeps a non-finite x).
    Each value as ``x|d``; d a column (golive_items.sql) and, for the first five, a constant 6 or 0."""
    cases = [
        ("131.0340355|6", "131.034035"),
        ("-131.0340355|6", "-131.034035"),
        ("2.5|0", "3.0"),
        ("-2.5|0", "-3.0"),
        ("-0.4|0", "-0.0"),
        ("-0.0|0", "-0.0"),
        ("0.49999999999999994|0", "0.0"),
        ("1e305|6", "1e+305"),
        ("NaN|6", "nan"),
        ("Infinity|6", "inf"),
        ("1250|-2", "1300.0"),
        ("-1249|-2", "-1200.0"),
        ("5|-400", "0.0"),
        ("Infinity|-1", "inf"),
        ("|6", None),
    ]
    values = [v for v, _ in cases]
    x = "TRY_CAST(split_part(v, '|', 1) AS DOUBLE)"
    on_duckdb, on_spark = _both(spark, f"round({x}, CAST(split_part(v, '|', 2) AS INTEGER))", values)
    assert _bits(on_duckdb) == _bits(on_spark) == [e for _, e in cases]
    constant = {6: values[:2] + values[7:10], 0: values[2:7]}
    for places, subset in constant.items():
        on_duckdb, on_spark = _both(spark, f"round({x}, {places})", subset)
        expected = [e for v, e in cases if v in subset]
        assert _bits(on_duckdb) == _bits(on_spark) == expected, places
    on_duckdb, on_spark = _both(spark, f"round({x})", ["2.5|", "-0.4|", "-0.0|"])
    assert _bits(on_duckdb) == _bits(on_spark) == ["3.0", "-0.0", "-0.0"]


def test_cerner_measurements_round_as_on_duckdb(spark):
    """stg_cerner__clinical_events.sql's value, ``round(decimal_number(RESULT_VAL) * factor, 6) + 0.0``:
    131.0340355 cm (factor 1) is 131.034035 and 1.902865015 m (factor 100) is 190.286502, worked
    by hand in test_round_is_duckdbs_on_spark; on Spark before the fix 131.034036 and 190.286501."""
    sql = "round(decimal_number(split_part(v, '|', 1)) * CAST(split_part(v, '|', 2) AS DOUBLE), 6) + 0.0"
    on_duckdb, on_spark = _both(spark, sql, ["131.0340355|1", "1.902865015|100"])
    assert _bits(on_duckdb) == _bits(on_spark) == ["131.034035", "190.286502"]
