"""`mdq ui`: Dagster's webserver and daemon on the project's instance, as code location `maternity_dq`.

Dagster 1.13 marks `dagster dev` superseded by `dg dev` (the separate dagster-dg-cli package).
Given a workspace, `dg dev` hands it straight to `dagster._cli.dev.dev_command_impl`, the
implementation the two commands share; the SupersessionWarning sits only on the old click
command. `mdq ui` calls that same function, so it runs what `dg dev` runs without the dg CLI
and the ~20 packages it brings (Dagster Cloud's CLI among them). The workspace it passes names
the code location from pyproject.toml's `[tool.dagster]`, the name `dagster dev` also uses when
started from the repository root without arguments.
"""

from __future__ import annotations

import os
import socket
import tempfile
import tomllib
from pathlib import Path

import yaml

from pipelines.core.errors import UsageError
from pipelines.core.paths import REPO_ROOT


def code_location() -> tuple[str, str]:
    """(module, location name) from pyproject.toml's [tool.dagster]."""
    with (REPO_ROOT / "pyproject.toml").open("rb") as fh:
        block = tomllib.load(fh)["tool"]["dagster"]
    return block["module_name"], block["code_location_name"]


def write_workspace(folder: Path) -> Path:
    module, name = code_location()
    path = folder / "workspace.yaml"
    workspace = {
        "load_from": [
            {"python_module": {"module_name": module, "location_name": name, "working_directory": str(REPO_ROOT)}}
        ]
    }
    path.write_text(yaml.safe_dump(workspace), encoding="utf-8")
    return path


def _require_free(host: str, port: int) -> None:
    # The webserver would otherwise die in its own process and leave the daemon running alone.
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As the webserver binds (asyncio's create_server sets SO_REUSEADDR): a port another server
        # listens on is refused, one left in TIME_WAIT by a server just stopped is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(f"mdq ui: cannot listen on {host}:{port} ({exc.strerror or exc})") from None


def serve(host: str, port: int) -> int:
    """Serve the UI until interrupted, on the instance in DAGSTER_HOME (default: the repository)."""
    from dagster._cli.dev import dev_command_impl
    from dagster_shared.cli import WorkspaceOpts

    _require_free(host, port)
    home = Path(os.environ.get("DAGSTER_HOME") or REPO_ROOT).resolve()
    os.environ["DAGSTER_HOME"] = str(home)
    # dagster.yaml's storage paths are relative: Dagster resolves them from the working directory.
    os.chdir(home)
    with tempfile.TemporaryDirectory(prefix="mdq-ui-") as folder:
        dev_command_impl(
            code_server_log_level="warning",
            log_level="info",
            log_format="colored",
            port=str(port),
            host=host,
            use_legacy_code_server_behavior=False,
            shutdown_pipe=None,
            verbose=False,
            workspace_opts=WorkspaceOpts(workspace=[str(write_workspace(Path(folder)))]),
        )
    return 0
