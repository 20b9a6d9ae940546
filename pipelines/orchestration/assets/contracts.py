"""Schema conformance of a stored table's month, as a check verdict (run by the asset that writes it)."""

import dagster as dg
import duckdb
import pandera.polars as pa

from pipelines.orchestration.check_events import verdict


def contract_verdict(
    con: duckdb.DuckDBPyConnection, asset: str, table: str, model: type[pa.DataFrameModel], month: str
) -> dg.AssetCheckEvaluation:
    """`<table>_contract`: the month's rows of `table` against its pandera model."""
    frame = con.sql(f"SELECT * FROM {table} WHERE reporting_month = $m", params={"m": month}).pl()
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        checks = sorted(set(exc.failure_cases.get_column("check").to_list()))
        return verdict(
            asset,
            f"{table}_contract",
            month,
            False,
            {"rows": frame.height, "failed_checks": ", ".join(checks)},
            description=f"{table} rows break {model.__name__}: " + ", ".join(checks),
        )
    return verdict(asset, f"{table}_contract", month, True, {"rows": frame.height})
