"""The scratch copy a mutation run edits, and how its tests are run there.

Mutants are applied to a copy of the repository under var/mutation/, never to the checkout: a run
that is stopped half-way leaves the checkout as it was. The copy holds the files git knows of
(committed, staged or new, less what .gitignore excludes), so tests written but not yet committed
run too. Tests run with the checkout's interpreter and the copy as working directory: `python -m
pytest` puts the copy first on sys.path, so its `pipelines`, `checks` and `schemas` (and
pipelines.core.paths.REPO_ROOT, hence sql/ and the rules) are the mutated ones, not the editable
install's. No bytecode is written: a mutant of the same size written within the same second as
the original would otherwise be run from the original's cached bytecode.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO

MUTATION_DIR = REPO / "var" / "mutation"
# A git revision to copy instead of the work tree (`--at`): the tests of that revision, for the
# score before new tests were added.
AT_REVISION: str | None = None


def results_dir(kind: str) -> Path:
    """Where a kind's results are kept, one JSON file per module or mutant (a stopped run keeps its finished ones)."""
    folder = MUTATION_DIR / (kind + (f"-{AT_REVISION}" if AT_REVISION else ""))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def make_scratch(name: str) -> Path:
    """A fresh copy of the repository's files at var/mutation/scratch-<name>."""
    target = MUTATION_DIR / f"scratch-{name}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    if AT_REVISION:
        archive = subprocess.run(["git", "archive", AT_REVISION], cwd=REPO, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        return target
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        relative = raw.decode()
        source = REPO / relative
        if not source.is_file():  # deleted in the work tree but still in the index
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    return target


def test_env() -> dict[str, str]:
    """The environment the tests run in: the CI profile, no bytecode, none of the caller's MDQ_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MDQ_")}
    env.update(PYTHONDONTWRITEBYTECODE="1", MDQ_HYPOTHESIS_PROFILE="ci", PYTHONHASHSEED="0")
    return env


def existing(root: Path, tests: tuple[str, ...] | list[str], log) -> list[str]:
    """The mapped tests the copy has (a revision from before a test file was added lacks it)."""
    present = [t for t in tests if (root / t.split("::")[0]).exists()]
    for absent in sorted(set(tests) - set(present)):
        log(f"  {absent}: not in this copy, left out")
    return present


def pytest_command(tests: list[str], extra: tuple[str, ...] = ()) -> list[str]:
    """pytest stopping at the first failure (one failure is enough to catch a mutant), quietly."""
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", *extra, *tests]


@dataclass(frozen=True)
class Outcome:
    passed: bool
    seconds: float
    timed_out: bool
    tail: str  # the last lines of pytest's output: which test caught the mutant


def run_tests(scratch: Path, tests: list[str], timeout: float) -> Outcome:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            pytest_command(tests), cwd=scratch, env=test_env(), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return Outcome(False, time.perf_counter() - started, True, f"timed out after {timeout:.0f} s")
    lines = (done.stdout + done.stderr).strip().splitlines()
    return Outcome(done.returncode == 0, time.perf_counter() - started, False, "\n".join(lines[-12:]))


def first_failure(tail: str) -> str:
    """The first failing test named in pytest's short summary ('FAILED tests/x.py::test - ...')."""
    for line in tail.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" - ")[0].split(" ", 1)[1]
    return tail.splitlines()[-1] if tail else ""
