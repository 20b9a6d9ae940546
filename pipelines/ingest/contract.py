"""Applies a pandera contract to frames and turns its failure cases into quarantine problems.

All files of one layout in a month are validated in one call: pandera's cost is mostly per
validation, not per row, and a national month has ~165 files.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.core.config import Layout
from pipelines.ingest.read_extract import LINE_COLUMN, RowProblem
from schemas.raw import REASONS

_INDEX = "_row"
SOURCE_COLUMN = "_source"  # which of the batch's frames a row came from


def apply_contract(
    frame: pl.DataFrame, contract: type[pa.DataFrameModel], layout: Layout
) -> tuple[pl.DataFrame, list[RowProblem]]:
    """Rows passing the contract, and one problem per failing row (its first failure, in column order)."""
    passing, [problems] = validate_batch([frame], contract, layout)
    return passing.drop(SOURCE_COLUMN), problems


def validate_batch(
    frames: list[pl.DataFrame], contract: type[pa.DataFrameModel], layout: Layout
) -> tuple[pl.DataFrame, list[list[RowProblem]]]:
    """(passing rows of all frames, SOURCE_COLUMN = index in ``frames``; problems per frame); frames not empty."""
    combined = pl.concat(
        [
            _with_layout_columns(f, layout).with_columns(pl.lit(i, dtype=pl.Int32).alias(SOURCE_COLUMN))
            for i, f in enumerate(frames)
        ],
        how="vertical",
    ).with_row_index(_INDEX)
    first = first_failures(combined.drop(_INDEX, SOURCE_COLUMN), contract, layout)
    problems: list[list[RowProblem]] = [[] for _ in frames]
    located = first.join(combined.select(_INDEX, SOURCE_COLUMN, LINE_COLUMN), left_on="index", right_on=_INDEX)
    for case in located.iter_rows(named=True):
        problems[case[SOURCE_COLUMN]].append(
            contract_problem(int(case[LINE_COLUMN]), case["column"], case["check"], case["failure_case"], layout)
        )
    passing = combined.filter(~pl.col(_INDEX).is_in(first.get_column("index").implode())).drop(_INDEX)
    return passing, problems


def contract_problem(line: int, column: str, check: str, failure_case: str | None, layout: Layout) -> RowProblem:
    """A row's first contract failure (``first_failures``) as its quarantine problem: the column's
    header, the value unless the column identifies someone, and the check's reason (REASONS)."""
    headers = {c.name: c.header for c in layout.columns}
    check = check.split("(")[0]
    value = None if any(c.identifier and c.name == column for c in layout.columns) else failure_case
    reason = REASONS.get(check, check + " failed on {header}").format(
        header=headers.get(column, column),
        value=value if value is not None else "(redacted)",
        format=layout.formats.get(column, ""),
    )
    return RowProblem(line, headers.get(column, column), value, reason)


def _with_layout_columns(frame: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Optional columns a file lacked load as blank; every frame gets the layout's column order."""
    missing = [pl.lit(None, dtype=pl.String).alias(c.name) for c in layout.columns if c.name not in frame.columns]
    return frame.with_columns(missing).select(LINE_COLUMN, *(c.name for c in layout.columns))


def first_failures(
    frame: pl.DataFrame, contract: type[pa.DataFrameModel] | pa.DataFrameSchema, layout: Layout
) -> pl.DataFrame:
    """(index, column, check, failure_case): each failing row's first failure, in column order.

    Every check of the raw contracts judges a row by that row alone, so this may run on any
    slice of the rows (the Spark engine runs it on each partition: ingest/spark_contract.py)."""
    empty = pl.DataFrame(
        schema={"index": pl.UInt32, "column": pl.String, "check": pl.String, "failure_case": pl.String}
    )
    try:
        contract.validate(frame, lazy=True)
        return empty
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    if cases.filter(pl.col("index").is_null()).height:
        schema_level = cases.filter(pl.col("index").is_null()).row(0, named=True)
        name = contract.name if isinstance(contract, pa.DataFrameSchema) else contract.__name__
        raise ValueError(f"{name}: {schema_level['check']} on {schema_level['column']}")
    order = {c.name: i for i, c in enumerate(layout.columns)}
    return (
        cases.with_columns(pl.col("column").replace_strict(order, default=len(order)).alias("_order"))
        .sort(["index", "_order"])
        .unique(subset="index", keep="first", maintain_order=True)
        .select(pl.col("index").cast(pl.UInt32), "column", "check", "failure_case")
    )
