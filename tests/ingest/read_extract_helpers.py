"""Shared by the read_extract path tests: the layouts' headers and ways to read a file by each path."""

from __future__ import annotations

from pathlib import Path

from pipelines.core.config import load_layouts
from pipelines.ingest import read_extract as rx
from pipelines.ingest.read_extract import UnreadableExtract

LAYOUTS = load_layouts()
K2, BADGER, PREG, EVENTS = (LAYOUTS.by_key(k) for k in ("K2", "BadgerNet", "Cerner", "CernerEvents"))
K2_HEADER = (
    "Booking ID,Hospital Number,NHS Number,Date of Birth,Booking Date,Gestation at Booking,Postcode,"
    "Ethnic Origin,Height (cm),Weight (kg),BMI,Smoking Status,CO Reading (ppm),Site Code"
)
PREG_HEADER = (
    "PREGNANCY_ID|PERSON_ID|NHS_NBR|BIRTH_DT_TM|BOOKING_DT_TM|GEST_AGE_AT_BOOKING|ZIPCODE|"
    "ETHNIC_GRP_ALIAS|ETHNIC_GRP_DISP|ORG_ALIAS"
)
EVENTS_HEADER = "PREGNANCY_ID|EVENT_CD_DISP|RESULT_VAL|RESULT_UNITS_DISP|EVENT_END_DT_TM"
BADGER_HEADER = (
    "EpisodeID,NHSNumber,MotherDOB,BookingDate,GestationAtBookingDays,Postcode,EthnicCategory,"
    "HeightCm,WeightKg,BMIAtBooking,SmokingAtBooking,COReadingPPM,OrgSiteCode,Notes"
)
K2_COLUMNS = [
    "_line",
    "pregnancy_id",
    "local_id",
    "nhs_number",
    "date_of_birth",
    "booking_date",
    "gestation",
    "postcode",
    "ethnic_source",
    "height",
    "weight",
    "bmi",
    "smoking_source",
    "co_ppm",
    "site_code",
]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _fast(path: Path, layout):
    text, warnings = rx.decode(path.read_bytes(), layout, path.name)
    return rx._read_fast(text, layout, path.name, warnings)


def _paths(path: Path, layout):
    """(fast result or None, exact result) for the file, each from its own decoded text."""
    return _fast(path, layout), _exact_from_file(path, layout)


def _public(parsed) -> tuple:
    frame = parsed.frame
    return list(frame.schema.items()), frame.rows(), parsed.problems, parsed.warnings, parsed.rows_read


def _outcome(read, *args) -> tuple:
    """What a reading gives, comparable: the public result, the unreadable error, or a fallback."""
    try:
        parsed = read(*args)
    except UnreadableExtract as exc:
        return ("unreadable", exc.file_name, exc.reason, exc.line, exc.column, str(exc))
    return ("fallback",) if parsed is None else ("read", _public(parsed))


def _exact_from_file(path: Path, layout):
    text, warnings = rx.decode(path.read_bytes(), layout, path.name)
    return rx._read_exact(text, layout, path.name, warnings)


# ---------------------------------------------------------------- clean files take the fast path
