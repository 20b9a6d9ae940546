"""The Dagster graph, materialised with Dagster's own testing API on the fixture month."""

from __future__ import annotations

import csv
import json

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.orchestration.in_process import RunSettings
from tests.conftest import FIXTURE_MONTH


@pytest.fixture
def settings(landing, tmp_path) -> RunSettings:
    return RunSettings(
        landing=landing, reference=landing / "reference", warehouse=tmp_path / "wh" / "mdq.duckdb", out=tmp_path / "out"
    )


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("monthly_dq")
    assert job.partitions_def is not None
    assert "2025-04" in job.partitions_def.get_partition_keys()


def test_month_materialises_with_checks_passing(settings):
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("monthly_dq").execute_in_process(
            partition_key=FIXTURE_MONTH, run_config=settings.run_config(), instance=instance
        )
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    for name in (
        "rows_conserved",
        "canonical_contract",
        "measures_contract",
        "quarantine_contract",
        "submissions_contract",
    ):
        assert checks[name], name
    assert checks["extracts_readable"]
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"bookings", "quarantine", "submissions", "measures"} <= materialised
    bookings = next(e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "bookings")
    meta = bookings.materialization.metadata
    assert meta["rows_read"].value == 35 and meta["rows_loaded"].value == 22  # 10+7+4+14 read; 6+4+3+9 loaded


def test_measures_csv_has_the_interface_columns(settings):
    """RKB overall: postcode 2/6 valid, split 2 valid, 1 default (ZZ99 3VZ), 1 invalid (CV5 6EF,
    terminated), 2 missing (blank, N/A); hand-counted in tests/ingest/test_fixture_month.py. The
    dq file carries the same split under its MSDS v2 data item."""
    with dg.instance_for_test() as instance:
        defs.resolve_job_def("monthly_dq").execute_in_process(
            partition_key=FIXTURE_MONTH, run_config=settings.run_config(), instance=instance
        )
    with (settings.out / f"measures-{FIXTURE_MONTH}.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    required = [
        "reporting_month",
        "org_code",
        "source_system",
        "measure_id",
        "breakdown",
        "group",
        "numerator",
        "denominator",
        "rate",
        "threshold",
        "status",
    ]
    assert list(rows[0])[: len(required)] == required
    overall = {(r["org_code"], r["measure_id"]): r for r in rows if r["breakdown"] == "overall"}
    pc = overall[("RKB", "MSD_MOTHER_POSTCODE_VALID")]
    assert (pc["numerator"], pc["denominator"], pc["rate"], pc["threshold"], pc["status"]) == (
        "2",
        "6",
        "0.333333",
        "0.95",
        "fail",
    )
    assert (pc["valid"], pc["default"], pc["invalid"], pc["missing"]) == ("2", "1", "1", "2")
    with (settings.out / f"dq-{FIXTURE_MONTH}.csv").open(newline="") as fh:
        dq = list(csv.DictReader(fh))
    assert list(dq[0]) == [
        "Org_Code",
        "DataTable",
        "UID",
        "DataItem",
        "Valid",
        "Default",
        "Invalid",
        "Missing",
        "Denominator",
    ]
    rkb = next(r for r in dq if r["Org_Code"] == "RKB" and r["UID"] == "M001060")
    assert (rkb["DataTable"], rkb["Valid"], rkb["Default"], rkb["Invalid"], rkb["Missing"], rkb["Denominator"]) == (
        "MSD001",
        "2",
        "1",
        "1",
        "2",
        "6",
    )
    bmi = overall[("RJC", "MSD_BMI_RECORDED")]
    assert (bmi["numerator"], bmi["denominator"], bmi["threshold"], bmi["status"]) == ("4", "4", "", "not_gated")
    assert {r["breakdown"] for r in rows} == {
        "overall",
        "imd_decile",
        "imd_quintile",
        "ethnic_group",
        "ethnic_category",
    }


def test_sensor_requests_a_run_for_new_and_changed_extracts(settings):
    from pipelines.orchestration.resources import MdqSettings
    from pipelines.orchestration.sensors import landing_sensor

    resource = MdqSettings(landing=str(settings.landing), warehouse=str(settings.warehouse), out=str(settings.out))
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"mdq": resource})
        first = list(landing_sensor(context))
        assert [r.partition_key for r in first] == [FIXTURE_MONTH]
        cursor = context.cursor
        context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"mdq": resource})
        assert list(landing_sensor(context)) == []
        # A resubmission with new content, dropped beside the others, requests the month again.
        new_file = settings.landing / "K2_RKB_MaternityBookings_202505.csv"
        new_file.write_bytes((settings.landing / "K2_RKB_MaternityBookings_202504.csv").read_bytes())
        changed = settings.landing / "BadgerNet_RJC_Booking_2025-04.csv"
        changed.write_bytes(changed.read_bytes() + b"1007,,1990-01-01,2025-04-21,70,CV31 2AB,A,,,,,,RJC01,\n")
        context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"mdq": resource})
        requests = list(landing_sensor(context))
        assert sorted(r.partition_key for r in requests) == ["2025-04", "2025-05"]
        assert "BadgerNet_RJC_Booking_2025-04.csv" in requests[0].tags["mdq/changed_files"]
        assert len(json.loads(context.cursor)) == 5


