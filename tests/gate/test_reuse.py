"""When `mdq gate` may reuse a month instead of running it: only when the month's last run
finished (published) from the extracts, rules, layouts and reference data now in place, and every
output it wrote is still there, unchanged, in the output folder asked for."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.gate.reuse import month_is_current
from pipelines.orchestration.in_process import RunSettings
from tests.conftest import FIXTURE_MONTH


def _run(settings: RunSettings) -> bool:
    with dg.instance_for_test() as instance:
        return (
            defs.resolve_job_def("monthly_dq")
            .execute_in_process(
                partition_key=FIXTURE_MONTH, run_config=settings.run_config(), instance=instance, raise_on_error=False
            )
            .success
        )


@pytest.fixture
def settings(landing, tmp_path) -> RunSettings:
    return RunSettings(
        landing=landing, reference=landing / "reference", warehouse=tmp_path / "w.duckdb", out=tmp_path / "out"
    )


def test_a_run_killed_before_the_scorecard_is_not_reused(settings, monkeypatch):
    """The run stops after the gate committed its verdicts, before the scorecard is written (as
    a kill there would): the month is gated but its scorecard is not this run's."""
    import pipelines.orchestration.assets.scorecard as scorecard_asset

    def killed(*args, **kwargs):
        raise RuntimeError("killed before the scorecard was written")

    monkeypatch.setattr(scorecard_asset, "write_scorecard", killed)
    assert not _run(settings)
    assert not month_is_current(settings, FIXTURE_MONTH)


def test_outputs_must_still_be_there_and_unchanged(settings, tmp_path):
    assert _run(settings)
    assert month_is_current(settings, FIXTURE_MONTH)
    out = settings.out
    # Another output folder holds none of the month's files.
    elsewhere = RunSettings(settings.landing, settings.reference, settings.warehouse, tmp_path / "other")
    assert not month_is_current(elsewhere, FIXTURE_MONTH)
    worklist = out / "worklists" / f"worklist-{FIXTURE_MONTH}-RKB.csv"
    original = worklist.read_bytes()
    worklist.write_bytes(original + b"edited\n")
    assert not month_is_current(settings, FIXTURE_MONTH)
    worklist.write_bytes(original)
    assert month_is_current(settings, FIXTURE_MONTH)
    (out / "data_docs" / FIXTURE_MONTH / "index.html").unlink()
    assert not month_is_current(settings, FIXTURE_MONTH)
    assert _run(settings)
    (out / f"scorecard-{FIXTURE_MONTH}.html").unlink()
    assert not month_is_current(settings, FIXTURE_MONTH)
