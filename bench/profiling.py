"""The profile phase: one month's work under a profiler.

Not `profile.py`: run as a script, bench/ is first on sys.path and would shadow the standard
library's `profile`, which cProfile imports.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from bench.common import BENCH_KEY


def phase_profile(a: dict[str, Any]) -> dict[str, Any]:
    """One month's ingest, measures + gate, and scorecard under a profiler, on a fresh warehouse."""
    os.environ["MDQ_LAYOUTS"] = a["layouts"]
    os.environ["MDQ_PSEUDONYM_KEY"] = BENCH_KEY
    import great_expectations  # noqa: F401

    import checks.validation  # noqa: F401
    from pipelines.core.warehouse import connect
    from pipelines.gate.results import run_month_gate
    from pipelines.ingest.load_month import load_month
    from pipelines.measures.compute import compute_measures

    try:
        from pipelines.scorecard import write_scorecard
    except ImportError:
        write_scorecard = None

    work = Path(a["work"])
    if work.exists():
        shutil.rmtree(work)
    warehouse = work / "mdq.duckdb"
    landing, reference, month = Path(a["landing"]), Path(a["reference"]), a["month"]
    # Warm-up: one earlier month loads the reference tables and creates the GE project, so the
    # profile shows the steady state of a month's work.
    load_month(a["warmup_month"], landing, warehouse, reference)
    with connect(warehouse) as con:
        compute_measures(con, a["warmup_month"])
        run_month_gate(con, a["warmup_month"], work / "gx", work / "out")

    def ingest():
        load_month(month, landing, warehouse, reference)

    def measures_and_gate():
        with connect(warehouse) as con:
            compute_measures(con, month)
            run_month_gate(con, month, work / "gx", work / "out")

    def scorecard():
        with connect(warehouse) as con:
            write_scorecard(con, month, work / "out")

    outputs = {}
    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
    steps = [("ingest", ingest), ("measures_gate", measures_and_gate)]
    if write_scorecard is not None:
        steps.append(("scorecard", scorecard))
    for name, fn in steps:
        if Profiler is not None:
            profiler = Profiler(interval=0.001)
            profiler.start()
            fn()
            profiler.stop()
            text = profiler.output_text(unicode=False, color=False, show_all=False)
            (work / f"profile-{name}.html").write_text(profiler.output_html(), encoding="utf-8")
            tool = "pyinstrument"
        else:
            import cProfile
            import io
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(fn)
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(60)
            text = buffer.getvalue()
            tool = "cProfile"
        path = work / f"profile-{name}.txt"
        path.write_text(text, encoding="utf-8")
        outputs[name] = {"tool": tool, "text": str(path)}
    return outputs
