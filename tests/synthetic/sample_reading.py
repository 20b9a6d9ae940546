"""Reads the shipped sample back with the csv module, independently of the generator and of the
rules file: the validity rules below are the spec's (measures.md, source-layouts.md), written here
as literals, so a mistake in checks/rules.yaml or schemas/layouts.yaml cannot move the expectations
with it. The layouts file is read only to find files and headers."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_data"
LAYOUTS = yaml.safe_load((REPO / "schemas" / "layouts.yaml").read_text(encoding="utf-8"))

# measures.md
THRESHOLDS = {"postcode": 0.95, "ethnic": 0.80}
NULL_TOKENS = {"", "N/A", "NA", "TBC", "TBA", "UNKNOWN", "NFA", "0"}
PSEUDO_OUTWARD = {"ZZ99"}
VALID_ETHNIC_CODES = set("ABCDEFGHJKLMNPRS")
# source-layouts.md: K2 `Ethnic Origin` text -> NHS ETHNIC CATEGORY code
K2_ETHNIC = {
    "White - British": "A", "White - Irish": "B", "White - Any other White background": "C",
    "Mixed - White and Black Caribbean": "D", "Mixed - White and Black African": "E", "Mixed - White and Asian": "F",
    "Mixed - Any other mixed background": "G", "Asian or Asian British - Indian": "H",
    "Asian or Asian British - Pakistani": "J", "Asian or Asian British - Bangladeshi": "K",
    "Asian or Asian British - Any other Asian background": "L", "Black or Black British - Caribbean": "M",
    "Black or Black British - African": "N", "Black or Black British - Any other Black background": "P",
    "Other Ethnic Groups - Chinese": "R", "Other Ethnic Groups - Any other ethnic group": "S", "Not Stated": "Z",
    "Unknown": "99",
}  # fmt: skip

MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 10)]
EXPECTED_FAILS = {
    ("RLT", "2025-10", "postcode"),
    ("RLT", "2025-11", "postcode"),
    ("RLT", "2025-12", "postcode"),
    ("RKB", "2026-04", "ethnic"),
    ("RKB", "2026-05", "ethnic"),
    ("RKB", "2026-06", "ethnic"),
}
MARGIN = 0.015
# The brief: RKB sends March 2026 from K2 (its system of record until 2026-03) and, in parallel, a
# Cerner test extract. The parallel extract is no submission: the story is the K2 extract's.
PARALLEL_RUNS = {("RKB", "2026-03", "Cerner")}

# layout -> (encoding, delimiter, line end, booking-date format, id, date, postcode, ethnic headers)
READ = {
    "K2": ("utf-8-sig", ",", "\r\n", "%d/%m/%Y %H:%M", "Booking ID", "Booking Date", "Postcode", "Ethnic Origin"),
    "BadgerNet": ("cp1252", ",", "\n", "%Y-%m-%d", "EpisodeID", "BookingDate", "Postcode", "EthnicCategory"),
    "Cerner": ("utf-8", "|", "\n", "%d-%b-%Y %H:%M:%S", "PREGNANCY_ID", "BOOKING_DT_TM", "ZIPCODE", "ETHNIC_GRP_ALIAS"),
}
NUMERIC = {
    "height (cm)",
    "weight (kg)",
    "bmi",
    "co reading (ppm)",
    "heightcm",
    "weightkg",
    "bmiatbooking",
    "coreadingppm",
    "gestationatbookingdays",
    "gest_age_at_booking",
}


def layout_of(name: str) -> str | None:
    """Layout of a first submission's file name (resubmissions carry a suffix: not ours)."""
    for layout, spec in LAYOUTS.items():
        match = re.match(spec.get("file_pattern", "^$"), name) if isinstance(spec, dict) else None
        if match and not match.group("suffix"):
            return layout
    return None


def spec_headers(layout: str) -> list[str]:
    return [c["header"] for c in LAYOUTS[layout]["columns"].values()]


