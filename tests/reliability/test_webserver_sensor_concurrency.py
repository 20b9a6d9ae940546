"""The Dagster webserver and daemon up, the landing sensor launching runs, and an analyst's
`mdq run` at the same time on the same warehouse: every run succeeds, none sees a lock error,
no write is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pipelines.core.paths import REPO_ROOT, SAMPLE_DATA
from tests.conftest import query
from tests.dagster_web import REPOSITORY, dagster_dev, graphql

BIN = Path(sys.executable).parent
MONTHS = ("2025-04", "2025-05")


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except OSError:
            pass
        time.sleep(2)
    raise AssertionError(f"timed out waiting for {what}")


def test_sensor_runs_and_cli_run_share_the_warehouse(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    for path in SAMPLE_DATA.iterdir():
        if path.is_file() and any(m in path.name for m in ("2025-04", "202504", "2025-05", "202505")):
            shutil.copy(path, landing)
    shutil.copytree(SAMPLE_DATA / "reference", landing / "reference")
    (landing / ".mdq-synthetic").touch()
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "out"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "MDQ_LANDING": str(landing),
        "MDQ_WAREHOUSE": str(warehouse),
        "MDQ_OUT": str(out),
    }
    with dagster_dev(home, env) as port:
        started = graphql(
            port,
            "mutation($s: SensorSelector!) { startSensor(sensorSelector: $s) { __typename } }",
            {"s": {**REPOSITORY, "sensorName": "landing_sensor"}},
        )
        assert started["data"]["startSensor"]["__typename"] == "Sensor", started
        # The analyst's run starts while the daemon's sensor is launching its own.
        cli = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipelines.cli",
                "run",
                "--month",
                "2025-05",
                "--landing",
                str(landing),
                "--warehouse",
                str(warehouse),
                "--out",
                str(out),
            ],
            cwd=home,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        runs_query = "{ runsOrError { ... on Runs { results { runId status tags { key value } } } } }"

        def sensor_runs_done():
            runs = graphql(port, runs_query)["data"]["runsOrError"]["results"]
            sensor = [r for r in runs if any(t["key"] == "dagster/sensor_name" for t in r["tags"])]
            finished = [r for r in sensor if r["status"] in ("SUCCESS", "FAILURE", "CANCELED")]
            return sensor if len(sensor) >= len(MONTHS) and len(finished) == len(sensor) else None

        sensor_runs = _wait(sensor_runs_done, 420, "the sensor's runs")
        _, cli_err = cli.communicate(timeout=300)
        assert cli.returncode == 0, cli_err
        # Waiting its turn is said ("mdq: waiting for the warehouse ..."); failing on DuckDB's lock is not.
        assert "Traceback" not in cli_err and "Could not set lock" not in cli_err
        assert {r["status"] for r in sensor_runs} == {"SUCCESS"}, sensor_runs
        partitions = sorted(t["value"] for r in sensor_runs for t in r["tags"] if t["key"] == "dagster/partition")
        assert partitions == list(MONTHS)
    assert query(warehouse, "SELECT reporting_month, count(*) FROM gate_results GROUP BY 1 ORDER BY 1") == [
        (m, 6) for m in MONTHS
    ]
    assert query(warehouse, "SELECT reporting_month, stage FROM month_progress ORDER BY 1") == [
        (m, "published") for m in MONTHS
    ]
