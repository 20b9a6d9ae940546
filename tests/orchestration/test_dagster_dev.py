"""The Dagster UI (`mdq ui`, Dagster's dev server) on the repository's instance config serves the
graph as code location `maternity_dq`; a partition launched through its GraphQL API gives what
`mdq run` gives, in comparable time; a month with no extract fails its run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.core.paths import REPO_ROOT, SAMPLE_DATA
from tests.dagster_web import (
    REPOSITORY,
    dagster_dev,
    graphql,
    launch_backfill,
    launch_partition,
    wait_for_backfill,
    wait_for_run,
)

BIN = Path(sys.executable).parent
MONTH = "2025-04"


def _home(path: Path) -> Path:
    path.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", path / "dagster.yaml")
    return path


def test_definitions_validate(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(_home(tmp_path / "home"))}
    result = subprocess.run(
        [BIN / "dagster", "definitions", "validate", "-m", "pipelines.definitions"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path / "home",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_dagster_dev_serves_the_asset_graph(tmp_path):
    """`mdq ui` serves the graph as `maternity_dq`, without `dagster dev`'s SupersessionWarning."""
    home, log = _home(tmp_path / "home"), tmp_path / "ui.log"
    with dagster_dev(home, dict(os.environ), log=log) as port:
        data = graphql(port, "{ assetNodes { assetKey { path } isPartitioned } }")
        keys = {"/".join(node["assetKey"]["path"]) for node in data["data"]["assetNodes"]}
        assert {
            "bookings",
            "quarantine",
            "submissions",
            "parallel_bookings",
            "golive",
            "measures",
            "worklists",
            "gate_results",
            "scorecard",
        } <= keys
        assert all(node["isPartitioned"] for node in data["data"]["assetNodes"])
        locations = graphql(port, "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }")
        assert [e["name"] for e in locations["data"]["workspaceOrError"]["locationEntries"]] == ["maternity_dq"]
        sensors = graphql(
            port,
            "query($r: RepositorySelector!) { sensorsOrError(repositorySelector: $r) "
            "{ ... on Sensors { results { name sensorState { status } } } } }",
            {"r": REPOSITORY},
        )
        states = {s["name"]: s["sensorState"]["status"] for s in sensors["data"]["sensorsOrError"]["results"]}
        assert states == {"landing_sensor": "STOPPED"}
        # Storage stays in the instance folder's var/, as dagster.yaml says.
        assert (home / "var" / "dagster" / "storage").is_dir()
    output = log.read_text()
    assert "Serving dagster-webserver" in output
    assert "Warning" not in output and "dg dev" not in output, output


def _landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    landing.mkdir()
    for path in SAMPLE_DATA.iterdir():
        if path.is_file() and any(m in path.name for m in ("2025-04", "202504", "2025-05", "202505")):
            shutil.copy(path, landing)
    shutil.copytree(SAMPLE_DATA / "reference", landing / "reference")
    (landing / ".mdq-synthetic").touch()
    return landing


