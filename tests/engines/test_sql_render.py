"""The renderer of the sql/ models: each DuckDB-only construct turned into plain SQL on the tree.

Rendered here back into DuckDB's own dialect (without any variable or macro set) and run on tiny
hand-written tables, so each rewrite is checked for what it computes, with no Spark needed; the
Spark dialect is run in tests/engines/test_spark_engine.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

sqlglot = pytest.importorskip("sqlglot", reason="sqlglot comes with the spark extra (uv sync --extra spark)")

from pipelines.core.engines.sql_render import RenderError, render, table_columns  # noqa: E402
from pipelines.core.paths import SQL_DIR  # noqa: E402


@pytest.fixture
def con():
    con = duckdb.connect(":memory:")
    con.execute(
        "CREATE TABLE visits AS SELECT * FROM (VALUES "
        "('A', 'valid', 'missing', 'x'), ('A', 'valid', 'valid', 'y'), ('B', 'invalid', 'valid', 'z')) "
        "AS t(org, p_class, q_class, other)"
    )
    con.execute("CREATE TABLE left_side AS SELECT 1 AS a, 'l' AS b")
    con.execute("CREATE TABLE right_side AS SELECT 'r' AS b, 2.5 AS c")
    return con


def _columns(con):
    return lambda name: [row[0] for row in con.execute(f"DESCRIBE {name}").fetchall()]


def _run(con, sql: str, variables: dict | None = None, macros: Path | None = None) -> list[tuple]:
    rendered = render(sql, variables or {}, _columns(con), dialect="duckdb", macros_dir=macros)
    return con.execute(rendered).fetchall()


def test_variables_become_literals(con, tmp_path):
    """A string with a quote, a number and a list: the values the rules file gives, as literals."""
    rows = _run(
        con,
        "SELECT getvariable('label') AS l, getvariable('limit') * 2 AS n, list_contains(getvariable('codes'), 'B') AS b",
        {"label": "it's", "limit": 1.5, "codes": ["A", "B"]},
        tmp_path,
    )
    assert rows == [("it's", 3.0, True)]


def test_an_unknown_variable_is_an_error_not_a_null(con, tmp_path):
    with pytest.raises(RenderError, match="no_such"):
        _run(con, "SELECT getvariable('no_such')", {}, tmp_path)


def test_macros_are_inlined_with_their_arguments_bracketed(con, tmp_path):
    """twice(x) = x * 2 applied to 1 + 2 is 6, not 1 + 2 * 2 = 5; a macro calling a macro too
    (plus_one(twice(3)) = 7); and a macro body that is an OR stays one operand of the AND."""
    (tmp_path / "m.sql").write_text(
        "CREATE OR REPLACE TEMP MACRO twice(x) AS x * 2;\n"
        "CREATE OR REPLACE TEMP MACRO plus_one(x) AS twice(x) / 2 + 1;\n"
        "CREATE OR REPLACE TEMP MACRO either(a, b) AS a OR b;\n"
    )
    rows = _run(con, "SELECT twice(1 + 2), plus_one(3), either(false, true) AND false", {}, tmp_path)
    assert rows == [(6, 4.0, False)]


def test_columns_expand_to_each_matching_column_with_its_alias(con, tmp_path):
    """Per org, how many rows are valid in each class column: A has p 2, q 1; B has p 0, q 1."""
    sql = (
        "SELECT org, count_if(COLUMNS(getvariable('pattern')) = 'valid') AS '\\0__valid' "
        "FROM visits GROUP BY org ORDER BY org"
    )
    rendered = render(sql, {"pattern": "^(p_class|q_class)$"}, _columns(con), dialect="duckdb", macros_dir=tmp_path)
    assert "p_class__valid" in rendered and "q_class__valid" in rendered and "other" not in rendered
    assert con.execute(rendered).fetchall() == [("A", 2, 1), ("B", 0, 1)]


def test_union_by_name_fills_absent_columns_with_null(con, tmp_path):
    """left has (a, b), right has (b, c): the union is (a, b, c), NULL where a side lacks one."""
    rows = _run(
        con,
        "WITH u AS (SELECT * FROM left_side UNION ALL BY NAME SELECT * FROM right_side) SELECT a, b, c FROM u ORDER BY b",
        {},
        tmp_path,
    )
    assert rows == [(1, "l", None), (None, "r", 2.5)]


def test_unpivot_is_written_in_the_standard_form(con, tmp_path):
    """DuckDB's UNPIVOT ... ON COLUMNS(...) INTO NAME ... VALUE ... as UNPIVOT (v FOR n IN (...))."""
    sql = (
        "WITH counted AS (SELECT org, count_if(p_class = 'valid') AS p__valid, count_if(q_class = 'valid') AS q__valid "
        "FROM visits GROUP BY org) "
        "SELECT f.org, f.name, f.n FROM (UNPIVOT counted ON COLUMNS('__valid$') INTO NAME name VALUE n) AS f "
        "ORDER BY f.org, f.name"
    )
    rendered = render(sql, {}, _columns(con), dialect="duckdb", macros_dir=tmp_path)
    assert "INTO NAME" not in rendered.upper()
    assert con.execute(rendered).fetchall() == [
        ("A", "p__valid", 2),
        ("A", "q__valid", 1),
        ("B", "p__valid", 0),
        ("B", "q__valid", 1),
    ]