def _directory() -> dict[str, tuple[str, str]]:
    """The shipped postcode directory subset, read with the csv module: pcds -> (dointr, doterm)."""
    with open(SAMPLE / "reference" / "ONSPD_subset.csv", newline="", encoding="utf-8") as f:
        return {r["pcds"]: (r["dointr"], r["doterm"]) for r in csv.DictReader(f)}


DIRECTORY = _directory()


def postcode_valid(text: str, month: str) -> bool:
    """measures.md: real and live in the month's directory. White space is Python's Unicode idea of
    it (str.split), independently of the rules file's list; the sample only pastes no-break spaces."""
    squashed = "".join(text.split()).upper()
    if squashed in NULL_TOKENS:
        return False
    norm = f"{squashed[:-3]} {squashed[-3:]}"
    if norm.split()[0] in PSEUDO_OUTWARD:
        return False
    dates = DIRECTORY.get(norm)
    yyyymm = month.replace("-", "")
    return dates is not None and (dates[0] or "0") <= yyyymm and (not dates[1] or dates[1] >= yyyymm)


def ethnic_valid(layout: str, text: str) -> bool:
    if layout == "K2":
        table = {k.casefold(): v for k, v in K2_ETHNIC.items()}
        code = table.get(text.strip().casefold(), "")
    else:
        code = text.strip().upper()
    return code in VALID_ETHNIC_CODES


def read_table(path: Path, layout: str) -> list[list[str]]:
    encoding, delimiter = READ[layout][0], READ[layout][1]
    text = path.read_bytes().decode(encoding)
    if delimiter == "|":
        return [line.split("|") for line in text.split("\n") if line]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def women_booked(path: Path, layout: str, pessimistic: bool = False) -> list[dict[str, str]]:
    """Distinct pregnancies booked in the file's month (measures.md population).

    pessimistic: also drop rows a strict pipeline might quarantine (junk in a numeric column,
    an ID repeated with different content), to show no verdict hangs on them.
    """
    fmt, id_h, date_h = READ[layout][3], READ[layout][4], READ[layout][5]
    yyyy, mm = re.search(r"(\d{4})-?(\d{2})", path.name).groups()
    table = read_table(path, layout)
    headers = [h.strip().casefold() for h in table[0]]
    rows = [dict(zip(headers, r, strict=True)) for r in table[1:]]
    by_id: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        try:
            booked = datetime.strptime(row[date_h.casefold()], fmt)
        except ValueError:
            continue
        if (booked.year, booked.month) == (int(yyyy), int(mm)):
            by_id[row[id_h.casefold()]].append(row)
    women = []
    for copies in by_id.values():
        if pessimistic and (
            any(c != copies[0] for c in copies)
            or any(v and not re.fullmatch(r"\d+(\.\d+)?", v) for k, v in copies[0].items() if k in NUMERIC)
        ):
            continue
        women.append(copies[0])
    return women


def sample_extracts(parallel: bool = False) -> list[tuple[str, str, str, Path]]:
    """(org, month, layout, path) of every bookings-level submission in the shipped sample (or, with
    `parallel`, of the parallel-run extracts instead)."""
    found = []
    for path in sorted(SAMPLE.iterdir()):
        layout = layout_of(path.name)
        if layout in READ:
            match = re.match(LAYOUTS[layout]["file_pattern"], path.name)
            org, yyyy, mm = match.group("org", "yyyy", "mm")
            if ((org, f"{yyyy}-{mm}", layout) in PARALLEL_RUNS) == parallel:
                found.append((org, f"{yyyy}-{mm}", layout, path))
    return found


def rates(path: Path, layout: str, month: str, pessimistic: bool = False) -> tuple[int, float, float]:
    women = women_booked(path, layout, pessimistic)
    pc_h, eth_h = READ[layout][6].casefold(), READ[layout][7].casefold()
    n = len(women)
    postcode = sum(postcode_valid(w[pc_h], month) for w in women) / n
    return (n, postcode, sum(ethnic_valid(layout, w[eth_h]) for w in women) / n)


# ---- reproducibility -------------------------------------------------------------------------
