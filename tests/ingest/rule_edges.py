"""A month of edge cases, one booking per case, written as real extracts in the three layouts.

Each case is one row of a K2 (RKB), BadgerNet (RJC) or Cerner (RLT) extract for 2025-04: a
booking whose every field is valid except the one the case is about. Loaded through
`load_month`, each row's class (valid / default / invalid / missing) comes out of the real
readers, contracts, staging SQL and mart, with the rules file installed as the pipeline installs
it, so a one-line mistake in `checks/rules.yaml` or in the SQL changes some row's class.

Expected classes are literals worked by hand from the spec (/work/shared/spec/measures.md and
source-layouts.md), never read from the rules file or the code under test.

Base rows, valid in every measure (hand-checked against the spec):
* K2: booked 10/04/2025, gestation 10+3, postcode CV1 2AB (live in the reference folder since
  198001), `White - British` (A), BMI 25.0, `Never smoked`, CO 2, NHS number blank (missing).
* BadgerNet: booked 2025-04-10, 73 days, CV31 2AB (live), A, BMI 25.0, smoking 3, CO 2.
* Cerner: booked 10-APR-2025 09:00, 73 days, CV10 7AB (live), A; measurements come as events.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import FIXTURE_LANDING

MONTH = "2025-04"
K2_FILE = "K2_RKB_MaternityBookings_202504.csv"
BADGERNET_FILE = "BadgerNet_RJC_Booking_2025-04.csv"
CERNER_FILE = "CERNER_RLT_202504_PREGNANCY.txt"
EVENTS_FILE = "CERNER_RLT_202504_CLINICAL_EVENTS.txt"
FILES = {"K2": K2_FILE, "BadgerNet": BADGERNET_FILE, "Cerner": CERNER_FILE}

K2_HEADER = [
    "Booking ID", "Hospital Number", "NHS Number", "Date of Birth", "Booking Date", "Gestation at Booking",
    "Postcode", "Ethnic Origin", "Height (cm)", "Weight (kg)", "BMI", "Smoking Status", "CO Reading (ppm)",
    "Site Code",
]  # fmt: skip
BADGERNET_HEADER = [
    "EpisodeID", "NHSNumber", "MotherDOB", "BookingDate", "GestationAtBookingDays", "Postcode", "EthnicCategory",
    "HeightCm", "WeightKg", "BMIAtBooking", "SmokingAtBooking", "COReadingPPM", "OrgSiteCode", "Notes",
]  # fmt: skip
CERNER_HEADER = [
    "PREGNANCY_ID", "PERSON_ID", "NHS_NBR", "BIRTH_DT_TM", "BOOKING_DT_TM", "GEST_AGE_AT_BOOKING", "ZIPCODE",
    "ETHNIC_GRP_ALIAS", "ETHNIC_GRP_DISP", "ORG_ALIAS",
]  # fmt: skip
EVENTS_HEADER = ["PREGNANCY_ID", "EVENT_CD_DISP", "RESULT_VAL", "RESULT_UNITS_DISP", "EVENT_END_DT_TM"]

# The field a case changes, by its name in each layout.
K2_FIELDS = {
    "nhs": "NHS Number", "gestation": "Gestation at Booking", "postcode": "Postcode", "ethnic": "Ethnic Origin",
    "height": "Height (cm)", "weight": "Weight (kg)", "bmi": "BMI", "smoking": "Smoking Status",
    "co": "CO Reading (ppm)",
}  # fmt: skip
BADGERNET_FIELDS = {
    "nhs": "NHSNumber", "gestation": "GestationAtBookingDays", "postcode": "Postcode", "ethnic": "EthnicCategory",
    "height": "HeightCm", "weight": "WeightKg", "bmi": "BMIAtBooking", "smoking": "SmokingAtBooking",
    "co": "COReadingPPM",
}  # fmt: skip
CERNER_FIELDS = {
    "nhs": "NHS_NBR",
    "gestation": "GEST_AGE_AT_BOOKING",
    "postcode": "ZIPCODE",
    "ethnic": "ETHNIC_GRP_ALIAS",
}

BOOKED_CERNER = "10-APR-2025 09:00:00"

# Postcodes added to the reference folder's directory for the liveness edges of 2025-04
# (measures.md: introduced in or before the month, terminated in or after it).
DIRECTORY_EDGES = [
    ("CV1 1AA", "202504", ""),  # introduced in the month: live
    ("CV1 1AB", "202505", ""),  # introduced the month after: not live
    ("CV1 1AD", "198001", "202504"),  # terminated in the month: live
    ("CV1 1AE", "198001", "202503"),  # terminated the month before: not live
]


@dataclass(frozen=True)
class Case:
    """One booking: the layout, the field changed, the values typed, and the class expected."""

    layout: str  # K2 | BadgerNet | Cerner
    measure: str  # the bookings column holding the class, e.g. bmi_class
    values: dict[str, str]  # field (K2_FIELDS keys) -> the text typed
    expected: str  # valid | default | invalid | missing
    events: tuple[tuple[str, str, str, str], ...] = field(default=())  # Cerner: (event, value, unit, when)

    @property
    def id(self) -> str:
        shown = ",".join([f"{k}={v!r}" for k, v in self.values.items()] + [f"{e}={v}{u}" for e, v, u, _ in self.events])
        return f"{self.layout}-{self.measure.removesuffix('_class')}-{shown}-{self.expected}"


def _k2_row(n: int, values: dict[str, str]) -> list[str]:
    row = dict.fromkeys(K2_HEADER, "")
    row.update(
        {
            "Booking ID": f"BK{n:08d}",
            "Hospital Number": f"H{n:07d}",
            "Date of Birth": "03/03/1994",
            "Booking Date": "10/04/2025 09:30",
            "Gestation at Booking": "10+3",
            "Postcode": "CV1 2AB",
            "Ethnic Origin": "White - British",
            "BMI": "25.0",
            "Smoking Status": "Never smoked",
            "CO Reading (ppm)": "2",
            "Site Code": "RKB01",
        }
    )
    row.update({K2_FIELDS[k]: v for k, v in values.items()})
    return [row[h] for h in K2_HEADER]


def _badgernet_row(n: int, values: dict[str, str]) -> list[str]:
    row = dict.fromkeys(BADGERNET_HEADER, "")
    row.update(
        {
            "EpisodeID": str(100000 + n),
            "MotherDOB": "1994-03-03",
            "BookingDate": "2025-04-10",
            "GestationAtBookingDays": "73",
            "Postcode": "CV31 2AB",
            "EthnicCategory": "A",
            "BMIAtBooking": "25.0",
            "SmokingAtBooking": "3",
            "COReadingPPM": "2",
            "OrgSiteCode": "RJC01",
        }
    )
    row.update({BADGERNET_FIELDS[k]: v for k, v in values.items()})
    return [row[h] for h in BADGERNET_HEADER]


def _cerner_row(n: int, values: dict[str, str]) -> list[str]:
    row = dict.fromkeys(CERNER_HEADER, "")
    row.update(
        {
            "PREGNANCY_ID": str(500000 + n),
            "PERSON_ID": str(900000 + n),
            "BIRTH_DT_TM": "03-MAR-1994 00:00:00",
            "BOOKING_DT_TM": BOOKED_CERNER,
            "GEST_AGE_AT_BOOKING": "73",
            "ZIPCODE": "CV10 7AB",
            "ETHNIC_GRP_ALIAS": "A",
            "ETHNIC_GRP_DISP": "display text",
            "ORG_ALIAS": "RLT01",
        }
    )
    row.update({CERNER_FIELDS[k]: v for k, v in values.items()})
    return [row[h] for h in CERNER_HEADER]


def _csv_line(fields: list[str]) -> str:
    """RFC 4180: every field quoted, so commas and white space arrive as typed."""
    return ",".join('"' + f.replace('"', '""') + '"' for f in fields)


def write_landing(folder: Path, cases: list[Case]) -> list[tuple[str, int]]:
    """Write the cases as the three Trusts' extracts for 2025-04 and a reference folder (the
    fixture's, plus DIRECTORY_EDGES); return each case's (file, physical line), in order."""
    folder.mkdir(parents=True)
    (folder / ".mdq-synthetic").touch()
    shutil.copytree(FIXTURE_LANDING / "reference", folder / "reference")
    onspd = folder / "reference" / "ONSPD_fixture.csv"
    extra = "".join(
        f"{pc.replace(' ', '')},{pc},{intr},{term},E08000026,E01009001,E01009001\n"
        for pc, intr, term in DIRECTORY_EDGES
    )
    onspd.write_text(onspd.read_text(encoding="utf-8") + extra, encoding="utf-8")

    where: list[tuple[str, int]] = []
    k2, badgernet, cerner, events = [], [], [], []
    for n, case in enumerate(cases, start=1):
        if case.layout == "K2":
            k2.append(_csv_line(_k2_row(n, case.values)))
            where.append((K2_FILE, len(k2) + 1))
        elif case.layout == "BadgerNet":
            badgernet.append(_csv_line(_badgernet_row(n, case.values)))
            where.append((BADGERNET_FILE, len(badgernet) + 1))
        else:
            row = _cerner_row(n, case.values)
            cerner.append("|".join(row))
            events += ["|".join([row[0], event, value, unit, when]) for event, value, unit, when in case.events]
            where.append((CERNER_FILE, len(cerner) + 1))
    # A layout without cases gets no file (a header-only file would be an unreadable submission).
    if k2:
        (folder / K2_FILE).write_bytes(("\ufeff" + "\r\n".join([_csv_line(K2_HEADER), *k2]) + "\r\n").encode("utf-8"))
    if badgernet:
        (folder / BADGERNET_FILE).write_bytes(
            ("\n".join([",".join(BADGERNET_HEADER), *badgernet]) + "\n").encode("cp1252")
        )
    if cerner:
        (folder / CERNER_FILE).write_text("\n".join(["|".join(CERNER_HEADER), *cerner]) + "\n", encoding="utf-8")
        (folder / EVENTS_FILE).write_text("\n".join(["|".join(EVENTS_HEADER), *events]) + "\n", encoding="utf-8")
    return where
