"""CSV files made to be opened in a spreadsheet: no cell may start a formula.

Excel, LibreOffice and Sheets run a cell starting `=`, `+`, `-` or `@` (and, by some routes, a
tab or carriage return) as a formula: `=HYPERLINK(...)` or `+cmd|' /C calc'!A0` from an extract
would act when an analyst opens a worklist. Following OWASP's CSV injection advice, such a text
value is written with a leading apostrophe, which makes it text; the CSV writer quotes the rest.
Numbers are not text and keep their sign.
"""

from __future__ import annotations

import polars as pl

_STARTS_A_FORMULA = r"^[=+\-@\t\r]"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text value that starts a formula prefixed by an apostrophe."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_STARTS_A_FORMULA))
        .then(pl.concat_str(pl.lit("'"), pl.col(name)))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


def spreadsheet_csv(frame: pl.DataFrame) -> bytes:
    """The frame as UTF-8 CSV for a spreadsheet: header row, NULL as an empty cell, no formulas."""
    return neutralise_formulas(frame).write_csv(null_value="").encode("utf-8")
