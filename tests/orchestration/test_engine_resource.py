"""A bad engine name is a clear message where it is used, never a failure to load the graph.

MDQ_ENGINE is read when a run starts, not when the definitions are imported: a bad value must
not stop `dagster dev` loading the code location, nor `mdq run --engine duckdb` (the flag wins)
from running; a run that would use it fails as its resources start, with the line `mdq` prints.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import dagster as dg
import pytest

from pipelines.core.paths import REPO_ROOT
from tests.cli.mdq_process import mdq
from tests.conftest import FIXTURE_LANDING, FIXTURE_MONTH

BAD = "unknown engine 'bogus' (--engine / MDQ_ENGINE): choose one of duckdb, spark"


def test_a_bad_mdq_engine_does_not_stop_the_definitions_loading():
    """A fresh interpreter (imports are cached in this one) loads the graph and its job."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipelines.definitions import defs; print(defs.resolve_job_def('monthly_dq').name)",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "MDQ_ENGINE": "bogus"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (loaded.returncode, loaded.stdout.strip()) == (0, "monthly_dq"), loaded.stderr


def test_a_run_on_a_bad_mdq_engine_fails_as_it_starts_saying_why(tmp_path, monkeypatch):
    """No engine given in the run's config: MDQ_ENGINE is read as the resources start, and the
    run fails there, naming the value and the choices; no step starts, nothing is written."""
    from pipelines.definitions import defs

    monkeypatch.setenv("MDQ_ENGINE", "bogus")
    config = {"resources": {"mdq": {"config": {"landing": str(FIXTURE_LANDING), "out": str(tmp_path / "out")}}}}
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("monthly_dq").execute_in_process(
            partition_key=FIXTURE_MONTH, run_config=config, instance=instance, raise_on_error=False
        )
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "RESOURCE_INIT_FAILURE"]
    assert BAD in failure.event_specific_data.error.to_string()
    assert not [e for e in result.all_events if e.event_type_value == "STEP_START"]
    assert not (tmp_path / "out").exists()


def test_an_engine_name_that_is_no_engine_is_refused_by_the_config_check():
    """Given in the run's config (the UI's launchpad), the name is checked before the run exists."""
    from pipelines.definitions import defs

    with pytest.raises(dg.DagsterInvalidConfigError, match="name"):
        defs.resolve_job_def("monthly_dq").execute_in_process(
            partition_key=FIXTURE_MONTH, run_config={"resources": {"engine": {"config": {"name": "bogus"}}}}
        )


def test_mdq_with_a_bad_mdq_engine_says_so_in_one_line_and_the_flag_overrides_it(tmp_path):
    """`mdq run` on MDQ_ENGINE=bogus: one line, exit 2, nothing written; with `--engine duckdb`
    the month runs (exit 0) and writes its measures."""
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE_LANDING, landing)
    paths = ["--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out")]
    refused = mdq("run", "--month", FIXTURE_MONTH, *paths, env={"MDQ_ENGINE": "bogus", "MDQ_PSEUDONYM_KEY": None})
    assert (refused.returncode, refused.stderr) == (2, f"mdq: {BAD}\n")
    assert not (tmp_path / "w.duckdb").exists()
    ran = mdq(
        "run",
        "--month",
        FIXTURE_MONTH,
        "--engine",
        "duckdb",
        *paths,
        env={"MDQ_ENGINE": "bogus", "MDQ_PSEUDONYM_KEY": None},
    )
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "out" / f"measures-{FIXTURE_MONTH}.csv").exists()
