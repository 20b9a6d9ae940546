"""A hostile month, 2025-05, written from the spec alone: the ugly things real extracts carry, in
every layout, for both engines to read (tests/engines/test_spark_hostile.py).

Each file is written line by line below, its bytes as a Trust's export would make them, with
what each line must become (loaded, or quarantined and why) beside it. The landing folder:

* RKB (K2 Athena, its system of record until 2026-04): `K2_RKB_MaternityBookings_202505.csv`,
  UTF-8 with BOM, CRLF, its header in other case and spacing with an unknown column; quoted
  fields with commas and doubled quotes, a quote spanning lines where K2 allows none, an
  unclosed quote, short and long rows, a blank line, duplicates, dates in odd forms, Unicode
  spaces and non-ASCII digits, the boundary of every rule, text a spreadsheet would run.
* RKB's parallel run from Cerner (both layouts of one Trust in one month):
  `CERNER_RKB_202505_PREGNANCY.txt` (the original, replaced unread) and its resubmission
  `..._PREGNANCY_resub1.txt` (BOM, CRLF, an unknown column, quotes and backslashes as ordinary
  characters; every line whole, so Spark's CSV reader reads it);
  `CERNER_RKB_202505_CLINICAL_EVENTS.txt` (a blank line, short and long rows) with units to
  convert, readings around the booking window and event dates in odd forms.
* RJC (BadgerNet): one Windows-1252 file, every line one whole record (so Spark's CSV reader
  reads it), under a name a download folder gives (`... (1) [copy] é#%.csv`): £, é, smart quotes,
  a no-break space (0xA0) around postcodes, every ethnic code, Z, 99 and blank, the boundaries.
* RLT (BadgerNet): Notes over several lines (allowed), an unclosed quote, and no line end after
  its last record.
* RXA (a provider with no history of systems): a header-only file, unreadable.
* RXB: a provider that sent nothing (missing); RXX: not a provider at all (unknown ODS code).
* RXC: a K2 file named for May holding April's bookings, and Cerner clinical events with no
  pregnancy file (two systems from a Trust without a history: K2, listed first, is the record).
* Files whose names match no layout (reported, not read).

The providers RXA, RXB and RXC are added to a copy of schemas/layouts.yaml (``write_layouts``).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from pipelines.core.paths import LAYOUTS_FILE
from pipelines.ingest.pseudonymise import SYNTHETIC_MARKER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

MONTH = "2025-05"
K2 = "K2_RKB_MaternityBookings_202505.csv"
CERNER_ORIGINAL = "CERNER_RKB_202505_PREGNANCY.txt"
PREGNANCY = "CERNER_RKB_202505_PREGNANCY_resub1.txt"
EVENTS = "CERNER_RKB_202505_CLINICAL_EVENTS.txt"
BADGERNET_RJC = "BadgerNet_RJC_Booking_2025-05 (1) [copy] é#%.csv"
BADGERNET_RLT = "BadgerNet_RLT_Booking_2025-05.csv"
HEADER_ONLY = "BadgerNet_RXA_Booking_2025-05.csv"
APRIL_IN_MAY = "K2_RXC_MaternityBookings_202505.csv"
EVENTS_ALONE = "CERNER_RXC_202505_CLINICAL_EVENTS.txt"
UNKNOWN_TRUST = "K2_RXX_MaternityBookings_202505.csv"
NOT_EXTRACTS = (
    "BadgerNet_RJC_Booking_202505.csv",  # no dash in the month
    "k2_rkb_maternitybookings_202505.csv",  # lower case
    "K2_RKB_MaternityBookings_202505.csv.bak",
    "CERNER_RKB_202505_PREGNANCY.TXT",
)

# ---------------------------------------------------------------------------------------- K2
K2_HEADER = (
    "booking id,Hospital Number,NHS  Number, Date of Birth ,Booking Date,Gestation at Booking,POSTCODE,"
    "Ethnic Origin,Height (cm),Weight (kg),BMI,Smoking Status,CO Reading (ppm),Site Code,Comments"
)
K2_LINES = [
    K2_HEADER,
    # 2: every measure valid; NHS number links to Cerner's 5001
    "BK00000101,H0000101,943 476 5919,03/03/1994,01/05/2025 09:30,10+3,cv1 2ab,White - British,165,70,25.0,"
    "Never smoked,2,RKB01,",
    # 3: postcode in a no-break, a thin and an ideographic space: CV1 2AB, valid; Not Stated (default);
    #    gestation 45+0, BMI 70.0, CO 100: each at its upper bound, valid
    "BK00000102,H0000102,401 023 2137,12/07/1990,02/05/2025 10:00,45+0,\u00a0cv1\u20092ab\u3000,  not stated ,,,"
    "70.0,Current smoker,100,RKB01,",
    # 4: full-width NHS number and Arabic-Indic postcode digits (invalid); Unknown (99, default);
    #    gestation 45+1, CO 101 (invalid); BMI blank, height 119.9 with weight 70 (recorded, invalid)
    "BK00000103,H0000103,\uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19,01/01/1988,03/05/2025 11:15,"
    "45+1,CV\u0661 \u0662AB,UNKNOWN,119.9,70,,Not asked,101,RKB01,",
    # 5: a comma inside the quoted postcode (invalid); BMI 11.9 but height 120, weight 30: valid
    '"BK00000104",H0000104,943-476-5919,20/02/1992,04/05/2025 08:45,0+0,"CV1, 2AB","Mixed - White and Asian",'
    '120,30,11.9,never smoked,0,RKB01,"a ""quoted"" comment, with a comma"',
    # 6-7: a quote spanning two lines in Postcode, which K2 allows on one line only: both quarantined
    'BK00000105,H0000105,,05/05/1990,05/05/2025 09:00,10+3,"CV1',
    '2AB",White - British,165,70,25.0,Never smoked,2,RKB01,',
    # 8: an unclosed quote (quarantined)
    'BK00000106,H0000106,,05/05/1990,06/05/2025 09:00,10+3,"CV1 2AB,White - British,165,70,25.0,Never smoked,2,RKB01,',
    # 9: 14 fields, 10: 16 fields (quarantined)
    "BK00000107,H0000107,,05/05/1990,07/05/2025 09:00,10+3,CV1 2AB,White - British,165,70,25.0,Never smoked,2,RKB01",
    "BK00000108,H0000108,,05/05/1990,08/05/2025 09:00,10+3,CV1 2AB,White - British,165,70,25.0,Never smoked,2,RKB01,,x",
    # 11: blank (quarantined)
    "",
    # 12: line 2 again (exact duplicate); 13: line 3's booking ID with other values (repeat)
    "BK00000101,H0000101,943 476 5919,03/03/1994,01/05/2025 09:30,10+3,cv1 2ab,White - British,165,70,25.0,"
    "Never smoked,2,RKB01,",
    "BK00000102,H0000102,401 023 2137,12/07/1990,02/05/2025 10:00,12+0,CV1 2AB,White - Irish,,,,Ex-smoker,3,RKB01,",
    # 14: an ISO booking date (not K2's format); 15: single-digit day, month and hour (K2's format)
    "BK00000109,H0000109,,05/05/1990,2025-05-09 09:00,10+3,CV1 2AB,White - British,,,,,,RKB01,",
    "BK00000110,H0000110,,05/05/1990,9/5/2025 9:05,10+3,CV1 2AB,White - British,,,,,,RKB01,",
    # 16: year 25; 17: the month's last minute (loads); 18: the next month; 19: after today; 20: 29 Feb 2025
    "BK00000111,H0000111,,05/05/1990,01/05/0025 09:30,10+3,CV1 2AB,White - British,,,,,,RKB01,",
    "BK00000112,H0000112,,05/05/1990,31/05/2025 23:59,10+3,CV1 2AB,White - British,,,,,,RKB01,",
    "BK00000113,H0000113,,05/05/1990,01/06/2025 00:00,10+3,CV1 2AB,White - British,,,,,,RKB01,",
    "BK00000114,H0000114,,05/05/1990,01/05/2099 09:30,10+3,CV1 2AB,White - British,,,,,,RKB01,",
    "BK00000115,H0000115,,05/05/1990,29/02/2025 09:30,10+3,CV1 2AB,White - British,,,,,,RKB01,",
    # 21: numbers Java would read but the spec's decimal text is not: BMI 25d, CO 1_0 (both invalid)
    "BK00000116,H0000116,,05/05/1990,10/05/2025 09:00,10+3,zz99 3vz,White - British,,,25d,Never smoked,1_0,RKB01,",
    # 22: BMI 0x1p4, CO 2f, height 1e2 with weight 7e1 (all invalid); ß in the postcode (invalid)
    "BK00000117,H0000117,,05/05/1990,11/05/2025 09:00,10+3,cv1 2aß,White - British,1e2,7e1,0x1p4,Never smoked,2f,RKB01,",
    # 23: BMI NaN, CO Infinity (recorded, invalid); a spreadsheet formula for a postcode (invalid)
    '"BK00000118",H0000118,,05/05/1990,12/05/2025 09:00,10+3,"=HYPERLINK(""http://x"")",White - British,,,NaN,'
    "Never smoked,Infinity,RKB01,",
    # 24: an emoji after the postcode, an en dash in the ethnic text (both invalid)
    "BK00000119,H0000119,,05/05/1990,13/05/2025 09:00,10+3,CV1 2AB\U0001f600,White \u2013 British,,,,,,RKB01,",
    # 25: no booking ID; 26: a booking ID with a space (both quarantined)
    ",H0000120,,05/05/1990,14/05/2025 09:00,10+3,CV1 2AB,White - British,,,,,,RKB01,",
    "BK 121,H0000121,,05/05/1990,15/05/2025 09:00,10+3,CV1 2AB,White - British,,,,,,RKB01,",
]

# ---------------------------------------------------------------------------- Cerner (RKB)
CERNER_HEADER = (
    "PREGNANCY_ID|PERSON_ID|NHS_NBR|BIRTH_DT_TM|BOOKING_DT_TM|GEST_AGE_AT_BOOKING|ZIPCODE|ETHNIC_GRP_ALIAS|"
    "ETHNIC_GRP_DISP|ORG_ALIAS|ENCNTR_TYPE"
)
PREGNANCY_LINES = [  # every line one whole record (Spark's CSV reader reads it); CRLF, BOM
    CERNER_HEADER,
    # 2: the woman of K2's line 2 (linked)
    "5001|9001|9434765919|03-MAR-1994 00:00:00|01-MAY-2025 09:31:00|73|CV1 2AB|A|White British|RKB01|x",
    # 3: the woman of K2's line 3; a no-break space in the postcode; ethnic code in lower case
    "5002|9002|4010232137|12-JUL-1990 00:00:00|2-may-2025 10:01:00|315|cv1\u00a02ab| z |Not stated|RKB01|x",
    # 4: Arabic-Indic NHS number (unlinkable); quotes and backslashes are ordinary characters here
    "5003|9003|\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669|01-JAN-1988 00:00:00|"
    '03-MAY-2025 11:16:00|316|"CV1 2AB"|99|Unknown \\ "none"|RKB01|x\\',
    # 5: nothing but the booking: blank NHS number, postcode, ethnic code
    "5004|9004||01-JAN-1988 00:00:00|04-MAY-2025 08:00:00||||\\|RKB01|",
    # 6: only in Cerner; gestation -1, ethnic Q (invalid); 7: line 6 again (exact duplicate)
    "5006|9006|9000000017|01-JAN-1988 00:00:00|06-MAY-2025 08:00:00|-1|\\CV1 2AB|Q|Bad code|RKB01|x",
    "5006|9006|9000000017|01-JAN-1988 00:00:00|06-MAY-2025 08:00:00|-1|\\CV1 2AB|Q|Bad code|RKB01|x",
    # 8: booked in April (outside the month); 9: line 5's pregnancy again with other values (a repeat)
    "5007|9007|9000000025|01-JAN-1988 00:00:00|30-APR-2025 23:59:59|70|CV1 2AB|A|White British|RKB01|x",
    "5004|9004||01-JAN-1988 00:00:00|04-MAY-2025 08:00:00|70|CV1 2AB|A|White British|RKB01|",
]
CERNER_ORIGINAL_TEXT = "PREGNANCY_ID,PERSON_ID\n5001,9001\n"  # replaced by the resubmission: never read

EVENTS_HEADER = "PREGNANCY_ID|EVENT_CD_DISP|RESULT_VAL|RESULT_UNITS_DISP|EVENT_END_DT_TM|RESULT_STATUS"
EVENTS_LINES = [  # BOM, LF; a blank line, a short and a long row
    EVENTS_HEADER,
    # 2-7: 5001, booked 01-MAY-2025 09:31
    "5001|Height|1.65|m|01-MAY-2025 09:40:00|Auth",
    "5001|Weight|154|lb|01-MAY-2025 09:41:00|Auth\\",
    "5001|Smoking Status| never smoked ||01-MAY-2025 09:42:00|Auth",
    # two spaces before the time, a two-digit year (year 25), one-digit fields: read as polars reads them
    "5001|Carbon Monoxide Reading|3|ppm|01-MAY-2025  09:43:00|Auth",
    "5001|Carbon Monoxide Reading|50|ppm|01-MAY-25 09:43:00|Auth",
    "5001|BMI Measured|70.0000004|kg/m2|1-May-2025 9:44:0|Auth",
    # 8: blank (quarantined)
    "",
    # 9-12: 5002, booked 02-MAY-2025 10:01: a reading 14 days later counts, a second more does not
    "5002|BMI Measured|12|kg/m2|16-MAY-2025 10:01:00|Auth",
    "5002|BMI Measured|40|kg/m2|16-MAY-2025 10:01:01|Auth",
    "5002|Carbon Monoxide Reading|-0|ppm|02-MAY-2025 10:05:00|Auth",
    '5002|Smoking Status|"Ex-smoker"||02-MAY-2025 10:06:00|Auth',
    # 13: NaN; 14: a unit in another case (quarantined: not a known unit); 15: 5 fields, 16: 7 (quarantined)
    "5003|BMI Measured|NaN|kg/m2|03-MAY-2025 11:20:00|Auth",
    "5003|Weight|70|KG|03-MAY-2025 11:21:00|Auth",
    "5003|Height|165|cm|03-MAY-2025 11:22:00",
    "5003|Height|165|cm|03-MAY-2025 11:22:00|Auth|x",
    # 17: a pregnancy not in the file; 18: an unknown event (both quarantined)
    "5999|Height|165|cm|03-MAY-2025 11:20:00|Auth",
    "5006|Temperature|37|C|06-MAY-2025 08:10:00|Auth",
    # 19-20: seconds 60 and a signed year: polars reads both (DuckDB's strptime failed the load)
    "5006|Carbon Monoxide Reading|4|ppm|06-MAY-2025 08:10:60|Auth",
    "5006|Height|165|cm|06-MAY-+2025 08:11:00|Auth",
    # 21: 5006 booked 08:00: 11 minutes before, as close as line 19's 08:11:00 after: the later wins
    "5006|Carbon Monoxide Reading|5|ppm|06-MAY-2025 07:49:00|Auth",
    # 22: an event of line 8's pregnancy, quarantined as booked in April (so quarantined too)
    "5007|Height|165|cm|30-APR-2025 23:59:59|Auth",
    # 23-24: 5002's heights after its window (stored, not its booking value), rounded to 6 places
    # as DuckDB rounds the double: 131.034035 and 190.286502 (Spark's own round: ...036, ...501)
    "5002|Height|131.0340355|cm|20-MAY-2025 10:00:00|Auth",
    "5002|Height|1.902865015|m|20-MAY-2025 10:01:00|Auth",
]

# ------------------------------------------------------------------------------ BadgerNet RJC
BADGERNET_HEADER = (
    "EpisodeID,NHSNumber,MotherDOB,BookingDate,GestationAtBookingDays,Postcode,EthnicCategory,HeightCm,WeightKg,"
    "BMIAtBooking,SmokingAtBooking,COReadingPPM,OrgSiteCode,Notes,Midwife"
)


def _badgernet(episode: int, ethnic: str, **values: str) -> str:
    row = {
        "nhs": "",
        "dob": "1994-03-03",
        "booked": f"2025-05-{1 + episode % 28:02d}",
        "gestation": "70",
        "postcode": "CV31 2AB",
        "ethnic": ethnic,
        "height": "",
        "weight": "",
        "bmi": "25.0",
        "smoking": "3",
        "co": "1",
        "site": "RJC01",
        "notes": "",
        "midwife": "",
        **values,
    }
    return f"{3000 + episode}," + ",".join(row.values())


RJC_LINES = [
    BADGERNET_HEADER,
    # 2-17: every valid code A to S (16), each with a hostile but valid value elsewhere
    _badgernet(1, "A", nhs="9434765919", postcode="\u00a0CV31 2AB\u00a0", notes='"Paid £5, said “thanks”"'),
    _badgernet(2, "B", postcode="cv312ab", gestation="0", notes='"Café visit; ""mild"""'),
    _badgernet(3, "C", postcode="CV31\u00a02AB", gestation="315", bmi="12"),
    _badgernet(4, "D", postcode=" cv31 2ab ", bmi="70", co="0"),
    _badgernet(5, "E", co="100", notes='"‘single’ – dash … €"'),
    _badgernet(6, "F", bmi="", height="120", weight="30"),
    _badgernet(7, "G", bmi="", height="220", weight="250"),
    _badgernet(8, "H", notes='"C:\\temp\\"'),
    _badgernet(9, "J", notes="back\\slash"),
    _badgernet(10, "K", midwife="Renée"),
    _badgernet(11, "L", smoking="1"),
    _badgernet(12, "M", smoking="2"),
    _badgernet(13, "N", smoking="9"),
    _badgernet(14, "P", smoking=""),
    _badgernet(15, "R", nhs="401-023-2137"),
    _badgernet(16, "S", nhs="4010232136"),
    # 18-22: default and missing: Z, 99, blank, white space
    _badgernet(17, "Z", gestation="316"),
    _badgernet(18, "99", gestation="-1"),
    _badgernet(19, "", bmi="11.9"),
    _badgernet(20, "\u00a0", bmi="70.1"),
    _badgernet(21, "z", co="101"),
    # 23-28: invalid codes: lower case is fine (valid), the rest are not codes
    _badgernet(22, "a", co="-1"),
    _badgernet(23, " s ", co="1e2"),
    _badgernet(24, "I", bmi="25d"),
    _badgernet(25, "O", bmi="Infinity"),
    _badgernet(26, "9", gestation="10.5"),
    _badgernet(27, "ZZ", gestation="1e2"),
    # 29: exact duplicate of 28; 30: 28's episode with other values
    _badgernet(27, "ZZ", gestation="1e2"),
    _badgernet(27, "A", gestation="70"),
    # 31-34: booking dates in odd forms: single digits (BadgerNet's format), slashes, April, none
    _badgernet(40, "A", booked="2025-5-3"),
    _badgernet(41, "A", booked="2025/05/03"),
    _badgernet(42, "A", booked="2025-04-30"),
    _badgernet(43, "A", booked=""),
    # 35-38: year 1500, year 9999 (after today), year 1, a signed year (polars reads 2025-05-03)
    _badgernet(47, "A", booked="1500-05-03"),
    _badgernet(48, "A", booked="9999-05-03"),
    _badgernet(49, "A", booked="0001-05-01"),
    _badgernet(50, "A", booked="+2025-05-03"),
    # 39-41: postcodes: pseudo, a null token in a no-break space, not live
    _badgernet(44, "A", postcode="zz99 3vz"),
    _badgernet(45, "A", postcode="\u00a0n/a"),
    _badgernet(46, "A", postcode="CV5 6EF"),
]

