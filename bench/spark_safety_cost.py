"""What the Spark engine's safety settings cost on the sample months (not run in CI): local disk
I/O encryption (``spark.io.encryption.enabled``) on and off, and the time the warehouse's commits
spend syncing files and folders to disk.

    .venv/bin/python bench/spark_safety_cost.py --from 2025-04 --to 2025-06 --repeat 2

Each run is `mdq run --engine spark` over the months in a fresh process (a session's settings are
fixed when its JVM starts) on a fresh warehouse, the two settings alternating; a step's time is
the time since the step before it finished (the progress hook the CLI's bar uses), so ingest's
first month includes the JVM's start. docs/performance.md holds the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = """
import json, sys, time
from collections import defaultdict
from pathlib import Path
sys.path.insert(0, {root!r})
import pipelines.core.engines.spark_session as session
from pipelines.core.engines import parquet_commit
from pipelines.cli.main import main
from pipelines.orchestration.progress import listening

if not {encrypted!r}:
    session.CONFIG.pop("spark.io.encryption.enabled")
synced = [0.0, 0]
for name in ("sync_dir", "sync_tree"):
    real = getattr(parquet_commit, name)
    def timed(path, real=real):
        started = time.perf_counter()
        real(path)
        synced[0] += time.perf_counter() - started
        synced[1] += 1
    setattr(parquet_commit, name, timed)
steps, last = defaultdict(float), [time.perf_counter()]
def listener(stage, month):
    now = time.perf_counter()
    steps[stage] += now - last[0]
    last[0] = now
work = Path(sys.argv[1])
started = time.perf_counter()
with listening(listener):
    status = main(["run", "--engine", "spark", "--from", sys.argv[2], "--to", sys.argv[3], "--landing", {landing!r},
                   "--warehouse", str(work / "warehouse"), "--out", str(work / "out")])
wall = time.perf_counter() - started
print(json.dumps({{"status": status, "wall": wall, "cpu": tree_cpu(), "steps": steps,
                  "sync_s": synced[0], "syncs": synced[1]}}))
"""

# CPU seconds of the child and every process under it still alive at its end (the JVM and Spark's
# Python workers, which the JVM keeps for reuse), read from /proc before the child exits.
TREE_CPU = """
import os, resource
from pathlib import Path
def tree_cpu():
    tick, parents, cpu = os.sysconf("SC_CLK_TCK"), {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            fields = text[text.rindex(")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
            cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    me, total = os.getpid(), 0.0
    for pid in cpu:
        ancestor = pid
        while ancestor not in (0, 1, me):
            ancestor = parents.get(ancestor, 0)
        if ancestor == me and pid != me:
            total += cpu[pid]
    own = resource.getrusage(resource.RUSAGE_SELF)
    return total + own.ru_utime + own.ru_stime
"""


def one_run(first: str, last: str, encrypted: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="mdq-safety-") as work:
        code = TREE_CPU + CHILD.format(root=str(ROOT), encrypted=encrypted, landing=str(ROOT / "sample_data"))
        env = {"MDQ_SPARK_MASTER": "local[2]", "DAGSTER_HOME": work}
        (Path(work) / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
        done = subprocess.run(
            [sys.executable, "-c", code, work, first, last],
            capture_output=True,
            text=True,
            env={**_environment(), **env},
            cwd=work,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result["status"] != 0:
            raise SystemExit(f"mdq run failed: {done.stderr[-2000:]}")
        return result


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MDQ_")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first", required=True)
    parser.add_argument("--to", dest="last", required=True)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    runs: dict[bool, list[dict]] = {True: [], False: []}
    for _ in range(args.repeat):
        for encrypted in (False, True):
            result = one_run(args.first, args.last, encrypted)
            runs[encrypted].append(result)
            print(json.dumps({"encrypted": encrypted, **result}), flush=True)
    for encrypted, results in runs.items():
        ingest = [r["steps"]["ingest"] for r in results]
        walls = [r["wall"] for r in results]
        cpus = [r["cpu"] for r in results]
        syncs = [r["sync_s"] for r in results]
        print(
            f"encryption {'on ' if encrypted else 'off'}: wall {statistics.median(walls):.1f} s "
            f"(runs {', '.join(f'{w:.1f}' for w in walls)}), CPU {statistics.median(cpus):.1f} s "
            f"(runs {', '.join(f'{c:.1f}' for c in cpus)}), ingest {statistics.median(ingest):.1f} s "
            f"(runs {', '.join(f'{i:.1f}' for i in ingest)}), syncing {statistics.median(syncs):.2f} s "
            f"in {results[0]['syncs']} calls"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
