"""Shared fixtures: the hand-written landing folder and a warehouse loaded from it."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

# Hypothesis profiles, chosen by MDQ_HYPOTHESIS_PROFILE: `ci` (the default, and what .ci/run sets)
# is derandomised, so a green run is the same run every time and a red one fails again on rerun;
# `nightly` draws new random examples, ten times as many, to find what `ci` cannot.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("nightly", derandomize=False, deadline=None, print_blob=True)
HYPOTHESIS_PROFILE = os.environ.get("MDQ_HYPOTHESIS_PROFILE", "ci")
if HYPOTHESIS_PROFILE not in ("ci", "nightly"):
    raise pytest.UsageError(f"MDQ_HYPOTHESIS_PROFILE={HYPOTHESIS_PROFILE!r}: expected ci or nightly")
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(ci: int) -> int:
    """A property test's number of examples: `ci` under the ci profile, ten times that nightly."""
    return ci * (10 if HYPOTHESIS_PROFILE == "nightly" else 1)


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


# CI requires the browser tests (.ci/run sets MDQ_REQUIRE_BROWSER=1): there a missing Chromium or
# axe-core fails them instead of skipping them, so the accessibility and no-network checks cannot
# vanish from a green run. Elsewhere (a machine without root) they skip with the reason printed.
REQUIRE_BROWSER = os.environ.get("MDQ_REQUIRE_BROWSER") == "1"
AXE = Path(__file__).parent / "scorecard" / "node_modules" / "axe-core" / "axe.min.js"


def browser_unavailable(reason: str) -> None:
    """Skip the browser test saying why, or fail it when CI requires the browser."""
    if REQUIRE_BROWSER:
        pytest.fail(
            f"{reason}; MDQ_REQUIRE_BROWSER=1 requires the browser tests (scripts/browser-deps.sh)", pytrace=False
        )
    pytest.skip(f"{reason}: browser test skipped")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium binary the browser tests drive (session scope: checked before any slower fixture)."""
    from tests.scorecard.cdp import find_chromium

    path = find_chromium()
    if path is None:
        browser_unavailable("no Chromium found (apt-get install -y chromium, or set MDQ_CHROMIUM)")
    return path


@pytest.fixture(scope="session")
def axe_core(chromium) -> Path:
    """axe-core's script for the accessibility check (npm ci --prefix tests/scorecard)."""
    if not AXE.exists():
        browser_unavailable(f"{AXE} is missing (npm ci --prefix tests/scorecard)")
    return AXE


# The slowest files first (each starts Dagster, a server, Spark or `mdq` processes; docs/testing.md): the
# two workers of scripts/test.sh take whole files in this order, so a long file started last would
# run alone at the end while the other worker waits. Sorting is stable: every other test keeps its order.
SLOW_FIRST = (
    "tests/engines/test_spark_engine.py",  # a JVM, then the fixture and a sample month on both engines
    "tests/engines/test_spark_hostile.py",  # the hostile month on both engines
    "tests/engines/test_spark_resubmission.py",  # the fixture month three times on both engines
    "tests/engines/test_spark_no_leaks.py",  # a sample month through the job on Spark
    "tests/orchestration/test_dagster_dev.py",
    "tests/reliability/test_crash_safety.py",
    "tests/engines/test_spark_golive.py",
    "tests/engines/test_spark_gate_postcodes.py",  # a month loaded, measured and gated on Spark in two modes
    "tests/reliability/test_webserver_sensor_concurrency.py",
    "tests/reliability/test_cli_concurrency.py",
    "tests/orchestration/test_dagster_graph.py",
    "tests/bench/test_benchmark_smoke.py",
    "tests/cli/test_run_cli.py",
    "tests/gate/test_reuse.py",
    "tests/reliability/test_idempotency_and_keys.py",
)


def pytest_collection_modifyitems(config, items) -> None:
    rank = {path: i for i, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(SLOW_FIRST)))
