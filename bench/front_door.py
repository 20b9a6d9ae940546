"""The product's own command, `mdq run`: cold on the shipped sample, and the benchmark's year."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.common import BENCH_KEY, COLD_MONTH, REPO
from bench.processes import child_env, timed_command


def cold_run(work: Path, label: str, bytecode_cache: bool) -> dict[str, Any]:
    """`mdq run --month 2026-09` on the shipped sample in a fresh process and a fresh warehouse."""
    target = work / label
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    mdq = Path(sys.executable).with_name("mdq")
    cmd = [
        str(mdq),
        "run",
        "--month",
        COLD_MONTH,
        "--warehouse",
        str(target / "mdq.duckdb"),
        "--out",
        str(target / "out"),
    ]
    result = timed_command(cmd, target / "mdq-run.log", child_env(work.parent, bytecode_cache))
    return {
        **result,
        "label": label,
        "bytecode_cache": bytecode_cache,
        "command": shlex.join(
            [os.path.relpath(cmd[0], REPO), *cmd[1:4], "--warehouse", "<fresh>/mdq.duckdb", "--out", "<fresh>/out"]
        ),
    }


def cli_year(base: Path, months: list[str], opts: argparse.Namespace) -> dict[str, Any]:
    """The same year through the front door: `mdq run --from --to`, one Dagster run over the months."""
    data, target = base / "data", base / "cli"
    if target.exists():
        shutil.rmtree(target)
    mdq = Path(sys.executable).with_name("mdq")
    cmd = [
        str(mdq),
        "run",
        "--from",
        months[0],
        "--to",
        months[-1],
        "--landing",
        str(data / "landing"),
        "--warehouse",
        str(target / "mdq.duckdb"),
        "--out",
        str(target / "out"),
    ]
    home = target / "dagster-home"  # a fresh instance: no event-log history from earlier runs
    home.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = child_env(
        Path(opts.work_dir),
        not opts.no_bytecode_cache,
        MDQ_LAYOUTS=str(data / "layouts.yaml"),
        MDQ_PSEUDONYM_KEY=BENCH_KEY,
        DAGSTER_HOME=str(home),
    )
    result = timed_command(cmd, target / "mdq-run.log", env)
    rel = os.path.relpath(data, REPO)
    return {
        **result,
        "command": f"MDQ_LAYOUTS={rel}/layouts.yaml MDQ_PSEUDONYM_KEY=... "
        + shlex.join(
            [
                os.path.relpath(cmd[0], REPO),
                *cmd[1:6],
                "--landing",
                f"{rel}/landing",
                "--warehouse",
                "<fresh>",
                "--out",
                "<fresh>",
            ]
        ),
    }
