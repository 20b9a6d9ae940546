"""The benchmark's smoke run: the whole bench/run_benchmark.py path at a tiny scale, so it cannot rot.

No timing is asserted (CI machines vary); only that every stage ran and the table was written and printed.
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
    # The headline tables are printed as well as written.
    assert "### Stages (scale 0.05)" in proc.stdout and "### Targets" in proc.stdout
    assert "| National year end-to-end (sum of stages) |" in proc.stdout
    return out, work / "run", json.loads((work / "run" / "results.json").read_text())


def _number(cell: str) -> float:
    return float(re.sub(r"[*,×%]", "", cell.strip()))


def test_every_stage_ran_with_positive_times(smoke) -> None:
    _, _, results = smoke
    (scale,) = results["scales"].values()
    stages = scale["pipeline"]["stages_s"]
    expected = {"ingest", "ingest_checks", "golive", "measures", "measure_files", "gate"}
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
    table = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ")]
    rows = {cells[0].strip(): cells[1:] for cells in table}
    header = [h.strip() for h in rows["Stage"]]
    wall_at, rows_at = header.index("Wall s"), header.index("Rows/s")
    labels = [
        label
        for key, label, _ in bench.STAGES
        if key in results["scales"][results["full_scale"]]["pipeline"]["stages_s"]
    ]
    for label in [*labels, "**End-to-end (sum of stages)**"]:
        assert label in rows, label
        assert _number(rows[label][wall_at]) > 0 and _number(rows[label][rows_at]) > 0
    for reference in ("(a) Raw DuckDB scan", "(a) Floor query", "(a′) All-measures floor", "(b) GE on pandas"):
        (found,) = [cells for label, cells in rows.items() if label.startswith(reference)]
        assert _number(found[0].split("(")[0]) > 0
    assert "### Targets" in text and "National year end-to-end" in text


# ---- the national-scale organisations the benchmark generates ------------------------------------


def test_national_orgs_are_plausible_and_sized_for_a_national_year() -> None:
    from collections import Counter

    from pipelines.synthetic import NATIONAL_TRUSTS, national_orgs
    from pipelines.synthetic.profiles import profile

    orgs = national_orgs()
    assert len(orgs) == len(set(orgs)) == NATIONAL_TRUSTS == 130
    assert orgs[:3] == ("RKB", "RJC", "RLT") and national_orgs(10) == orgs[:10]
    assert all(re.fullmatch(r"R[0-9A-HJ-NP-Z]{2}", org) for org in orgs)
    year = 12 * sum(profile(org).base_monthly_bookings for org in orgs)
    assert 630_000 <= year <= 670_000
    systems = Counter(profile(org).system_for("2025-04") for org in orgs)
    assert abs(systems["BadgerNet"] / 130 - 0.40) < 0.03 and abs(systems["K2"] / 130 - 0.35) < 0.03
    assert abs(systems["Cerner"] / 130 - 0.25) < 0.03
    volumes = sorted(profile(org).base_monthly_bookings for org in orgs)
    assert volumes[0] >= 100 and volumes[-1] <= 1500 and volumes[-1] > 4 * volumes[0]


def test_national_layouts_copy_lists_the_providers_and_changes_nothing_else() -> None:
    import yaml

    from pipelines.synthetic import national_layouts_text, national_orgs

    shipped = yaml.safe_load((REPO / "schemas" / "layouts.yaml").read_text(encoding="utf-8"))
    copy = yaml.safe_load(national_layouts_text(national_orgs()))
    assert list(copy.pop("providers")) == list(national_orgs())
    shipped.pop("providers")
    assert copy == shipped


def test_parallel_generation_writes_the_same_bytes(tmp_path: Path) -> None:
    from pipelines.synthetic import generate_extracts, national_orgs

    orgs = national_orgs(8)
    one = generate_extracts("2025-07", "2025-07", tmp_path / "one", scale=0.05, orgs=orgs)
    two = generate_extracts("2025-07", "2025-07", tmp_path / "two", scale=0.05, orgs=orgs, workers=2)
    assert [p.name for p in one] == [p.name for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two, strict=True))


def test_hand_written_design_agrees_with_the_gate_and_is_reported(smoke) -> None:
    """Reference (c) counts the same valid postcodes and ethnic categories as the gate, Trust-month by
    Trust-month, and the one-run table sets the stages beside it and the read floor."""
    out, _, results = smoke
    (scale,) = results["scales"].values()
    hand = scale["handwritten"]
    assert hand["agreement"]["trust_months"] == scale["pipeline"]["counts"]["trust_months"] > 0
    assert hand["agreement"]["agree"] == hand["agreement"]["trust_months"]
    assert 0 < hand["read_s"] <= hand["total_s"]
    text = out.read_text()
    assert "### One run: the front door and its references" in text
    assert "| Hand-written: polars reads the files, DuckDB computes the two gated rates |" in text
