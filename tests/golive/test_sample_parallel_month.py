"""The shipped sample's parallel run (RKB 2026-03: K2, the system of record, and a Cerner test
extract): the month's measures are the K2 extract's alone, and the go-live table agrees with a
recount of the two files made here with the csv module and the spec's rules (independently of the
pipeline: pregnancies placed in the month as tests/synthetic/sample_reading.py reads them, linked
by a valid NHS number, a woman's repeated bookings paired in booking-date order)."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import datetime

import pytest

from tests.conftest import load
from tests.synthetic.sample_reading import (
    LAYOUTS,
    READ,
    SAMPLE,
    ethnic_valid,
    postcode_valid,
    sample_extracts,
    women_booked,
)

MONTH = "2026-03"
PLACEHOLDERS = {str(d) * 10 for d in range(10)}


def _nhs_key(text: str) -> str | None:
    """The NHS number when it is a valid one (ten digits, Modulus 11, not a placeholder), else None."""
    digits = "".join(c for c in text if c not in " -")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit() or digits in PLACEHOLDERS:
        return None
    check = (11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11) % 11
    return digits if check == int(digits[9]) else None


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """The sample's 2026-03 loaded and reconciled, and the same month without the Cerner files."""
    from pipelines.core.warehouse import connect
    from pipelines.golive import compute_golive
    from pipelines.measures.compute import compute_measures

    root = tmp_path_factory.mktemp("sample")
    out = {}
    for name, drop in (("with", False), ("alone", True)):
        landing = root / name
        shutil.copytree(SAMPLE, landing)
        if drop:
            for path in landing.glob("CERNER_RKB_202603_*"):
                path.unlink()
        wh = root / f"{name}.duckdb"
        load(landing, wh, MONTH)
        with connect(wh) as con:
            out[name] = (compute_measures(con, MONTH), compute_golive(con, MONTH))
    return out


def test_the_months_measures_are_the_k2_extracts_alone(sample_run):
    measured, golive = sample_run["with"]
    alone, nothing = sample_run["alone"]
    assert measured.equals(alone)
    assert set(measured.filter(measured["org_code"] == "RKB").get_column("source_system")) == {"K2"}
    assert golive.height == 7 and nothing.height == 0


def _sides() -> dict[str, list[dict[str, str]]]:
    [(_, _, k2_layout, k2)] = [e for e in sample_extracts() if e[:2] == ("RKB", MONTH)]
    [(_, _, cerner_layout, cerner)] = [e for e in sample_extracts(parallel=True) if e[:2] == ("RKB", MONTH)]
    assert (k2_layout, cerner_layout) == ("K2", "Cerner")
    return {"K2": women_booked(k2, "K2"), "Cerner": women_booked(cerner, "Cerner")}


def _recount():
    """(coverage, ethnic outcomes, postcode outcomes) recounted from the two files."""
    headers = {"K2": ("nhs number", "booking date"), "Cerner": ("nhs_nbr", "booking_dt_tm")}
    sides = _sides()
    keyed, unlinkable = {}, 0
    for layout, women in sides.items():
        nhs, booked = headers[layout]
        by_key = defaultdict(list)
        for line, w in enumerate(women):
            key = _nhs_key(w[nhs])
            if key is None:
                unlinkable += 1
            else:
                by_key[key].append((datetime.strptime(w[booked], READ[layout][3]).date(), line, w))
        keyed[layout] = {k: [w for *_, w in sorted(v, key=lambda x: x[:2])] for k, v in by_key.items()}
    pairs, only_k2, only_cerner = [], 0, 0
    for key in set(keyed["K2"]) | set(keyed["Cerner"]):
        k2, cerner = keyed["K2"].get(key, []), keyed["Cerner"].get(key, [])
        pairs += list(zip(k2, cerner, strict=False))
        only_k2 += max(0, len(k2) - len(cerner))
        only_cerner += max(0, len(cerner) - len(k2))
    k2_codes = {k.strip().casefold(): v for k, v in LAYOUTS["K2"]["ethnic_map"].items()}

    def outcome(valid_k2, valid_cerner, same):
        if valid_k2 and valid_cerner:
            return "both_valid_same" if same else "both_valid_different"
        return "valid_only_in_record" if valid_k2 else "valid_only_in_parallel" if valid_cerner else "neither_valid"

    ethnic, postcode = defaultdict(int), defaultdict(int)
    for k2, cerner in pairs:
        code_k2 = k2_codes.get(k2["ethnic origin"].strip().casefold())
        code_cerner = cerner["ethnic_grp_alias"].strip().upper()
        ethnic[
            outcome(
                ethnic_valid("K2", k2["ethnic origin"]), ethnic_valid("Cerner", code_cerner), code_k2 == code_cerner
            )
        ] += 1
        squash = ["".join(p.split()).upper() for p in (k2["postcode"], cerner["zipcode"])]
        postcode[
            outcome(
                postcode_valid(k2["postcode"], MONTH), postcode_valid(cerner["zipcode"], MONTH), squash[0] == squash[1]
            )
        ] += 1
    coverage = (len(pairs), only_k2, only_cerner, unlinkable)
    return coverage, dict(ethnic), dict(postcode), {k: len(v) for k, v in sides.items()}


def test_the_go_live_table_agrees_with_a_recount_of_the_files(sample_run):
    _, golive = sample_run["with"]
    rows = {r["data_item"]: r for r in golive.iter_rows(named=True)}
    coverage, ethnic, postcode, sizes = _recount()
    got = rows["pregnancies"]
    assert (got["linked"], got["only_in_record"], got["only_in_parallel"], got["unlinkable"]) == coverage
    assert 2 * coverage[0] + sum(coverage[1:]) == sizes["K2"] + sizes["Cerner"]
    outcomes = ["both_valid_same", "both_valid_different", "valid_only_in_record", "valid_only_in_parallel"]
    for item, expected in (("MSD_MOTHER_ETHNIC_VALID", ethnic), ("MSD_MOTHER_POSTCODE_VALID", postcode)):
        assert {c: rows[item][c] for c in [*outcomes, "neither_valid"] if rows[item][c]} == expected


def test_the_parallel_month_tells_the_go_live_story():
    """Mostly the same women; some only in one system; some unlinkable on each side; ethnic coding
    often lost in Cerner; a few values changed and a few improved (the brief)."""
    coverage, ethnic, postcode, sizes = _recount()
    linked, only_k2, only_cerner, unlinkable = coverage
    assert linked >= 0.85 * sizes["K2"] and only_k2 >= 5 and only_cerner >= 5 and unlinkable >= 10
    valid_in_k2 = (
        ethnic.get("both_valid_same", 0) + ethnic.get("both_valid_different", 0) + ethnic["valid_only_in_record"]
    )
    assert ethnic["valid_only_in_record"] >= 0.2 * valid_in_k2
    assert ethnic["both_valid_different"] >= 1 and ethnic["valid_only_in_parallel"] >= 5
    assert postcode["both_valid_different"] >= 1 and postcode["valid_only_in_parallel"] >= 1
