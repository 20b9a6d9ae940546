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


# RKB's K2 line 4 (BK00000003) has a blank postcode; given CV1 2AB (live) RKB has 3 valid of 6
# (lines 2, 3 and 4) instead of 2 of 6: 50.0%, ceil(0.95 x 6) - 3 = 3 records short.
BLANK_POSTCODE = b"03/04/2025 11:15,12+6,,Asian"
FILLED_POSTCODE = b"03/04/2025 11:15,12+6,CV1 2AB,Asian"
K2 = "K2_RKB_MaternityBookings_202504.csv"


def _gate(mdq_main, settings: RunSettings) -> list[str]:
    status, out, _ = mdq_main(
        "gate", "--month", FIXTURE_MONTH, "--landing", str(settings.landing), "--warehouse", str(settings.warehouse),
        "--out", str(settings.out),
    )  # fmt: skip
    assert status == 1
    return [
        line for line in out.splitlines() if line.startswith(f"BREACH {FIXTURE_MONTH} RKB MSD_MOTHER_POSTCODE_VALID")
    ]


def test_gate_reruns_the_month_after_a_resubmission(settings, mdq_main):
    """Gated once (RKB 2 of 6), then `_resub1` lands with line 4's postcode filled in: the month
    is no longer current, and `mdq gate` runs it again from the resubmission (3 of 6)."""
    assert _gate(mdq_main, settings) == [
        f"BREACH {FIXTURE_MONTH} RKB MSD_MOTHER_POSTCODE_VALID: 33.3% (2/6) below threshold 95%, 4 records short; "
        f"worklist {settings.out / 'worklists' / f'worklist-{FIXTURE_MONTH}-RKB.csv'}"
    ]
    assert month_is_current(settings, FIXTURE_MONTH)
    original = (settings.landing / K2).read_bytes()
    (settings.landing / K2.replace(".csv", "_resub1.csv")).write_bytes(
        original.replace(BLANK_POSTCODE, FILLED_POSTCODE)
    )
    assert not month_is_current(settings, FIXTURE_MONTH)
    assert _gate(mdq_main, settings)[0].startswith(
        f"BREACH {FIXTURE_MONTH} RKB MSD_MOTHER_POSTCODE_VALID: 50.0% (3/6) below threshold 95%, 3 records short"
    )
    assert month_is_current(settings, FIXTURE_MONTH)


def test_gate_reruns_the_month_when_an_extract_is_replaced_under_its_name(settings, mdq_main):
    """The same correction copied over the original file (same name): only the content's checksum
    can tell the month is no longer what was gated."""
    _gate(mdq_main, settings)
    path = settings.landing / K2
    path.write_bytes(path.read_bytes().replace(BLANK_POSTCODE, FILLED_POSTCODE))
    assert not month_is_current(settings, FIXTURE_MONTH)
    assert _gate(mdq_main, settings)[0].startswith(
        f"BREACH {FIXTURE_MONTH} RKB MSD_MOTHER_POSTCODE_VALID: 50.0% (3/6) below threshold 95%, 3 records short"
    )
