"""What each `mdq` subcommand does, once its arguments are parsed (pipelines/cli.py)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from pipelines.core.config import load_layouts
from pipelines.core.errors import BREACH, UsageError
from pipelines.core.months import months_between
from pipelines.core.paths import REPO_ROOT


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
    warehouse = args.warehouse.resolve()
    if warehouse.exists() and warehouse.is_dir():
        raise UsageError(f"mdq: --warehouse {args.warehouse} is a folder; give a .duckdb file path")
    _check_configuration(reference)
    return RunSettings(landing=landing, reference=reference, warehouse=warehouse, out=args.out.resolve())


def _check_configuration(reference: Path) -> None:
    """The rules file, the layouts file and the reference folder, before any month runs: every
    problem at once, one line each (ConfigError), rather than a failure inside a step."""
    from pipelines.core.config import ConfigError, load_rules
    from pipelines.ingest.reference_checks import reference_problems

    rules = load_rules()
    load_layouts()
    problems = reference_problems(reference, rules)
    if problems:
        raise ConfigError("\n".join(problems))


def _months(args: argparse.Namespace, landing: Path) -> list[str]:
    from pipelines.ingest.landing import months_in_landing

    available = months_in_landing(landing, load_layouts())
    if args.first or args.last:
        if not (args.first and args.last):
            raise UsageError("mdq run: --from and --to go together")
        return months_in_range(args.first, args.last)
    if args.month:
        return [args.month]
    if not available:
        raise UsageError(f"mdq run: no extract in {landing}")
    return [available[-1]]


def _require_extracts(month: str, landing: Path) -> None:
    from pipelines.ingest.landing import discover
    from pipelines.orchestration.partitions import partition_problem

    problem = partition_problem(month)
    if problem:
        raise UsageError(f"mdq: {problem}")
    if not discover(landing, load_layouts(), {month}):
        raise UsageError(f"mdq: no extract for {month} in {landing}")


def run(args: argparse.Namespace) -> int:
    from pipelines.cli.console import progress
    from pipelines.orchestration.partitions import partition_problem

    settings = _settings(args)
    months = _months(args, settings.landing)
    for month in months:
        if partition_problem(month):
            raise UsageError(f"mdq run: {partition_problem(month)}")
    if len(months) == 1:
        _require_extracts(months[0], settings.landing)
    with progress(len(months) > 1) as bar:
        task = bar.add_task("months", total=len(months))
        for month in months:
            bar.update(task, description=f"running {month}")
            unreadable_all = _run_one(month, settings)
            bar.advance(task)
            if unreadable_all and len(months) == 1:
                return 2
        bar.update(task, description=f"{len(months)} months done")
    return 0


def _run_one(month: str, settings) -> bool:
    """Run one month; True when the month had extracts but none of them could be read."""
    from pipelines.cli.console import month_status, print_month_summary, resubmission_ties
    from pipelines.orchestration.in_process import StepFailed, project_instance, run_month

    try:
        with project_instance() as instance:
            run_month(month, settings, instance)
    except StepFailed as exc:
        raise UsageError(f"mdq: {month}: {exc}") from None
    from pipelines.cli.console import print_reference_notes, unreadable_files
    from pipelines.ingest.landing import unrecognised

    status = month_status(settings.warehouse, month)
    print_month_summary(
        month,
        status,
        settings.out,
        unreadable_files(settings.warehouse, month),
        unrecognised(settings.landing, load_layouts()),
        resubmission_ties(settings.warehouse, month),
    )
    print_reference_notes(settings.warehouse)
    files = sum(row["files"] for row in status)
    return files > 0 and all(row["completeness"] in ("unreadable", "missing") for row in status)


def gate(args: argparse.Namespace) -> int:
    from pipelines.cli.console import print_breaches
    from pipelines.gate.junit import write_junit
    from pipelines.gate.reuse import month_is_current
    from pipelines.gate.verdicts import evaluate_gate

    settings = _settings(args)
    if args.junit and args.junit.is_dir():
        raise UsageError(f"mdq gate: --junit {args.junit} is a folder; give a file path for the JUnit XML")
    if args.junit and not args.junit.resolve().parent.is_dir():
        raise UsageError(f"mdq gate: --junit {args.junit}: folder {args.junit.resolve().parent} does not exist")
    _require_extracts(args.month, settings.landing)
    if args.rerun or not month_is_current(settings, args.month):
        _run_one(args.month, settings)
    verdicts = evaluate_gate(settings.warehouse, args.month, warn_only=args.warn_only)
    if args.junit:
        write_junit(verdicts, args.junit, args.month)
    print_breaches(verdicts, args.month)
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


def ui() -> int:
    env = {**os.environ, "DAGSTER_HOME": str(REPO_ROOT)}
    return subprocess.call(
        [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.definitions"], cwd=REPO_ROOT, env=env
    )
