"""Loads the postcode directory and the IoD File 7 into the warehouse's reference tables.

The loaders read the national files' layouts (ONSPD/NSPL; English Indices of Deprivation File 7)
by column name, so the shipped subsets and the full national files load the same way. Tables are
rebuilt only when the files or the configured IMD edition change.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb

from pipelines.core.errors import one_line
from pipelines.ingest.landing import checksum
from pipelines.ingest.reference_checks import reference_problems


class ReferenceError(ValueError):
    pass


# Headers by (path, size, mtime): every month of a backfill looks for the same files, and DuckDB's
# CSV sniffer costs more than the lookup.
_HEADERS: dict[tuple[str, int, int], list[str]] = {}


def _header(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _HEADERS:
        rel = con.sql("SELECT * FROM read_csv(?, all_varchar = true, header = true) LIMIT 0", params=[str(path)])
        _HEADERS[key] = list(rel.columns)
    return list(_HEADERS[key])


def _find(con, reference_dir: Path, want: str) -> list[Path]:
    files = sorted(p for p in reference_dir.glob("*.csv"))
    return [p for p in files if want in _header(con, p)]


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path, rules: dict[str, Any]) -> dict[str, Any]:
    """Ensure ref_postcodes and ref_imd match the files in reference_dir and the configured edition."""
    edition = int(rules["imd"]["edition"])
    spec = rules["imd"]["editions"].get(edition) or rules["imd"]["editions"].get(str(edition))
    if spec is None:
        raise ReferenceError(f"IMD edition {edition} is not configured in the rules file")
    problems = reference_problems(reference_dir, rules)
    if problems:
        raise ReferenceError("\n".join(problems))
    postcode_files = _find(con, reference_dir, "pcds")
    imd_files = _find(con, reference_dir, spec["file_lsoa_header"])
    if not postcode_files:
        raise ReferenceError(f"{reference_dir}: no postcode directory file (a CSV with a 'pcds' column)")
    if not imd_files:
        raise ReferenceError(f"{reference_dir}: no IoD {edition} File 7 (a CSV with '{spec['file_lsoa_header']}')")
    files = postcode_files + imd_files
    # ONSPD/NSPL carry dointr; source-layouts.md's column list does not. Without it every postcode
    # counts as introduced, and the run summary and method notes say so.
    introduction_dates = all("dointr" in _header(con, p) for p in postcode_files)
    # "v2": tables loaded before introduction dates were kept must be rebuilt from the same files.
    fingerprint = hashlib.sha256("|".join(["v2", *(f"{p.name}:{checksum(p)}" for p in files)]).encode()).hexdigest()
    current = con.execute("SELECT fingerprint, imd_edition FROM reference_fingerprint").fetchall()
    summary = {"imd_edition": edition, "files": [p.name for p in files], "introduction_dates": introduction_dates}
    if current == [(fingerprint, edition)]:
        return summary
    lsoa_column = spec["postcode_lsoa_column"]
    decile_prefix = rules["imd"]["decile_header_prefix"]
    decile_columns = [c for c in _header(con, imd_files[0]) if c.startswith(decile_prefix)]
    if len(decile_columns) != 1:
        raise ReferenceError(f"{imd_files[0].name}: expected one column starting '{decile_prefix}'")
    try:
        _stage_postcodes(con, postcode_files, lsoa_column, any("dointr" in _header(con, p) for p in postcode_files))
        _stage_imd(con, imd_files, spec["file_lsoa_header"], decile_columns[0])
    except duckdb.Error as exc:  # a malformed line past what reference_problems looks at
        names = ", ".join(one_line(p.name) for p in files)
        raise ReferenceError(f"{names}: cannot be read as CSV: {str(exc).splitlines()[0]}") from None
    con.execute("BEGIN")
    con.execute("DELETE FROM ref_postcodes")
    # One row per postcode: live if any release has it live, else terminated at the latest
    # termination; introduced at the earliest introduction (NULL: no date, counted introduced).
    # The LSOA of a live release, else of the terminated one: a postcode terminated after a
    # reporting month is still valid, and placed, in that month.
    con.execute(
        """INSERT INTO ref_postcodes BY NAME
           SELECT postcode,
                  CASE WHEN bool_or(terminated IS NULL) THEN NULL ELSE max(terminated) END AS terminated,
                  coalesce(max(lsoa_code) FILTER (WHERE terminated IS NULL), max(lsoa_code)) AS lsoa_code,
                  CASE WHEN bool_or(introduced IS NULL) THEN NULL ELSE min(introduced) END AS introduced
           FROM _ref_postcodes GROUP BY postcode"""
    )
    con.execute("DELETE FROM ref_imd")
    con.execute("INSERT INTO ref_imd SELECT DISTINCT lsoa_code, imd_decile FROM _ref_imd")
    con.execute("DELETE FROM reference_fingerprint")
    con.execute(
        "INSERT INTO reference_fingerprint BY NAME SELECT ? AS fingerprint, ? AS imd_edition, ? AS files, "
        "? AS postcode_introduction_dates",
        [fingerprint, edition, ",".join(summary["files"]), introduction_dates],
    )
    con.execute("COMMIT")
    return summary


def _stage_postcodes(con: duckdb.DuckDBPyConnection, files: list[Path], lsoa_column: str, has_dointr: bool) -> None:
    """Read the directory files; refuse a postcode that is live with two different LSOAs."""
    introduced = "nullif(trim(dointr), '')" if has_dointr else "CAST(NULL AS VARCHAR)"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ref_postcodes AS
            SELECT normalise_postcode(pcds) AS postcode, nullif(trim(doterm), '') AS terminated,
                   {introduced} AS introduced,
                   nullif(trim("{lsoa_column}"), '') AS lsoa_code, parse_filename(filename) AS file
            FROM read_csv(?, all_varchar = true, header = true, union_by_name = true, filename = true)
            WHERE normalise_postcode(pcds) IS NOT NULL""",
        [[str(p) for p in files]],
    )
    clash = con.execute(
        """SELECT postcode, string_agg(DISTINCT coalesce(lsoa_code, '(none)'), ', '), string_agg(DISTINCT file, ', ')
           FROM _ref_postcodes WHERE terminated IS NULL GROUP BY postcode
           HAVING count(DISTINCT coalesce(lsoa_code, '')) > 1 ORDER BY postcode LIMIT 1"""
    ).fetchone()
    if clash:
        raise ReferenceError(
            f"{clash[2]}: postcode {clash[0]} is live with different LSOAs ({clash[1]}); "
            "keep one release of the postcode directory in the reference folder"
        )


