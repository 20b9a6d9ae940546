"""Fixtures for the scorecard tests (builders and HTML helpers are in helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scorecard.helpers import (
    APRIL,
    MAY,
    SAMPLE_MONTHS,
    build,
    build_sample,
    copy_landing,
    render_month,
    shift_to_may,
)


@pytest.fixture(scope="module")
def two_months(tmp_path_factory) -> Path:
    """A warehouse holding the fixture month and its shifted copy (April and May 2025)."""
    root = tmp_path_factory.mktemp("two_months")
    landing = copy_landing(root / "landing")
    shift_to_may(landing)
    return build(landing, root / "wh" / "mdq.duckdb", [APRIL, MAY])


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """The shipped sample's 18 months in one warehouse (built once: ~20 s)."""
    return build_sample(tmp_path_factory.mktemp("sample") / "mdq.duckdb")


@pytest.fixture(scope="session")
def sample_pages(sample_warehouse, tmp_path_factory) -> dict[str, tuple[str, dict[str, dict[str, int]]]]:
    """Every sample month's scorecard (as of that month) and its Trust totals."""
    out = tmp_path_factory.mktemp("sample_pages")
    return {month: render_month(sample_warehouse, month, out) for month in SAMPLE_MONTHS}
