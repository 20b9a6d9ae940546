"""Which files of the landing folder count: resubmissions ranked by name, not modification time;
ties reported; every entry named like an extract accounted for, whatever it is.

Fixture month 2025-04 (tests/fixtures/landing): K2 RKB 10 data rows of which 6 load; the other
Trusts load RJC 4, RLT 3.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import tempfile
from pathlib import Path

from tests.conftest import FIXTURE_LANDING, load, query

K2 = "K2_RKB_MaternityBookings_202504.csv"
RESUB = "K2_RKB_MaternityBookings_202504_resub{}.csv"


def _drop_lines(path: pathlib.Path, *numbers: int) -> None:
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(line for i, line in enumerate(lines, 1) if i not in numbers))


def _status(wh, org: str = "RKB") -> list[tuple]:
    return query(wh, "SELECT file_name, status, warnings FROM submissions WHERE org_code = ? ORDER BY 1", [org])


def _bookings(wh, org: str = "RKB") -> int:
    return query(wh, "SELECT count(*) FROM bookings WHERE org_code = ?", [org])[0][0]


def test_resubmission_wins_though_older_by_modification_time(landing, tmp_path):
    """`_resub1` (line 3 dropped: 5 bookings) copied with `cp -p`, so older than the original."""
    resub = landing / RESUB.format(1)
    resub.write_bytes((landing / K2).read_bytes())
    _drop_lines(resub, 3)
    os.utime(resub, (1_600_000_000, 1_600_000_000))
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _status(wh) == [(K2, "superseded", None), (resub.name, "loaded", None)]
    assert _bookings(wh) == 5


def test_resub10_beats_resub2(landing, tmp_path):
    """`_resub2` drops line 3 (5 bookings), `_resub10` drops lines 3 and 4 (4 bookings); `_resub2`
    is the newer file. Numerically 10 > 2, so `_resub10` loads."""
    for n, drop in ((2, (3,)), (10, (3, 4))):
        path = landing / RESUB.format(n)
        path.write_bytes((landing / K2).read_bytes())
        _drop_lines(path, *drop)
    os.utime(landing / RESUB.format(10), (1_600_000_000, 1_600_000_000))
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert [(name, status) for name, status, _ in _status(wh)] == [
        (K2, "superseded"),
        (RESUB.format(10), "loaded"),
        (RESUB.format(2), "superseded"),
    ]
    assert _bookings(wh) == 4


def test_same_rank_different_content_is_a_reported_tie(landing, tmp_path):
    """`K2_..._202504_copy.csv` has a suffix that is no resubmission number: it ranks with the
    original. Its content differs (line 3 dropped) and it is the newer file, so it loads, and its
    submission says it won a tie against the original."""
    copy = landing / "K2_RKB_MaternityBookings_202504_copy.csv"
    copy.write_bytes((landing / K2).read_bytes())
    _drop_lines(copy, 3)
    os.utime(landing / K2, (1_600_000_000, 1_600_000_000))
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    rows = _status(wh)
    assert [(name, status) for name, status, _ in rows] == [(K2, "superseded"), (copy.name, "loaded")]
    assert rows[1][2] == (
        f"tie: {K2} also claim to be the original for this Trust and month, with different content; "
        f"{copy.name} was taken as the newest by modification time"
    )


def test_identical_copies_are_no_tie(landing, tmp_path):
    copy = landing / "K2_RKB_MaternityBookings_202504_copy.csv"
    copy.write_bytes((landing / K2).read_bytes())
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert all(warnings is None for *_, warnings in _status(wh))
    assert _bookings(wh) == 6


def _unreadable(wh, name: str) -> tuple:
    return query(wh, "SELECT status, error FROM submissions WHERE file_name = ?", [name])[0]


def _others_load(wh) -> None:
    assert query(wh, "SELECT org_code, count(*) FROM bookings GROUP BY 1 ORDER BY 1") == [("RJC", 4), ("RLT", 3)]


def test_folder_named_like_an_extract_is_an_unreadable_submission(landing, tmp_path):
    (landing / K2).unlink()
    (landing / K2).mkdir()
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _unreadable(wh, K2) == ("unreadable", "a folder named like an extract, not a file")
    _others_load(wh)


def test_dangling_symbolic_link_is_an_unreadable_submission(landing, tmp_path):
    (landing / K2).unlink()
    (landing / K2).symlink_to(tmp_path / "gone.csv")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _unreadable(wh, K2) == ("unreadable", "a symbolic link to nothing: its target does not exist")
    _others_load(wh)


def test_symbolic_link_outside_the_landing_folder_is_not_followed(landing, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    (landing / K2).rename(outside)
    (landing / K2).symlink_to(outside)
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _unreadable(wh, K2) == (
        "unreadable",
        "a symbolic link to a file outside the landing folder: not followed",
    )
    _others_load(wh)


def test_symbolic_link_inside_the_landing_folder_is_followed(landing, tmp_path):
    (landing / "archive").mkdir()
    (landing / K2).rename(landing / "archive" / K2)
    (landing / K2).symlink_to(landing / "archive" / K2)
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _bookings(wh) == 6


def test_fifo_is_an_unreadable_submission_and_never_opened(landing, tmp_path):
    """Opening a FIFO with no writer blocks for ever: the alarm fails the test instead."""
    (landing / K2).unlink()
    os.mkfifo(landing / K2)
    wh = tmp_path / "w.duckdb"

    def hung(*_):
        raise TimeoutError("the FIFO was opened")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        load(landing, wh)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert _unreadable(wh, K2) == ("unreadable", "not a regular file (a FIFO, socket or device): not opened")
    _others_load(wh)


def test_file_that_cannot_be_opened_is_unreadable_and_the_month_still_loads(landing, tmp_path, monkeypatch):
    """As a file without read permission (tests run as root, for whom chmod 000 denies nothing):
    opening it raises EACCES. Its checksum used to be taken outside the guarded read, failing
    the whole month."""
    denied = landing / K2
    real_open = pathlib.Path.open

    def guarded_open(self, *args, **kwargs):
        if self == denied:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", guarded_open)  # read_bytes and the checksum open through it
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert _unreadable(wh, K2) == ("unreadable", "cannot open: Permission denied")
    _others_load(wh)


def test_socket_named_like_an_extract_is_unreadable(tmp_path):
    # A UNIX socket's path must fit in 108 bytes: pytest's tmp_path (longer under xdist's workers)
    # may not, so this landing folder is a short one under /tmp.
    with tempfile.TemporaryDirectory(prefix="mdq-", dir="/tmp") as short:
        landing = Path(short) / "landing"
        shutil.copytree(FIXTURE_LANDING, landing)
        (landing / K2).unlink()
        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(str(landing / K2))
            wh = tmp_path / "w.duckdb"
            load(landing, wh)
        finally:
            server.close()
    assert _unreadable(wh, K2)[0] == "unreadable"
