"""What an analyst sees in Dagster: partitions that end at the last complete month, a month with no
extract failing its run, checks named and described for people with formatted metadata, a breach
as a failed ERROR check that does not stop the scorecard and as a run tag, one verdict per month."""

from __future__ import annotations

import os
from datetime import date, datetime

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.orchestration.in_process import RunSettings, StepFailed, run_months
from tests.conftest import FIXTURE_MONTH


@pytest.fixture
def settings(landing, tmp_path) -> RunSettings:
    return RunSettings(
        landing=landing, reference=landing / "reference", warehouse=tmp_path / "wh" / "mdq.duckdb", out=tmp_path / "out"
    )


def _month_before(day: date) -> str:
    return f"{day.year - 1}-12" if day.month == 1 else f"{day.year}-{day.month - 1:02d}"


def test_partitions_end_at_the_last_complete_month():
    from pipelines.orchestration.partitions import monthly, partition_problem

    today = datetime.now().date()
    this_month, last_month = f"{today.year}-{today.month:02d}", _month_before(today)
    assert monthly.get_last_partition_key() == last_month
    assert partition_problem(last_month) is None
    assert (
        partition_problem(this_month) == f"{this_month} has not ended yet (the latest complete month is {last_month})"
    )
    assert "is in the future" in partition_problem(f"{today.year + 1}-{today.month:02d}")
    assert "before the first reporting month 2025-04" in partition_problem("2025-03")


def test_schedule_runs_the_month_just_ended():
    """On the 10th of November 2026 the routine run is for October 2026, not the unfinished November."""
    schedule = defs.resolve_schedule_def("monthly_dq_schedule")
    assert schedule.cron_schedule == "0 6 10 * *"
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 10, 6, 0))
    requests = list(schedule.evaluate_tick(context).run_requests)
    assert [r.partition_key for r in requests] == ["2026-10"]


def test_a_month_without_extracts_fails_its_run_with_the_cli_message(settings):
    """The fixture landing folder holds only 2025-04: a run for 2025-05 fails before loading
    anything, with the line `mdq run --month 2025-05` prints, and writes no scorecard."""
    with dg.instance_for_test() as instance, pytest.raises(StepFailed) as failed:
        run_months(["2025-05"], settings, instance)
    assert str(failed.value) == f"ingest_month: no extract for 2025-05 in {settings.landing}"
    assert not (settings.out / "scorecard-2025-05.html").exists()
    assert not settings.warehouse.exists()


def test_a_breach_is_a_failed_error_check_the_scorecard_still_written_and_the_run_tagged(settings):
    """Fixture month, hand-counted in tests/ingest/test_fixture_month.py: valid postcode RJC 3/4,
    RKB 2/6, RLT 1/3 (directory rule); valid ethnic category RJC 2/4, RKB 4/6, RLT 1/3. Every Trust
    is below both thresholds (95%, 80%): 6 breaches. Records short = ceil(threshold x booked) -
    valid: postcode RJC 4-3=1, RKB 6-2=4, RLT 3-1=2; ethnicity RJC 4-2=2, RKB 5-4=1, RLT 3-1=2."""
    with dg.instance_for_test() as instance:
        result = run_months([FIXTURE_MONTH], settings, instance)
        tags = instance.get_run_by_id(result.run_id).tags
    assert result.success
    assert (tags["mdq/gate"], tags["mdq/breaches"]) == ("breach", "6")
    assert (settings.out / f"scorecard-{FIXTURE_MONTH}.html").exists()
    gate = {
        e.check_name: e for e in result.get_asset_check_evaluations() if e.asset_key.to_user_string() == "gate_results"
    }
    assert set(gate) == {"valid_postcode", "valid_ethnic_category"}
    for e in gate.values():
        assert (e.passed, e.severity, e.blocking, e.partition) == (
            False,
            dg.AssetCheckSeverity.ERROR,
            False,
            FIXTURE_MONTH,
        )
    postcode = gate["valid_postcode"]
    assert (
        postcode.description
        == "3 of 3 Trusts below 95%: RKB 33.3% (4 short), RLT 33.3% (2 short), RJC 75.0% (1 short)."
    )
    meta = postcode.metadata
    assert (meta["threshold"].value, meta["trusts"].value, meta["trusts_failing"].value) == ("95%", 3, 3)
    assert meta["lowest_rate"].value == "RKB 33.3%"
    table = {r.data["trust"]: r.data for r in meta["per_trust"].value.records}
    assert {
        org: (r["rate"], r["valid"], r["booked"], r["records_short"], r["verdict"]) for org, r in table.items()
    } == {
        "RJC": ("75.0%", 3, 4, 1, "fail"),
        "RKB": ("33.3%", 2, 6, 4, "fail"),
        "RLT": ("33.3%", 1, 3, 2, "fail"),
    }
    worklist = settings.out / "worklists" / f"worklist-{FIXTURE_MONTH}-RKB.csv"
    assert meta["worklist RKB"] == dg.MetadataValue.path(str(worklist))
    assert table["RKB"]["worklist"] == str(worklist)
    ethnic = {
        r.data["trust"]: r.data["records_short"]
        for r in gate["valid_ethnic_category"].metadata["per_trust"].value.records
    }
    assert ethnic == {"RJC": 2, "RKB": 1, "RLT": 2}


