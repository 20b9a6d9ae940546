"""The hand-written fixture month (tests/fixtures/landing, 2025-04), counted by hand.

K2 RKB (10 data rows, lines 2-11): lines 7 (31/02), 8 (30/03, March), 9 (exact repeat of line 2)
and 10 (blank Booking ID) are quarantined; 6 bookings load.
BadgerNet RJC (7 rows, lines 2-8): line 5 (2025-04-31), 6 (May) and 8 (EpisodeID 1003 again,
different values) are quarantined; 4 load.
Cerner RLT pregnancy (4 rows): line 5 (March) quarantined; 3 load. Events (14 rows): line 10
(CO 'abc'), 12 (31-APR), 13 (pregnancy 5009 absent), 14 (pregnancy 5004 quarantined), 15
(Temperature) quarantined; 9 load.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_LANDING, FIXTURE_MONTH, load, query


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    """The fixture month loaded once for the module (the tests read it; the four-way split adds
    the month's measures, which no other test here reads)."""
    root = tmp_path_factory.mktemp("fixture_month")
    shutil.copytree(FIXTURE_LANDING, root / "landing")
    load(root / "landing", root / "w.duckdb")
    return root / "w.duckdb"


EXPECTED_QUARANTINE = {
    ("K2_RKB_MaternityBookings_202504.csv", 7): "not a real date",
    ("K2_RKB_MaternityBookings_202504.csv", 8): "outside the file's month",
    ("K2_RKB_MaternityBookings_202504.csv", 9): "exact duplicate of line 2",
    ("K2_RKB_MaternityBookings_202504.csv", 10): "Booking ID is blank",
    ("BadgerNet_RJC_Booking_2025-04.csv", 5): "not a real date",
    ("BadgerNet_RJC_Booking_2025-04.csv", 6): "outside the file's month",
    ("BadgerNet_RJC_Booking_2025-04.csv", 8): "repeated from line 4",
    ("CERNER_RLT_202504_PREGNANCY.txt", 5): "outside the file's month",
    ("CERNER_RLT_202504_CLINICAL_EVENTS.txt", 10): "'abc' is not a number",
    ("CERNER_RLT_202504_CLINICAL_EVENTS.txt", 12): "not a real date",
    ("CERNER_RLT_202504_CLINICAL_EVENTS.txt", 13): "no loaded row",
    ("CERNER_RLT_202504_CLINICAL_EVENTS.txt", 14): "no loaded row",
    ("CERNER_RLT_202504_CLINICAL_EVENTS.txt", 15): "not a known clinical event",
}


def test_bookings_per_trust(loaded):
    rows = query(loaded, "SELECT org_code, source_system, count(*) FROM bookings GROUP BY ALL ORDER BY 1")
    assert rows == [("RJC", "BadgerNet", 4), ("RKB", "K2", 6), ("RLT", "Cerner", 3)]


def test_quarantine_names_file_line_and_reason(loaded):
    rows = query(loaded, "SELECT source_file, line_number, reason FROM quarantine")
    assert {(f, line) for f, line, _ in rows} == set(EXPECTED_QUARANTINE)
    for file_name, line, reason in rows:
        assert EXPECTED_QUARANTINE[(file_name, line)] in reason


def test_every_row_loaded_or_quarantined(loaded):
    rows = query(loaded, "SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM submissions ORDER BY 1")
    assert rows == [
        ("BadgerNet_RJC_Booking_2025-04.csv", 7, 4, 3),
        ("CERNER_RLT_202504_CLINICAL_EVENTS.txt", 14, 9, 5),
        ("CERNER_RLT_202504_PREGNANCY.txt", 4, 3, 1),
        ("K2_RKB_MaternityBookings_202504.csv", 10, 6, 4),
    ]
    stored = query(
        loaded,
        """SELECT s.file_name, (SELECT count(*) FROM bookings b WHERE b.submission_id = s.submission_id)
        + (SELECT count(*) FROM clinical_events e WHERE e.submission_id = s.submission_id),
        (SELECT count(*) FROM quarantine q WHERE q.submission_id = s.submission_id) FROM submissions s ORDER BY 1""",
    )
    assert [(f, loaded_, quarantined) for f, loaded_, quarantined in stored] == [
        ("BadgerNet_RJC_Booking_2025-04.csv", 4, 3),
        ("CERNER_RLT_202504_CLINICAL_EVENTS.txt", 9, 5),
        ("CERNER_RLT_202504_PREGNANCY.txt", 3, 1),
        ("K2_RKB_MaternityBookings_202504.csv", 6, 4),
    ]


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        # RJC, RKB, RLT numerators; denominators 4, 6, 3 (hand-counted in the fixture files).
        # Postcode: RKB line 11 (CV5 6EF, terminated 202001) and RLT line 3 (CV11 4XY, not in
        # the directory) are well-formed but not live in 2025-04, so not valid.
        ("postcode_valid", (3, 2, 1)),
        ("ethnic_category_valid", (2, 4, 1)),
        ("postcode_has_lsoa", (3, 2, 1)),
        ("bmi_recorded", (4, 3, 2)),
        ("smoking_recorded", (2, 4, 1)),
        ("co_recorded", (3, 3, 1)),
        ("gestation_valid", (3, 5, 2)),
        ("nhs_number_valid", (2, 3, 2)),
    ],
)
def test_flags_per_trust(loaded, flag, expected):
    rows = query(loaded, f"SELECT org_code, count(*) FILTER (WHERE {flag}) FROM bookings GROUP BY 1 ORDER BY 1")
    assert tuple(n for _, n in rows) == expected


