"""Shared fixtures: the hand-written landing folder and a warehouse loaded from it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_LANDING = FIXTURES / "landing"
FIXTURE_MONTH = "2025-04"
TODAY = date(2026, 11, 23)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A private copy of the fixture landing folder that a test may change."""
    target = tmp_path / "landing"
    shutil.copytree(FIXTURE_LANDING, target)
    return target


def load(landing: Path, warehouse: Path, month: str = FIXTURE_MONTH, **kwargs):
    from pipelines.ingest.load_month import load_month

    return load_month(month, landing, warehouse, landing / "reference", today=TODAY, **kwargs)


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture
def loaded(landing: Path, tmp_path: Path) -> Path:
    warehouse = tmp_path / "wh" / "mdq.duckdb"
    load(landing, warehouse)
    return warehouse


@pytest.fixture
def mdq_main(tmp_path, monkeypatch, capsys):
    """`mdq ARGS` in this process (`main(argv)`) on a throwaway Dagster instance, with none of the
    MDQ_ settings of the calling shell: (exit status, stdout, stderr). No interpreter start-up or
    imports per call, unlike tests/cli/mdq_process.py's subprocess."""
    from pipelines.cli.main import main
    from pipelines.core.paths import REPO_ROOT

    home = tmp_path / "dagster-home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for name in ("MDQ_RULES", "MDQ_LAYOUTS", "MDQ_LOCK_TIMEOUT", "MDQ_FIRST_MONTH", "MDQ_PSEUDONYM_KEY"):
        monkeypatch.delenv(name, raising=False)

    def call(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return call
