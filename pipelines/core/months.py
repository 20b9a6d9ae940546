"""Month arithmetic for reporting months (`YYYY-MM`): the one place both the CLI and the generator use."""

from __future__ import annotations

import re

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(month: str) -> tuple[int, int]:
    match = MONTH_PATTERN.match(month or "")
    if not match:
        raise ValueError(f"month must be YYYY-MM, got {month!r}")
    return int(match.group(1)), int(match.group(2))


def is_month(text: str) -> bool:
    return bool(MONTH_PATTERN.match(text or ""))


def months_between(start: str, end: str) -> list[str]:
    """Inclusive list of YYYY-MM months from start to end."""
    y, m = parse_month(start)
    y_end, m_end = parse_month(end)
    if (y, m) > (y_end, m_end):
        raise ValueError(f"start month {start} is after end month {end}")
    months = []
    while (y, m) <= (y_end, m_end):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def previous_month(month: str) -> str:
    y, m = parse_month(month)
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def next_month(month: str) -> str:
    y, m = parse_month(month)
    return f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"


def month_ordinal(month: str) -> int:
    y, m = parse_month(month)
    return (y - 2000) * 12 + (m - 1)