# (valid, default, invalid, missing) per Trust, counted by hand from the fixture files:
# RJC (BadgerNet lines 2, 3, 4, 7)
#   postcode  CV312AB, CV37 6AA, cv34 4ab live; CV32 malformed                      -> 3 0 1 0
#   ethnic    A, 'a ' valid; 99 default; blank missing                               -> 2 1 0 1
#   BMI       165/70 derived, 28, 170/200 derived, 150/45 derived                    -> 4 0 0 0
#   smoking   3, 1 valid; 9 not known; blank                                         -> 2 1 0 1
#   CO        1, 5, 0 valid; blank                                                   -> 3 0 0 1
#   gestation 70, 84, 63 days valid; blank                                           -> 3 0 0 1
#   NHS no.   9434765919, 4010232137 pass Modulus 11; two blank                      -> 2 0 0 2
# RKB (K2 lines 2, 3, 4, 5, 6, 11)
#   postcode  cv1 2ab, 'CV12AB ' live; ZZ99 3VZ pseudo; CV5 6EF terminated 202001;
#             blank, N/A                                                             -> 2 1 1 2
#   ethnic    White - British, '  white - irish ', Indian, Chinese valid; Not Stated (Z);
#             'White-British' unmapped                                               -> 4 1 1 0
#   BMI       25.7, 170/80 derived, 31.2 valid; 80 implausible; line 3 nothing;
#             line 4 height only                                                     -> 3 0 1 2
#   smoking   Never, Current, Ex, Never valid; Not asked; blank                      -> 4 1 0 1
#   CO        2, 14, 3 valid; 'abc' and 101 recorded but not 0-100; blank            -> 3 0 2 1
#   gestation 10+3, 8+0, 12+6, 11+0, 9+2 valid; 50+0                                 -> 5 0 1 0
#   NHS no.   943 476 5919, 401 023 2137 twice pass; 943 476 5918 fails; two blank   -> 3 0 1 2
# RLT (Cerner pregnancies 5001, 5002, 5003)
#   postcode  CV10 7AB live; cv11 4xy not in the directory; TBC                      -> 1 0 1 1
#   ethnic    A; z (Z); blank                                                        -> 1 1 0 1
#   BMI       1.65 m/154 lb derived, 24.1; 5003 height only (its weight quarantined) -> 2 0 0 1
#   smoking   Never smoked; Not asked; none                                          -> 1 1 0 1
#   CO        2; 5002's 'abc' quarantined; none                                      -> 1 0 0 2
#   gestation 70, 91 days; blank                                                     -> 2 0 0 1
#   NHS no.   9434765919, 4010232137; blank                                          -> 2 0 0 1
SPLIT = {
    "RJC": {
        "MSD_MOTHER_POSTCODE_VALID": (3, 0, 1, 0),
        "MSD_MOTHER_ETHNIC_VALID": (2, 1, 0, 1),
        "MSD_MOTHER_POSTCODE_LSOA": (3, 0, 1, 0),
        "MSD_BMI_RECORDED": (4, 0, 0, 0),
        "MSD_SMOKING_RECORDED": (2, 1, 0, 1),
        "MSD_CO_RECORDED": (3, 0, 0, 1),
        "MSD_GESTATION_VALID": (3, 0, 0, 1),
        "MSD_NHS_NUMBER_VALID": (2, 0, 0, 2),
    },
    "RKB": {
        "MSD_MOTHER_POSTCODE_VALID": (2, 1, 1, 2),
        "MSD_MOTHER_ETHNIC_VALID": (4, 1, 1, 0),
        "MSD_MOTHER_POSTCODE_LSOA": (2, 1, 1, 2),
        "MSD_BMI_RECORDED": (3, 0, 1, 2),
        "MSD_SMOKING_RECORDED": (4, 1, 0, 1),
        "MSD_CO_RECORDED": (3, 0, 2, 1),
        "MSD_GESTATION_VALID": (5, 0, 1, 0),
        "MSD_NHS_NUMBER_VALID": (3, 0, 1, 2),
    },
    "RLT": {
        "MSD_MOTHER_POSTCODE_VALID": (1, 0, 1, 1),
        "MSD_MOTHER_ETHNIC_VALID": (1, 1, 0, 1),
        "MSD_MOTHER_POSTCODE_LSOA": (1, 0, 1, 1),
        "MSD_BMI_RECORDED": (2, 0, 0, 1),
        "MSD_SMOKING_RECORDED": (1, 1, 0, 1),
        "MSD_CO_RECORDED": (1, 0, 0, 2),
        "MSD_GESTATION_VALID": (2, 0, 0, 1),
        "MSD_NHS_NUMBER_VALID": (2, 0, 0, 1),
    },
}


