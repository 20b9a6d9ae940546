"""One `mdq run` on either engine, measured whole: wall, CPU and peak RSS of the process tree (the
JVM and Spark's Python workers included), and the time of each step (not run in CI).

    .venv/bin/python bench/engine_run.py --engine spark --from 2025-04 --to 2026-03 \\
        --landing var/national10/landing --layouts var/national10/landing/reference/layouts-national.yaml \\
        --work /tmp/run-spark --json /tmp/run-spark.json
    .venv/bin/python bench/engine_run.py --jvm          # the fixed cost of starting Spark, in a fresh process

`mdq run` runs in this process (`pipelines.cli.main.main`), so the steps are timed by the same
progress hook the CLI's bar listens to: a step's time for a month is the time since the step
before it finished (the first includes Dagster's start and, on Spark, the JVM's). A thread samples
/proc every 0.25 s: the memory (PSS) of this process and every descendant summed (the JVM is a child of
this process, Spark's Python workers children of the JVM), and each one's CPU time; CPU is this
process's own (getrusage) plus each descendant's last sample. docs/performance.md holds the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float, str] | None:
    """(parent pid, CPU seconds, command name) of a live process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, name


def _rss(pid: int) -> int:
    """Proportional set size (shared pages split among their sharers: Spark's Python workers are
    forked from one daemon), else the resident set."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except OSError:
        return 0


class TreeSampler(threading.Thread):
    """Peak summed RSS of this process's tree, the JVM's peak alone, and each descendant's CPU."""

    def __init__(self, every: float = 0.25):
        super().__init__(daemon=True)
        self.every, self.stopped = every, threading.Event()
        self.peak = self.peak_jvm = 0
        self.cpu: dict[int, float] = {}

    def sample(self) -> None:
        me, parent_of, names = os.getpid(), {}, {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                found = _stat(int(entry))
                if found:
                    parent_of[int(entry)], cpu, names[int(entry)] = found[0], found[1], found[2]
                    self.cpu.setdefault(int(entry), 0.0)
                    self.cpu[int(entry)] = max(self.cpu[int(entry)], cpu)
        tree = {me}
        changed = True
        while changed:
            grown = {p for p, parent in parent_of.items() if parent in tree} - tree
            changed = bool(grown)
            tree |= grown
        self.tree = tree - {me}
        self.peak = max(self.peak, sum(_rss(p) for p in tree))
        self.peak_jvm = max([self.peak_jvm] + [_rss(p) for p in tree if names.get(p) == "java"])
        self.descendants = getattr(self, "descendants", set()) | self.tree

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.sample()

    def stop(self) -> None:
        self.sample()
        self.stopped.set()

    def descendant_cpu(self) -> float:
        return sum(self.cpu.get(p, 0.0) for p in getattr(self, "descendants", set()))


def jvm_cost() -> dict:
    """Seconds to import PySpark, start the session (the JVM) and run a first trivial job."""
    os.environ.setdefault("MDQ_SPARK_MASTER", "local[2]")
    started = time.perf_counter()
    import pyspark  # noqa: F401

    imported = time.perf_counter()
    from pipelines.core.engines.spark_session import spark_session

    spark = spark_session()
    session = time.perf_counter()
    spark.range(1).count()
    first = time.perf_counter()
    spark.range(1000).count()
    second = time.perf_counter()
    return {
        "import_pyspark_s": round(imported - started, 2),
        "session_s": round(session - imported, 2),
        "first_job_s": round(first - session, 2),
        "next_job_s": round(second - first, 3),
    }


def run(args: argparse.Namespace) -> dict:
    from pipelines.cli.main import main
    from pipelines.orchestration.progress import listening

    work = args.work or Path(tempfile.mkdtemp(prefix=f"mdq-{args.engine}-"))
    for fresh in ("dagster", "out"):
        shutil.rmtree(work / fresh, ignore_errors=True)
    (work / "dagster").mkdir(parents=True)
    shutil.copy(ROOT / "dagster.yaml", work / "dagster" / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(work / "dagster")
    if args.layouts:
        os.environ["MDQ_LAYOUTS"] = str(args.layouts.resolve())
    os.environ.setdefault("MDQ_PSEUDONYM_KEY", "bench-key-not-secret-0123456789")
    os.environ.setdefault("MDQ_SPARK_MASTER", "local[2]")
    # A warehouse given is run on as it is (a scale test's history); else a fresh one in --work.
    warehouse = args.warehouse or work / ("warehouse" if args.engine == "spark" else "mdq.duckdb")
    if not args.warehouse:
        shutil.rmtree(warehouse, ignore_errors=True) if warehouse.is_dir() else warehouse.unlink(missing_ok=True)
    argv = ["run", "--from", args.first, "--to", args.last, "--engine", args.engine, "--landing", str(args.landing)]
    argv += ["--warehouse", str(warehouse), "--out", str(work / "out")]
    steps: dict[str, float] = defaultdict(float)
    per_month: dict[str, dict[str, float]] = defaultdict(dict)
    last = [time.perf_counter()]

    def listener(stage: str, month: str) -> None:
        now = time.perf_counter()
        steps[stage] += now - last[0]
        per_month[stage][month] = round(now - last[0], 2)
        last[0] = now

    sampler = TreeSampler()
    sampler.start()
    started, load = time.perf_counter(), os.getloadavg()
    with listening(listener):
        status = main(argv)
    wall = time.perf_counter() - started
    sampler.stop()
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "engine": args.engine,
        "months": f"{args.first}..{args.last}",
        "status": status,
        "wall_s": round(wall, 1),
        "cpu_s": round(own.ru_utime + own.ru_stime + sampler.descendant_cpu(), 1),
        "cpu_python_driver_s": round(own.ru_utime + own.ru_stime, 1),
        "peak_pss_tree_mib": round(sampler.peak / 2**20),
        "peak_pss_jvm_mib": round(sampler.peak_jvm / 2**20),
        "steps_s": {k: round(v, 1) for k, v in steps.items()},
        "per_month_s": per_month,
        "load_average_start": [round(x, 2) for x in load],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "warehouse_mib": round(
            sum(p.stat().st_size for p in [warehouse, *warehouse.rglob("*")] if p.is_file()) / 2**20, 1
        ),
        "work": str(work),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jvm", action="store_true", help="only the fixed cost of starting Spark")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--from", dest="first")
    parser.add_argument("--to", dest="last")
    parser.add_argument("--landing", type=Path)
    parser.add_argument("--layouts", type=Path)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--warehouse", type=Path, help="run on this warehouse as it is (default: a fresh one)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = jvm_cost() if args.jvm else run(args)
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
