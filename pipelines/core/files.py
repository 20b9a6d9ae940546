"""Writing output files so a reader never sees half of one, and a failure leaves no debris.

A single file is written to a temporary name beside it and renamed over the old one; a folder
(the Data Docs site) is built beside the old one and swapped in by renames. A write that fails
(a full disk) removes its temporary file or folder and leaves the old output as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from pipelines.core.kill_points import kill_point


def _temporary(path: Path, kind: str) -> Path:
    # Unique per call: two threads of one process may write the same output.
    return path.with_name(f".{path.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def write_atomically(path: Path, content: bytes) -> None:
    """Write to a temporary name and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path, "tmp")
    try:
        tmp.write_bytes(content)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())  # the rename must not land before the bytes do
        kill_point(f"writing:{path.name}")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def replaced_folder(path: Path) -> Iterator[Path]:
    """Yield an empty folder beside ``path`` to build the new version in; on success it takes
    ``path``'s place whole, and the old version goes. On failure the old folder stays as it was
    and the new one is removed. Leftovers of a killed build are removed by the next one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in path.parent.glob(f".{path.name}.old-*"):
        if path.exists():  # else it is the only copy left by a kill between the two renames
            shutil.rmtree(stale, ignore_errors=True)
    new = _temporary(path, "new")
    new.mkdir()
    try:
        yield new
        old = _temporary(path, "old")
        if path.exists():
            os.replace(path, old)
        kill_point(f"swapping:{path.name}")
        os.replace(new, path)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
