#!/usr/bin/env python
"""National-scale benchmark of the monthly pipeline, with references on the same data.

    .venv/bin/python bench/run_benchmark.py                 # national year, 1/4, 1/2 and full
    .venv/bin/python bench/run_benchmark.py --smoke         # seconds: what CI runs (tests/bench)

Generates a national-scale year (`pipelines.synthetic.national_orgs`: ~130 Trusts, ~650,000
bookings at --scale 1, spread over K2, BadgerNet and Cerner with the sample's mess), then runs
the pipeline's stages month by month through the plain functions the Dagster assets call:
ingest (read -> pandera contract -> placement -> pseudonymise -> SQL staging -> canonical, one
transaction per month) and its asset checks, measures (+ CSV, worklists), the Great Expectations
gate (+ Data Docs) and the HTML scorecards. Then, on the warehouse it built:

* a raw DuckDB scan of the canonical columns the measures read,
* the floor query: one hand-written DuckDB query, the two gated rates per Trust-month,
* the two gated measures done the straightforward way: Great Expectations on pandas, one
  validation per Trust-month;
* the hand-written design: polars reads every extract file (the read floor), DuckDB computes the
  two gated rates per Trust-month (checked against the gate's own results);

and, separately, one cold `mdq run --month 2026-09` on the shipped sample (a fresh process,
Dagster start-up included). Each phase runs in its own fresh Python process so its peak RSS
(ru_maxrss) is its own. The table goes between the markers of --out (docs/performance.md);
text outside the markers is kept. Raw figures go to <work-dir>/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Run as a script, so the package is imported once the repository is on sys.path.
from bench.common import COLD_MONTH  # noqa: E402
from bench.common import STAGES as STAGES  # noqa: E402  (tests/bench reads it here)
from bench.data import phase_generate  # noqa: E402
from bench.front_door import cold_run  # noqa: E402
from bench.handwritten import phase_handwritten  # noqa: E402
from bench.machine import describe_machine, loadavg  # noqa: E402
from bench.profiling import phase_profile  # noqa: E402
from bench.references import phase_references  # noqa: E402
from bench.report import BEGIN as BEGIN  # noqa: E402  (tests/bench reads it here)
from bench.report import END as END  # noqa: E402
from bench.report import render, write_markdown  # noqa: E402
from bench.scales import run_scale  # noqa: E402
from bench.stages import phase_pipeline  # noqa: E402

FIRST_MONTH = "2025-04"


PHASES = {
    "generate": phase_generate,
    "pipeline": phase_pipeline,
    "references": phase_references,
    "handwritten": phase_handwritten,
    "profile": phase_profile,
}


def _phase_main(name: str, args_file: str, out_file: str) -> int:
    a = json.loads(Path(args_file).read_text())
    result = PHASES[name](a)
    Path(out_file).write_text(json.dumps(result, indent=2, default=str))
    return 0


def _months(first: str, count: int) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--phase"]:
        return _phase_main(*argv[1:4])
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="volume of the full run: 1.0 = national year, ~650,000 bookings (default 1.0)",
    )
    parser.add_argument(
        "--fractions",
        default="0.25,0.5",
        help="also run at these fractions of --scale, to show cost is linear ('' for none)",
    )
    parser.add_argument("--trusts", type=int, default=130, help="provider Trusts (default 130)")
    parser.add_argument("--months", type=int, default=12, help="months from --first-month (default 12)")
    parser.add_argument("--first-month", default=FIRST_MONTH, help=f"default {FIRST_MONTH}")
    parser.add_argument("--seed", type=int, default=None, help="generator seed (default: the sample's)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="generator processes")
    parser.add_argument("--work-dir", type=Path, default=None, help="default var/bench (var/bench-smoke with --smoke)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="markdown file for the table (default docs/performance.md; <work-dir>/performance.md with --smoke)",
    )
    parser.add_argument(
        "--reuse-data", action="store_true", help="keep generated extracts from an earlier run with the same parameters"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each DuckDB reference (median reported)")
    parser.add_argument("--skip-ge-reference", action="store_true", help="skip GE on pandas (slow at full scale)")
    parser.add_argument("--cold-runs", type=int, default=2, help="cold `mdq run` repetitions (0: skip)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile one month's ingest, measures and gate (pyinstrument if installed, else cProfile)",
    )
    parser.add_argument(
        "--cli",
        action="store_true",
        help="also run the full-scale year through `mdq run --from --to` (the Dagster job)",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="children compile every import (as with PYTHONDONTWRITEBYTECODE=1); default: "
        "they keep compiled modules in var/bench-pycache like an installed environment",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny: 5 Trusts, 2 months, scale 0.05, no fractions, no cold run (CI)"
    )
    parser.add_argument(
        "--render-only",
        type=Path,
        metavar="RESULTS_JSON",
        help="run nothing: rewrite the table in --out from an earlier run's results.json",
    )
    opts = parser.parse_args(argv)
    if opts.render_only:
        out = opts.out or REPO / "docs" / "performance.md"
        write_markdown(out, render(json.loads(opts.render_only.read_text())))
        print(f"wrote {out}", file=sys.stderr)
        return 0
    if opts.smoke:
        opts.trusts, opts.months, opts.scale, opts.fractions = 5, 2, 0.05, ""
        opts.cold_runs, opts.repeat, opts.workers, opts.cli = 0, 2, 1, False
    work = opts.work_dir or REPO / "var" / ("bench-smoke" if opts.smoke else "bench")
    opts.work_dir = work.resolve()
    out = opts.out or (opts.work_dir / "performance.md" if opts.smoke else REPO / "docs" / "performance.md")
    months = _months(opts.first_month, opts.months)
    fractions = [float(x) for x in opts.fractions.split(",") if x.strip()]
    scales = sorted({round(opts.scale * f, 6) for f in fractions} | {opts.scale})

    def log(message: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)

    command = shlex.join(
        [
            os.path.relpath(sys.executable, REPO) if sys.executable.startswith(str(REPO)) else sys.executable,
            os.path.relpath(Path(__file__).resolve(), REPO),
            *argv,
        ]
    )
    results: dict[str, Any] = {
        "command": command,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe_machine(),
        "loadavg_start": loadavg(),
        "months": months,
        "trusts": opts.trusts,
        "scales": {},
        "smoke": opts.smoke,
        "bytecode_cache": not opts.no_bytecode_cache,
        "env_dont_write_bytecode": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
    }
    for scale in scales:
        results["scales"][f"{scale:g}"] = run_scale(scale, opts, months, scale == opts.scale, log)
    results["cold"] = []
    if opts.cold_runs:
        cold = opts.work_dir / "cold"
        log(f"cold mdq run --month {COLD_MONTH}: warm-up run (fills the bytecode cache if empty) ...")
        results["cold_first"] = cold_run(cold, "first", bytecode_cache=True)
        for i in range(opts.cold_runs):
            log(f"cold mdq run --month {COLD_MONTH} ({i + 1}/{opts.cold_runs}) ...")
            results["cold"].append(cold_run(cold, f"cached-{i}", bytecode_cache=True))
        for i in range(opts.cold_runs):
            log(f"cold mdq run --month {COLD_MONTH}, no bytecode cache ({i + 1}/{opts.cold_runs}) ...")
            results["cold"].append(cold_run(cold, f"uncached-{i}", bytecode_cache=False))
    results["loadavg_end"] = loadavg()
    results["full_scale"] = f"{opts.scale:g}"
    (opts.work_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    report = render(results)
    write_markdown(out, report)
    # The headline tables on stdout too; the full report (references, scaling, profile) is in `out`.
    for section in report.split("\n### ")[1:]:
        if section.startswith(("Stages", "Targets")):
            print("### " + section.strip() + "\n")
    log(f"wrote {out} and {opts.work_dir / 'results.json'}")
    errors = [e for s in results["scales"].values() for e in s["pipeline"].get("errors", [])]
    for e in errors:
        log(f"ERROR {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
