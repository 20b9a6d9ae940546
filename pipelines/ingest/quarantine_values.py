"""Keeps identifiers out of quarantine.value and its reason, wherever they turn up.

Identifier columns are never copied to quarantine (contract.py redacts them by name). But a
record can hold the right number of fields with its columns shifted (an unquoted separator in
one field, two fields run together in another), and then a date of birth or an NHS number sits
in the booking date column, fails its check and would be quarantined with its value. So every
quarantined value is judged by its shape too: one that matches an identifier column's pattern
of its layout (schemas/layouts.yaml `patterns`), or is a date in the layout's date-of-birth
format far enough before the file's month to be a mother's (`date_of_birth_min_age_years`), is
withheld, and the reason is written without it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pipelines.core.config import Layout, Layouts
from pipelines.core.months import parse_month
from pipelines.ingest.read_extract import RowProblem

WITHHELD = "(withheld: shaped like an identifier)"


def _as_date(value: str, fmt: str | None) -> date | None:
    if not fmt:
        return None
    try:
        return datetime.strptime(value.strip(), fmt).date()
    except ValueError:
        return None


def identifier_shaped(value: str, layout: Layout, month: str, min_age_years: int | None) -> bool:
    """Whether the value could be one of the layout's identifiers (so must not be shown)."""
    identifiers = {c.name for c in layout.columns if c.identifier}
    for name, pattern in layout.patterns.items():
        if name in identifiers and re.search(pattern, value.strip()):
            return True
    born = _as_date(value, layout.formats.get("date_of_birth"))
    if born is None or min_age_years is None:
        return False
    year, mm = parse_month(month)
    return (year - born.year) * 12 + (mm - born.month) >= 12 * min_age_years


def _reason_without(problem: RowProblem, layout: Layout) -> str:
    value = problem.value or ""
    reason = problem.reason.replace(f"'{value}'", WITHHELD)
    # Placement writes the booking date as it parsed it (YYYY-MM-DD), not as typed.
    parsed = _as_date(value, layout.formats.get("booking_date"))
    if parsed is not None:
        reason = reason.replace(f" {parsed.isoformat()} ", f" {WITHHELD} ")
    if (value.strip() and value.strip() in reason) or (parsed and parsed.isoformat() in reason):
        return f"{problem.column or 'a field'}: value {WITHHELD} failed its check"
    return reason


def for_quarantine(problems: list[RowProblem], layout: Layout, month: str, layouts: Layouts) -> list[RowProblem]:
    """The problems as quarantine may store them: identifier-shaped values withheld."""
    safe = []
    for problem in problems:
        if problem.value is not None and identifier_shaped(
            problem.value, layout, month, layouts.date_of_birth_min_age_years
        ):
            problem = RowProblem(problem.line, problem.column, None, _reason_without(problem, layout))
        safe.append(problem)
    return safe
