"""Applies a pandera contract to a frame and turns its failure cases into quarantine problems."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.config import Layout
from pipelines.ingest.read_extract import LINE_COLUMN, RowProblem
from schemas.raw import REASONS

_INDEX = "_row"


def apply_contract(
    frame: pl.DataFrame, contract: type[pa.DataFrameModel], layout: Layout
) -> tuple[pl.DataFrame, list[RowProblem]]:
    """Rows passing the contract, and one problem per failing row (its first failure, in column order)."""
    for column in layout.columns:  # optional columns the file lacked load as blank
        if column.name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column.name))
    try:
        contract.validate(frame, lazy=True)
        return frame, []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    row_level = cases.filter(pl.col("index").is_not_null())
    if row_level.height < cases.height:
        schema_level = cases.filter(pl.col("index").is_null()).row(0, named=True)
        raise ValueError(f"{contract.__name__}: {schema_level['check']} on {schema_level['column']}")
    order = {c.name: i for i, c in enumerate(layout.columns)}
    headers = {c.name: c.header for c in layout.columns}
    identifiers = {c.name for c in layout.columns if c.identifier}
    lines = frame.get_column(LINE_COLUMN)
    first = (
        row_level.with_columns(pl.col("column").replace_strict(order, default=len(order)).alias("_order"))
        .sort(["index", "_order"])
        .unique(subset="index", keep="first", maintain_order=True)
    )
    problems = []
    for case in first.iter_rows(named=True):
        column = case["column"]
        check = case["check"].split("(")[0]
        value = None if column in identifiers else case["failure_case"]
        template = REASONS.get(check, check + " failed on {header}")
        reason = template.format(
            header=headers.get(column, column),
            value=value if value is not None else "(redacted)",
            format=layout.formats.get(column, ""),
        )
        problems.append(RowProblem(int(lines[case["index"]]), headers.get(column, column), value, reason))
    failed = first.get_column("index").cast(pl.Int64)
    passing = frame.with_row_index(_INDEX).filter(~pl.col(_INDEX).is_in(failed.implode())).drop(_INDEX)
    return passing, problems
