"""The synthetic generator and the shipped sample.

The story checks recount the shipped files with the csv module and the rules in
checks/rules.yaml, independently of the generator: they only know which Trust-months the sample
is meant to fail (the brief), never the generator's rates or counts.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from pipelines.ingest.pseudonymise import SYNTHETIC_MARKER
from pipelines.synthetic import MessRates, generate_extracts, regenerate_sample
from pipelines.synthetic import mess as file_mess

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_data"
LAYOUTS = yaml.safe_load((REPO / "schemas" / "layouts.yaml").read_text(encoding="utf-8"))
RULES = yaml.safe_load((REPO / "checks" / "rules.yaml").read_text(encoding="utf-8"))

MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 10)]
EXPECTED_FAILS = {
    ("RLT", "2025-10", "postcode"), ("RLT", "2025-11", "postcode"), ("RLT", "2025-12", "postcode"),
    ("RKB", "2026-04", "ethnic"), ("RKB", "2026-05", "ethnic"), ("RKB", "2026-06", "ethnic"),
}
MARGIN = 0.015

# layout -> (encoding, delimiter, line end, booking-date format, id, date, postcode, ethnic headers)
READ = {
    "K2": ("utf-8-sig", ",", "\r\n", "%d/%m/%Y %H:%M",
           "Booking ID", "Booking Date", "Postcode", "Ethnic Origin"),
    "BadgerNet": ("cp1252", ",", "\n", "%Y-%m-%d",
                  "EpisodeID", "BookingDate", "Postcode", "EthnicCategory"),
    "Cerner": ("utf-8", "|", "\n", "%d-%b-%Y %H:%M:%S",
               "PREGNANCY_ID", "BOOKING_DT_TM", "ZIPCODE", "ETHNIC_GRP_ALIAS"),
}
NUMERIC = {"height (cm)", "weight (kg)", "bmi", "co reading (ppm)", "heightcm", "weightkg",
           "bmiatbooking", "coreadingppm", "gestationatbookingdays", "gest_age_at_booking"}


def layout_of(name: str) -> str | None:
    """Layout of a first submission's file name (resubmissions carry a suffix: not ours)."""
    for layout, spec in LAYOUTS.items():
        match = re.match(spec.get("file_pattern", "^$"), name) if isinstance(spec, dict) else None
        if match and not match.group("suffix"):
            return layout
    return None


def spec_headers(layout: str) -> list[str]:
    return [c["header"] for c in LAYOUTS[layout]["columns"].values()]


def postcode_valid(text: str) -> bool:
    cfg = RULES["postcode"]
    if text.strip().upper() in cfg["null_tokens"]:
        return False
    squashed = re.sub(r"\s+", "", text.upper())
    norm = f"{squashed[:-3]} {squashed[-3:]}"
    if not re.match(cfg["format_regex"], norm):
        return False
    return norm.split()[0] not in cfg["pseudo_outward_codes"]


def ethnic_valid(layout: str, text: str) -> bool:
    if layout == "K2":
        table = {k.strip().casefold(): v for k, v in LAYOUTS["K2"]["ethnic_map"].items()}
        code = table.get(text.strip().casefold(), "")
    else:
        code = text.strip().upper()
    return code in RULES["ethnic_category"]["valid_codes"]


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
        if pessimistic and (any(c != copies[0] for c in copies) or any(
                v and not re.fullmatch(r"\d+(\.\d+)?", v)
                for k, v in copies[0].items() if k in NUMERIC)):
            continue
        women.append(copies[0])
    return women


def sample_extracts() -> list[tuple[str, str, str, Path]]:
    """(org, month, layout, path) of every bookings-level file in the shipped sample."""
    found = []
    for path in sorted(SAMPLE.iterdir()):
        layout = layout_of(path.name)
        if layout in READ:
            match = re.match(LAYOUTS[layout]["file_pattern"], path.name)
            org, yyyy, mm = match.group("org", "yyyy", "mm")
            found.append((org, f"{yyyy}-{mm}", layout, path))
    return found


