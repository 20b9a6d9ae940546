"""The three source layouts of source-layouts.md: file names, bytes on disk, row formatting.

Headers, code maps and encodings come from schemas/layouts.yaml; line ends are fixed here
because the layout file does not carry them (the spec does: K2 CRLF, the others LF).
Everything is rendered in memory and written as bytes so no platform newline translation or
default encoding can creep in.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from . import config
from .people import Booking

CERNER_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
LB_PER_KG = 1 / 0.45359237


@dataclass(frozen=True)
class FileFormat:
    encoding: str
    delimiter: str
    line_end: str
    quoted: bool  # RFC 4180 quoting; Cerner files have none


def file_format(layout: str) -> FileFormat:
    spec = config.layouts()[layout]
    line_end = "\r\n" if layout == "K2" else "\n"
    return FileFormat(spec["encoding"], spec["delimiter"], line_end, spec["quoting"] != "none")


def file_name(layout: str, org: str, month: str) -> str:
    yyyy, mm = month.split("-")
    return {
        "K2": f"K2_{org}_MaternityBookings_{yyyy}{mm}.csv",
        "BadgerNet": f"BadgerNet_{org}_Booking_{yyyy}-{mm}.csv",
        "Cerner": f"CERNER_{org}_{yyyy}{mm}_PREGNANCY.txt",
        "CernerEvents": f"CERNER_{org}_{yyyy}{mm}_CLINICAL_EVENTS.txt",
    }[layout]


def layout_of(name: str) -> str | None:
    """The layout whose file pattern (layouts.yaml) a file name matches."""
    for layout, spec in config.layouts().items():
        pattern = spec.get("file_pattern") if isinstance(spec, dict) else None
        if pattern and re.match(pattern, name):
            return layout
    return None


def is_generated_name(name: str) -> bool:
    """A name this generator writes: a layout's pattern with no resubmission suffix."""
    layout = layout_of(name)
    match = re.match(config.layouts()[layout]["file_pattern"], name) if layout else None
    return bool(match) and not match.groupdict().get("suffix")


def num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def cerner_dt(dt: datetime) -> str:
    # Month names spelled out here: strftime('%b') follows the locale.
    return (f"{dt.day:02d}-{CERNER_MONTHS[dt.month - 1]}-{dt.year:04d} "
            f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}")


def _smoking(layout: str, status: str) -> str:
    return config.smoking_source(layout, status) if status else ""


def k2_row(b: Booking) -> dict[str, str]:
    nhs = f"{b.nhs[:3]} {b.nhs[3:6]} {b.nhs[6:]}" if b.nhs else ""
    gest = "" if b.gestation_days is None else f"{b.gestation_days // 7}+{b.gestation_days % 7}"
    row = {
        "pregnancy_id": f"BK{b.seq:08d}", "local_id": f"H{b.local_id:07d}", "nhs_number": nhs,
        "date_of_birth": f"{b.dob.day:02d}/{b.dob.month:02d}/{b.dob.year:04d}",
        "booking_date": (f"{b.booked_at.day:02d}/{b.booked_at.month:02d}/{b.booked_at.year:04d} "
                         f"{b.booked_at.hour:02d}:{b.booked_at.minute:02d}"),
        "gestation": gest, "postcode": b.postcode, "ethnic_source": b.ethnic_text,
        "height": num(b.height_cm), "weight": num(b.weight_kg), "bmi": num(b.bmi),
        "smoking_source": _smoking("K2", b.smoking), "co_ppm": num(b.co_ppm), "site_code": b.site,
    }
    return row | {k: v for k, v in b.overrides.items() if k in row}


def badgernet_row(b: Booking) -> dict[str, str]:
    row = {
        "pregnancy_id": str(b.seq), "nhs_number": b.nhs, "date_of_birth": b.dob.isoformat(),
        "booking_date": b.booked_at.date().isoformat(), "gestation": num(b.gestation_days),
        "postcode": b.postcode, "ethnic_source": b.ethnic_code, "height": num(b.height_cm),
        "weight": num(b.weight_kg), "bmi": num(b.bmi),
        "smoking_source": _smoking("BadgerNet", b.smoking), "co_ppm": num(b.co_ppm),
        "site_code": b.site, "notes": b.notes,
    }
    return row | {k: v for k, v in b.overrides.items() if k in row}


def cerner_row(b: Booking) -> dict[str, str]:
    booked = b.booked_at.replace(second=(b.seq * 37) % 60)
    row = {
        "pregnancy_id": str(b.seq), "local_id": str(30_000_000 + b.local_id), "nhs_number": b.nhs,
        "date_of_birth": cerner_dt(datetime(b.dob.year, b.dob.month, b.dob.day)),
        "booking_date": cerner_dt(booked), "gestation": num(b.gestation_days),
        "postcode": b.postcode, "ethnic_source": b.ethnic_code, "ethnic_display": b.ethnic_text,
        "site_code": b.site,
    }
    return row | {k: v for k, v in b.overrides.items() if k in row}