# ------------------------------------------------------------------------------------ RXC
# A K2 file named for May holding April's bookings (every line whole: Spark reads it), its
# Postcode column twice (the first is read), and a Cerner events file with no pregnancy file.
RXC_K2_LINES = [
    "Booking ID,Hospital Number,NHS Number,Date of Birth,Booking Date,Gestation at Booking,Postcode,Postcode,"
    "Ethnic Origin,Height (cm),Weight (kg),BMI,Smoking Status,CO Reading (ppm),Site Code",
    "BK00000201,H0000201,,03/03/1994,30/04/2025 09:30,10+3,CV1 2AB,XX,White - British,,,25,Never smoked,2,RXC01",
    "BK00000202,H0000202,,03/03/1994,01/04/2025 09:30,10+3,CV1 2AB,XX,White - British,,,25,Never smoked,2,RXC01",
]
RXC_EVENTS_LINES = [EVENTS_HEADER, "7001|Height|165|cm|01-MAY-2025 09:40:00|Auth"]

# ------------------------------------------------------------------------------ BadgerNet RLT
BADGERNET_RLT_HEADER = (
    "EpisodeID,NHSNumber,MotherDOB,BookingDate,GestationAtBookingDays,Postcode,EthnicCategory,HeightCm,WeightKg,"
    "BMIAtBooking,SmokingAtBooking,COReadingPPM,OrgSiteCode,Notes"
)
RLT_LINES = [
    BADGERNET_RLT_HEADER,
    # 2-4: one record, its note over three lines (Notes may span 10)
    '6001,9000000033,1990-01-01,2025-05-02,84,CV34 4AB,B,170,70,,2,3,RLT01,"first line, with a comma',
    "second line",
    'third ""line"""',
    # 5: an unclosed quote in Notes that the next whole record stops (quarantined)
    '6002,,1990-01-01,2025-05-03,84,CV34 4AB,B,170,70,,2,3,RLT01,"never closed',
    # 6: a whole record; the file ends after it with no line end (loads, with a warning)
    "6003,,1990-01-01,2025-05-04,84,cv34 4ab,H,,,31,9,,RLT01,",
]


