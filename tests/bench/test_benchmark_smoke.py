"""The benchmark's smoke run: the whole bench/run_benchmark.py path at a tiny scale, so it cannot rot.

No timing is asserted (CI machines vary); only that every stage ran and the table was written.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "run_benchmark.py"
sys.path.insert(0, str(REPO / "bench"))

import run_benchmark as bench  # noqa: E402


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    work = tmp_path_factory.mktemp("bench")
    out = work / "performance.md"
    out.write_text("# Performance\n\nHand-written analysis.\n\n" + bench.BEGIN + "\nold\n" + bench.END + "\n\nAfter.\n")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--work-dir", str(work / "run"), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out, work / "run", json.loads((work / "run" / "results.json").read_text())


def _number(cell: str) -> float:
    return float(re.sub(r"[*,×%]", "", cell.strip()))


def test_every_stage_ran_with_positive_times(smoke) -> None:
    _, _, results = smoke
    (scale,) = results["scales"].values()
    stages = scale["pipeline"]["stages_s"]
    expected = {"ingest", "ingest_checks", "measures", "measure_files", "gate"}
    if scale["pipeline"]["scorecard_available"]:
        expected.add("scorecard")
    assert expected <= set(stages)
    assert all(stages[k] > 0 for k in expected)
    assert scale["pipeline"]["errors"] == []
    assert scale["pipeline"]["maxrss_mib"] > 0
    counts = scale["pipeline"]["counts"]
    assert counts["bookings"] > 0 and counts["input_rows"] >= counts["bookings"]
    assert set(counts["bookings_by_system"]) == {"K2", "BadgerNet", "Cerner"}
    refs = scale["references"]
    assert refs["scan"]["median_s"] > 0 and refs["floor"]["median_s"] > 0 and refs["full"]["median_s"] > 0
    assert refs["ge_pandas"]["seconds"] > 0 and refs["ge_pandas"]["validations"] == refs["floor_trust_months"]
    # the reference GE validations and the project's gate agree on which Trust-month-measures fail
    assert refs["ge_pandas"]["failures"] == counts["gate_failures"] == refs["floor_failures"]


def test_the_table_is_written_between_the_markers(smoke) -> None:
    out, _, results = smoke
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nHand-written analysis.") and text.rstrip().endswith("After.")
    assert text.count(bench.BEGIN) == 1 and text.count(bench.END) == 1 and "\nold\n" not in text
    assert results["command"] in text
    rows = {line.split("|")[1].strip(): line.split("|")[2:-1] for line in text.splitlines() if line.startswith("| ")}
    labels = [
        label
        for key, label, _ in bench.STAGES
        if key in results["scales"][results["full_scale"]]["pipeline"]["stages_s"]
    ]
    for label in [*labels, "**End-to-end (sum of stages)**"]:
        assert label in rows, label
        wall, _share, rows_per_s = rows[label][:3]
        assert _number(wall) > 0 and _number(rows_per_s) > 0
    for reference in ("(a) Raw DuckDB scan", "(a) Floor query", "(a′) All-measures floor", "(b) GE on pandas"):
        (found,) = [cells for label, cells in rows.items() if label.startswith(reference)]
        assert _number(found[0].split("(")[0]) > 0
    assert "### Targets" in text and "National year end-to-end" in text
