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

from pipelines.ingest.landing import checksum


class ReferenceError(ValueError):
    pass


def _header(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    rel = con.sql("SELECT * FROM read_csv(?, all_varchar = true, header = true) LIMIT 0", params=[str(path)])
    return list(rel.columns)


def _find(con, reference_dir: Path, want: str) -> list[Path]:
    files = sorted(p for p in reference_dir.glob("*.csv"))
    return [p for p in files if want in _header(con, p)]


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path, rules: dict[str, Any]) -> dict[str, Any]:
    """Ensure ref_postcodes and ref_imd match the files in reference_dir and the configured edition."""
    edition = int(rules["imd"]["edition"])
    spec = rules["imd"]["editions"].get(edition) or rules["imd"]["editions"].get(str(edition))
    if spec is None:
        raise ReferenceError(f"IMD edition {edition} is not configured in the rules file")
    if not reference_dir.is_dir():
        raise ReferenceError(f"{reference_dir}: reference folder not found")
    postcode_files = _find(con, reference_dir, "pcds")
    imd_files = _find(con, reference_dir, spec["file_lsoa_header"])
    if not postcode_files:
        raise ReferenceError(f"{reference_dir}: no postcode directory file (a CSV with a 'pcds' column)")
    if not imd_files:
        raise ReferenceError(f"{reference_dir}: no IoD {edition} File 7 (a CSV with '{spec['file_lsoa_header']}')")
    files = postcode_files + imd_files
    fingerprint = hashlib.sha256("|".join(f"{p.name}:{checksum(p)}" for p in files).encode()).hexdigest()
    current = con.execute("SELECT fingerprint, imd_edition FROM reference_fingerprint").fetchall()
    summary = {"imd_edition": edition, "files": [p.name for p in files]}
    if current == [(fingerprint, edition)]:
        return summary
    lsoa_column = spec["postcode_lsoa_column"]
    decile_prefix = rules["imd"]["decile_header_prefix"]
    decile_columns = [c for c in _header(con, imd_files[0]) if c.startswith(decile_prefix)]
    if len(decile_columns) != 1:
        raise ReferenceError(f"{imd_files[0].name}: expected one column starting '{decile_prefix}'")
    con.execute("BEGIN")
    con.execute("DELETE FROM ref_postcodes")
    con.execute(
        f"""INSERT INTO ref_postcodes
            SELECT DISTINCT normalise_postcode(pcds), nullif(trim(doterm), ''), nullif(trim("{lsoa_column}"), '')
            FROM read_csv(?, all_varchar = true, header = true, union_by_name = true)""",
        [[str(p) for p in postcode_files]],
    )
    con.execute("DELETE FROM ref_imd")
    con.execute(
        f"""INSERT INTO ref_imd
            SELECT DISTINCT trim("{spec["file_lsoa_header"]}"), TRY_CAST("{decile_columns[0]}" AS INTEGER)
            FROM read_csv(?, all_varchar = true, header = true, union_by_name = true)""",
        [[str(p) for p in imd_files]],
    )
    con.execute("DELETE FROM reference_fingerprint")
    con.execute(
        "INSERT INTO reference_fingerprint VALUES (?, ?, ?)", [fingerprint, edition, ",".join(summary["files"])]
    )
    con.execute("COMMIT")
    return summary