def _write(path: Path, lines: list[str], encoding: str, end: str = "\n", bom: bool = False, last_end: bool = True):
    text = end.join(lines) + (end if last_end else "")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))


def write_hostile_month(folder: Path) -> None:
    """The month's landing files into ``folder``, with the fixture's reference folder (CV1 2AB, CV31
    2AB and CV34 4AB live, CV5 6EF terminated 202001) unless it has one, marked synthetic."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SYNTHETIC_MARKER).touch()
    if not (folder / "reference").exists():
        shutil.copytree(FIXTURES / "landing" / "reference", folder / "reference")
    _write(folder / K2, K2_LINES, "utf-8", end="\r\n", bom=True)
    (folder / CERNER_ORIGINAL).write_text(CERNER_ORIGINAL_TEXT, encoding="utf-8")
    _write(folder / PREGNANCY, PREGNANCY_LINES, "utf-8", end="\r\n", bom=True)
    _write(folder / EVENTS, EVENTS_LINES, "utf-8", bom=True)
    _write(folder / BADGERNET_RJC, RJC_LINES, "cp1252")
    _write(folder / BADGERNET_RLT, RLT_LINES, "cp1252", last_end=False)
    _write(folder / HEADER_ONLY, [BADGERNET_HEADER], "cp1252")
    _write(folder / APRIL_IN_MAY, RXC_K2_LINES, "utf-8", end="\r\n", bom=True)
    _write(folder / EVENTS_ALONE, RXC_EVENTS_LINES, "utf-8")
    _write(folder / UNKNOWN_TRUST, [K2_HEADER, K2_LINES[1]], "utf-8", end="\r\n", bom=True)
    for name in NOT_EXTRACTS:
        (folder / name).write_bytes(b"not read\n")


def write_layouts(path: Path) -> Path:
    """schemas/layouts.yaml with three more providers, none with a history of systems: RXA (a
    header-only file), RXB (sends nothing), RXC (April's bookings in May's file, Cerner events)."""
    text = LAYOUTS_FILE.read_text(encoding="utf-8").rstrip("\n")
    extra = "".join(f"\n  {org}: Hostile Month Trust {org[-1]}" for org in ("RXA", "RXB", "RXC"))
    path.write_text(text + extra + "\n", encoding="utf-8")
    return path


def main() -> None:
    """Writes the month, beside the rule edge cases' month (2025-04), for bench/compare_engines.py:

    .venv/bin/python -m tests.engines.hostile_month /tmp/hostile
    MDQ_LAYOUTS=/tmp/hostile/layouts.yaml .venv/bin/python bench/compare_engines.py \\
        --from 2025-04 --to 2025-05 --landing /tmp/hostile/landing
    """
    from tests.ingest.rule_edge_cases import ALL_CASES
    from tests.ingest.rule_edges import write_landing

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a new folder: landing/ and layouts.yaml go in it")
    folder = parser.parse_args().folder
    write_landing(folder / "landing", ALL_CASES)
    write_hostile_month(folder / "landing")
    print(write_layouts(folder / "layouts.yaml"))


if __name__ == "__main__":
    main()