def test_checks_are_named_short_and_whole_and_described():
    """Names are identifiers the UI shows whole (the sidebar elides past ~22 characters), made of
    whole words; the people-facing title, threshold and id are in the description."""
    checks = list(defs.resolve_asset_graph().asset_check_keys)
    names = sorted(key.name for key in checks)
    assert names == sorted(
        [
            "canonical_contract",
            "canonical_contract",  # bookings, and the parallel-run extracts' parallel_bookings
            "extracts_readable",
            "golive_contract",
            "measures_contract",
            "quarantine_contract",
            "rows_conserved",
            "submissions_contract",
            "valid_ethnic_category",
            "valid_items_kept",
            "valid_postcode",
        ]
    )
    graph = defs.resolve_asset_graph()
    for key in checks:
        assert len(key.name) <= 22 and key.name.replace("_", "").isalpha(), key.name
        assert graph.get_check_spec(key).description, key.name
    postcode = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey("gate_results"), "valid_postcode"))
    assert postcode.description.startswith("Valid postcode (MSD_MOTHER_POSTCODE_VALID) at or above 95% for every Trust")


def test_ui_runs_cost_what_cli_runs_cost():
    """Every step in the run's own process, and a backfill as one run over its months."""
    job = defs.resolve_job_def("monthly_dq")
    assert job.executor_def is dg.in_process_executor
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).backfill_policy == dg.BackfillPolicy.single_run(), key


def test_a_wait_for_the_warehouse_is_in_the_runs_log(settings, tmp_path, monkeypatch):
    """dagster.yaml hands the `mdq.warehouse` logger to Dagster, so a run kept waiting says whom
    for in its own log (what the UI shows), not only on a terminal."""
    import logging
    import shutil
    import threading

    from pipelines.core.paths import REPO_ROOT
    from pipelines.core.warehouse import connect
    from pipelines.orchestration.in_process import project_instance

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    said, held = threading.Event(), threading.Event()

    class Said(logging.Handler):
        def emit(self, record):
            said.set()

    listener = Said()
    logging.getLogger("mdq.warehouse").addHandler(listener)

    def hold():
        with connect(settings.warehouse):
            held.set()
            said.wait(120)  # let go once the run has said it is waiting

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        with project_instance() as instance:
            result = run_months([FIXTURE_MONTH], settings, instance)
            messages = [e.user_message for e in instance.all_logs(result.run_id) if e.user_message]
    finally:
        said.set()
        holder.join()
        logging.getLogger("mdq.warehouse").removeHandler(listener)
    waiting = [m for m in messages if m.startswith("waiting for the warehouse")]
    assert len(waiting) == 1 and f"in use by pid {os.getpid()}" in waiting[0], messages
