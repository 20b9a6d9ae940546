"""The pipeline phase: every stage of the monthly job over every month, timed and instrumented."""

from __future__ import annotations

import os
import shutil
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import BENCH_KEY
from bench.machine import cpu_time_s, maxrss_mib


class Timers:
    """Wall time per call path of wrapped functions: where a stage's time goes."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[str] = []

    def wrap(self, module: Any, name: str, label: str) -> None:
        """Time calls of module.name (looked up by callers at call time); absent names are skipped."""
        original = getattr(module, name, None)
        if original is None or getattr(original, "_bench_wrapped", False):
            return

        def wrapper(*args, **kwargs):
            self._stack.append(label)
            path = "/".join(self._stack)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[path] += time.perf_counter() - start
                self.calls[path] += 1
                self._stack.pop()

        wrapper._bench_wrapped = True  # type: ignore[attr-defined]
        setattr(module, name, wrapper)

    @contextmanager
    def stage(self, label: str):
        self._stack.append(label)
        path = "/".join(self._stack)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[path] += time.perf_counter() - start
            self.calls[path] += 1
            self._stack.pop()


def _instrument(timers: Timers) -> None:
    import checks.context as gx_context
    import checks.validation as validation
    import pipelines.ingest.load_month as load_month_mod
    import pipelines.ingest.read_month as read_month_mod
    import pipelines.ingest.write_month as write_month_mod

    timers.wrap(load_month_mod, "read_month", "read_month")
    timers.wrap(load_month_mod, "write_month", "write_month")
    # Names as the ingest modules use them; a name a later version no longer has is skipped.
    for name, label in (
        ("discover", "discover"),
        # read_extract and checksum run on read_files' threads: timed as a whole there.
        ("read_files", "read_files (2 threads: checksum, decode, csv, frame)"),
        ("apply_contract", "contract (pandera)"),
        ("validate_batch", "contract (pandera, one per layout)"),
        ("place_in_month", "placement (one per layout)"),
        ("pseudonymise", "pseudonymise (keyed hash, one per layout)"),
        ("_pair_cerner", "pair Cerner events"),
    ):
        timers.wrap(read_month_mod, name, label)
    for name, label in (
        ("install_rules", "install_rules"),
        ("load_reference", "load_reference"),
        ("_register_raw", "register raw frames"),
        ("create_temp_model", "staging models"),
        ("_canonical_quarantine", "canonical contract (pandera)"),
        ("_record_submissions", "record submissions"),
    ):
        timers.wrap(write_month_mod, name, label)
    timers.wrap(validation, "run_ge_gate", "run_ge_gate")
    timers.wrap(validation, "_validation_definitions", "suites")
    timers.wrap(gx_context, "open_context", "open GE context")
    timers.wrap(validation, "build_offline_data_docs", "Data Docs")
    try:
        import pipelines.scorecard.render as render

        timers.wrap(render, "read_scorecard_data", "read stored tables")
        timers.wrap(render, "build_page", "build page (SPC, charts)")
    except ImportError:
        pass


def phase_pipeline(a: dict[str, Any]) -> dict[str, Any]:
    """Every stage of the monthly job over every month, timed; a fresh warehouse."""
    os.environ["MDQ_LAYOUTS"] = a["layouts"]
    os.environ["MDQ_PSEUDONYM_KEY"] = BENCH_KEY
    process_start = a["process_start"]
    t0 = time.perf_counter()
    import polars as pl

    from pipelines.core.config import load_layouts
    from pipelines.core.warehouse import connect
    from pipelines.gate.results import run_month_gate
    from pipelines.ingest.load_month import load_month
    from pipelines.measures.compute import compute_measures, write_measures_csv
    from pipelines.measures.worklists import write_worklists
    from schemas.canonical import canonical_failures

    try:
        from pipelines.scorecard import write_scorecard
    except ImportError:  # not in this checkout yet
        write_scorecard = None
    try:
        from pipelines.golive import compute_golive, write_golive_csv
    except ImportError:  # before issue #15
        compute_golive = None
    try:
        from pipelines.core.warehouse import mark_stage
    except ImportError:
        mark_stage = None
    import great_expectations  # noqa: F401

    import checks.validation  # noqa: F401  (imported by the gate asset on first use; count it here)

    imports_s = time.perf_counter() - t0
    providers = len(load_layouts().providers)
    timers = Timers()
    _instrument(timers)

    work = Path(a["work"])
    landing, reference = Path(a["landing"]), Path(a["reference"])
    warehouse = work / "warehouse" / "mdq.duckdb"
    out = work / "out"
    for stale in (warehouse.parent, out):
        if stale.exists():
            shutil.rmtree(stale)
    gx_dir = warehouse.parent / "gx"  # where the gate asset keeps it

    stage_s: dict[str, float] = defaultdict(float)
    cpu_s: dict[str, float] = defaultdict(float)  # user + system CPU of the process, all its threads
    rss_after: dict[str, float] = {}
    per_month: list[dict[str, Any]] = []
    errors: list[str] = []

    def run(stage: str, month_row: dict[str, Any], fn, *args):
        start, cpu_start = time.perf_counter(), cpu_time_s()
        try:
            with timers.stage(stage):
                return fn(*args)
        finally:
            took = time.perf_counter() - start
            stage_s[stage] += took
            cpu_s[stage] += cpu_time_s() - cpu_start
            month_row[stage] = round(took, 4)
            rss_after[stage] = max(rss_after.get(stage, 0.0), maxrss_mib())

    def ingest_checks(month: str) -> None:  # the asset checks on `bookings` and `submissions`
        with connect(warehouse, read_only=True) as con:
            broken = con.execute(
                """SELECT file_name FROM submissions WHERE reporting_month = ? AND status = 'loaded'
                   AND rows_read <> rows_loaded + rows_quarantined""",
                [month],
            ).fetchall()
            con.execute(
                "SELECT file_name, error FROM submissions WHERE reporting_month = ? AND status = 'unreadable'", [month]
            ).fetchall()
            con.execute("SELECT count(*) FROM quarantine WHERE reporting_month = ?", [month]).fetchone()
        with connect(warehouse, read_only=True) as con:
            frame = con.sql("SELECT * FROM bookings WHERE reporting_month = $m", params={"m": month}).pl()
        failures = canonical_failures(frame)
        if failures.height:
            errors.append(f"{month}: {failures.height} stored rows break the canonical contract")
        if broken:
            errors.append(f"{month}: rows not conserved in {len(broken)} files")

    def golive_step(month: str) -> None:  # as the golive asset does, a month without a parallel run included
        with connect(warehouse) as con:
            frame = compute_golive(con, month)
        write_golive_csv(frame, out, month)

    def measures_step(month: str):
        with connect(warehouse) as con:
            return compute_measures(con, month)

    def files_step(month: str, frame):
        write_measures_csv(frame, out, month)
        with connect(warehouse) as con:
            return write_worklists(con, month, out)

    def gate_step(month: str):
        with connect(warehouse) as con:
            return run_month_gate(con, month, gx_dir, out)

    def scorecard_step(month: str, docs, worklists):
        with connect(warehouse) as con:
            path = write_scorecard(con, month, out, data_docs=docs, worklists=worklists, run_started=datetime.now(UTC))
            if mark_stage is not None:  # as the scorecard asset does
                con.execute("BEGIN")
                mark_stage(con, month, "published")
                con.execute("COMMIT")
            return path

    wall_start = time.perf_counter()
    for month in a["months"]:
        row: dict[str, Any] = {"month": month}
        _, summary = run("ingest", row, load_month, month, landing, warehouse, reference)
        row["rows_read"] = summary.rows_read
        run("ingest_checks", row, ingest_checks, month)
        if compute_golive is not None:
            run("golive", row, golive_step, month)
        frame = run("measures", row, measures_step, month)
        worklists = run("measure_files", row, files_step, month, frame)
        gate_frame, docs = run("gate", row, gate_step, month)
        row["gate_failures"] = int(gate_frame.filter(~pl.col("success")).height)
        if write_scorecard is not None:
            try:
                run("scorecard", row, scorecard_step, month, docs, worklists)
            except Exception as exc:  # another module's failure: report it, keep timing the rest
                errors.append(f"scorecard {month}: {type(exc).__name__}: {exc}")
        per_month.append(row)
    stages_wall = time.perf_counter() - wall_start

    with connect(warehouse, read_only=True) as con:
        counts = dict(
            zip(
                ("bookings", "events", "quarantined"),
                con.execute(
                    "SELECT (SELECT count(*) FROM bookings), (SELECT count(*) FROM clinical_events), "
                    "(SELECT count(*) FROM quarantine)"
                ).fetchone(),
                strict=True,
            )
        )
        by_role = dict(
            con.execute("SELECT role, sum(rows_read) FROM submissions WHERE status = 'loaded' GROUP BY 1").fetchall()
        )
        by_system = dict(con.execute("SELECT source_system, count(*) FROM bookings GROUP BY 1").fetchall())
        trust_months = con.execute("SELECT count(*) FROM trust_month_status").fetchone()[0]
        gate_fail = con.execute("SELECT count(*) FROM gate_results WHERE NOT success").fetchone()[0]
        unreadable = con.execute("SELECT count(*) FROM submissions WHERE status = 'unreadable'").fetchone()[0]
    return {
        "imports_s": imports_s,
        "stages_s": dict(stage_s),
        "stages_cpu_s": dict(cpu_s),
        "stages_wall_s": stages_wall,
        "process_wall_s": time.time() - process_start,
        "rss_after_mib": rss_after,
        "maxrss_mib": maxrss_mib(),
        "breakdown": {k: round(v, 4) for k, v in timers.seconds.items()},
        "calls": dict(timers.calls),
        "per_month": per_month,
        "counts": {
            **counts,
            "input_rows": int(sum(v or 0 for v in by_role.values())),
            "rows_by_role": {k: int(v or 0) for k, v in by_role.items()},
            "bookings_by_system": by_system,
            "trust_months": trust_months,
            "gate_failures": gate_fail,
            "unreadable_files": unreadable,
            "providers": providers,
        },
        "warehouse": str(warehouse),
        "scorecard_available": write_scorecard is not None,
        "errors": errors,
    }