def test_backfill_and_resubmission_rerun(tmp_path):
    """Three sample months as one run (a single-run backfill), then a resubmission of one file
    re-run. The sample's story (tests/synthetic/sample_reading.py::EXPECTED_FAILS): RLT's valid
    postcode fails in 2025-10 and 2025-11 and passes in 2025-09; no Trust fails ethnicity then."""
    import shutil

    from pipelines.core.paths import SAMPLE_DATA
    from pipelines.orchestration.in_process import run_months
    from tests.conftest import query

    landing = tmp_path / "landing"
    shutil.copytree(SAMPLE_DATA, landing)
    settings = RunSettings(
        landing=landing, reference=landing / "reference", warehouse=tmp_path / "w.duckdb", out=tmp_path / "out"
    )
    job = defs.resolve_job_def("monthly_dq")
    with dg.instance_for_test() as instance:
        result = run_months(["2025-09", "2025-10", "2025-11"], settings, instance)
        assert len(instance.get_runs()) == 1
        checks = {(e.check_name, e.partition): e.passed for e in result.get_asset_check_evaluations()}
        assert {k: v for k, v in checks.items() if k[0] == "valid_postcode"} == {
            ("valid_postcode", "2025-09"): True,
            ("valid_postcode", "2025-10"): False,
            ("valid_postcode", "2025-11"): False,
        }
        assert [checks[("valid_ethnic_category", m)] for m in ("2025-09", "2025-10", "2025-11")] == [True] * 3
        # Each month's verdict names the month's latest materialisation, which is what the UI shows.
        key = dg.AssetCheckKey(dg.AssetKey("gate_results"), "valid_postcode")
        infos = instance.event_log_storage.get_asset_check_partition_info([key])
        assert sorted((i.partition_key, i.latest_execution_status.value, i.is_current) for i in infos) == [
            ("2025-09", "SUCCEEDED", True),
            ("2025-10", "FAILED", True),
            ("2025-11", "FAILED", True),
        ]
        materialised = {(e.asset_key.to_user_string(), e.partition) for e in result.get_asset_materialization_events()}
        assert {("scorecard", m) for m in ("2025-09", "2025-10", "2025-11")} <= materialised
        rlt = query(
            settings.warehouse,
            "SELECT reporting_month, success FROM gate_results WHERE org_code = 'RLT' "
            "AND measure_id = 'MSD_MOTHER_POSTCODE_VALID' ORDER BY 1",
        )
        assert rlt == [("2025-09", True), ("2025-10", False), ("2025-11", False)]
        resubmitted = landing / "BadgerNet_RLT_Booking_2025-11.csv"
        lines = resubmitted.read_bytes().split(b"\n")
        header, body = lines[0], [line for line in lines[1:] if line]
        resubmitted.write_bytes(b"\n".join([header, *body[:50]]) + b"\n")
        assert job.execute_in_process(
            partition_key="2025-11", run_config=settings.run_config(), instance=instance
        ).success
    assert query(
        settings.warehouse,
        "SELECT status, rows_read FROM submissions WHERE file_name = ? ORDER BY 1",
        [resubmitted.name],
    ) == [("loaded", 50), ("superseded", 171)]
    # The resubmission's 50 rows are all booked 3 to 8 November 2025, and its line 8 repeats line 7
    # exactly (EpisodeID 2310008): 49 women booked.
    assert query(
        settings.warehouse, "SELECT count(*) FROM bookings WHERE org_code = 'RLT' AND reporting_month = '2025-11'"
    ) == [(49,)]


def test_worklists_list_each_failing_record_by_line(settings):
    """RKB (fixture K2 file): postcode fails on lines 4 (blank), 5 ('N/A'), 6 (ZZ99 3VZ) and 11
    ('cv5  6ef', terminated 202001); ethnic category on lines 5 ('Not Stated' = Z) and 6
    ('White-British', unmapped). Hand-counted. The value is shown as typed, beside its
    normalised form and class."""
    with dg.instance_for_test() as instance:
        defs.resolve_job_def("monthly_dq").execute_in_process(
            partition_key=FIXTURE_MONTH, run_config=settings.run_config(), instance=instance
        )
    path = settings.out / "worklists" / f"worklist-{FIXTURE_MONTH}-RKB.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = sorted(
        (r["measure_id"], int(r["source_line"]), r["value"], r["normalised"], r["class"], r["reason"]) for r in rows
    )
    pseudo = "pseudo postcode (no fixed abode, not known or overseas)"
    assert got == [
        ("MSD_MOTHER_ETHNIC_VALID", 5, "Not Stated", "Z", "default", "ethnic category Z is not a stated category"),
        ("MSD_MOTHER_ETHNIC_VALID", 6, "White-British", "", "invalid", "source value maps to no NHS ethnic category"),
        ("MSD_MOTHER_POSTCODE_VALID", 4, "", "", "missing", "postcode blank or a null token"),
        ("MSD_MOTHER_POSTCODE_VALID", 5, "N/A", "", "missing", "postcode blank or a null token"),
        ("MSD_MOTHER_POSTCODE_VALID", 6, "ZZ99 3VZ", "ZZ99 3VZ", "default", pseudo),
        (
            "MSD_MOTHER_POSTCODE_VALID",
            11,
            "cv5  6ef",
            "CV5 6EF",
            "invalid",
            "terminated before the month (postcode directory: 202001)",
        ),
    ]
    assert all(len(r["pregnancy_key"]) == 32 for r in rows)