def test_full_match_means_the_whole_value(con, tmp_path):
    """'CV1 2AB' matches [A-Z0-9 ]+ whole; 'CV1 2AB!' only in part, which is not a match."""
    rows = _run(
        con,
        "SELECT regexp_full_match('CV1 2AB', '[A-Z0-9 ]+'), regexp_full_match('CV1 2AB!', '[A-Z0-9 ]+')",
        {},
        tmp_path,
    )
    assert rows == [(True, False)]


def test_spark_names_for_list_position_and_to_days():
    """Spark calls them array_position and make_dt_interval (run on Spark by the sample month in
    tests/engines/test_spark_engine.py: the Cerner booking window and the measures' order)."""
    sql = render("SELECT list_position(['a', 'b'], x), t + to_days(14) FROM r", {}, lambda name: ["x", "t"])
    assert "ARRAY_POSITION(ARRAY('a', 'b'), x)" in sql and "MAKE_DT_INTERVAL(14)" in sql


def test_upper_for_spark_is_duckdbs_upper_by_code_point():
    """Java's upper-casing (Spark's) is Unicode's full mapping, DuckDB's one code point at a time:
    ß is SS in Java, ẞ (U+1E9E) in DuckDB; the ligature ﬆ is ST in Java, itself in DuckDB; ASCII
    letters are the same in both. Rendered for Spark, ``upper`` is a ``translate`` (run here on
    DuckDB, which has it too; on Spark by tests/engines/test_spark_functions.py)."""
    sql = render("SELECT upper(v) AS u FROM r", {}, lambda name: ["v"])
    assert "UPPER(" not in sql.upper().replace("TRANSLATE(", "")
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE r AS SELECT * FROM (VALUES ('cv1 2aß'), ('ﬆ4 4aa'), ('zz99 3vz'), (NULL)) AS t(v)")
    assert [u for (u,) in con.execute(sql).fetchall()] == ["CV1 2A\u1e9e", "\ufb064 4AA", "ZZ99 3VZ", None]


def test_the_declared_tables_include_columns_added_later():
    """tables.sql adds lines_read to submissions and the split to measures by ALTER TABLE."""
    tables = table_columns((SQL_DIR / "warehouse" / "tables.sql").read_text(encoding="utf-8"))
    assert ("lines_read", "INT") in tables["submissions"]
    assert [c for c, _ in tables["measures"]][-4:] == ["valid", "default", "invalid", "missing"]
    assert ("rows_read", "INT128") in tables["trust_month_status"]


def test_every_model_in_sql_renders_for_spark():
    """Any model in sql/ (a new stage's too) renders without a hand-written copy."""
    from pipelines.core.config import load_layouts, load_rules
    from pipelines.core.engines.sql_columns import output_columns
    from pipelines.core.model_rules import rule_tables, rule_variables

    rules, layouts = load_rules(), load_layouts()
    variables = {**rule_variables(rules, layouts), "month": "2025-04"}
    known = {k: [c for c, _ in v] for k, v in table_columns((SQL_DIR / "warehouse" / "tables.sql").read_text()).items()}
    known.update({k: list(v.columns) for k, v in rule_tables(rules, layouts).items()})

    def columns_of(name: str) -> list[str]:
        if name in known:
            return known[name]
        model = next(SQL_DIR.rglob(f"{name}.sql"), None)
        if model is not None:  # a model's output (staging, golive_sides, ...), as the engine sees its temp view
            tree = sqlglot.parse_one(render(model.read_text(), variables, columns_of, dialect="duckdb"), read="duckdb")
            ctes: dict[str, list[str]] = {}
            for cte in tree.args["with_"].expressions if tree.args.get("with_") else []:
                ctes[cte.alias] = output_columns(cte.this, ctes, columns_of)
            return output_columns(tree, ctes, columns_of)
        return ["postcode"]  # a relation the caller registers (the gate's _gate_postcodes)

    models = [p for p in SQL_DIR.rglob("*.sql") if p.parent.name not in ("macros", "warehouse")]
    assert len(models) >= 10
    for path in models:
        sql = render(path.read_text(encoding="utf-8"), variables, columns_of)
        code = re.sub(r"/\*.*?\*/", "", sql, flags=re.S).lower()  # the models' comments may name them
        assert "getvariable" not in code and "columns(" not in code, path
