"""Finds the month's extracts in the landing folder and decides which ones count.

A later extract for the same Trust, system, role and month is a resubmission: it replaces the
earlier one completely. "Later" is the newer modification time, ties broken by file name, so a
`_resub1` suffix wins over the original when both arrive in the same copy.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.core.config import Layout, Layouts


@dataclass(frozen=True)
class Extract:
    path: Path
    layout: Layout
    org_code: str
    month: str  # YYYY-MM named by the file

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def slot(self) -> tuple[str, str, str, str]:
        """What a resubmission replaces: one Trust's file of one role in one month."""
        return (self.layout.system, self.layout.role, self.org_code, self.month)


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def identify(path: Path, layouts: Layouts) -> Extract | None:
    for layout in layouts.layouts:
        match = re.match(layout.file_pattern, path.name)
        if match:
            month = f"{match['yyyy']}-{match['mm']}"
            return Extract(path=path, layout=layout, org_code=match["org"], month=month)
    return None


def _files(landing: Path) -> list[Path]:
    # Top level only: subfolders (reference/, an archive of old submissions) are not submissions.
    return sorted(p for p in landing.iterdir() if p.is_file() and not p.name.startswith("."))


def discover(landing: Path, layouts: Layouts, months: set[str] | None = None) -> list[Extract]:
    """Every file in the landing folder whose name matches a layout, optionally for some months."""
    found = []
    for path in _files(landing):
        extract = identify(path, layouts)
        if extract and (months is None or extract.month in months):
            found.append(extract)
    return found


def choose_current(extracts: list[Extract]) -> tuple[list[Extract], list[Extract]]:
    """Split into the extracts that count and the ones a later file for the same slot replaces."""
    by_slot: dict[tuple[str, str, str, str], list[Extract]] = {}
    for extract in extracts:
        by_slot.setdefault(extract.slot, []).append(extract)
    current, superseded = [], []
    for slot in sorted(by_slot):
        ranked = sorted(by_slot[slot], key=lambda e: (e.path.stat().st_mtime_ns, e.path.name))
        current.append(ranked[-1])
        superseded.extend(ranked[:-1])
    return current, superseded


def months_in_landing(landing: Path, layouts: Layouts) -> list[str]:
    return sorted({e.month for e in discover(landing, layouts)})


def unrecognised(landing: Path, layouts: Layouts) -> list[str]:
    """Files in the landing folder whose names match no layout: reported, never silently skipped."""
    return [p.name for p in _files(landing) if identify(p, layouts) is None]
