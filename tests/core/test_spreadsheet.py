"""Spreadsheet CSVs: no cell starts a formula (OWASP CSV injection: = + - @ tab CR)."""

from __future__ import annotations

import polars as pl

from pipelines.core.spreadsheet import neutralise_formulas, spreadsheet_csv


def test_formula_triggers_get_an_apostrophe_and_nothing_else_changes():
    frame = pl.DataFrame(
        {
            "text": ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "safe", None, "a=b", ""],
            "number": [-1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        }
    )
    out = neutralise_formulas(frame)
    assert out["text"].to_list() == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx", "safe", None, "a=b", ""]
    assert out["number"].to_list() == frame["number"].to_list()  # a number is no formula


def test_spreadsheet_csv_quotes_what_needs_it():
    frame = pl.DataFrame({"value": ['=HYPERLINK("http://x","y")', None], "line": [2, 3]})
    assert spreadsheet_csv(frame) == b'value,line\n"\'=HYPERLINK(""http://x"",""y"")",2\n,3\n'
