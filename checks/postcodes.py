"""The gate's own reading of the postcode rule, independent of the warehouse's postcode columns.

Great Expectations must judge the same directory-based validity as the SQL measures without
re-reading the mart's verdict (that would check nothing). So the gate normalises the postcodes
as typed itself, from the rules file (white space class, null tokens), finds which are live in
the postcode directory by its own query (pipelines/gate/results.py), and its expectation applies
the null, pseudo-postcode and format rules to the result. Its per-Trust rates must then equal
the SQL rates (pipelines/gate/verdicts.py raises if not).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
import polars as pl

from pipelines.core.upper_case import upper_expr, upper_text
from pipelines.core.whitespace import whitespace_class_python

# Appended to a normalised postcode that is not live in the postcode directory in its month, so
# the expectation's regex (which allows no second space) rejects it and Data Docs says why.
NOT_LIVE_NOTE = " (not live in the postcode directory in the reporting month)"
LIVE_COLUMN = "postcode_live"


def normalise_postcodes(values: pd.Series, rules: Mapping[str, Any]) -> pd.Series:
    """measures.md rule 1: remove every white-space character of the rules' class, upper-case (as
    the SQL does, code point by code point), one space before the last three characters; blank and
    null tokens become None.

    In polars (Rust regex, the same class as Python's `re` reads): a national month has ~55,000
    postcodes, ~0.12 s a month value by value in Python.
    """
    blank = whitespace_class_python(rules)
    tokens = [upper_text(re.sub(blank, "", str(t))) for t in rules["postcode"]["null_tokens"]]
    typed = pl.from_pandas(values.astype("string"), nan_to_null=True).cast(pl.String)
    # Upper-cased as the SQL does (DuckDB's upper): polars' own makes ß SS, so `ß1 1aa` would be
    # SS1 1AA here and ẞ1 1AA in the SQL, valid to one and invalid to the other.
    compact = upper_expr(pl.col("v").str.replace_all(blank, ""))
    length = compact.str.len_chars()
    normalised = (
        pl.when(compact.is_in(tokens))
        .then(None)
        .when(length <= 3)
        .then(compact)
        .otherwise(pl.concat_str(compact.str.slice(0, length - 3), pl.lit(" "), compact.str.slice(-3)))
    )
    out = pl.DataFrame({"v": typed}).select(normalised.alias("v")).to_series().to_list()
    return pd.Series(out, index=values.index, dtype=object)


def mark_not_live(postcodes: pd.Series, live: pd.Series, null_sentinel: str) -> pd.Series:
    """The values GE validates in directory mode: a postcode not live in the month carries NOT_LIVE_NOTE."""
    values = pd.Series(postcodes.to_numpy(dtype=object), dtype=object)
    flags = pd.Series(live.to_numpy(), dtype=object).fillna(False).astype(bool).to_numpy()
    present = (values != null_sentinel).to_numpy()
    values[present & ~flags] = values[present & ~flags] + NOT_LIVE_NOTE
    return values
