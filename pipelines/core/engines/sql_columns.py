"""The column lists of DuckDB-only constructs, resolved on the parsed tree for other engines.

``COLUMNS('regex')`` in a projection or an ``UNPIVOT``, ``UNION ALL BY NAME`` and DuckDB's
``UNPIVOT t ON … INTO NAME n VALUE v`` name their columns by pattern or by name; another engine
needs them listed. ``resolve`` rewrites a parsed model CTE by CTE, each CTE's columns known to the
next, the stored tables' and registered relations' from ``columns_of`` (sql_render.py renders).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from sqlglot import exp

SOURCE_DIALECT = "duckdb"
ColumnsOf = Callable[[str], Sequence[str]]


class RenderError(ValueError):
    """A model uses a construct this renderer cannot turn into the target dialect."""


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
        columns = output_columns(source.this, env, columns_of)
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


def output_columns(query: exp.Expression, env: Mapping[str, list[str]], columns_of: ColumnsOf) -> list[str]:
    """The names of the columns a query returns, in order."""
    if isinstance(query, exp.Union):
        left = output_columns(query.left, env, columns_of)
        if query.args.get("by_name"):
            right = output_columns(query.right, env, columns_of)
            return left + [c for c in right if c not in left]
        return left
    if isinstance(query, exp.Subquery):
        return output_columns(query.this, env, columns_of)
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
    names = output_columns(union, env, columns_of)
    left, right = union.left, union.right
    left_names = output_columns(left, env, columns_of)
    right_names = output_columns(right, env, columns_of)
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
        source.set("this", resolve(source.this, env, columns_of))
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


def resolve(query: exp.Expression, env: dict[str, list[str]], columns_of: ColumnsOf) -> exp.Expression:
    """COLUMNS, BY NAME and UNPIVOT rewritten, CTE by CTE (each one's columns known to the next)."""
    with_ = query.args.get("with_")
    local = dict(env)
    if with_ is not None:
        for cte in with_.expressions:
            cte.set("this", resolve(cte.this, local, columns_of))
            local[cte.alias] = output_columns(cte.this, local, columns_of)
    if isinstance(query, exp.Union):
        query.set("this", resolve(query.left, local, columns_of))
        query.set("expression", resolve(query.right, local, columns_of))
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
                source.set("this", resolve(source.this, local, columns_of))
            _expand_unpivot_columns(source, local, columns_of)
        _expand_columns_in_select(query, local, columns_of)
    return query
