"""`mdq run` says when a Trust's extract ran in parallel, and when the system of record had to be
chosen without a history (tests/golive/conftest.py: RKB 2026-03, K2 and a Cerner test extract)."""

from __future__ import annotations

import yaml

from pipelines.core.paths import LAYOUTS_FILE
from tests.cli import mdq_process
from tests.cli.mdq_in_process import mdq
from tests.golive.conftest import GOLIVE_MONTH, golive_landing

__all__ = ["golive_landing", "mdq"]


def _run(mdq, landing, tmp_path, env=None):
    paths = ["--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out")]
    result = mdq("run", "--month", GOLIVE_MONTH, *paths, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_run_summary_names_the_parallel_run_and_the_go_live_file(golive_landing, tmp_path, mdq):
    lines = _run(mdq, golive_landing, tmp_path)
    assert "RKB 2026-03: Cerner extract loaded as a parallel run (system of record K2)" in lines
    assert f"go-live    {tmp_path / 'out' / 'golive-2026-03.csv'}" in lines
    assert f"dq         {tmp_path / 'out' / 'dq-2026-03.csv'}" in lines
    rkb = next(line.split() for line in lines if line.startswith("RKB "))
    assert rkb[:4] == ["RKB", "K2", "10", "1"]  # booked 10, quarantined 1: K2's alone


def test_without_a_history_the_choice_is_a_warning_in_the_summary(golive_landing, tmp_path):
    data = yaml.safe_load(LAYOUTS_FILE.read_text(encoding="utf-8"))
    data["providers"] = {org: entry["name"] for org, entry in data["providers"].items()}
    layouts = tmp_path / "layouts-no-history.yaml"
    layouts.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    # A subprocess: its console is sized by COLUMNS when it starts, so the long warning is one line.
    lines = _run(mdq_process.mdq, golive_landing, tmp_path, env={"MDQ_LAYOUTS": str(layouts), "COLUMNS": "300"})
    assert "RKB 2026-03: Cerner extract loaded as a parallel run (system of record K2)" in lines
    assert (
        "warning: RKB 2026-03: system of record: the layouts file gives RKB no history of systems, and K2 and "
        "Cerner sent extracts for 2026-03, so K2 (its layout is listed first) was taken as the system of record "
        "(Cerner loaded as a parallel run): give RKB its systems by month in the layouts file's providers"
    ) in lines
