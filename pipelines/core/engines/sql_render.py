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
  ``to_days``), and the rest by SQLGlot's own DuckDB → target transpiler (``string_agg`` with
  ORDER BY, ``//``, NULL ordering, string escapes).

The column lists come from ``columns_of``: the engine's answer for a stored table or a
registered relation; the models' own CTEs are resolved here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from pipelines.core.paths import SQL_DIR

SOURCE_DIALECT = "duckdb"
ColumnsOf = Callable[[str], Sequence[str]]


class RenderError(ValueError):
    """A model uses a construct this renderer cannot turn into the target dialect."""


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


# ------------------------------------------------------------------------- column resolution


def _regex_of(columns_node: exp.Expression) -> str:
    pattern = columns_node.this
    if not isinstance(pattern, exp.Literal) or not pattern.is_string:
        raise RenderError(f"COLUMNS(...) needs a literal pattern after the rules are applied: {columns_node.sql()}")
    return pattern.this


def _source_columns(source: exp.Expression, env: Mapping[str, list[str]], columns_of: ColumnsOf) -> list[str]:
    if isinstance(source, exp.Table):
        name = source.name
        columns = list(env[name]) if name in env else list(columns_of(name))
    elif isinstance(source, exp.Subquery):
        columns = _output_columns(source.this, env, columns_of)
    else:
        raise RenderError(f"cannot tell the columns of {source.sql(dialect=SOURCE_DIALECT)}")
    for pivot in source.args.get("pivots") or []:
        if not pivot.args.get("unpivot"):
            raise RenderError(f"PIVOT is not rendered: {pivot.sql(dialect=SOURCE_DIALECT)}")
        # UNPIVOT (v FOR n IN (cols)): the other columns, then the name and value columns.
        (field,) = pivot.args["fields"]
        gone = {c.name for c in field.expressions}
        columns = [c for c in columns if c not in gone] + [field.this.name, *(v.name for v in pivot.expressions)]
    return columns


def _sources(select: exp.Select) -> list[exp.Expression]:
    found = [select.args["from_"].this] if select.args.get("from_") else []
    return found + [join.this for join in select.args.get("joins") or []]


def _output_columns(query: exp.Expression, env: Mapping[str, list[str]], columns_of: ColumnsOf) -> list[str]:
    """The names of the columns a query returns, in order."""
    if isinstance(query, exp.Union):
        left = _output_columns(query.left, env, columns_of)
        if query.args.get("by_name"):
            right = _output_columns(query.right, env, columns_of)
            return left + [c for c in right if c not in left]
        return left
    if isinstance(query, exp.Subquery):
        return _output_columns(query.this, env, columns_of)
    if not isinstance(query, exp.Select):
        raise RenderError(f"cannot tell the columns of {type(query).__name__}")
    by_alias = {(s.alias_or_name): s for s in _sources(query)}
    names: list[str] = []
    for projection in query.expressions:
        if isinstance(projection, exp.Star):
            for source in _sources(query):
                names += [c for c in _source_columns(source, env, columns_of) if c not in names]
        elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
            names += _source_columns(by_alias[projection.table], env, columns_of)
        elif projection.alias_or_name:
            names.append(projection.alias_or_name)
        else:
            raise RenderError(f"projection without a name: {projection.sql(dialect=SOURCE_DIALECT)}")
    return names


def _expand_columns_in_select(select: exp.Select, env: Mapping[str, list[str]], columns_of: ColumnsOf) -> None:
    """``f(COLUMNS('re')) AS '\\0_x'`` -> one ``f(col) AS col_x`` per matching column, in place."""
    projections: list[exp.Expression] = []
    changed = False
    for projection in select.expressions:
        columns_nodes = list(projection.find_all(exp.Columns))
        if not columns_nodes:
            projections.append(projection)
            continue
        changed = True
        (node,) = columns_nodes
        pattern = re.compile(_regex_of(node))
        available: list[str] = []
        for source in _sources(select):
            available += _source_columns(source, env, columns_of)
        matched = [c for c in available if pattern.search(c)]
        if not matched:
            raise RenderError(f"COLUMNS('{pattern.pattern}') matches no column of {available}")
        template = projection.alias if isinstance(projection, exp.Alias) else None
        for column in matched:
            copy = projection.copy()
            target = next(copy.find_all(exp.Columns))
            if target is copy:  # a bare COLUMNS(...) projection: the column itself
                copy = exp.column(column, quoted=True)
            else:
                target.replace(exp.column(column, quoted=True))
            if template is not None:
                copy.set("alias", exp.to_identifier(template.replace("\\0", column), quoted=True))
            projections.append(copy)
    if changed:
        select.set("expressions", projections)


def _by_name_side(side: exp.Expression, names: list[str], have: list[str]) -> exp.Select:
    picks = [exp.column(n, quoted=True) if n in have else exp.alias_(exp.null(), n, quoted=True) for n in names]
    return exp.select(*picks).from_(exp.Subquery(this=side, alias=exp.TableAlias(this=exp.to_identifier("_by_name"))))


def _union_by_name(union: exp.Union, env: Mapping[str, list[str]], columns_of: ColumnsOf) -> exp.Expression:
    """``a UNION ALL BY NAME b`` -> positional UNION ALL of both sides in the union's column order."""
    names = _output_columns(union, env, columns_of)
    left, right = union.left, union.right
    left_names = _output_columns(left, env, columns_of)
    right_names = _output_columns(right, env, columns_of)
    if isinstance(left, exp.Union) and left.args.get("by_name"):
        left = _union_by_name(left, env, columns_of)
    return exp.Union(
        this=_by_name_side(left, names, left_names),
        expression=_by_name_side(right, names, right_names),
        distinct=union.args.get("distinct"),
    )


