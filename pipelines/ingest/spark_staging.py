"""A folder of each Spark load's own in the warehouse, for the copies of the extracts Spark reads.

Spark reads a file lazily, and again whenever it recomputes a frame: were it to read the landing
folder, a file overwritten there in place could load under the checksum of the bytes the driver
read. So the driver writes the bytes it checksummed and judged here (spark_read.prescan) and
Spark reads only those. The warehouse is where Spark's executors can read (a shared file system
on a cluster), and the copies hold identifiers, which stay in the warehouse.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

EXTRACTS = "_extracts"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


@contextlib.contextmanager
def staged_extracts(warehouse: Path) -> Iterator[Path]:
    """``<warehouse>/_extracts/<host>-<pid>-<id>``, removed when the load ends, however it ends; a
    folder a killed process of this host left is removed first (another host's, or a live
    process's, is not this process's to judge)."""
    root = warehouse / EXTRACTS
    root.mkdir(parents=True, exist_ok=True)
    host = f"{socket.gethostname()}-"
    for left in root.iterdir():
        pid = left.name.removeprefix(host).split("-", 1)[0]
        if left.name.startswith(host) and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(left, ignore_errors=True)
    folder = root / f"{host}{os.getpid()}-{uuid.uuid4().hex}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