def _run_facts(home: Path, run_id: str | None = None) -> dict:
    """The run's status, duration (Dagster's start to end) and check verdicts, from its instance."""
    previous = Path.cwd()
    os.chdir(home)  # dagster.yaml's storage paths are relative to the instance's folder
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            record = instance.get_run_record_by_id(run_id) if run_id else instance.get_run_records(limit=1)[0]
            events = instance.all_logs(record.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
            checks = set()
            for event in events:
                e = event.get_dagster_event().event_specific_data
                checks.add((e.asset_key.to_user_string(), e.check_name, e.partition, e.passed, e.severity.value))
            failures = instance.all_logs(record.dagster_run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
            failure = [
                f.get_dagster_event().step_failure_data.user_failure_data.description
                for f in failures
                if f.get_dagster_event().step_failure_data.user_failure_data
            ]
            return {
                "status": record.dagster_run.status.value,
                "seconds": record.end_time - record.start_time,
                "checks": checks,
                "failure": failure,
            }
    finally:
        os.chdir(previous)


def _tables(warehouse: Path, month: str) -> dict:
    where = f"WHERE reporting_month = '{month}'"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            "gate_results": con.execute(
                f"SELECT * EXCLUDE (data_docs) FROM gate_results {where} ORDER BY ALL"
            ).fetchall(),
            "measures": con.execute(f"SELECT * FROM measures {where} ORDER BY ALL").fetchall(),
            "month_progress": con.execute(f"SELECT reporting_month, stage FROM month_progress {where}").fetchall(),
        }


def test_a_partition_launched_from_the_ui_matches_mdq_run(tmp_path):
    """Same landing folder, two instances and warehouses: `mdq run --month 2025-04`, and the UI's
    GraphQL API launching partition 2025-04. Same files, tables and check verdicts; the UI run
    takes at most 1.5x the CLI run (Dagster's own start-to-end times for both). Then partition
    2025-06, which has no extract in the landing folder: the run fails with `mdq run`'s line. Last,
    a backfill of 2025-04 and 2025-05 from the UI is one run over both months."""
    landing = _landing(tmp_path)
    cli_home, ui_home = _home(tmp_path / "cli_home"), _home(tmp_path / "ui_home")
    cli_out, ui_out = tmp_path / "cli_out", tmp_path / "ui_out"
    cli_wh, ui_wh = tmp_path / "cli" / "w.duckdb", tmp_path / "ui" / "w.duckdb"
    started = time.monotonic()
    cli = subprocess.run(
        [BIN / "mdq", "run", "--month", MONTH, "--landing", landing, "--warehouse", cli_wh, "--out", cli_out],
        env={**os.environ, "DAGSTER_HOME": str(cli_home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    cli_process_s = time.monotonic() - started
    assert cli.returncode == 0, cli.stderr
    env = {**os.environ, "MDQ_LANDING": str(landing), "MDQ_WAREHOUSE": str(ui_wh), "MDQ_OUT": str(ui_out)}
    with dagster_dev(ui_home, env) as port:
        launched = time.monotonic()
        run_id = launch_partition(port, MONTH)
        ui_run = wait_for_run(port, run_id)
        ui_launch_s = time.monotonic() - launched
        assert ui_run["status"] == "SUCCESS", ui_run
        assert {t["key"]: t["value"] for t in ui_run["tags"]}["mdq/gate"] in ("pass", "breach")
        empty_id = launch_partition(port, "2025-06")
        assert wait_for_run(port, empty_id)["status"] == "FAILURE"
        assets = [
            node["assetKey"]["path"][0]
            for node in graphql(port, "{ assetNodes { assetKey { path } } }")["data"]["assetNodes"]
        ]
        backfill = wait_for_backfill(port, launch_backfill(port, ["2025-04", "2025-05"], assets))
        assert [r["status"] for r in backfill] == ["SUCCESS"]
        tags = {t["key"]: t["value"] for t in backfill[0]["tags"]}
        assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == (
            "2025-04",
            "2025-05",
        )
        # Each check has a status per month: both months pass in the sample's story; the month
        # with no extract shows as a failed execution.
        checks = graphql(
            port,
            """{ assetNodes(assetKeys: [{path: ["gate_results"]}]) { assetChecksOrError { ... on AssetChecks {
                 checks { name partitionStatuses { ... on AssetCheckTimePartitionStatuses {
                   ranges { startKey endKey status } } } } } } } }""",
        )["data"]["assetNodes"][0]["assetChecksOrError"]["checks"]
        statuses = {c["name"]: c["partitionStatuses"]["ranges"] for c in checks}
        for name in ("valid_postcode", "valid_ethnic_category"):
            assert statuses[name] == [
                {"startKey": "2025-04", "endKey": "2025-05", "status": "SUCCEEDED"},
                {"startKey": "2025-06", "endKey": "2025-06", "status": "EXECUTION_FAILED"},  # the empty month
            ], statuses
    cli_facts, ui_facts = _run_facts(cli_home), _run_facts(ui_home, run_id)

    for name in (f"measures-{MONTH}.csv", *(f"worklists/{p.name}" for p in (cli_out / "worklists").iterdir())):
        assert (ui_out / name).read_bytes() == (cli_out / name).read_bytes(), name
    assert (ui_out / f"scorecard-{MONTH}.html").exists()
    assert _tables(ui_wh, MONTH) == _tables(cli_wh, MONTH)
    assert ui_facts["checks"] == cli_facts["checks"]
    # 7 on what ingest and measures stored (parallel_bookings' contract too), 2 on golive, one per gated measure
    assert len(ui_facts["checks"]) == 11
    timings = (
        f"UI run {ui_facts['seconds']:.1f} s against the CLI's {cli_facts['seconds']:.1f} s "
        f"(launch to finish {ui_launch_s:.1f} s; `mdq run` process {cli_process_s:.1f} s)"
    )
    print(timings)  # shown with pytest -rP
    assert ui_facts["seconds"] <= 1.5 * cli_facts["seconds"], timings

    empty = _run_facts(ui_home, empty_id)
    assert empty["failure"] == [f"no extract for 2025-06 in {landing}"]
    assert not (ui_out / "scorecard-2025-06.html").exists()
    assert (ui_out / "scorecard-2025-05.html").exists()  # from the backfill
