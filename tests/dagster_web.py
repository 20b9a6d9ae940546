"""Helpers for tests that start the Dagster UI (`mdq ui`) and talk to its GraphQL endpoint on loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCATION = "maternity_dq"  # pyproject.toml [tool.dagster] code_location_name
REPOSITORY = {"repositoryLocationName": LOCATION, "repositoryName": "__repository__"}
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def reserve_port() -> int:
    """A loopback port no other bind(0) will be given while `mdq ui` starts, yet free for it.

    Picking a free port and releasing it races with every other process binding port 0 until the
    webserver binds it. Instead the port is left in TIME_WAIT (a connection to it closed from the
    server side): Linux then never hands it out as an ephemeral port, while a server binding it
    with SO_REUSEADDR, as the webserver and `mdq ui`'s own check do, gets it.
    """
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            accepted, _ = server.accept()
            accepted.close()  # the server side closes first, so the TIME_WAIT holds this port
    return port


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _serving(port: int) -> bool:
    try:
        return bool(graphql(port, "{ assetNodes { id } }").get("data", {}).get("assetNodes"))
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def dagster_dev(home: Path, env: dict[str, str], attempts: int = 4, log: Path | None = None) -> Iterator[int]:
    """`mdq ui` (webserver and daemon) on the instance in `home`, serving; yields its port. Its
    output goes to `log` when given.

    The port is reserved (reserve_port) until the webserver binds it; should anything still take
    it first, the server exits before it answers and is started again on a new port. Readiness is
    polled with a deadline.
    """
    for attempt in range(attempts):
        port = reserve_port()
        output = log.open("w") if log else subprocess.DEVNULL
        process = subprocess.Popen(
            [Path(sys.executable).parent / "mdq", "ui", "--host", "127.0.0.1", "--port", str(port)],
            cwd=home,
            env={**env, "DAGSTER_HOME": str(home)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while process.poll() is None and not _serving(port) and time.monotonic() < deadline:
            time.sleep(1)
        if process.poll() is None and _serving(port):
            break
        _stop(process)
        assert attempt < attempts - 1, f"the webserver did not serve on any of {attempts} ports"
    try:
        yield port
    finally:
        _stop(process)
        if log:
            output.close()


def launch_partition(port: int, month: str, job: str = "monthly_dq") -> str:
    """Launch the job for one monthly partition, as the UI's Materialize does; returns the run id."""
    launched = graphql(
        port,
        """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
             __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
             ... on RunConfigValidationInvalid { errors { message } } } }""",
        {
            "p": {
                "selector": {**REPOSITORY, "jobName": job},
                "executionMetadata": {"tags": [{"key": "dagster/partition", "value": month}]},
            }
        },
    )
    result = launched["data"]["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", launched
    return result["run"]["runId"]


def wait_for_run(port: int, run_id: str, timeout: float = 300) -> dict:
    """The run once finished: status, startTime, endTime, tags."""
    query = """query($id: ID!) { runOrError(runId: $id) { ... on Run {
                 status startTime endTime tags { key value } } } }"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = graphql(port, query, {"id": run_id})["data"]["runOrError"]
        if run.get("status") in FINISHED:
            return run
        time.sleep(1)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def launch_backfill(port: int, months: list[str], assets: list[str]) -> str:
    """Backfill the assets over the months, as the UI's Materialize over a partition range does."""
    launched = graphql(
        port,
        """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
             __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }""",
        {"p": {"partitionNames": months, "assetSelection": [{"path": [a]} for a in assets]}},
    )
    result = launched["data"]["launchPartitionBackfill"]
    assert result["__typename"] == "LaunchBackfillSuccess", launched
    return result["backfillId"]


def wait_for_backfill(port: int, backfill_id: str, timeout: float = 300) -> list[dict]:
    """The backfill's runs once it has finished (the daemon looks at backfills every 30 s)."""
    status_query = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
                        ... on PartitionBackfill { status } } }"""
    runs_query = """query($id: String!) { runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
                      ... on Runs { results { runId status tags { key value } } } } }"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = graphql(port, status_query, {"id": backfill_id})["data"]["partitionBackfillOrError"]["status"]
        runs = graphql(port, runs_query, {"id": backfill_id})["data"]["runsOrError"]["results"]
        done = status.startswith("COMPLETED") or status in ("FAILED", "CANCELED")
        if done and all(r["status"] in FINISHED for r in runs):
            return runs
        time.sleep(2)
    raise AssertionError(f"backfill {backfill_id} did not finish in {timeout} s")
