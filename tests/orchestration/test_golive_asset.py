"""The `golive` asset and its checks in a run of the graph, on the hand-written parallel-run month
(tests/golive/conftest.py): of the 5 linked pregnancies, ethnic category and gestation at booking
are each valid in K2 but not in Cerner for 1 (20%), every other item for 0. The rules file's
golive.max_lost_share is 5%, so the check WARNs naming those two; at 25% it passes."""

from __future__ import annotations

import dagster as dg
import polars as pl
import yaml

from pipelines.core.paths import RULES_FILE
from pipelines.orchestration.in_process import RunSettings, run_months
from tests.golive.conftest import GOLIVE_MONTH, golive_landing

__all__ = ["golive_landing"]


def _run(landing, tmp_path):
    settings = RunSettings(
        landing=landing, reference=landing / "reference", warehouse=tmp_path / "wh" / "mdq.duckdb", out=tmp_path / "out"
    )
    with dg.instance_for_test() as instance:
        result = run_months([GOLIVE_MONTH], settings, instance)
    assert result.success
    return settings, {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}


def test_an_item_lost_by_the_new_extraction_is_a_warn_naming_it(golive_landing, tmp_path):
    settings, checks = _run(golive_landing, tmp_path)
    kept = checks[("golive", "valid_items_kept")]
    assert (kept.passed, kept.severity, kept.blocking, kept.partition) == (
        False,
        dg.AssetCheckSeverity.WARN,
        False,
        GOLIVE_MONTH,
    )
    assert kept.description == (
        "2 item(s) lost by the new extraction above 5%: "
        "RKB Valid ethnic category: valid in K2 but not in Cerner for 1 of 5 linked pregnancies (20.0%); "
        "RKB Gestation at booking valid: valid in K2 but not in Cerner for 1 of 5 linked pregnancies (20.0%)"
    )
    meta = kept.metadata
    assert meta["max_lost_share"].value == "5%" and meta["items_lost"].value == 2
    shares = meta["lost_share_by_item"].value
    assert shares["RKB Cerner Valid ethnic category"] == "1 of 5 (20.0%)"
    assert shares["RKB Cerner Valid postcode"] == "0 of 5 (0.0%)"
    assert checks[("golive", "golive_contract")].passed
    assert checks[("parallel_bookings", "canonical_contract")].passed
    assert checks[("bookings", "rows_conserved")].passed  # the parallel files' rows are conserved too
    # The CSV is among what the scorecard published with the month.
    assert (settings.out / "golive-2026-03.csv").read_text(encoding="utf-8").count("\n") == 8


def test_below_the_configured_share_the_check_passes(golive_landing, tmp_path, monkeypatch):
    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    rules["golive"]["max_lost_share"] = 0.25
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("MDQ_RULES", str(path))
    _, checks = _run(golive_landing, tmp_path)
    kept = checks[("golive", "valid_items_kept")]
    assert kept.passed and kept.description == "No item lost in more than 25% of linked pregnancies."


def test_a_month_without_a_parallel_run_passes_and_says_so():
    from pipelines.golive.reconcile import TABLE_COLUMNS
    from pipelines.orchestration.assets.golive import items_kept_verdict

    empty = pl.DataFrame(schema={c: pl.Int64 if i >= 5 else pl.String for i, c in enumerate(TABLE_COLUMNS)})
    verdict = items_kept_verdict(empty, "2026-04", 0.05, {})
    assert verdict.passed and verdict.description == "No parallel-run extract this month: nothing to reconcile."
