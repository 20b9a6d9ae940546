"""Renders a model of sql/ (written once, in DuckDB's dialect) for another engine with SQLGlot.

The sql/ files stay the one source of the models. What they take from DuckDB alone is turned
into plain SQL on the parsed tree, never into a second hand-written copy:

* ``getvariable('name')``: the value the rules file gives it (``rule_variables``), as a literal;
* the macros of sql/macros/: inlined, their parameters replaced by the call's arguments;
* ``COLUMNS('regex')`` in a projection: one projection per column of the relation it reads
  that the regex matches (``'\\0__valid'`` aliases named after each), and in ``UNPIVOT … ON``;
* ``UNION ALL BY NAME``: each side selecting the union of the columns by name, NULL where absent;
* DuckDB's ``UNPIVOT t ON … INTO NAME n VALUE v`` as the target's ``UNPIVOT (v FOR n IN (…))``;
* functions whose names or meanings differ (``list_position``, ``regexp_full_match``,
  ``to_days``, ``upper``, ``round``), and the rest by SQLGlot's own DuckDB → target transpiler
  (``string_agg`` with ORDER BY, ``//``, NULL ordering, string escapes).

The column lists come from ``columns_of``: the engine's answer for a stored table or a
registered relation; the models' own CTEs are resolved by sql_columns.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from pipelines.core.engines.sql_columns import SOURCE_DIALECT, ColumnsOf, RenderError, resolve
from pipelines.core.paths import SQL_DIR
from pipelines.core.upper_case import duckdb_upper

__all__ = ["RenderError", "render", "table_columns"]


@lru_cache(maxsize=4)
def _macros(folder: str) -> dict[str, tuple[list[str], exp.Expression]]:
    """name -> (parameters, body) for every ``CREATE MACRO`` in sql/macros/."""
    macros: dict[str, tuple[list[str], exp.Expression]] = {}
    for path in sorted(Path(folder).glob("*.sql")):
        for statement in sqlglot.parse(path.read_text(encoding="utf-8"), read=SOURCE_DIALECT):
            if isinstance(statement, exp.Create) and str(statement.args.get("kind", "")).upper() == "MACRO":
                udf = statement.this
                name = udf.this.name.lower()
                macros[name] = ([p.name.lower() for p in udf.expressions], statement.expression)
    return macros


def _literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(repr(value) if isinstance(value, float) else str(value))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[_literal(v) for v in value])
    raise RenderError(f"variable value {value!r} has no SQL literal")


def _wrapped(node: exp.Expression) -> exp.Expression:
    """An argument or body in parentheses unless it is atomic: the tree, not the text, keeps precedence."""
    # Not exp.Func: SQLGlot's AND, OR and the comparisons are Func subclasses too (callable as AND(...)).
    atomic = (exp.Column, exp.Literal, exp.Null, exp.Boolean, exp.Paren, exp.Array, exp.Anonymous)
    return node if isinstance(node, atomic) else exp.Paren(this=node)


def _inline_macros(tree: exp.Expression, macros: Mapping[str, tuple[list[str], exp.Expression]]) -> exp.Expression:
    def expand(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and str(node.this).lower() in macros:
            params, body = macros[str(node.this).lower()]
            args = node.expressions
            if len(args) != len(params):
                raise RenderError(f"macro {node.this} takes {len(params)} arguments, given {len(args)}")
            bound = dict(zip(params, args, strict=True))
            replaced = body.copy().transform(
                lambda n: (
                    _wrapped(bound[n.name.lower()].copy())
                    if isinstance(n, exp.Column) and not n.table and n.name.lower() in bound
                    else n
                )
            )
            return _wrapped(_inline_macros(replaced, macros))
        return node

    return tree.transform(expand)


def _substitute_variables(tree: exp.Expression, variables: Mapping[str, Any]) -> exp.Expression:
    def substitute(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "getvariable":
            (name,) = node.expressions
            if name.name not in variables:
                raise RenderError(f"getvariable('{name.name}'): no such rule variable")
            return _literal(variables[name.name])
        return node

    return tree.transform(substitute)


def _portable_functions(tree: exp.Expression, dialect: str) -> exp.Expression:
    """DuckDB functions whose name or meaning differ in Spark SQL (full match: in every dialect)."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if dialect != "spark" and not isinstance(node, exp.RegexpFullMatch):
            return node
        name = str(node.this).lower() if isinstance(node, exp.Anonymous) else type(node).__name__.lower()
        if name in ("list_position", "arrayposition"):
            args = [node.this, *node.expressions] if not isinstance(node, exp.Anonymous) else node.expressions
            return exp.Anonymous(this="array_position", expressions=args)
        if name in ("to_days", "todays"):
            days = node.expressions if isinstance(node, exp.Anonymous) else [node.this]
            return exp.Anonymous(this="make_dt_interval", expressions=days)
        if isinstance(node, exp.Round):
            return _duckdb_round(node)
        if isinstance(node, exp.Upper):  # DuckDB's code point by code point (core/upper_case.py)
            lower, upper = duckdb_upper()
            return exp.Anonymous(
                this="translate",
                expressions=[node.this, exp.Literal.string(lower), exp.Literal.string(upper)],
            )
        if isinstance(node, exp.RegexpFullMatch) or name == "regexp_full_match":
            value, pattern = (
                (node.this, node.expression) if not isinstance(node, exp.Anonymous) else tuple(node.expressions)
            )
            if not isinstance(pattern, exp.Literal):
                raise RenderError("regexp_full_match needs a literal pattern")
            # RLIKE finds; the whole value must match. \z: Java's $ also matches before a final line break.
            return exp.RegexpLike(this=value, expression=exp.Literal.string(f"^(?:{pattern.this})\\z"))
        return node

    return _bottom_up(tree, rewrite)