def rates(path: Path, layout: str, pessimistic: bool = False) -> tuple[int, float, float]:
    women = women_booked(path, layout, pessimistic)
    pc_h, eth_h = READ[layout][6].casefold(), READ[layout][7].casefold()
    n = len(women)
    return (n, sum(postcode_valid(w[pc_h]) for w in women) / n,
            sum(ethnic_valid(layout, w[eth_h]) for w in women) / n)


# ---- reproducibility -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("regen")
    regenerate_sample(root)
    return root / "sample_data"


def generated_files(base: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in base.iterdir() if p.is_file() and layout_of(p.name)}
    files[SYNTHETIC_MARKER] = (base / SYNTHETIC_MARKER).read_bytes()
    files |= {f"reference/{p.name}": p.read_bytes() for p in (base / "reference").glob("*.csv")}
    return files


def test_regenerating_reproduces_the_shipped_sample_byte_for_byte(regenerated: Path) -> None:
    shipped, again = generated_files(SAMPLE), generated_files(regenerated)
    assert sorted(again) == sorted(shipped)
    differing = [name for name in shipped if shipped[name] != again[name]]
    assert differing == []


def test_changing_the_seed_changes_the_content(tmp_path: Path) -> None:
    a = generate_extracts("2025-04", "2025-04", tmp_path / "a", seed=1)
    b = generate_extracts("2025-04", "2025-04", tmp_path / "b", seed=2)
    c = generate_extracts("2025-04", "2025-04", tmp_path / "c", seed=1)
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() != y.read_bytes() for x, y in zip(a, b, strict=True))
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, c, strict=True))


def test_scale_and_orgs(tmp_path: Path) -> None:
    small = generate_extracts("2026-04", "2026-04", tmp_path, scale=0.2, orgs=["RKB"])
    assert [p.name for p in small] == ["CERNER_RKB_202604_PREGNANCY.txt",
                                       "CERNER_RKB_202604_CLINICAL_EVENTS.txt"]
    assert 80 <= len(read_table(small[0], "Cerner")) - 1 <= 130
    with pytest.raises(ValueError):
        generate_extracts("2026-04", "2026-04", tmp_path, orgs=["XYZ"])
    with pytest.raises(ValueError):
        generate_extracts("2026-05", "2026-04", tmp_path)


# ---- layouts ---------------------------------------------------------------------------------

def test_the_sample_has_one_submission_per_trust_and_month() -> None:
    expected = set()
    for month in MONTHS:
        yyyymm = month.replace("-", "")
        expected |= {f"BadgerNet_RJC_Booking_{month}.csv", f"BadgerNet_RLT_Booking_{month}.csv"}
        if month < "2026-04":
            expected.add(f"K2_RKB_MaternityBookings_{yyyymm}.csv")
        else:
            expected |= {f"CERNER_RKB_{yyyymm}_PREGNANCY.txt",
                         f"CERNER_RKB_{yyyymm}_CLINICAL_EVENTS.txt"}
    names = {p.name for p in SAMPLE.iterdir() if p.is_file() and layout_of(p.name)}
    assert names == expected


def test_encodings_line_ends_and_headers() -> None:
    reordered = []
    cp1252_only = False
    for path in sorted(p for p in SAMPLE.iterdir() if layout_of(p.name)):
        layout = layout_of(path.name)
        data = path.read_bytes()
        if layout == "K2":
            assert data.startswith(b"\xef\xbb\xbf")
            assert data.count(b"\n") == data.count(b"\r\n") and data.endswith(b"\r\n")
            text = data.decode("utf-8-sig")
        else:
            assert not data.startswith(b"\xef\xbb\xbf")
            assert b"\r" not in data and data.endswith(b"\n")
            text = data.decode("cp1252" if layout == "BadgerNet" else "utf-8")
            if layout == "BadgerNet":
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError:
                    cp1252_only = True
        table = read_table(path, layout if layout != "CernerEvents" else "Cerner")
        assert len({len(r) for r in table}) == 1, f"ragged rows in {path.name}"
        assert len(table) > 100 and text
        if table[0] != spec_headers(layout):
            reordered.append(path.name)
            assert sorted(h.strip().casefold() for h in table[0]) == sorted(
                h.casefold() for h in spec_headers(layout))
    assert cp1252_only, "no BadgerNet file carries a Windows-1252 accented letter"
    assert len(reordered) == 1 and reordered[0].startswith("BadgerNet_RJC_")


