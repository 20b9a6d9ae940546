"""Fixtures for the scorecard tests (builders and HTML helpers are in helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scorecard.helpers import APRIL, MAY, build, copy_landing, shift_to_may


@pytest.fixture(scope="module")
def two_months(tmp_path_factory) -> Path:
    """A warehouse holding the fixture month and its shifted copy (April and May 2025)."""
    root = tmp_path_factory.mktemp("two_months")
    landing = copy_landing(root / "landing")
    shift_to_may(landing)
    return build(landing, root / "wh" / "mdq.duckdb", [APRIL, MAY])
