"""The synthetic generator and the shipped sample.

The story checks recount the shipped files with the csv module and the rules in
checks/rules.yaml, independently of the generator: they only know which Trust-months the sample
is meant to fail (the brief), never the generator's rates or counts.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.ingest.pseudonymise import SYNTHETIC_MARKER
from pipelines.synthetic import MessRates, generate_extracts, regenerate_sample
from pipelines.synthetic import mess as file_mess
from tests.synthetic.sample_reading import (
    MONTHS,
    READ,
    SAMPLE,
    layout_of,
    postcode_valid,
    read_table,
    sample_extracts,
    spec_headers,
    women_booked,
)


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
    """`--scale 0.2` books a fifth of the women: a month's volume draws the same random factor
    whatever the scale, so the women booked (recounted with the csv module) at 0.2 are those at
    1.0 divided by 5, rounded."""
    small = generate_extracts("2026-04", "2026-04", tmp_path / "small", scale=0.2, orgs=["RKB"])
    full = generate_extracts("2026-04", "2026-04", tmp_path / "full", scale=1.0, orgs=["RKB"])
    assert [p.name for p in small] == ["CERNER_RKB_202604_PREGNANCY.txt", "CERNER_RKB_202604_CLINICAL_EVENTS.txt"]
    assert len(women_booked(small[0], "Cerner")) == round(len(women_booked(full[0], "Cerner")) / 5)
    with pytest.raises(ValueError):
        generate_extracts("2026-04", "2026-04", tmp_path, orgs=["XYZ"])
    with pytest.raises(ValueError):
        generate_extracts("2026-05", "2026-04", tmp_path)


# ---- layouts ---------------------------------------------------------------------------------


def test_the_sample_has_one_submission_per_trust_and_month_and_one_parallel_run() -> None:
    expected = set()
    for month in MONTHS:
        yyyymm = month.replace("-", "")
        expected |= {f"BadgerNet_RJC_Booking_{month}.csv", f"BadgerNet_RLT_Booking_{month}.csv"}
        if month < "2026-04":
            expected.add(f"K2_RKB_MaternityBookings_{yyyymm}.csv")
        if month >= "2026-03":  # 2026-03: the Cerner test extract of the go-live's parallel run
            expected |= {f"CERNER_RKB_{yyyymm}_PREGNANCY.txt", f"CERNER_RKB_{yyyymm}_CLINICAL_EVENTS.txt"}
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
            assert sorted(h.strip().casefold() for h in table[0]) == sorted(h.casefold() for h in spec_headers(layout))
    assert cp1252_only, "no BadgerNet file carries a Windows-1252 accented letter"
    assert len(reordered) == 1 and reordered[0].startswith("BadgerNet_RJC_")


def test_cerner_events_are_long_format_with_units_and_dates() -> None:
    months = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
    dt = re.compile(rf"^\d{{2}}-({months})-\d{{4}} \d{{2}}:\d{{2}}:\d{{2}}$")
    # source-layouts.md: the events and units of the Cerner clinical events file
    events = {"Height", "Weight", "BMI Measured", "Smoking Status", "Carbon Monoxide Reading"}
    units = {"cm", "m", "kg", "lb", "ppm", "kg/m2", ""}
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
    # Well-formed postcodes the women gave that are no address in their booking month, by why:
    # the sample must exercise each edge of the directory rule (issue 12).
    why: dict[str, int] = defaultdict(int)
    for _org, month, layout, path in sample_extracts():
        yyyymm = month.replace("-", "")
        for w in women_booked(path, layout):
            pc = w[READ[layout][6].casefold()]
            squashed = "".join(pc.split()).upper()
            norm = f"{squashed[:-3]} {squashed[-3:]}"
            hit = onspd.get(norm)
            if postcode_valid(pc, month):
                why["valid"] += 1
                assert hit is not None
            elif hit is None:
                why["not in directory"] += bool(re.fullmatch(r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}", norm))
            elif hit["dointr"] > yyyymm:
                why["not yet introduced"] += 1
            elif hit["doterm"] and hit["doterm"] < yyyymm:
                why["terminated"] += 1
    assert why["valid"] > 10_000
    assert why["not in directory"] > 5 and why["not yet introduced"] > 5 and why["terminated"] > 5, why
    sample_months = {m.replace("-", "") for m in MONTHS}
    assert sum(r["dointr"] in sample_months for r in onspd.values()) > 20
    assert sum(r["doterm"] in sample_months for r in onspd.values()) > 20
    decile_col = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
    for edition, lsoa_col in ((2019, "LSOA code (2011)"), (2025, "LSOA code (2021)")):
        with open(SAMPLE / "reference" / f"File_7_IoD{edition}_subset.csv", newline="", encoding="utf-8") as f:
            iod = list(csv.DictReader(f))
        assert {lsoa_col, decile_col} <= set(iod[0])
        codes = {r[lsoa_col] for r in iod}
        wanted = {r["lsoa11" if edition == 2019 else "lsoa21"] for r in onspd.values()}
        assert wanted <= codes


# ---- the story -------------------------------------------------------------------------------


def test_file_level_corruptions(tmp_path: Path) -> None:
    paths = generate_extracts("2025-06", "2025-06", tmp_path, orgs=["RKB", "RLT"], mess=MessRates.clean())
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