def _bottom_up(tree: exp.Expression, rewrite) -> exp.Expression:
    """``rewrite`` applied to every node, its arguments first: SQLGlot's ``transform`` does not visit
    what it has replaced, so a rewritten ``round`` would keep a ``regexp_full_match`` inside it."""
    for node in reversed(list(tree.dfs())):
        new = rewrite(node)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def _not_finite(value: exp.Expression) -> exp.Expression:
    infinity = exp.cast(exp.Literal.string("Infinity"), "double")
    return exp.or_(
        exp.Anonymous(this="isnan", expressions=[value.copy()]),
        exp.EQ(this=exp.Abs(this=value.copy()), expression=infinity),
    )


def _round_whole(value: exp.Expression) -> exp.Expression:
    """C's ``round`` (DuckDB's): half away from zero on the binary value, the sign of a zero kept.

    Spark's ``round(y)`` rounds the shortest decimal form of y half up, which is the same integer
    (a tie ``k.5`` is a double below 2^52, so no form of y that reads back as y can cross it; above,
    y is whole), but it makes ``-0.4`` and ``-0.0`` plain 0.0."""
    rounded = exp.Round(this=value.copy())
    negative = exp.or_(
        exp.LT(this=value.copy(), expression=exp.Literal.number(0)),
        exp.EQ(this=exp.cast(value.copy(), "string"), expression=exp.Literal.string("-0.0")),
    )
    return exp.Case(ifs=[exp.If(this=negative, true=exp.Neg(this=exp.Abs(this=rounded.copy())))], default=rounded)


