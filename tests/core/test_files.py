"""Output files are replaced whole: a failed write leaves the old file and no temporary file."""

from __future__ import annotations

import errno
import pathlib

import pytest

from pipelines.core.files import write_atomically


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "out" / "measures-2025-04.csv"
    write_atomically(path, b"old,complete\n")
    real = pathlib.Path.write_bytes

    def disk_full(self, data):
        real(self, data[:3])  # part of it reached the disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "write_bytes", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        write_atomically(path, b"new,and,longer\n")
    monkeypatch.undo()
    assert path.read_bytes() == b"old,complete\n"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_second_writer_never_shares_the_temporary_name(tmp_path):
    """Two threads of one process writing the same output each use their own temporary file."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "worklist.csv"
    payloads = [bytes([65 + i]) * 200_000 for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda data: write_atomically(path, data), payloads))
    assert path.read_bytes() in payloads
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
