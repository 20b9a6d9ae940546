"""The gate upper-cases a postcode as the SQL does, so Great Expectations' rate is the SQL's.

A month of five RKB bookings (K2, 2025-04), each typed with a character whose upper case differs
by library: polars (and Python, and Java) make ß SS, DuckDB's upper makes it ẞ, one code point
for one. Counted by hand, the SQL normalising as DuckDB does:

1. ``ß1 1aa``: ẞ1 1AA, neither live nor of the format: invalid. (polars: SS1 1AA, live and of the
   format: the gate counted it valid.)
2. ``ss1 1aa``: SS1 1AA, live (added to the directory here) and of the format: valid.
3. ``cv1 2ab``: CV1 2AB, live and of the format: valid.
4. ``a1 1ß``: A 11ẞ (four characters: one before the space), invalid. (polars: A1 1SS, of the
   format: valid to the gate in format mode.)
5. ``cv1 2ab`` and a combining acute accent: CV12 AB́ (the accent is a character of its own to
   both), invalid.

Valid 2 of 5 in directory mode and in format mode, by the SQL and by Great Expectations;
evaluate_gate raises when the two differ (before the fix: 3 of 5 and 4 of 5 to the gate).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest.pseudonymise import ENV_KEY, SYNTHETIC_MARKER
from tests.conftest import FIXTURE_LANDING, TODAY

MONTH = "2025-04"
POSTCODES = ["ß1 1aa", "ss1 1aa", "cv1 2ab", "a1 1ß", "cv1 2ab\u0301"]
K2_HEADER = (
    "Booking ID,Hospital Number,NHS Number,Date of Birth,Booking Date,Gestation at Booking,Postcode,"
    "Ethnic Origin,Height (cm),Weight (kg),BMI,Smoking Status,CO Reading (ppm),Site Code"
)


def write_month(landing: Path) -> None:
    """The five bookings in RKB's K2 file; the fixture's reference folder with SS1 1AA live."""
    import shutil

    shutil.copytree(FIXTURE_LANDING / "reference", landing / "reference")
    (landing / SYNTHETIC_MARKER).touch()
    with (landing / "reference" / "ONSPD_fixture.csv").open("a", encoding="utf-8") as directory:
        directory.write("SS11AA,SS1 1AA,198001,,E06000033,E01009001,E01009001\n")
    rows = [
        f"BK0000000{n},H000000{n},,03/03/1994,0{n}/04/2025 09:30,10+3,{postcode},White - British,165,70,25.7,"
        "Never smoked,2,RKB01"
        for n, postcode in enumerate(POSTCODES, start=1)
    ]
    text = "\r\n".join([K2_HEADER, *rows]) + "\r\n"
    (landing / "K2_RKB_MaternityBookings_202504.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


@pytest.fixture(params=["directory", "format"])
def postcode_rule(request, tmp_path, monkeypatch):
    """The shipped rules in directory mode, or a copy of them in format mode (MDQ_RULES)."""
    from pipelines.core.paths import RULES_FILE

    monkeypatch.delenv(ENV_KEY, raising=False)  # the month is synthetic: the sample-only key
    if request.param == "format":
        rules = tmp_path / "rules.yaml"
        text = RULES_FILE.read_text(encoding="utf-8")
        assert "  validity: directory\n" in text
        rules.write_text(text.replace("  validity: directory\n", "  validity: format\n"), encoding="utf-8")
        monkeypatch.setenv("MDQ_RULES", str(rules))
    return request.param


def postcode_verdict(warehouse: Path, month: str = MONTH) -> tuple[int, int]:
    """(valid, booked) of RKB's valid-postcode measure, after evaluate_gate found GE's count the SQL's."""
    from pipelines.gate.verdicts import evaluate_gate

    verdicts = evaluate_gate(warehouse, month)
    return next(
        (v.numerator, v.denominator)
        for v in verdicts
        if (v.org_code, v.measure_id) == ("RKB", "MSD_MOTHER_POSTCODE_VALID")
    )


def test_the_gate_counts_postcodes_as_the_sql_does_on_duckdb(tmp_path, postcode_rule):
    from pipelines.core.warehouse import connect
    from pipelines.gate.results import run_month_gate
    from pipelines.ingest.load_month import load_month
    from pipelines.measures.compute import compute_measures

    landing, warehouse = tmp_path / "landing", tmp_path / "mdq.duckdb"
    write_month(landing)
    load_month(MONTH, landing, warehouse, landing / "reference", today=TODAY)
    with connect(warehouse) as con:
        compute_measures(con, MONTH)
        run_month_gate(con, MONTH, tmp_path / "gx", tmp_path / "out")
    assert postcode_verdict(warehouse) == (2, 5)


def test_the_gates_normalisation_is_the_sqls():
    """The gate's normalising of the five (checks/postcodes.py) against the SQL's, by hand above."""
    import pandas as pd

    from checks.postcodes import normalise_postcodes
    from pipelines.core.config import load_rules

    assert normalise_postcodes(pd.Series(POSTCODES), load_rules()).tolist() == [
        "\u1e9e1 1AA",
        "SS1 1AA",
        "CV1 2AB",
        "A 11\u1e9e",
        "CV12 AB\u0301",
    ]
