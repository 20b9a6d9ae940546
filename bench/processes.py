"""Child processes: each phase and command runs in a fresh interpreter, timed with its peak RSS."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import REPO

PYCACHE = REPO / "var" / "bench-pycache"  # compiled modules for the benchmark's child processes
# Phases re-enter through the entry script's `--phase` dispatch.
ENTRY = Path(__file__).resolve().with_name("run_benchmark.py")


def run_phase(name: str, args: dict[str, Any], work: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; returns its JSON plus the child's wall time and peak RSS."""
    work.mkdir(parents=True, exist_ok=True)
    args_file, out_file, log = work / f"{name}.args.json", work / f"{name}.json", work / f"{name}.log"
    args = {**args, "process_start": time.time()}
    args_file.write_text(json.dumps(args, default=str))
    out_file.unlink(missing_ok=True)
    cmd = [sys.executable, str(ENTRY), "--phase", name, str(args_file), str(out_file)]
    usage = timed_command(cmd, log, env)
    result = json.loads(out_file.read_text())
    result["child_wall_s"] = usage["seconds"]
    result["child_maxrss_mib"] = usage["maxrss_mib"]
    return result


def child_env(work: Path, bytecode_cache: bool, **extra: str) -> dict[str, str]:
    """The environment of a child process.

    With `bytecode_cache`, compiled modules are kept in var/bench-pycache (PYTHONPYCACHEPREFIX)
    as an installed environment keeps them in __pycache__, even where PYTHONDONTWRITEBYTECODE is
    set; without it every import compiles its source (PYTHONDONTWRITEBYTECODE=1 and an empty
    cache folder), as in a sandbox that forbids writing bytecode.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("MDQ_LAYOUTS", "MDQ_PSEUDONYM_KEY")}
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        empty = work / "pycache-none"
        if empty.exists():
            shutil.rmtree(empty)
        empty.mkdir(parents=True)
        env["PYTHONPYCACHEPREFIX"] = str(empty)
    return env | extra


def timed_command(cmd: list[str], log: Path, env: dict[str, str]) -> dict[str, Any]:
    """Wall time and peak RSS (wait4) of one child process; raises if it fails."""
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=fh, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{shlex.join(cmd)} failed (exit {code}); log {log}:\n{tail}")
    return {"seconds": wall, "maxrss_mib": usage.ru_maxrss / 1024}
