"""Never counted twice: a parallel-run extract is loaded to its own tables, never to bookings.

The parallel-run month (tests/fixtures/golive, 2026-03, counted in tests/golive/conftest.py):
K2 11 rows (10 load, line 12 quarantined), Cerner pregnancies 9 (8 load, line 10 quarantined),
Cerner events 14 (13 load, line 15 quarantined). schemas/layouts.yaml makes K2 RKB's system of
record until 2026-03, so the Cerner files are the parallel run.
"""

from __future__ import annotations

import pytest
import yaml

from pipelines.core.paths import LAYOUTS_FILE
from pipelines.ingest.routing import NOTE_PREFIX, choose_record
from tests.conftest import load, query
from tests.golive.conftest import EVENTS, GOLIVE_MONTH, K2, PREGNANCY, golive_landing, golive_loaded, reconcile

__all__ = ["golive_landing", "golive_loaded"]  # fixtures used here


def test_the_parallel_extract_never_reaches_bookings(golive_loaded):
    wh = golive_loaded
    assert query(wh, "SELECT source_system, count(*) FROM bookings GROUP BY 1") == [("K2", 10)]
    assert query(wh, "SELECT source_system, count(*) FROM parallel_bookings GROUP BY 1") == [("Cerner", 8)]
    assert query(wh, "SELECT count(*) FROM clinical_events") == [(0,)]
    assert query(wh, "SELECT count(*) FROM parallel_clinical_events") == [(13,)]
    assert query(wh, "SELECT source_file, line_number FROM quarantine") == [(K2, 12)]
    assert query(wh, "SELECT source_file, line_number FROM parallel_quarantine ORDER BY 1, 2") == [
        (EVENTS, 15),
        (PREGNANCY, 10),
    ]


def test_parallel_submissions_say_so_and_conserve_their_rows(golive_loaded):
    """rows read = loaded + quarantined for the parallel files too, and the stored rows agree."""
    wh = golive_loaded
    assert query(
        wh, "SELECT file_name, role, status, rows_read, rows_loaded, rows_quarantined FROM submissions ORDER BY 1"
    ) == [
        (EVENTS, "parallel_clinical_events", "loaded", 14, 13, 1),
        (PREGNANCY, "parallel_pregnancy", "loaded", 9, 8, 1),
        (K2, "bookings", "loaded", 11, 10, 1),
    ]
    stored = query(
        wh,
        """SELECT s.file_name,
                  (SELECT count(*) FROM parallel_bookings b WHERE b.submission_id = s.submission_id)
                  + (SELECT count(*) FROM parallel_clinical_events e WHERE e.submission_id = s.submission_id),
                  (SELECT count(*) FROM parallel_quarantine q WHERE q.submission_id = s.submission_id)
           FROM submissions s WHERE starts_with(role, 'parallel_') ORDER BY 1""",
    )
    assert stored == [(EVENTS, 13, 1), (PREGNANCY, 8, 1)]


def _measures(wh):
    from pipelines.core.warehouse import connect
    from pipelines.measures.compute import compute_measures

    with connect(wh) as con:
        return compute_measures(con, GOLIVE_MONTH)


def test_the_months_measures_are_the_k2_extracts_alone(golive_landing, tmp_path):
    """The same month with and without the Cerner files: identical measures and Trust status. RKB
    (hand-counted): 10 booked; valid postcode 8 (not W3's N/A nor W4's ZZ99), valid ethnic 8 (not
    W3's unmapped text nor W4's Not Stated); one K2 file read, 11 rows, complete."""
    with_run = tmp_path / "with.duckdb"
    load(golive_landing, with_run, GOLIVE_MONTH)
    measured = _measures(with_run)
    for name in (PREGNANCY, EVENTS):
        (golive_landing / name).unlink()
    alone = tmp_path / "alone.duckdb"
    load(golive_landing, alone, GOLIVE_MONTH)
    assert measured.equals(_measures(alone))
    status = "SELECT * FROM trust_month_status WHERE org_code = 'RKB'"
    assert query(with_run, status) == query(alone, status)
    assert query(
        with_run,
        "SELECT source_system, files, rows_read, bookings, completeness FROM trust_month_status WHERE org_code = 'RKB'",
    ) == [("K2", 1, 11, 10, "complete")]
    overall = measured.filter((measured["org_code"] == "RKB") & (measured["breakdown"] == "overall"))
    gated = {r["measure_id"]: (r["numerator"], r["denominator"]) for r in overall.iter_rows(named=True)}
    assert gated["MSD_MOTHER_POSTCODE_VALID"] == (8, 10)
    assert gated["MSD_MOTHER_ETHNIC_VALID"] == (8, 10)


