"""Upper-casing as the models do it, for every reader of the same text.

The SQL models upper-case with DuckDB's ``upper``, code point by code point (``ß`` to ``ẞ``, a
ligature kept); Java (Spark) and Rust (polars) map some characters to several (``ß`` to ``SS``,
``ﬆ`` to ``ST``), which moves a postcode's last three characters and can turn junk into a real
postcode. So whatever must agree with the models upper-cases by DuckDB's own table: the models
rendered for Spark (core/engines/sql_render.py, as ``translate``) and the gate's own postcode
normalisation (checks/postcodes.py), whose rates must equal the SQL's.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl


@lru_cache(maxsize=1)
def duckdb_upper() -> tuple[str, str]:
    """(every character DuckDB's ``upper`` changes, what it changes each to), read from DuckDB
    (~1,450 characters, ~0.25 s once a process)."""
    import duckdb

    # Every code point but the surrogates, which are no characters of their own.
    pairs = duckdb.sql(
        "SELECT chr(i::INTEGER) AS c, upper(chr(i::INTEGER)) AS u FROM range(0, 1114112) AS t(i) "
        "WHERE (i < 55296 OR i > 57343) AND upper(chr(i::INTEGER)) <> chr(i::INTEGER) ORDER BY i"
    ).fetchall()
    if any(len(upper) != 1 for _, upper in pairs):  # translate maps one character to one
        raise ValueError("DuckDB's upper maps a character to several: not renderable as translate")
    return "".join(c for c, _ in pairs), "".join(u for _, u in pairs)


def upper_expr(text: pl.Expr) -> pl.Expr:
    """DuckDB's ``upper`` of a polars text column."""
    lower, upper = duckdb_upper()
    return text.str.replace_many(list(lower), list(upper))


def upper_text(text: str) -> str:
    """DuckDB's ``upper`` of one string."""
    lower, upper = duckdb_upper()
    return text.translate(str.maketrans(lower, upper))
