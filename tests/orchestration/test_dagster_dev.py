"""`dagster dev` from the repository's instance config serves the graph; the definitions validate."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.core.paths import REPO_ROOT
from tests.dagster_web import dagster_dev, graphql

BIN = Path(sys.executable).parent


def test_definitions_validate(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    result = subprocess.run(
        [BIN / "dagster", "definitions", "validate", "-m", "pipelines.definitions"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_dagster_dev_serves_the_asset_graph(tmp_path):
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    with dagster_dev(tmp_path, env) as port:
        data = graphql(port, "{ assetNodes { assetKey { path } isPartitioned } }")
        keys = {"/".join(node["assetKey"]["path"]) for node in data["data"]["assetNodes"]}
        assert {"bookings", "quarantine", "submissions", "measures", "worklists", "gate_results"} <= keys
        assert all(node["isPartitioned"] for node in data["data"]["assetNodes"])
        sensors = graphql(
            port,
            '{ sensorsOrError(repositorySelector: {repositoryName: "__repository__", '
            'repositoryLocationName: "pipelines.definitions"}) { ... on Sensors { results { name sensorState { status } } } } }',
        )
        states = {s["name"]: s["sensorState"]["status"] for s in sensors["data"]["sensorsOrError"]["results"]}
        assert states == {"landing_sensor": "STOPPED"}
        # Storage stays in the instance folder's var/, as dagster.yaml says.
        assert (tmp_path / "var" / "dagster" / "storage").is_dir()