ROW_BUILDERS = {"K2": k2_row, "BadgerNet": badgernet_row, "Cerner": cerner_row}


def _when(b: Booking, rng: random.Random) -> datetime:
    """When the booking reading of a measurement was charted: mostly during the appointment."""
    start = b.booked_at + timedelta(minutes=rng.randint(2, 40), seconds=rng.randrange(60))
    r = rng.random()
    if r < 0.85:
        return start
    if r < 0.93:
        return start + timedelta(days=rng.randint(1, 10))  # at the dating scan: still booking
    if r < 0.97:
        return start - timedelta(days=rng.randint(1, 20))  # recorded at the GP referral
    return start + timedelta(days=rng.randint(15, 40))  # too late to count as at booking


def cerner_events(b: Booking, rng: random.Random) -> list[tuple[datetime, str, str, str]]:
    """Long-format clinical events of one pregnancy: (when, event, value, units)."""
    events: list[tuple[datetime, str, str, str]] = []

    def add(canonical: str, value: str, units: str, when: datetime) -> None:
        if units and rng.random() < 0.02:
            units = ""  # no units: readers take the measurement's canonical unit
        events.append((when, config.event_display(canonical), value, units))

    junk = {k.split(":", 1)[1]: v for k, v in b.overrides.items() if k.startswith("event:")}
    if b.height_cm is not None:
        in_m = rng.random() < 0.10
        value = f"{b.height_cm / 100:.2f}" if in_m else num(b.height_cm)
        add("height_cm", junk.get("height_cm") or value, "m" if in_m else "cm", _when(b, rng))
        if rng.random() < 0.08:  # carried over from a previous pregnancy
            earlier = b.booked_at - timedelta(days=rng.randint(300, 900))
            add("height_cm", num(b.height_cm), "cm", earlier)
    if b.weight_kg is not None:
        in_lb = rng.random() < 0.15
        value = f"{b.weight_kg * LB_PER_KG:.1f}" if in_lb else num(b.weight_kg)
        add("weight_kg", junk.get("weight_kg") or value, "lb" if in_lb else "kg", _when(b, rng))
        if rng.random() < 0.30:
            gain = rng.uniform(2, 12)
            add("weight_kg", num(round(b.weight_kg + gain, 1)), "kg",
                b.booked_at + timedelta(days=rng.randint(20, 180), hours=rng.randint(0, 6)))
        if rng.random() < 0.08:
            add("weight_kg", num(round(b.weight_kg - rng.uniform(0, 3), 1)), "kg",
                b.booked_at - timedelta(days=rng.randint(20, 300)))
    if b.bmi is not None and rng.random() < 0.85:
        add("bmi", junk.get("bmi") or num(b.bmi), "kg/m2", _when(b, rng))
    if b.smoking:
        add("smoking", config.smoking_source("CernerEvents", b.smoking), "", _when(b, rng))
        if rng.random() < 0.15:
            later = "ex" if b.smoking == "current" and rng.random() < 0.4 else b.smoking
            add("smoking", config.smoking_source("CernerEvents", later), "",
                b.booked_at + timedelta(days=rng.randint(30, 200)))
    if b.co_ppm is not None:
        add("co_ppm", junk.get("co_ppm") or num(b.co_ppm), "ppm", _when(b, rng))
        if rng.random() < 0.25:
            later = b.booked_at + timedelta(days=rng.randint(20, 180))
            add("co_ppm", str(rng.randint(0, 4)), "ppm", later)
    return events


def event_rows(bookings: list[Booking], rng: random.Random) -> list[dict[str, str]]:
    rows = []
    for b in bookings:
        for when, event, value, units in sorted(cerner_events(b, rng)):
            rows.append({"pregnancy_id": str(b.seq), "event": event, "result_value": value,
                         "result_units": units, "event_date": cerner_dt(when)})
    return rows


def render(layout: str, rows: list[dict[str, str]],
           columns: list[tuple[str, str]] | None = None) -> str:
    """File text: header then rows, in the layout's delimiter, quoting and line ends."""
    fmt = file_format(layout)
    columns = columns or config.columns(layout)
    table = [[header for _, header in columns]] + [[row[key] for key, _ in columns] for row in rows]
    if not fmt.quoted:
        for line in table:
            bad = [v for v in line if fmt.delimiter in v or "\n" in v or "\r" in v]
            assert not bad, f"unquotable values in {layout}: {bad}"
        return "".join(fmt.delimiter.join(line) + fmt.line_end for line in table)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=fmt.delimiter, lineterminator=fmt.line_end,
               quoting=csv.QUOTE_MINIMAL).writerows(table)
    return buffer.getvalue()


def write_text(path: Path, text: str, encoding: str) -> Path:
    # 'utf-8-sig' puts the BOM K2 writes; cp1252 fails loudly on a character it cannot hold.
    path.write_bytes(text.encode(encoding))
    return path


def write_layout(path: Path, layout: str, rows: list[dict[str, str]],
                 columns: list[tuple[str, str]] | None = None) -> Path:
    return write_text(path, render(layout, rows, columns), file_format(layout).encoding)
