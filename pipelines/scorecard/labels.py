"""Words the scorecard writes: month names, anchors, the names of the files beside it, the run time."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
COMPLETENESS_LABEL = {
    "complete": "Complete",
    "missing": "Missing",
    "unreadable": "Unreadable",
    "incomplete": "Incomplete",
    "empty": "Empty",
}


def month_label(month: str, short: bool = False) -> str:
    year, mon = month.split("-")
    name = MONTH_NAMES[int(mon) - 1]
    return f"{name[:3] if short else name} {year}"


def slug(text: str) -> str:
    """Lower-case letters and digits joined by hyphens: for ids and anchors."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def relative_name(target: Path, out_dir: Path) -> str:
    """The path of target from out_dir, as words name it (a file for analysts, not a link)."""
    return Path(os.path.relpath(Path(target).resolve(), Path(out_dir).resolve())).as_posix()


def months_span(months: list[str]) -> str:
    """'3 months: April 2025 to June 2025', naming any month missing in between."""
    if not months:
        return "none"
    text = (
        f"{len(months)} month{'s' if len(months) != 1 else ''}: {month_label(months[0])} to {month_label(months[-1])}"
    )
    year, mon = map(int, months[0].split("-"))
    expected = []
    while f"{year:04d}-{mon:02d}" <= months[-1]:
        expected.append(f"{year:04d}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    stored = set(months)
    gaps = [m for m in expected if m not in stored]
    if gaps:
        text += " (none stored for " + ", ".join(month_label(m) for m in gaps) + ")"
    return text


def run_time(run_started: datetime | None) -> str:
    """'10 June 2025, 06:00:00 UTC', or 'not recorded'."""
    if run_started is None:
        return "not recorded"
    zone = run_started.strftime("%Z")
    return (
        f"{run_started.day} {MONTH_NAMES[run_started.month - 1]} {run_started.year}, "
        f"{run_started.strftime('%H:%M:%S')}" + (f" {zone}" if zone else "")
    )