def test_four_way_split_per_trust_and_measure(loaded):
    """The split (hand-counted above) in the measures table, summing to the denominator."""
    from pipelines.core.warehouse import connect
    from pipelines.measures.compute import compute_measures

    with connect(loaded) as con:
        frame = compute_measures(con, FIXTURE_MONTH)
    overall = frame.filter(frame["breakdown"] == "overall")
    got = {
        (r["org_code"], r["measure_id"]): (r["valid"], r["default"], r["invalid"], r["missing"])
        for r in overall.iter_rows(named=True)
    }
    assert got == {(org, m): split for org, by_m in SPLIT.items() for m, split in by_m.items()}
    for r in overall.iter_rows(named=True):
        assert r["numerator"] == r["valid"]
        assert r["denominator"] == {"RJC": 4, "RKB": 6, "RLT": 3}[r["org_code"]]


def test_k2_values_standardised(loaded):
    """Line 3: 'CV12AB ' -> CV1 2AB; '  white - irish ' -> B; gestation 8+0 -> 56 days; current smoker."""
    row = query(
        loaded,
        """SELECT postcode, ethnic_category, ethnic_group, gestation_days, smoking_status, imd_decile, imd_quintile
        FROM bookings WHERE source_system = 'K2' AND source_line = 3""",
    )
    assert row == [("CV1 2AB", "B", "White", 56, "current", 1, 1)]
    row = query(
        loaded,
        "SELECT postcode, postcode_valid, gestation_days, gestation_valid FROM bookings WHERE source_system='K2' AND source_line=11",
    )
    # 'cv5  6ef' normalised; terminated in 202001 so not valid in 2025-04; 50+0 weeks is implausible
    assert row == [("CV5 6EF", False, 350, False)]


def test_cerner_booking_values_from_events(loaded):
    """5001 (line 2): 1.65 m -> 165 cm; 154 lb -> 69.85 kg (the 72 kg reading is 18 days later);
    5002 (line 3): BMI 24.1 five days before beats 26.0 ten days after; CO 'abc' was quarantined."""
    row = query(
        loaded,
        "SELECT height_cm, round(weight_kg, 2), smoking_status, co_ppm FROM bookings WHERE source_system='Cerner' AND source_line=2",
    )
    assert row == [(165.0, 69.85, "never", 2.0)]
    row = query(
        loaded,
        "SELECT bmi, smoking_status, co_ppm, ethnic_category FROM bookings WHERE source_system='Cerner' AND source_line=3",
    )
    assert row == [(24.1, "not_known", None, "Z")]


def test_no_identifier_reaches_the_warehouse(loaded):
    """NHS numbers, hospital numbers, person IDs, dates of birth and notes from the fixtures."""
    needles = [
        "9434765919",
        "943 476 5919",
        "4010232137",
        "H0000001",
        "H0000010",
        "1994-03-03",
        "03/03/1994",
        "Zoë",
        "café",
        "señora",
    ]
    tables = [t for (t,) in query(loaded, "SELECT table_name FROM information_schema.tables")]
    for table in tables:
        text = " ".join(str(v) for row in query(loaded, f"SELECT * FROM {table}") for v in row)
        for needle in needles:
            assert needle not in text, f"{needle!r} found in {table}"
    assert FIXTURE_MONTH in " ".join(str(r) for r in query(loaded, "SELECT reporting_month FROM bookings"))


def test_canonical_contract_failures_are_quarantined(landing, tmp_path, monkeypatch):
    """A defect in the canonical model (here injected: K2 lines 2 and 3 given IMD quintile 9, where
    quintiles are 1-5) is caught by the canonical pandera contract: those rows are quarantined with
    the check's name, the rest load, and the file's counts still add up (10 = 4 + 6)."""
    import pipelines.ingest.write_month as write_month
    from tests.conftest import load

    real = write_month.read_sql

    def broken(model):
        sql = real(model)
        if model != "marts/bookings":
            return sql
        return (
            f"SELECT * REPLACE (CASE WHEN source_system = 'K2' AND source_line IN (2, 3) THEN 9 "
            f"ELSE imd_quintile END AS imd_quintile) FROM ({sql})"
        )

    monkeypatch.setattr(write_month, "read_sql", broken)
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    rows = query(
        wh, "SELECT line_number, column_name, value, reason FROM quarantine WHERE reason LIKE 'canonical%' ORDER BY 1"
    )
    assert [(line, column, value) for line, column, value, _ in rows] == [
        (2, "imd_quintile", "9"),
        (3, "imd_quintile", "9"),
    ]
    assert query(wh, "SELECT count(*) FROM bookings WHERE org_code = 'RKB'") == [(4,)]
    assert query(wh, "SELECT rows_read, rows_loaded, rows_quarantined FROM submissions WHERE org_code = 'RKB'") == [
        (10, 4, 6)
    ]
