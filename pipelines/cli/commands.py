"""What each `mdq` subcommand does, once its arguments are parsed (pipelines/cli/main.py)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pipelines.core.config import load_layouts
from pipelines.core.errors import BREACH, USAGE_ERROR, UsageError
from pipelines.core.months import months_between

# The steps of a run, in order: each reports every month it finishes (orchestration/progress.py).
STAGES = ("ingest", "golive", "measures", "worklists", "gate", "scorecard")


def months_in_range(first: str, last: str) -> list[str]:
    try:
        return months_between(first, last)
    except ValueError:
        raise UsageError(f"mdq: --from {first} is after --to {last}") from None


def _settings(args: argparse.Namespace):
    from pipelines.orchestration.in_process import RunSettings

    landing = args.landing.resolve()
    if not landing.is_dir():
        raise UsageError(f"mdq: --landing {args.landing}: no such folder")
    reference = (args.reference or landing / "reference").resolve()
    if not reference.is_dir():
        raise UsageError(f"mdq: --reference {reference}: no such folder (postcode directory and IoD File 7)")
    from pipelines.core.engines import default_warehouse, engine_name, is_parquet_warehouse

    engine = engine_name(getattr(args, "engine", None))
    shown = args.warehouse or default_warehouse(engine)
    warehouse = shown.resolve()
    if engine == "duckdb" and warehouse.exists() and warehouse.is_dir():
        hint = " (a Parquet warehouse: add --engine spark)" if is_parquet_warehouse(warehouse) else ""
        raise UsageError(f"mdq: --warehouse {shown} is a folder; give a .duckdb file path{hint}")
    if engine == "spark" and warehouse.exists() and not warehouse.is_dir():
        raise UsageError(
            f"mdq: --warehouse {shown} is a file; the Spark engine's warehouse is a folder of Parquet tables"
        )
    if engine == "spark":
        _require_spark()
    _check_configuration(landing, reference)
    # Found out now, not after the month has been ingested and measured.
    _require_writable_folder(args.out, "--out")
    _require_writable_folder(warehouse if engine == "spark" else warehouse.parent, "--warehouse", shown=shown)
    return RunSettings(landing=landing, reference=reference, warehouse=warehouse, out=args.out.resolve(), engine=engine)


def _require_spark() -> None:
    """PySpark and a Java runtime, before any month runs (one line, exit 2, when either is missing)."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        raise UsageError("mdq: --engine spark needs PySpark: bash scripts/uv.sh sync --extra spark")
    from pipelines.core.engines import spark_master

    if not spark_master().startswith("sc://") and not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise UsageError("mdq: --engine spark needs a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)")


def _check_configuration(landing: Path, reference: Path) -> None:
    """The rules file, the layouts file, the settings in the environment and the reference folder,
    before any month runs: every problem at once, one line each (ConfigError), rather than a
    failure inside a step."""
    from pipelines.core.config import ConfigError, load_rules
    from pipelines.core.warehouse import lock_timeout_s
    from pipelines.ingest.pseudonymise import pseudonym_key
    from pipelines.ingest.reference_checks import reference_problems

    rules = load_rules()
    load_layouts()
    lock_timeout_s()
    pseudonym_key(landing)
    problems = reference_problems(reference, rules)
    if problems:
        raise ConfigError("\n".join(problems))