def _stage_imd(con: duckdb.DuckDBPyConnection, files: list[Path], lsoa_header: str, decile_column: str) -> None:
    """Read the IoD File 7; every decile must be a whole number 1-10, one per LSOA."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ref_imd AS
            SELECT trim("{lsoa_header}") AS lsoa_code, "{decile_column}" AS decile_text,
                   TRY_CAST(trim("{decile_column}") AS INTEGER) AS imd_decile,
                   parse_filename(filename) AS file, row_number() OVER (PARTITION BY filename) + 1 AS line
            FROM read_csv(?, all_varchar = true, header = true, union_by_name = true, filename = true)""",
        [[str(p) for p in files]],
    )
    bad = con.execute(
        """SELECT file, line, decile_text FROM _ref_imd
           WHERE imd_decile IS NULL OR imd_decile NOT BETWEEN 1 AND 10 OR lsoa_code IS NULL OR lsoa_code = ''
           ORDER BY file, line LIMIT 1"""
    ).fetchone()
    if bad:
        raise ReferenceError(
            f"{bad[0]}, line {bad[1]}, column {decile_column}: '{bad[2]}' is not an IMD decile 1-10 (or the LSOA is blank)"
        )
    clash = con.execute(
        """SELECT lsoa_code, string_agg(DISTINCT file, ', ') FROM _ref_imd GROUP BY lsoa_code
           HAVING count(DISTINCT imd_decile) > 1 ORDER BY lsoa_code LIMIT 1"""
    ).fetchone()
    if clash:
        raise ReferenceError(f"{clash[1]}: LSOA {clash[0]} has two different IMD deciles")
