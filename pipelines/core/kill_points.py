"""A test-only hook: the process kills itself (SIGKILL) at a named point of a run.

Crash tests used to kill `mdq run` after fixed sleeps, so which step they hit depended on the
machine's speed. Instead a test names the point in MDQ_TEST_KILL_AT and the run dies exactly
there, as a power cut or the OOM killer would stop it: no exception handler, `finally` or atexit
runs. The points (tests/reliability/test_crash_safety.py uses the first four):

* ``<stage>``: just after the transaction that records the stage (``ingested``, ``measured``,
  ``gated``, ``published``: pipelines/core/warehouse.py) has committed;
* ``<stage>:uncommitted``: inside that transaction, its rows written but not committed;
* ``writing:<file name>``: an output file written in full under its temporary name and synced,
  not yet renamed over the old one (pipelines/core/files.py);
* ``swapping:<folder name>``: a rebuilt folder (the month's Data Docs) between its two renames,
  the old version moved aside and the new one not yet in its place;
* ``commit-logged``: a commit to the Spark engine's Parquet warehouse decided (its log on disk),
  no folder moved yet; ``moving:<table>/reporting_month=YYYY-MM``: that folder's old version
  aside, the new one not yet in (pipelines/core/engines/parquet_commit.py;
  tests/engines/test_parquet_warehouse.py uses them).

The variable is read here and nowhere else; unset, as it always is outside those tests, nothing
happens.
"""

from __future__ import annotations

import os
import signal
import sys

KILL_AT = "MDQ_TEST_KILL_AT"


def kill_point(name: str) -> None:
    """SIGKILL this process if MDQ_TEST_KILL_AT names this point."""
    if os.environ.get(KILL_AT) == name:
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