def _unpivot(pivot: exp.Pivot, env: Mapping[str, list[str]], columns_of: ColumnsOf, alias) -> exp.Expression:
    """DuckDB's ``UNPIVOT t ON cols INTO NAME n VALUE v`` -> ``SELECT * FROM t UNPIVOT (v FOR n IN (cols))``
    (in parentheses with ``alias`` as a FROM item; the SELECT alone when ``alias`` is False)."""
    source = pivot.this
    if isinstance(source, exp.Subquery):  # UNPIVOT (SELECT ...) ON ...: the inner query first
        source.set("this", _resolve(source.this, env, columns_of))
    available = _source_columns(source, env, columns_of)
    on: list[str] = []
    for item in pivot.expressions:
        if isinstance(item, exp.Columns):
            pattern = re.compile(_regex_of(item))
            on += [c for c in available if pattern.search(c)]
        else:
            on.append(item.name)
    into = pivot.args["into"]
    name_column, (value_column,) = into.this, into.expressions
    target = exp.Pivot(
        expressions=[exp.to_identifier(value_column.name)],
        fields=[exp.In(this=exp.to_identifier(name_column.name), expressions=[exp.column(c, quoted=True) for c in on])],
        unpivot=True,
    )
    table = source.copy()
    table.set("pivots", [target])
    select = exp.select("*").from_(table)
    return select if alias is False else exp.Subquery(this=select, alias=alias)


def _expand_unpivot_columns(source: exp.Expression, env: Mapping[str, list[str]], columns_of: ColumnsOf) -> None:
    """``FROM x UNPIVOT (v FOR n IN (COLUMNS('re')))``: the IN list as the matching columns of x, in place."""
    for pivot in source.args.get("pivots") or []:
        for field in pivot.args.get("fields") or []:
            if not any(isinstance(e, exp.Columns) for e in field.expressions):
                continue
            bare = source.copy()
            bare.set("pivots", None)
            available = _source_columns(bare, env, columns_of)
            names: list[str] = []
            for item in field.expressions:
                if isinstance(item, exp.Columns):
                    pattern = re.compile(_regex_of(item))
                    names += [c for c in available if pattern.search(c) and c not in names]
                else:
                    names.append(item.name)
            field.set("expressions", [exp.column(c, quoted=True) for c in names])


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
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            places = node.args["decimals"]
            if not isinstance(places, exp.Literal):
                # Spark's round takes a constant scale only; DuckDB's round(x, d) on a double is
                # round(x * 10^d) / 10^d (both round half away from zero), a column d included.
                scale = exp.Pow(this=exp.Literal.number(10), expression=places.copy())
                scaled = exp.Round(this=exp.Mul(this=_wrapped(node.this.copy()), expression=scale.copy()))
                return exp.Paren(this=exp.Div(this=scaled, expression=scale))
            return node
        if isinstance(node, exp.RegexpFullMatch) or name == "regexp_full_match":
            value, pattern = (
                (node.this, node.expression) if not isinstance(node, exp.Anonymous) else tuple(node.expressions)
            )
            if not isinstance(pattern, exp.Literal):
                raise RenderError("regexp_full_match needs a literal pattern")
            # RLIKE finds; the whole value must match. \z: Java's $ also matches before a final line break.
            return exp.RegexpLike(this=value, expression=exp.Literal.string(f"^(?:{pattern.this})\\z"))
        return node

    return tree.transform(rewrite)


def _resolve(query: exp.Expression, env: dict[str, list[str]], columns_of: ColumnsOf) -> exp.Expression:
    """COLUMNS, BY NAME and UNPIVOT rewritten, CTE by CTE (each one's columns known to the next)."""
    with_ = query.args.get("with_")
    local = dict(env)
    if with_ is not None:
        for cte in with_.expressions:
            cte.set("this", _resolve(cte.this, local, columns_of))
            local[cte.alias] = _output_columns(cte.this, local, columns_of)
    if isinstance(query, exp.Union):
        query.set("this", _resolve(query.left, local, columns_of))
        query.set("expression", _resolve(query.right, local, columns_of))
        if query.args.get("by_name"):
            rewritten = _union_by_name(query, local, columns_of)
            if with_ is not None:
                rewritten.set("with_", with_)
            return rewritten
        return query
    if isinstance(query, exp.Pivot) and query.args.get("unpivot"):  # a bare UNPIVOT statement (a CTE's body)
        rewritten = _unpivot(query, local, columns_of, False)
        if with_ is not None:
            rewritten.set("with_", with_)
        return rewritten
    if isinstance(query, exp.Select):
        for source in _sources(query):
            if (
                isinstance(source, exp.Subquery)
                and isinstance(source.this, exp.Pivot)
                and source.this.args.get("unpivot")
            ):
                source.replace(_unpivot(source.this, local, columns_of, source.args.get("alias")))
                continue
            if isinstance(source, exp.Subquery):
                source.set("this", _resolve(source.this, local, columns_of))
            _expand_unpivot_columns(source, local, columns_of)
        _expand_columns_in_select(query, local, columns_of)
    return query


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
    tree = _resolve(tree, {}, columns_of)
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