def _duckdb_round(node: exp.Round) -> exp.Expression:
    """DuckDB's ``round`` of a double (the models round doubles only), for Spark, whose ``round(x, d)``
    rounds the decimal form of x half up: ``round(131.0340355, 6)`` is 131.034036 there and
    131.034035 in DuckDB (the double is 131.03403549999999...).

    DuckDB (RoundOperatorPrecision, extension/core_functions/scalar/math/numeric.cpp; as DuckDB 2.0
    answers, tests/engines/test_spark_functions.py): for d >= 0 ``round(x * 10^d) / 10^d``, x
    itself where that is not finite; for d < 0 ``round(x / 10^-d) * 10^-d``, x where x is not
    finite and 0 where only the result is not; ``round(x)`` is ``round(x, 0)``. A constant d takes
    its branch here, a column d in the SQL. DuckDB rounds a DECIMAL exactly, as Spark does: this
    is for doubles."""
    value, places = _wrapped(node.this.copy()), node.args.get("decimals")
    if places is None:
        return _round_whole(value)

    constant = places.to_py() if places.is_number else None

    def branch(positive: bool) -> exp.Expression:
        if constant is not None:
            exponent: exp.Expression = exp.Literal.number(abs(int(constant)))
        else:
            exponent = places.copy() if positive else exp.Neg(this=_wrapped(places.copy()))
        scale = exp.Pow(this=exp.Literal.number(10), expression=exponent)
        if positive:
            rounded = exp.Div(this=_round_whole(exp.Mul(this=value.copy(), expression=scale.copy())), expression=scale)
        else:
            rounded = exp.Mul(this=_round_whole(exp.Div(this=value.copy(), expression=scale.copy())), expression=scale)
        ifs = [exp.If(this=_not_finite(rounded), true=value.copy() if positive else exp.Literal.number(0))]
        if not positive:  # DuckDB 2.0 keeps an infinite or NaN x, as it does for d >= 0
            ifs.insert(0, exp.If(this=_not_finite(value), true=value.copy()))
        return exp.Case(ifs=ifs, default=rounded.copy())

    if constant is not None:
        return exp.Paren(this=branch(int(constant) >= 0))
    zero = exp.Literal.number(0)
    return exp.Case(
        ifs=[
            exp.If(this=exp.GTE(this=places.copy(), expression=zero), true=branch(True)),
            exp.If(this=exp.LT(this=places.copy(), expression=zero.copy()), true=branch(False)),
        ]
    )


def render(
    model_sql: str,
    variables: Mapping[str, Any],
    columns_of: ColumnsOf,
    dialect: str = "spark",
    macros_dir: Path | None = None,
) -> str:
    """One model's SQL (DuckDB dialect, as in sql/) as ``dialect`` SQL with the rules' values in it."""
    tree = sqlglot.parse_one(model_sql, read=SOURCE_DIALECT)
    tree = _inline_macros(tree, _macros(str(macros_dir or SQL_DIR / "macros")))
    tree = _substitute_variables(tree, variables)
    tree = resolve(tree, {}, columns_of)
    tree = _portable_functions(tree, dialect)
    return tree.sql(dialect=dialect)


def table_columns(ddl: str) -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, DuckDB type)] from sql/warehouse/tables.sql (CREATE TABLE, CREATE TABLE AS a
    copy of another's columns, and ADD COLUMN)."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for statement in sqlglot.parse(ddl, read=SOURCE_DIALECT):
        if isinstance(statement, exp.Create) and str(statement.args.get("kind")).upper() == "TABLE":
            schema = statement.this
            copied = statement.expression
            if isinstance(copied, exp.Select):  # CREATE TABLE t AS SELECT * FROM other LIMIT 0: other's columns
                if not (copied.is_star and isinstance(copied.args["from_"].this, exp.Table)):
                    raise RenderError(f"cannot tell the columns of {statement.sql(dialect=SOURCE_DIALECT)}")
                tables[schema.name] = list(tables[copied.args["from_"].this.name])
                continue
            tables[schema.this.name] = [
                (c.name, c.args["kind"].sql(dialect=SOURCE_DIALECT))
                for c in schema.expressions
                if isinstance(c, exp.ColumnDef)
            ]
        elif isinstance(statement, exp.Alter):
            for action in statement.actions:
                if isinstance(action, exp.ColumnDef):
                    columns = tables.setdefault(statement.this.name, [])
                    if action.name not in {c for c, _ in columns}:
                        columns.append((action.name, action.args["kind"].sql(dialect=SOURCE_DIALECT)))
    return tables
