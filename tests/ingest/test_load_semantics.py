"""Loading a month is idempotent and transactional; a resubmission replaces the earlier extract."""

from __future__ import annotations

import os

import pytest

from tests.conftest import load, query

K2 = "K2_RKB_MaternityBookings_202504.csv"
TABLES = ["bookings", "quarantine", "clinical_events"]


def _snapshot(wh):
    snap = {t: sorted(query(wh, f"SELECT * FROM {t}"), key=repr) for t in TABLES}
    snap["submissions"] = sorted(query(wh, "SELECT * FROM submissions"), key=repr)
    return snap


def test_loading_twice_gives_the_same_tables(landing, tmp_path):
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    first = _snapshot(wh)
    load(landing, wh)
    assert _snapshot(wh) == first


def _drop_k2_line(landing, line_number: int) -> None:
    path = landing / K2
    lines = path.read_bytes().split(b"\r\n")
    del lines[line_number - 1]
    path.write_bytes(b"\r\n".join(lines))


def test_resubmission_replaces_the_earlier_extract(landing, tmp_path):
    """The resubmitted K2 file drops line 3 (BK00000002): RKB now has 5 bookings; the first
    submission stays in the audit trail as superseded; other Trusts are untouched."""
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    others = query(wh, "SELECT * FROM bookings WHERE org_code <> 'RKB' ORDER BY ALL")
    _drop_k2_line(landing, 3)
    load(landing, wh)
    assert query(wh, "SELECT count(*) FROM bookings WHERE org_code = 'RKB'") == [(5,)]
    assert query(wh, "SELECT status, rows_read FROM submissions WHERE file_name = ? ORDER BY status", [K2]) == [
        ("loaded", 9),
        ("superseded", 10),
    ]
    assert query(wh, "SELECT * FROM bookings WHERE org_code <> 'RKB' ORDER BY ALL") == others
    # No row of the superseded submission is left anywhere.
    old = query(wh, "SELECT submission_id FROM submissions WHERE status = 'superseded'")[0][0]
    for table in TABLES:
        assert query(wh, f"SELECT count(*) FROM {table} WHERE submission_id = ?", [old]) == [(0,)]


def test_later_file_for_the_same_slot_wins(landing, tmp_path):
    """A `_resub1` copy landing beside the original, newer by modification time, replaces it."""
    original = landing / K2
    resub = landing / "K2_RKB_MaternityBookings_202504_resub1.csv"
    resub.write_bytes(original.read_bytes())
    _drop_k2_line(landing, 3)  # the original now differs from the resubmission
    os.utime(original, (1_700_000_000, 1_700_000_000))
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert query(wh, "SELECT file_name, status FROM submissions WHERE org_code = 'RKB' ORDER BY 1") == [
        (K2, "superseded"),
        (resub.name, "loaded"),
    ]
    assert query(wh, "SELECT count(*) FROM bookings WHERE org_code = 'RKB'") == [(6,)]


