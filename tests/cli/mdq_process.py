"""Runs `mdq` as a user does: a subprocess, its own throwaway Dagster instance, output captured."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipelines.core.paths import REPO_ROOT

MDQ = [sys.executable, "-m", "pipelines.cli"]


def _env(home: Path, extra: dict | None) -> dict[str, str]:
    env = {**os.environ, "DAGSTER_HOME": str(home), **(extra or {})}
    return {k: v for k, v in env.items() if v is not None}


def mdq(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`mdq ARGS` with stdout and stderr piped (not a terminal). `env` values of None unset a variable."""
    # Runs go to a throwaway Dagster instance, not the checkout's var/dagster.
    home = Path(tempfile.mkdtemp(prefix="mdq-dagster-"))
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    try:
        return subprocess.run(
            [*MDQ, *args], capture_output=True, text=True, env=_env(home, env), timeout=timeout, cwd=REPO_ROOT
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def mdq_in_terminal(*args: str, env: dict | None = None, timeout: float = 300) -> tuple[int, str]:
    """`mdq ARGS` with stdout on a pseudo-terminal, as in an analyst's shell: (exit status, output)."""
    home = Path(tempfile.mkdtemp(prefix="mdq-dagster-"))
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [*MDQ, *args], stdout=secondary, stderr=subprocess.PIPE, env=_env(home, env), cwd=REPO_ROOT
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed: the process has exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=timeout)
        return process.returncode, b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(primary)
        shutil.rmtree(home, ignore_errors=True)