def _require_writable_folder(folder: Path, flag: str, shown: Path | None = None) -> None:
    """The folder exists (it is made if need be) and a file can be created in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"mdq: {flag} {shown or folder}: cannot write there ({reason})") from None


def _months(args: argparse.Namespace, landing: Path) -> list[str]:
    from pipelines.ingest.landing import months_in_landing

    if args.first or args.last:
        if not (args.first and args.last):
            raise UsageError("mdq run: --from and --to go together")
        return months_in_range(args.first, args.last)
    if args.month:
        return [args.month]
    available = months_in_landing(landing, load_layouts())
    if not available:
        raise UsageError(f"mdq run: no extract in {landing}")
    return [available[-1]]


def _require_runnable(months: list[str], landing: Path, command: str) -> None:
    """Every month is a complete month with an extract: the ingest asset refuses the same months."""
    from pipelines.orchestration.partitions import month_problem

    for month in months:
        problem = month_problem(month, landing)
        if problem:
            raise UsageError(f"mdq {command}: {problem}")


def run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    months = _months(args, settings.landing)
    _require_runnable(months, settings.landing, "run")
    unreadable_all = _run_months(months, settings)
    if unreadable_all and len(months) == 1:
        # The table above says which files and why; this says why the status is 2.
        print(f"mdq run: no extract for {months[0]} could be read: nothing was measured", file=sys.stderr)
        return USAGE_ERROR
    return 0


def _run_months(months: list[str], settings, breaches_table: bool = True) -> bool:
    """Run the months as one Dagster run and print what came of them (the table of breaches
    unless the caller prints its own); True when a single month had extracts but none of them
    could be read."""
    from pipelines.cli import console as out
    from pipelines.gate.verdicts import evaluate_gate
    from pipelines.ingest.landing import unrecognised
    from pipelines.orchestration.in_process import StepFailed, project_instance, run_months
    from pipelines.orchestration.progress import listening

    backfill = len(months) > 1
    verdicts: dict[str, list] = {}

    def step_done(stage: str, month: str) -> None:
        bar.advance(task)
        bar.update(task, description=f"{stage} {month}")
        if stage == "scorecard" and backfill:
            # The month is finished: its line now, while the rest of the run goes on.
            verdicts[month] = evaluate_gate(settings.warehouse, month)
            out.console.print(out.month_line(month, out.month_status(settings.warehouse, month), verdicts[month]))

    with out.progress(out.console.is_terminal) as bar, listening(step_done):
        task = bar.add_task(f"starting {months[0]}", total=len(months) * len(STAGES))
        try:
            with project_instance() as instance:
                run_months(months, settings, instance)
        except StepFailed as exc:
            raise UsageError(f"mdq: {exc}") from None
    status = out.month_status(settings.warehouse, months[-1])
    if backfill:
        out.print_breach_table(verdicts)
    else:
        out.print_month_table(months[0], status)
        verdicts[months[0]] = evaluate_gate(settings.warehouse, months[0])
        if breaches_table and any(not v.passed for v in verdicts[months[0]]):
            out.print_breach_table(verdicts)
    problems = [p for month in months for p in out.unreadable_files(settings.warehouse, month)]
    ties = [t for month in months for t in out.resubmission_ties(settings.warehouse, month)]
    runs = [line for month in months for line in out.parallel_runs(settings.warehouse, month)]
    out.print_problems(problems, unrecognised(settings.landing, load_layouts()), ties, runs)
    out.print_reference_notes(settings.warehouse)
    out.print_paths(_written(months, settings))
    files = sum(row["files"] for row in status)
    return files > 0 and all(row["completeness"] in ("unreadable", "missing") for row in status)


def _written(months: list[str], settings) -> list[tuple[str, str]]:
    """(what, path) for the files the run wrote, the scorecard first."""
    first, last = months[0], months[-1]

    def span(pattern: str) -> str:
        if first == last:
            return str(settings.out / pattern.format(first))
        return f"{settings.out / pattern.format(first)} … {pattern.format(last)} ({len(months)} files)"

    docs = settings.out / "data_docs"
    return [
        ("scorecard", span("scorecard-{}.html")),
        ("measures", span("measures-{}.csv")),
        ("dq", span("dq-{}.csv")),
        ("go-live", span("golive-{}.csv")),
        ("worklists", str(settings.out / "worklists")),
        *([("data docs", str(docs / "index.html"))] if (docs / "index.html").is_file() else []),
        ("warehouse", str(settings.warehouse)),
    ]


def gate(args: argparse.Namespace) -> int:
    from pipelines.cli.console import print_breaches
    from pipelines.gate.junit import write_junit
    from pipelines.gate.reuse import month_is_current
    from pipelines.gate.verdicts import evaluate_gate
    from pipelines.measures.worklists import worklist_path

    started, clock = datetime.now(UTC), time.perf_counter()
    settings = _settings(args)
    if args.junit and args.junit.is_dir():
        raise UsageError(f"mdq gate: --junit {args.junit} is a folder; give a file path for the JUnit XML")
    if args.junit and not args.junit.resolve().parent.is_dir():
        raise UsageError(f"mdq gate: --junit {args.junit}: folder {args.junit.resolve().parent} does not exist")
    _require_runnable([args.month], settings.landing, "gate")
    if args.rerun or not month_is_current(settings, args.month):
        _run_months([args.month], settings, breaches_table=False)
    verdicts = evaluate_gate(settings.warehouse, args.month, warn_only=args.warn_only)
    worklists = {
        v.org_code: path for v in verdicts if (path := worklist_path(settings.out, args.month, v.org_code)).exists()
    }
    print_breaches(verdicts, args.month, args.warn_only, worklists)
    if args.junit:
        write_junit(verdicts, args.junit, args.month, worklists, started, time.perf_counter() - clock)
    return BREACH if any(v.breach for v in verdicts) else 0


def generate(args: argparse.Namespace) -> int:
    import math
    import os

    from pipelines.synthetic import (
        DEFAULT_SEED,
        generate_extracts,
        national_orgs,
        write_national_layouts,
        write_reference_data,
    )

    if not (args.scale > 0 and math.isfinite(args.scale)):
        raise UsageError("mdq generate: --scale must be a positive number")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"mdq generate: --out {args.out} is a file, not a folder")
    months = months_in_range(args.first, args.last)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    try:
        orgs = national_orgs(args.national) if args.national is not None else None
        paths = generate_extracts(
            months[0], months[-1], args.out, seed=seed, scale=args.scale, orgs=orgs, workers=os.cpu_count() or 1
        )
        # The reference subsets cover the generated postcodes, so `mdq run --landing OUT` works as is.
        paths += write_reference_data(args.out / "reference")
    except ValueError as exc:
        raise UsageError(f"mdq generate: {exc}") from None
    print(
        f"wrote {len(paths)} files for {len(months)} months to {args.out} (reference data in {args.out / 'reference'})"
    )
    if orgs:
        # Not in the landing folder's top level, where it would be reported as an unrecognised file.
        layouts = write_national_layouts(args.out / "reference" / "layouts-national.yaml", orgs)
        print(f"these are not the LMNS's Trusts: run with MDQ_LAYOUTS={layouts}")
    return 0


def ui(args: argparse.Namespace) -> int:
    from pipelines.orchestration.dev_server import serve

    return serve(host=args.host, port=args.port)