def test_a_failed_load_leaves_the_earlier_month_intact(landing, tmp_path, monkeypatch):
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    before = _snapshot(wh)
    _drop_k2_line(landing, 3)

    import pipelines.ingest.write_month as write_month

    def explode(con, prepared, now):
        raise RuntimeError("disk full")

    monkeypatch.setattr(write_month, "_record_submissions", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        load(landing, wh)
    assert _snapshot(wh) == before


def test_loading_one_trust_leaves_the_others(landing, tmp_path):
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    before = query(wh, "SELECT * FROM bookings WHERE org_code <> 'RKB' ORDER BY ALL")
    _drop_k2_line(landing, 3)
    load(landing, wh, orgs={"RKB"})
    assert query(wh, "SELECT count(*) FROM bookings WHERE org_code = 'RKB'") == [(5,)]
    assert query(wh, "SELECT * FROM bookings WHERE org_code <> 'RKB' ORDER BY ALL") == before


# ------------------------------------------------------- a resubmission landing while a run parses


def _land_resubmission(landing) -> None:
    """`_resub1`: the K2 file without line 3 (BK00000002), so RKB has 5 bookings instead of 6."""
    resub = landing / "K2_RKB_MaternityBookings_202504_resub1.csv"
    lines = (landing / K2).read_bytes().split(b"\r\n")
    resub.write_bytes(b"\r\n".join(lines[:2] + lines[3:]))


def _after_first_parse(monkeypatch, action) -> None:
    """Run ``action`` once, right after load_month's first parse and before it takes the lock."""
    import pipelines.ingest.load_month as load_month

    real, calls = load_month.read_month, []

    def parse_then_act(*args, **kwargs):
        prepared = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            action()
        return prepared

    monkeypatch.setattr(load_month, "read_month", parse_then_act)


def test_resubmission_landing_mid_run_is_the_one_loaded(landing, tmp_path, monkeypatch):
    """Run A parses the original K2 file; `_resub1` lands before A writes. A sees it under the
    lock, parses again, and loads the resubmission: RKB 5 bookings, the original superseded."""
    wh = tmp_path / "w.duckdb"
    _after_first_parse(monkeypatch, lambda: _land_resubmission(landing))
    load(landing, wh)
    assert query(wh, "SELECT file_name, status FROM submissions WHERE org_code = 'RKB' ORDER BY 1") == [
        (K2, "superseded"),
        ("K2_RKB_MaternityBookings_202504_resub1.csv", "loaded"),
    ]
    assert query(wh, "SELECT count(*) FROM bookings WHERE org_code = 'RKB'") == [(5,)]


def test_stale_run_never_overwrites_a_newer_one(landing, tmp_path, monkeypatch):
    """The reported race, without sleeps: run A parses the original; `_resub1` lands and run B
    loads it completely; then A reaches the warehouse. A must not write the original back over
    B's load: the resubmission stays loaded and the original superseded."""
    wh = tmp_path / "w.duckdb"

    def resubmit_and_run_b():
        _land_resubmission(landing)
        monkeypatch.undo()  # run B is an ordinary run
        load(landing, wh)

    _after_first_parse(monkeypatch, resubmit_and_run_b)
    load(landing, wh)  # run A
    assert query(wh, "SELECT file_name, status FROM submissions WHERE org_code = 'RKB' ORDER BY 1") == [
        (K2, "superseded"),
        ("K2_RKB_MaternityBookings_202504_resub1.csv", "loaded"),
    ]
    assert query(wh, "SELECT count(*) FROM bookings WHERE org_code = 'RKB'") == [(5,)]


def test_landing_that_keeps_changing_stops_the_run_with_a_clear_message(landing, tmp_path, monkeypatch):
    """Every parse finds a new `_resubN`: after parsing again under the lock twice, the run stops
    and writes nothing (the earlier load of the month stays as it was)."""
    import pipelines.ingest.load_month as load_month

    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    before = _snapshot(wh)
    real, count = load_month.read_month, iter(range(1, 100))

    def parse_then_land(*args, **kwargs):
        prepared = real(*args, **kwargs)
        (landing / f"K2_RKB_MaternityBookings_202504_resub{next(count)}.csv").write_bytes((landing / K2).read_bytes())
        return prepared

    monkeypatch.setattr(load_month, "read_month", parse_then_land)
    with pytest.raises(load_month.LandingChanged, match="kept changing while it was read") as caught:
        load(landing, wh)
    assert "K2_RKB_MaternityBookings_202504_resub3.csv" in str(caught.value)
    assert _snapshot(wh) == before


def test_a_commit_that_fails_reports_its_own_error(landing, tmp_path, monkeypatch):
    """A full disk can end DuckDB's transaction as the commit fails; the ROLLBACK after it then
    raised `cannot rollback - no transaction is active`, hiding the cause. Here the transaction
    is ended and the disk error raised inside it: the user sees the disk error, and the month
    is as it was."""
    import duckdb

    import pipelines.ingest.write_month as write_month

    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    before = _snapshot(wh)
    _drop_k2_line(landing, 3)

    def disk_full(con, prepared, now):
        con.execute("ROLLBACK")
        raise duckdb.IOException("Could not write file: No space left on device")

    monkeypatch.setattr(write_month, "_record_submissions", disk_full)
    with pytest.raises(duckdb.IOException, match="No space left on device"):
        load(landing, wh)
    assert _snapshot(wh) == before


def test_months_loaded_in_a_row_match_one_by_one_and_see_a_late_resubmission(tmp_path, monkeypatch):
    """load_months reads 2025-05 while 2025-04 is written. A `_resub1` of RKB's 2025-05 file lands
    after that early read: the month is read again under the lock and the resubmission loaded,
    its RKB bookings one fewer (line 3 dropped) than the original's. 2025-04 is as load_month
    leaves it."""
    import shutil
    import threading
    from datetime import date

    import pipelines.ingest.load_month as load_month
    from pipelines.core.paths import REPO_ROOT

    landing = tmp_path / "landing"
    shutil.copytree(REPO_ROOT / "sample_data", landing)
    today = date(2026, 11, 23)
    one_by_one = tmp_path / "one.duckdb"
    for month in ("2025-04", "2025-05"):
        load_month.load_month(month, landing, one_by_one, landing / "reference", today=today)
    rkb_may = query(one_by_one, "SELECT count(*) FROM bookings WHERE org_code = 'RKB' AND reporting_month = '2025-05'")

    real, may_read = load_month.read_month, threading.Event()

    def read_and_tell(month, *args, **kwargs):
        prepared = real(month, *args, **kwargs)
        if month == "2025-05":
            may_read.set()
        return prepared

    monkeypatch.setattr(load_month, "read_month", read_and_tell)
    in_a_row = tmp_path / "row.duckdb"
    loaded = load_month.load_months(["2025-04", "2025-05"], landing, in_a_row, landing / "reference", today=today)
    first, _ = next(loaded)
    assert first.month == "2025-04"
    assert may_read.wait(60)  # 2025-05 was read before it is written ...
    original = landing / "K2_RKB_MaternityBookings_202505.csv"
    lines = original.read_bytes().split(b"\r\n")
    (landing / "K2_RKB_MaternityBookings_202505_resub1.csv").write_bytes(b"\r\n".join(lines[:2] + lines[3:]))
    second, _ = next(loaded)  # ... and the resubmission that landed since is the one written
    assert list(loaded) == []
    assert "K2_RKB_MaternityBookings_202505_resub1.csv" in second.inputs
    for table in ("bookings", "quarantine", "clinical_events"):
        april = f"SELECT * FROM {table} WHERE reporting_month = '2025-04' ORDER BY ALL"
        assert query(in_a_row, april) == query(one_by_one, april), table
    may = "SELECT count(*) FROM bookings WHERE org_code = 'RKB' AND reporting_month = '2025-05'"
    assert query(in_a_row, may) == [(rkb_may[0][0] - 1,)]
