"""The pandas batch Great Expectations validates, made from the month's canonical bookings.

NULLs are coalesced to ``NULL_SENTINEL`` so that GE's element_count is every row and its
success ratio is valid / all rows, as MSDS counts it. In postcode directory mode the frame also
needs ``postcode_live`` (the gate's own directory lookup); postcodes not live are marked.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from checks.measure_specs import NULL_SENTINEL, MeasureSpec
from checks.postcodes import LIVE_COLUMN, mark_not_live
from pipelines.core.months import is_month

REQUIRED_COLUMNS = ("reporting_month", "org_code")
RECORD_COLUMNS = ("source_file", "source_line")


# The dtype ``Series.astype(str)`` gives in the installed pandas (3.x: the pyarrow-backed "str").
_STR_DTYPE = pd.Series([], dtype=object).astype(str).dtype


def _coalesce(series: pd.Series) -> pd.Series:
    values = series.astype(object)
    return values.where(values.notna(), NULL_SENTINEL).astype(str)


def _as_str(series: pd.Series, *, coalesce: bool) -> Any:
    """The values as ``astype(str)`` gives them (NULLs as ``NULL_SENTINEL`` if ``coalesce``).

    A column that already has that dtype (what DuckDB -> Arrow -> pandas gives) is used as it is,
    with ``fillna`` for the NULLs: the same values and dtype as the general path, which goes
    through Python objects and costs ~20 ms per column and national month.
    """
    if series.dtype == _STR_DTYPE:
        return (series.fillna(NULL_SENTINEL) if coalesce else series).array
    return (_coalesce(series) if coalesce else series.astype(str)).to_numpy()


def prepare_batch(bookings: pd.DataFrame, specs: list[MeasureSpec]) -> pd.DataFrame:
    needed = list(REQUIRED_COLUMNS) + [spec.column for spec in specs]
    needed += [LIVE_COLUMN] if any(spec.directory for spec in specs) else []
    missing = [col for col in dict.fromkeys(needed) if col not in bookings.columns]
    if missing:
        raise ValueError(f"bookings frame lacks column(s) {missing}")
    for col in REQUIRED_COLUMNS:
        if bookings[col].isna().any():
            raise ValueError(f"bookings.{col} has NULLs; every booking needs a Trust and month")
    frame = pd.DataFrame(
        {
            "reporting_month": _as_str(bookings["reporting_month"], coalesce=False),
            "org_code": _as_str(bookings["org_code"], coalesce=False),
        }
    )
    for col in dict.fromkeys(spec.column for spec in specs):
        frame[col] = _as_str(bookings[col], coalesce=True)
    for col in RECORD_COLUMNS:  # where each row came from, for the Data Docs (not validated)
        if col in bookings.columns:
            frame[col] = bookings[col].to_numpy()
    for spec in specs:
        if spec.directory:
            frame[spec.column] = mark_not_live(frame[spec.column], bookings[LIVE_COLUMN], NULL_SENTINEL).to_numpy()
    bad = sorted({m for m in frame["reporting_month"].unique() if not is_month(m)})
    if bad:
        raise ValueError(f"reporting_month values not 'YYYY-MM': {bad[:5]}")
    return frame