def test_a_resubmitted_parallel_extract_replaces_the_earlier_one(golive_landing, golive_loaded):
    """`_resub1` of the Cerner pregnancy file drops W7 (line 8, the woman only in Cerner) and gives
    W2 her ethnic alias H. Then: parallel bookings 7 (not 8 + 7), the original superseded, K2's
    bookings untouched at 10; W7's BMI event (line 14) has no pregnancy any more and is quarantined
    (events 12 loaded, 2 quarantined); only in Cerner 0, and ethnic category for the 5 linked pairs:
    W1 A/A and W2 H/H same, W6 R/S different, W3 gained, W4 neither: 2 1 0 1 1."""
    original = (golive_landing / PREGNANCY).read_text(encoding="utf-8").splitlines(keepends=True)
    assert original[7].startswith("70000112|") and "|CV37 6AA||Indian|" in original[2]
    resub = [line for i, line in enumerate(original) if i != 7]
    resub[2] = resub[2].replace("|CV37 6AA||Indian|", "|CV37 6AA|H|Indian|")
    (golive_landing / "CERNER_RKB_202603_PREGNANCY_resub1.txt").write_text("".join(resub), encoding="utf-8")
    load(golive_landing, golive_loaded, GOLIVE_MONTH)
    wh = golive_loaded
    assert query(wh, "SELECT count(*) FROM parallel_bookings") == [(7,)]
    assert query(wh, "SELECT count(*) FROM bookings") == [(10,)]
    assert query(wh, "SELECT file_name, role, status FROM submissions WHERE role LIKE '%pregnancy' ORDER BY 1") == [
        (PREGNANCY, "parallel_pregnancy", "superseded"),
        ("CERNER_RKB_202603_PREGNANCY_resub1.txt", "parallel_pregnancy", "loaded"),
    ]
    assert query(wh, f"SELECT rows_loaded, rows_quarantined FROM submissions WHERE file_name = '{EVENTS}'") == [(12, 2)]
    old = query(wh, f"SELECT submission_id FROM submissions WHERE file_name = '{PREGNANCY}'")[0][0]
    for table in ("parallel_bookings", "parallel_quarantine", "bookings"):
        assert query(wh, f"SELECT count(*) FROM {table} WHERE submission_id = ?", [old]) == [(0,)]
    frame = reconcile(wh)
    rows = {r["data_item"]: r for r in frame.iter_rows(named=True)}
    coverage = rows["pregnancies"]
    assert (coverage["linked"], coverage["only_in_record"], coverage["only_in_parallel"], coverage["unlinkable"]) == (
        5,
        2,
        0,
        5,
    )
    ethnic = rows["MSD_MOTHER_ETHNIC_VALID"]
    outcomes = ("both_valid_same", "both_valid_different", "valid_only_in_record", "valid_only_in_parallel")
    assert tuple(ethnic[c] for c in (*outcomes, "neither_valid")) == (2, 1, 0, 1, 1)


def _layouts_without_history(tmp_path):
    data = yaml.safe_load(LAYOUTS_FILE.read_text(encoding="utf-8"))
    data["providers"] = {org: entry["name"] for org, entry in data["providers"].items()}
    path = tmp_path / "layouts-no-history.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_without_a_history_two_systems_warn_and_the_earlier_listed_layout_wins(golive_landing, tmp_path, monkeypatch):
    """Old-style providers (`RKB: name`): K2 is listed before Cerner in the layouts file, so K2 is
    the record; the K2 submission carries the warning the run summary prints."""
    monkeypatch.setenv("MDQ_LAYOUTS", str(_layouts_without_history(tmp_path)))
    wh = tmp_path / "w.duckdb"
    load(golive_landing, wh, GOLIVE_MONTH)
    assert query(wh, "SELECT source_system, count(*) FROM bookings GROUP BY 1") == [("K2", 10)]
    assert query(wh, "SELECT count(*) FROM parallel_bookings") == [(8,)]
    assert query(wh, f"SELECT warnings FROM submissions WHERE file_name = '{K2}'") == [
        (
            NOTE_PREFIX + "the layouts file gives RKB no history of systems, and K2 and Cerner sent extracts for "
            "2026-03, so K2 (its layout is listed first) was taken as the system of record (Cerner loaded as a "
            "parallel run): give RKB its systems by month in the layouts file's providers",
        )
    ]


def test_a_month_from_another_system_than_the_history_names_loads_with_a_warning(loaded):
    """The fixture month 2025-04 (tests/fixtures/landing) has RLT's Cerner files only, while the
    layouts file names BadgerNet: they are RLT's submission (3 bookings), with a warning."""
    assert query(loaded, "SELECT count(*) FROM bookings WHERE org_code = 'RLT'") == [(3,)]
    assert query(loaded, "SELECT count(*) FROM parallel_bookings") == [(0,)]
    (warnings,) = query(
        loaded, "SELECT warnings FROM submissions WHERE file_name = 'CERNER_RLT_202504_CLINICAL_EVENTS.txt'"
    )[0]
    assert warnings == (
        NOTE_PREFIX + "the layouts file names BadgerNet as RLT's system of record for 2025-04, but no BadgerNet "
        "extract arrived, so Cerner was loaded as the month's submission: update the Trust's systems in the "
        "layouts file if it has changed system"
    )


@pytest.mark.parametrize(
    ("sent", "named", "record", "warned"),
    [
        (["K2", "Cerner"], "K2", "K2", False),
        (["K2", "Cerner"], "Cerner", "Cerner", False),  # the history, not the layout order, decides
        (["Cerner"], "Cerner", "Cerner", False),
        (["BadgerNet"], None, "BadgerNet", False),  # no history, one system: no question to ask
        (["K2", "Cerner"], None, "K2", True),
        (["Cerner"], "BadgerNet", "Cerner", True),
        (["K2", "Cerner"], "BadgerNet", "K2", True),
    ],
)
def test_which_system_is_the_record(sent, named, record, warned):
    chosen, note = choose_record("RKB", "2026-03", sent, named)
    assert (chosen, note is not None) == (record, warned)
    assert note is None or "; " not in note  # a submission's warnings are joined with "; "
