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