def test_cerner_events_are_long_format_with_units_and_dates() -> None:
    months = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
    dt = re.compile(rf"^\d{{2}}-({months})-\d{{4}} \d{{2}}:\d{{2}}:\d{{2}}$")
    events = set(LAYOUTS["CernerEvents"]["event_map"])
    units = set(LAYOUTS["CernerEvents"]["unit_factors"]) | {""}
    seen_units, per_pregnancy = set(), defaultdict(list)
    for path in sorted(SAMPLE.glob("CERNER_*_CLINICAL_EVENTS.txt")):
        for row in read_table(path, "Cerner")[1:]:
            preg, event, value, unit, when = row
            assert event in events and unit in units and dt.match(when), row
            if event == "Smoking Status":
                assert value in {"Current smoker", "Ex-smoker", "Never smoked", "Not asked"}
            seen_units.add(unit)
            per_pregnancy[(preg, event)].append(datetime.strptime(when, "%d-%b-%Y %H:%M:%S"))
    assert {"cm", "m", "kg", "lb", "ppm", "kg/m2"} <= seen_units
    assert any(len(v) > 1 for v in per_pregnancy.values())


def test_reference_subsets_cover_the_postcodes_used() -> None:
    with open(SAMPLE / "reference" / "ONSPD_subset.csv", newline="", encoding="utf-8") as f:
        onspd = {r["pcds"]: r for r in csv.DictReader(f)}
    some = next(iter(onspd.values()))
    assert {"pcd", "pcds", "dointr", "doterm", "oslaua", "lsoa11", "lsoa21"} <= set(some)
    for r in onspd.values():
        outward, inward = r["pcds"].split(" ")
        assert len(r["pcd"]) == 7 and r["pcd"] == outward.ljust(4)[:4] + inward
        assert re.fullmatch(r"E01\d{6}", r["lsoa11"]) and re.fullmatch(r"E01\d{6}", r["lsoa21"])
    used = live = 0
    for _org, _month, layout, path in sample_extracts():
        for w in women_booked(path, layout):
            pc = w[READ[layout][6].casefold()]
            if postcode_valid(pc):
                squashed = re.sub(r"\s+", "", pc.upper())
                hit = onspd.get(f"{squashed[:-3]} {squashed[-3:]}")
                used += 1
                live += bool(hit and not hit["doterm"])
    assert 0.97 < live / used < 0.999  # a few terminated or missing postcodes, on purpose
    decile_col = ("Index of Multiple Deprivation (IMD) Decile "
                  "(where 1 is most deprived 10% of LSOAs)")
    for edition, lsoa_col in ((2019, "LSOA code (2011)"), (2025, "LSOA code (2021)")):
        with open(SAMPLE / "reference" / f"File_7_IoD{edition}_subset.csv", newline="",
                  encoding="utf-8") as f:
            iod = list(csv.DictReader(f))
        assert {lsoa_col, decile_col} <= set(iod[0])
        codes = {r[lsoa_col] for r in iod}
        wanted = {r["lsoa11" if edition == 2019 else "lsoa21"] for r in onspd.values()}
        assert wanted <= codes


# ---- the story -------------------------------------------------------------------------------

