"""What the reference folder must hold before its files are loaded, one line per problem.

The postcode directory (ONSPD/NSPL layout) and the IoD File 7 are national files a user
downloads and may get wrong: cut short by a failed download, a spreadsheet saved in their
place, an edition without the LSOA column the configured IMD edition needs, a File 7 holding
its header only (which would make every woman's IMD "Not known" without a word). Each is
named here with the file and the reason, so that `mdq` stops with exit 2 before any month
runs, instead of failing inside the load with a database error or, worse, loading.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path
from typing import Any

from pipelines.core.errors import one_line

_HEAD = 1 << 16  # enough of a file to see its header and first rows


def _head(path: Path) -> tuple[list[str] | None, str | None]:
    """(the first lines of the file, None), or (None, why it cannot be read as CSV text)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD)
            size = fh.seek(0, 2)
            fh.seek(max(0, size - _HEAD))
            tail = fh.read(_HEAD)
    except OSError as exc:
        return None, f"cannot open: {exc.strerror or exc}"
    if not head.strip():
        return None, "empty file"
    if b"\x00" in head:
        return None, "binary content (a NUL byte), not a CSV file"
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=size <= _HEAD)
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte 0x{head[exc.start]:02x}): not a CSV file as ONS and MHCLG publish them"
    lines = text.splitlines()
    if not tail.endswith((b"\n", b"\r")) and _last_line_is_short(lines, tail):
        return None, "truncated: the last line has fewer fields than the header and no line end (an incomplete download?)"
    return lines, None


def _last_line_is_short(lines: list[str], tail: bytes) -> bool:
    """A download cut short ends inside a row. Files written without a final line end are common
    and whole, so only a last row with fewer fields than the header counts as cut."""
    header = next(csv.reader(lines[:1]), [])
    last = tail.splitlines()[-1].decode("utf-8", errors="replace") if tail.strip() else ""
    return len(next(csv.reader([last]), [])) < len(header)


def reference_problems(reference_dir: Path, rules: dict[str, Any]) -> list[str]:
    """Every problem with the reference folder's postcode directory and IoD File 7, one per line."""
    if not reference_dir.is_dir():
        return [f"{reference_dir}: reference folder not found"]
    imd = rules["imd"]
    edition = imd["edition"]
    spec = imd["editions"].get(edition) or imd["editions"].get(str(edition))
    lsoa_column, lsoa_header, prefix = (
        spec["postcode_lsoa_column"],
        spec["file_lsoa_header"],
        imd["decile_header_prefix"],
    )
    problems: list[str] = []
    directories, deprivation = [], []
    for path in sorted(reference_dir.glob("*.csv")):
        name = one_line(path.name)
        lines, problem = _head(path)
        if problem:
            problems.append(f"{name}: {problem}")
            continue
        header = next(csv.reader(lines[:1]), [])
        has_data = any(line.strip() for line in lines[1:])
        if "pcds" in header:
            directories.append(path)
            missing = [c for c in ("pcds", "doterm", lsoa_column) if c not in header]
            if missing:
                problems.append(
                    f"{name}: the postcode directory has no {', '.join(repr(c) for c in missing)} column "
                    f"(IMD edition {edition} needs {lsoa_column!r})"
                )
            if not has_data:
                problems.append(f"{name}: the postcode directory holds its header only: no postcode in it")
        elif lsoa_header in header:
            deprivation.append(path)
            deciles = [c for c in header if c.startswith(prefix)]
            if len(deciles) != 1:
                problems.append(f"{name}: expected one column starting {prefix!r}, found {len(deciles)}")
            if not has_data:
                problems.append(f"{name}: the IoD {edition} File 7 holds its header only: no LSOA would get a decile")
    if problems and not (directories and deprivation):
        return problems  # the file that could not be read is likely the one missing
    if not directories:
        problems.append(f"{reference_dir}: no postcode directory file (a CSV with a 'pcds' column)")
    if not deprivation:
        problems.append(f"{reference_dir}: no IoD {edition} File 7 (a CSV with {lsoa_header!r})")
    return problems
