"""The pregnancy-by-pregnancy reconciliation of the hand-written parallel-run month (conftest.py
counts every figure here by hand) and golive-YYYY-MM.csv."""

from __future__ import annotations

import csv

from tests.golive.conftest import GOLIVE_MONTH, reconcile

ITEMS = [
    "MSD_MOTHER_POSTCODE_VALID",
    "MSD_MOTHER_ETHNIC_VALID",
    "MSD_BMI_RECORDED",
    "MSD_SMOKING_RECORDED",
    "MSD_CO_RECORDED",
    "MSD_GESTATION_VALID",
]
# data item -> (linked, same, different, only in record, only in parallel, neither), by hand
EXPECTED_ITEMS = {
    "MSD_MOTHER_POSTCODE_VALID": (5, 2, 1, 0, 1, 1),
    "MSD_MOTHER_ETHNIC_VALID": (5, 1, 1, 1, 1, 1),
    "MSD_BMI_RECORDED": (5, 2, 1, 0, 1, 1),
    "MSD_SMOKING_RECORDED": (5, 2, 1, 0, 1, 1),
    "MSD_CO_RECORDED": (5, 2, 1, 0, 1, 1),
    "MSD_GESTATION_VALID": (5, 1, 1, 1, 1, 1),
}
OUTCOMES = [
    "both_valid_same",
    "both_valid_different",
    "valid_only_in_record",
    "valid_only_in_parallel",
    "neither_valid",
]


def test_every_pregnancy_of_either_extract_is_counted_once(golive_loaded):
    """linked 5, only in K2 2, only in Cerner 1, unlinkable 5 (3 K2 + 2 Cerner):
    5 x 2 + 2 + 1 + 5 = 18 = the 10 K2 and 8 Cerner pregnancies loaded."""
    frame = reconcile(golive_loaded)
    [coverage] = frame.filter(frame["data_item"] == "pregnancies").iter_rows(named=True)
    assert (coverage["org_code"], coverage["system_of_record"], coverage["parallel_system"]) == ("RKB", "K2", "Cerner")
    got = tuple(coverage[c] for c in ("linked", "only_in_record", "only_in_parallel", "unlinkable"))
    assert got == (5, 2, 1, 5)
    assert (coverage["unlinkable_in_record"], coverage["unlinkable_in_parallel"]) == (3, 2)
    assert 2 * got[0] + got[1] + got[2] + got[3] == 10 + 8


def test_each_data_item_puts_each_linked_pair_in_exactly_one_outcome(golive_loaded):
    frame = reconcile(golive_loaded)
    items = {r["data_item"]: r for r in frame.iter_rows(named=True) if r["data_item"] != "pregnancies"}
    assert list(items) == ITEMS
    assert {k: (r["linked"], *(r[c] for c in OUTCOMES)) for k, r in items.items()} == EXPECTED_ITEMS


def test_the_csv_has_exactly_the_specs_columns_and_rows(golive_loaded, tmp_path):
    from pipelines.golive import write_golive_csv

    path = write_golive_csv(reconcile(golive_loaded), tmp_path, GOLIVE_MONTH)
    assert path.name == "golive-2026-03.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [
        "reporting_month",
        "org_code",
        "system_of_record",
        "parallel_system",
        "data_item",
        "linked",
        "both_valid_same",
        "both_valid_different",
        "valid_only_in_record",
        "valid_only_in_parallel",
        "neither_valid",
        "only_in_record",
        "only_in_parallel",
        "unlinkable",
    ]
    assert rows[1] == ["2026-03", "RKB", "K2", "Cerner", "pregnancies", "5", "", "", "", "", "", "2", "1", "5"]
    assert rows[3] == [
        "2026-03",
        "RKB",
        "K2",
        "Cerner",
        "MSD_MOTHER_ETHNIC_VALID",
        "5",
        "1",
        "1",
        "1",
        "1",
        "1",
        "",
        "",
        "",
    ]
    assert [r[4] for r in rows[2:]] == ITEMS


def test_a_month_without_a_parallel_run_writes_the_header_only(golive_landing, tmp_path):
    """Without the Cerner files nothing is reconciled; the file is still written (header only), so a
    reconciliation of an extract since withdrawn cannot linger in the output folder."""
    from pipelines.golive import write_golive_csv
    from tests.conftest import load

    wh = tmp_path / "w.duckdb"
    load(golive_landing, wh, GOLIVE_MONTH)
    assert reconcile(wh).height == 7
    for name in ("CERNER_RKB_202603_PREGNANCY.txt", "CERNER_RKB_202603_CLINICAL_EVENTS.txt"):
        (golive_landing / name).unlink()
    load(golive_landing, wh, GOLIVE_MONTH)
    frame = reconcile(wh)
    assert frame.height == 0
    path = write_golive_csv(frame, tmp_path, GOLIVE_MONTH)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "reporting_month,org_code,system_of_record,parallel_system,data_item,linked,both_valid_same,"
        "both_valid_different,valid_only_in_record,valid_only_in_parallel,neither_valid,only_in_record,"
        "only_in_parallel,unlinkable"
    ]


def test_pairs_by_line_placeholders_unlinked_and_a_repeated_woman_paired_in_booking_order(golive_loaded):
    """Which lines pair (conftest.py): K2 lines 2-5 with Cerner lines 2-5; W6's K2 bookings on
    05/03 (line 10) and 20/03 (line 11) against her one Cerner booking (line 7): the first by
    booking date pairs, line 11 is only in K2. The placeholder 000 000 0000 (K2 line 9, Cerner
    line 6) links nobody: both are unlinkable, with K2's blank (7) and failing (8) numbers and
    Cerner's blank one (9)."""
    from pipelines.core.warehouse import connect
    from pipelines.golive import compute_golive

    with connect(golive_loaded) as con:
        compute_golive(con, GOLIVE_MONTH)
        links = con.sql("SELECT link, record_line, parallel_line FROM golive_links ORDER BY ALL").fetchall()
    assert links == [
        ("linked", 2, 2),
        ("linked", 3, 3),
        ("linked", 4, 4),
        ("linked", 5, 5),
        ("linked", 10, 7),
        ("only_in_parallel", None, 8),
        ("only_in_record", 6, None),
        ("only_in_record", 11, None),
        ("unlinkable", 7, None),
        ("unlinkable", 8, None),
        ("unlinkable", 9, None),
        ("unlinkable", None, 6),
        ("unlinkable", None, 9),
    ]


def test_reconciling_again_replaces_the_month(golive_loaded):
    first = reconcile(golive_loaded)
    assert reconcile(golive_loaded).equals(first)
    from tests.conftest import query

    assert query(golive_loaded, "SELECT count(*) FROM golive") == [(7,)]
