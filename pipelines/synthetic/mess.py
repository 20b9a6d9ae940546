"""Faults injected into synthetic extracts.

Row-level faults go into every generated file at small settable rates. None of them can move a
gated rate far: they are added rows (which a conforming reader quarantines), copies (which count
once), or damage to non-gated columns of rows whose postcode and ethnicity are both valid, so a
pipeline that quarantined those rows too would only lower a rate, never lift a failing one.

File-level faults (header only, truncation, wrong encoding, missing or renamed columns) are kept
out of the shipped sample apart from one reordered RJC header; the functions at the end apply
them to a generated file for tests.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from .people import Booking, break_nhs_number
from .writers import ROW_BUILDERS, FileFormat, file_format, layout_of, write_text


@dataclass(frozen=True)
class MessRates:
    """Per-row fault rates (share of the month's bookings); defaults are the shipped sample's."""

    duplicate_row: float = 0.005  # exact repeat of a row
    duplicate_id_conflict: float = 0.004  # same pregnancy ID, different non-gated content
    bad_date_format: float = 0.003  # booking date in another format (extra row)
    impossible_date: float = 0.003  # 31/02 or year 1900 (extra row)
    outside_month: float = 0.006  # booked in the previous month (extra row)
    future_booking: float = 0.002  # year typed as 2027 (extra row)
    numeric_junk: float = 0.006  # 'abc', '12..5' in a measurement column
    nhs_mod11_fail: float = 0.008  # NHS number with a wrong check digit
    # (org, month) whose file has its columns reordered and one header re-cased.
    reordered_header: tuple[tuple[str, str], ...] = (("RJC", "2025-09"),)

    @classmethod
    def clean(cls) -> MessRates:
        """No injected faults at all (the data's own blanks and implausible values remain)."""
        return cls(duplicate_row=0, duplicate_id_conflict=0, bad_date_format=0, impossible_date=0,
                   outside_month=0, future_booking=0, numeric_junk=0, nhs_mod11_fail=0,
                   reordered_header=())


JUNK = ("abc", "12..5", "?", "see notes", "-", "1,64")
JUNK_GESTATION_K2 = ("10+", "12..5", "abc", "10 wks")
REORDERED_BADGERNET = ("pregnancy_id", "site_code", "booking_date", "nhs_number", "date_of_birth",
                       "postcode", "ethnic_source", "gestation", "smoking_source", "co_ppm",
                       "height", "weight", "bmi", "notes")


def _count(rate: float, n: int, rng: random.Random) -> int:
    # Stochastic rounding: small Trusts still get the odd fault over a year of months.
    exact = rate * n
    return math.floor(exact) + (1 if rng.random() < exact - math.floor(exact) else 0)


def _booking_text(system: str, b: Booking, when: datetime) -> str:
    return ROW_BUILDERS[system](replace(b, booked_at=when, overrides={}))["booking_date"]


def _wrong_format(system: str, when: datetime) -> str:
    if system == "K2":
        return f"{when.year:04d}/{when.month:02d}/{when.day:02d}"
    if system == "BadgerNet":
        return f"{when.day:02d}/{when.month:02d}/{when.year:04d}"
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d} {when.hour:02d}:{when.minute:02d}:00"


def _impossible(system: str, b: Booking, rng: random.Random) -> str:
    when = b.booked_at
    if rng.random() < 0.5:
        return _booking_text(system, b, when.replace(year=1900, day=min(when.day, 28)))
    text = _booking_text(system, b, when.replace(month=1, day=13))
    # Swap the real month/day for 31 February in whatever layout the date is written.
    if system == "K2":
        return "31/02" + text[5:]
    if system == "BadgerNet":
        return text[:5] + "02-31"
    return "31-FEB" + text[6:]


def _junk_key(system: str, b: Booking, rng: random.Random) -> tuple[str, str]:
    if system == "Cerner":
        present = [k for k, v in (("height_cm", b.height_cm), ("weight_kg", b.weight_kg),
                                  ("co_ppm", b.co_ppm)) if v is not None]
        if present and rng.random() < 0.7:
            return f"event:{rng.choice(present)}", rng.choice(JUNK[:4])
        return "gestation", rng.choice(("abc", "12..5"))
    key = rng.choice(("height", "weight", "bmi", "co_ppm", "gestation"))
    if key == "gestation" and system == "K2":
        return key, rng.choice(JUNK_GESTATION_K2)
    return key, rng.choice(JUNK)


def _conflicting_copy(b: Booking, system: str, rng: random.Random) -> Booking:
    """Same pregnancy ID, a second edit of it: gated fields identical, something else not."""
    copy = replace(b, overrides=dict(b.overrides))
    choice = rng.choice(("weight", "smoking", "co", "time") if system != "BadgerNet"
                        else ("weight", "smoking", "co", "notes"))
    if choice == "time":
        copy.booked_at = b.booked_at.replace(hour=8 if b.booked_at.hour > 12 else 16)
    elif choice == "smoking":
        copy.smoking = "never" if b.smoking != "never" else "ex"
    elif choice == "co":
        copy.co_ppm = (b.co_ppm or 0) + rng.randint(1, 5)
    elif choice == "notes":
        copy.notes = "Amended after booking, see " + ("scan" if b.notes else "GP letter")
    else:
        copy.weight_kg = round((b.weight_kg or 70.0) + rng.choice((-1, 1)) * rng.uniform(1, 8), 1)
    return copy


def apply_row_mess(core: list[Booking], clean: list[int], system: str, month_start: datetime,
                   rates: MessRates, rng: random.Random,
                   make_extra: Callable[[datetime], Booking]) -> list[Booking]:
    """The file's rows: the month's bookings with faults injected, in file order.

    `clean` indexes the bookings whose postcode and ethnicity are both valid; only they get
    column damage or conflicting copies. `make_extra(when)` makes a further booking.
    """
    n = len(core)
    with_nhs = [i for i, b in enumerate(core) if b.nhs]
    for i in rng.sample(with_nhs, min(len(with_nhs), _count(rates.nhs_mod11_fail, n, rng))):
        core[i].nhs = break_nhs_number(core[i].nhs, rng)
    damaged = rng.sample(clean, min(len(clean), _count(rates.numeric_junk, n, rng)))
    for i in damaged:
        key, value = _junk_key(system, core[i], rng)
        core[i].overrides[key] = value
    damaged_set = set(damaged)
    undamaged = [i for i in clean if i not in damaged_set]
    inserts: list[tuple[int | None, Booking]] = []  # (insert after this index, or anywhere)
    conflicts = min(len(undamaged), _count(rates.duplicate_id_conflict, n, rng))
    for i in rng.sample(undamaged, conflicts):
        inserts.append((None, _conflicting_copy(core[i], system, rng)))
    for i in rng.sample(range(n), min(n, _count(rates.duplicate_row, n, rng))):
        inserts.append((i if rng.random() < 0.5 else None, core[i]))

    def in_month() -> datetime:
        return month_start + timedelta(days=rng.randint(0, 27), hours=rng.randint(9, 16))

    for _ in range(_count(rates.bad_date_format, n, rng)):
        extra = make_extra(in_month())
        extra.overrides["booking_date"] = _wrong_format(system, extra.booked_at)
        inserts.append((None, extra))
    for _ in range(_count(rates.impossible_date, n, rng)):
        extra = make_extra(in_month())
        extra.overrides["booking_date"] = _impossible(system, extra, rng)
        inserts.append((None, extra))
    for _ in range(_count(rates.outside_month, n, rng)):
        when = (month_start - timedelta(days=rng.randint(1, 10))).replace(hour=rng.randint(9, 16))
        inserts.append((None, make_extra(when)))
    for _ in range(_count(rates.future_booking, n, rng)):
        when = in_month()
        inserts.append((None, make_extra(when.replace(year=max(2027, when.year + 1)))))

    rows = list(core)
    for after, booking in inserts:
        at = rows.index(core[after]) + 1 if after is not None else rng.randint(0, len(rows))
        rows.insert(at, booking)
    return rows


def reordered_columns(layout: str, columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An export re-saved from another report definition: new order, one header re-typed."""
    headers = dict(columns)
    order = REORDERED_BADGERNET if layout == "BadgerNet" else [k for k, _ in columns][::-1]
    return [(key, " postcode" if key == "postcode" else headers[key]) for key in order]


# ---- File-level corruption of a written extract (for tests of the readers) -----------------

def _format(path: Path, layout: str | None) -> FileFormat:
    layout = layout or layout_of(path.name)
    if layout is None:
        raise ValueError(f"{path.name} matches no layout; pass layout=")
    return file_format(layout)


def _read(path: Path, layout: str | None) -> tuple[FileFormat, list[list[str]]]:
    fmt = _format(path, layout)
    text = path.read_bytes().decode(fmt.encoding)
    if not fmt.quoted:
        return fmt, [line.split(fmt.delimiter) for line in text.split(fmt.line_end) if line]
    return fmt, list(csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter))


def _write(path: Path, fmt: FileFormat, table: list[list[str]]) -> Path:
    if fmt.quoted:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=fmt.delimiter, lineterminator=fmt.line_end).writerows(table)
        text = buffer.getvalue()
    else:
        text = "".join(fmt.delimiter.join(row) + fmt.line_end for row in table)
    return write_text(path, text, fmt.encoding)


def _edit_columns(path: Path, layout: str | None,
                  edit: Callable[[list[str]], list[int | str]]) -> Path:
    fmt, table = _read(path, layout)
    plan = edit(table[0])  # per output column: a source index, or a literal new header

    def pick(row: list[str], is_header: bool) -> list[str]:
        return [row[p] if isinstance(p, int) else (p if is_header else "") for p in plan]

    return _write(path, fmt, [pick(table[0], True)] + [pick(r, False) for r in table[1:]])


def header_only(path: Path, layout: str | None = None) -> Path:
    """Keep the header line and nothing else."""
    fmt, table = _read(path, layout)
    return _write(path, fmt, table[:1])


def truncate_last_line(path: Path, layout: str | None = None) -> Path:
    """Cut the file part-way through its last row, as an interrupted transfer leaves it."""
    fmt = _format(path, layout)
    text = path.read_bytes().decode(fmt.encoding)
    body = text.removesuffix(fmt.line_end)
    last_start = body.rfind(fmt.line_end) + len(fmt.line_end)
    cut = last_start + max(1, (len(body) - last_start) // 2)
    return write_text(path, body[:cut], fmt.encoding)


def wrong_encoding(path: Path, encoding: str = "utf-16", layout: str | None = None) -> Path:
    """Re-save the same text in another encoding (Excel's 'Unicode text' is UTF-16)."""
    fmt = _format(path, layout)
    return write_text(path, path.read_bytes().decode(fmt.encoding), encoding)


def drop_column(path: Path, header: str, layout: str | None = None) -> Path:
    return _edit_columns(path, layout, lambda hs: [i for i, h in enumerate(hs) if h != header])


def rename_column(path: Path, header: str, new_header: str, layout: str | None = None) -> Path:
    """Rename one header, e.g. 'Postcode' to ' postcode' (case and white space)."""
    fmt, table = _read(path, layout)
    table[0] = [new_header if h == header else h for h in table[0]]
    return _write(path, fmt, table)


def reorder_columns(path: Path, seed: int = 0, layout: str | None = None) -> Path:
    def shuffled(hs: list[str]) -> list[int | str]:
        order: list[int | str] = list(range(len(hs)))
        random.Random(seed).shuffle(order)
        return order

    return _edit_columns(path, layout, shuffled)


def add_column(path: Path, header: str, layout: str | None = None) -> Path:
    """Append an extra, empty column the layout does not know."""
    return _edit_columns(path, layout, lambda hs: [*range(len(hs)), header])
