"""`mdq` in this process (`main(argv)`), answering as tests/cli/mdq_process.py's subprocess does.

Where the subprocess adds nothing a test checks (its interpreter start-up and imports cost
seconds a call), a test calls `main` here instead: the same argument parsing, exit statuses and
printed lines, on its own throwaway Dagster instance, with none of the calling shell's MDQ_
settings. What only a new process shows stays a subprocess test (tests/cli/mdq_process.py): the
installed entry point, a setting read at import (MDQ_FIRST_MONTH), output to a real terminal or a
pipe sized by COLUMNS, a kill.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from pipelines.core.paths import REPO_ROOT

MDQ_SETTINGS = ("MDQ_RULES", "MDQ_LAYOUTS", "MDQ_LOCK_TIMEOUT", "MDQ_FIRST_MONTH", "MDQ_PSEUDONYM_KEY")
Mdq = Callable[..., subprocess.CompletedProcess]


@contextmanager
def mdq_in_process(home: Path) -> Iterator[Mdq]:
    """Yields `mdq(*args, env=None)`: `mdq ARGS` run by `main`, its Dagster instance in `home`;
    `env` sets (or, with None, unsets) variables for that call only."""
    from pipelines.cli.main import main

    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home))
        for name in MDQ_SETTINGS:
            patch.delenv(name, raising=False)

        def mdq(*args: str, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
            out, err = io.StringIO(), io.StringIO()
            with pytest.MonkeyPatch.context() as call_env, redirect_stdout(out), redirect_stderr(err):
                for name, value in (env or {}).items():
                    if value is None:
                        call_env.delenv(name, raising=False)
                    else:
                        call_env.setenv(name, value)
                status = main(list(args))
            return subprocess.CompletedProcess(["mdq", *args], status, out.getvalue(), err.getvalue())

        yield mdq


@pytest.fixture
def mdq(tmp_path: Path) -> Iterator[Mdq]:
    """`mdq ARGS` in this process for one test (tests/cli/mdq_in_process.py)."""
    with mdq_in_process(tmp_path / "dagster-home") as call:
        yield call
