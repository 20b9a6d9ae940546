"""Which of a Trust-month's extracts come from its system of record, and which are a parallel run.

At a go-live a Trust may send the same month from two systems (the old system's extract and the
new system's test extract). Only the system of record's extract may feed `bookings`: counting
both would count the same women twice. The system of record is data (schemas/layouts.yaml,
`providers:` with each Trust's `systems` by month); the other system's files are parallel-run
extracts, read by the same readers and contracts and loaded to their own tables.

Decided per Trust over the month's current files (readable or not: an unreadable K2 extract is
still the K2 submission, and its Trust's month is unreadable, not silently Cerner's):

* the layouts file names the month's system and it sent files: that system is the record;
* it names a system that sent nothing: the month's files are loaded as the Trust's submission
  (the earliest-listed system's if several sent), and a warning says the history needs updating;
* no history (`ODS: name`): the one system that sent files; two or more is a warning, and the
  system whose layout is listed first in the layouts file is taken as the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from pipelines.core.config import Layouts
from pipelines.ingest.landing import Extract

# Warnings this module adds to a submission start with this, so the run summary can find them.
NOTE_PREFIX = "system of record: "


class Routed(Protocol):
    """A file of the month as read_month holds it (FileResult)."""

    extract: Extract
    status: str
    parallel: bool
    warnings: list[str]


def route(files: Iterable[Routed], layouts: Layouts, month: str) -> None:
    """Mark each file `parallel` (or not) and put any warning on the record system's first file."""
    by_org: dict[str, list[Routed]] = {}
    for f in files:
        by_org.setdefault(f.extract.org_code, []).append(f)
    for org, group in sorted(by_org.items()):
        current = [f for f in group if f.status != "superseded"]
        sent = [s for s in layouts.system_order if any(f.extract.layout.system == s for f in current)]
        if not sent:
            continue
        record, note = choose_record(org, month, sent, layouts.system_of_record(org, month))
        for f in group:
            f.parallel = f.extract.layout.system != record
        if note:
            first = min((f for f in current if not f.parallel), key=lambda f: f.extract.file_name)
            first.warnings.append(NOTE_PREFIX + note)


def choose_record(org: str, month: str, sent: list[str], named: str | None) -> tuple[str, str | None]:
    """(the system of record, a warning or None). `sent`: systems that sent files, in layout order."""
    if named in sent:
        return named, None
    record, others = sent[0], sent[1:]
    # No "; " inside a note: a submission's warnings are joined with it.
    parallel = f" ({' and '.join(others)} loaded as a parallel run)" if others else ""
    if named is not None:
        return record, (
            f"the layouts file names {named} as {org}'s system of record for {month}, but no {named} "
            f"extract arrived, so {record} was loaded as the month's submission{parallel}: update the "
            "Trust's systems in the layouts file if it has changed system"
        )
    if others:
        return record, (
            f"the layouts file gives {org} no history of systems, and {' and '.join(sent)} sent extracts for "
            f"{month}, so {record} (its layout is listed first) was taken as the system of record{parallel}: "
            f"give {org} its systems by month in the layouts file's providers"
        )
    return record, None