def verdicts(pessimistic: bool) -> tuple[set[tuple[str, str, str]], list[str]]:
    by_id = {m["id"]: m["threshold"] for m in RULES["measures"] if m.get("gated")}
    gates = {"postcode": by_id["MSD_MOTHER_POSTCODE_VALID"],
             "ethnic": by_id["MSD_MOTHER_ETHNIC_VALID"]}
    fails, thin = set(), []
    for org, month, layout, path in sample_extracts():
        n, postcode, ethnic = rates(path, layout, pessimistic)
        assert n > 100
        for measure, rate in (("postcode", postcode), ("ethnic", ethnic)):
            if rate < gates[measure]:
                fails.add((org, month, measure))
            if abs(rate - gates[measure]) < MARGIN:
                thin.append(f"{org} {month} {measure} {rate:.3f}")
    return fails, thin


def test_the_gate_fails_exactly_the_story_months_with_margin() -> None:
    fails, thin = verdicts(pessimistic=False)
    assert fails == EXPECTED_FAILS
    assert thin == []


def test_quarantine_candidates_cannot_flip_a_verdict() -> None:
    fails, _ = verdicts(pessimistic=True)
    assert fails == EXPECTED_FAILS


def test_trust_mix_of_deprivation_and_ethnicity() -> None:
    with open(SAMPLE / "reference" / "ONSPD_subset.csv", newline="", encoding="utf-8") as f:
        lsoa = {r["pcds"]: r["lsoa21"] for r in csv.DictReader(f) if not r["doterm"]}
    iod = SAMPLE / "reference" / "File_7_IoD2025_subset.csv"
    with open(iod, newline="", encoding="utf-8") as f:
        decile = {r["LSOA code (2021)"]: int(r["Index of Multiple Deprivation (IMD) Decile "
                                               "(where 1 is most deprived 10% of LSOAs)"])
                  for r in csv.DictReader(f)}
    deprived, placed, white, stated = (defaultdict(int) for _ in range(4))
    for org, _month, layout, path in sample_extracts():
        for w in women_booked(path, layout):
            squashed = re.sub(r"\s+", "", w[READ[layout][6].casefold()].upper())
            code = lsoa.get(f"{squashed[:-3]} {squashed[-3:]}")
            if code:
                placed[org] += 1
                deprived[org] += decile[code] <= 3
            text = w[READ[layout][7].casefold()]
            if ethnic_valid(layout, text):
                stated[org] += 1
                code = text.strip().casefold()
                white[org] += code.startswith("white") or code in {"a", "b", "c"}
    share = {org: deprived[org] / placed[org] for org in placed}
    assert 0.25 < share["RKB"] < 0.35 and 0.04 < share["RJC"] < 0.12
    assert 0.15 < share["RLT"] < 0.25
    whites = {org: white[org] / stated[org] for org in stated}
    assert 0.58 < whites["RKB"] < whites["RLT"] < whites["RJC"] < 0.8


# ---- file-level faults for the readers' tests -------------------------------------------------

def test_file_level_corruptions(tmp_path: Path) -> None:
    paths = generate_extracts("2025-06", "2025-06", tmp_path, orgs=["RKB", "RLT"],
                              mess=MessRates.clean())
    k2, badger = paths
    original = read_table(k2, "K2")

    file_mess.drop_column(k2, "Postcode")
    dropped = read_table(k2, "K2")
    assert "Postcode" not in dropped[0] and len(dropped[1]) == len(original[1]) - 1
    assert k2.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in k2.read_bytes()

    file_mess.rename_column(k2, "Booking Date", " booking date")
    assert " booking date" in read_table(k2, "K2")[0]
    file_mess.add_column(k2, "Extra")
    assert read_table(k2, "K2")[0][-1] == "Extra"
    before = read_table(k2, "K2")
    file_mess.reorder_columns(k2, seed=3)
    after = read_table(k2, "K2")
    assert after[0] != before[0]
    assert sorted(zip(*after, strict=True)) == sorted(zip(*before, strict=True))

    file_mess.truncate_last_line(badger)
    assert not badger.read_bytes().endswith(b"\n")
    file_mess.header_only(k2)
    assert len(read_table(k2, "K2")) == 1
    file_mess.wrong_encoding(badger)
    with pytest.raises(UnicodeDecodeError):
        badger.read_bytes().decode("utf-8")
