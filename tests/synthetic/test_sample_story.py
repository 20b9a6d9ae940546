"""The shipped sample's story, recounted with the csv module and the spec's rules (written as
literals in tests/synthetic/sample_reading.py), independently of the generator and the rules file:
these tests only know which Trust-months the sample is meant to fail (the brief), never the
generator's rates or counts.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict

from tests.synthetic.sample_reading import (
    EXPECTED_FAILS,
    MARGIN,
    READ,
    SAMPLE,
    THRESHOLDS,
    ethnic_valid,
    rates,
    sample_extracts,
    women_booked,
)


def verdicts(pessimistic: bool) -> tuple[set[tuple[str, str, str]], list[str]]:
    gates = THRESHOLDS
    fails, thin = set(), []
    for org, month, layout, path in sample_extracts():
        n, postcode, ethnic = rates(path, layout, month, pessimistic)
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
        decile = {
            r["LSOA code (2021)"]: int(
                r["Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"]
            )
            for r in csv.DictReader(f)
        }
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
