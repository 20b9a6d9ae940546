"""The IoD 2019 edition end to end: the fixture month through the Dagster job with the rules'
`imd.edition` set to 2019, so LSOA 2011 codes (`lsoa11`) and the 2019 File 7 give the deciles.

In this test's copy of the postcode directory every `lsoa21` code is replaced by one no File 7
holds (E01099xxx), so a run that read the 2021 column for the 2019 edition would find no decile.

Hand count (tests/fixtures/landing; loaded rows as in tests/ingest/test_fixture_month.py), from
`lsoa11` and File_7_IoD2019_fixture.csv:
* RKB lines 2 and 3: CV1 2AB -> E01009001 -> decile 2 (quintile 1); lines 4 (blank), 5 (N/A),
  6 (ZZ99 3VZ) and 11 (CV5 6EF, terminated) have no decile.
* RJC line 2: CV31 2AB -> E01031001 -> 8 (quintile 4); line 4: CV37 6AA -> E01031002 -> 10 (5);
  line 7: CV34 4AB -> E01031003 -> 6 (3); line 3 (CV32, invalid) none.
* RLT line 2: CV10 7AB -> E01031100 -> 4 (2); lines 3 (CV11 4XY, not in the directory) and 4
  (TBC) none.
(The 2025 edition would give 1, 9, 10, 7 and 3: every decile but Stratford's differs.)

Valid ethnic category by IMD decile (K2 text / BadgerNet and Cerner codes):
* RKB decile 2: lines 2 (White - British) and 3 (white - irish), 2 of 2; Not known: lines 4
  (Indian, valid), 5 (Not Stated, default), 6 (White-British, invalid), 11 (Chinese, valid): 2 of 4.
* RJC decile 8: A, 1 of 1; decile 10: 99, 0 of 1; decile 6: blank, 0 of 1; Not known: 'a ', 1 of 1.
* RLT decile 4: A, 1 of 1; Not known: z and blank, 0 of 2.
"""

from __future__ import annotations

import csv
import re

import dagster as dg
import yaml

from pipelines.core.paths import RULES_FILE
from pipelines.definitions import defs
from pipelines.orchestration.in_process import RunSettings
from tests.conftest import FIXTURE_MONTH, query


def test_iod_2019_gives_the_2019_deciles_end_to_end(landing, tmp_path, monkeypatch):
    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    rules["imd"]["edition"] = 2019
    staged = tmp_path / "rules-iod2019.yaml"
    staged.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("MDQ_RULES", str(staged))
    onspd = landing / "reference" / "ONSPD_fixture.csv"
    lines = onspd.read_text(encoding="utf-8").splitlines()
    onspd.write_text(
        "\n".join([lines[0], *(re.sub(r"E01(\d{6})$", lambda m: f"E01099{m[1][3:]}", line) for line in lines[1:])])
        + "\n",
        encoding="utf-8",
    )
    settings = RunSettings(
        landing=landing, reference=landing / "reference", warehouse=tmp_path / "w.duckdb", out=tmp_path / "out"
    )
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("monthly_dq").execute_in_process(
            partition_key=FIXTURE_MONTH, run_config=settings.run_config(), instance=instance
        )
    assert result.success

    assert query(
        settings.warehouse,
        "SELECT org_code, source_line, imd_decile, imd_quintile, imd_edition FROM bookings ORDER BY 1, 2",
    ) == [
        ("RJC", 2, 8, 4, 2019),
        ("RJC", 3, None, None, 2019),
        ("RJC", 4, 10, 5, 2019),
        ("RJC", 7, 6, 3, 2019),
        ("RKB", 2, 2, 1, 2019),
        ("RKB", 3, 2, 1, 2019),
        ("RKB", 4, None, None, 2019),
        ("RKB", 5, None, None, 2019),
        ("RKB", 6, None, None, 2019),
        ("RKB", 11, None, None, 2019),
        ("RLT", 2, 4, 2, 2019),
        ("RLT", 3, None, None, 2019),
        ("RLT", 4, None, None, 2019),
    ]
    with (settings.out / f"measures-{FIXTURE_MONTH}.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["imd_edition"] for r in rows} == {"2019"}
    by_decile = sorted(
        (r["org_code"], r["group"], int(r["numerator"]), int(r["denominator"]))
        for r in rows
        if r["measure_id"] == "MSD_MOTHER_ETHNIC_VALID" and r["breakdown"] == "imd_decile" and r["denominator"] != "0"
    )
    assert by_decile == [
        ("RJC", "10", 0, 1),
        ("RJC", "6", 0, 1),
        ("RJC", "8", 1, 1),
        ("RJC", "Not known", 1, 1),
        ("RKB", "2", 2, 2),
        ("RKB", "Not known", 2, 4),
        ("RLT", "4", 1, 1),
        ("RLT", "Not known", 0, 2),
    ]
    page = (settings.out / f"scorecard-{FIXTURE_MONTH}.html").read_text(encoding="utf-8")
    assert "Edition used: English Indices of Deprivation 2019 (areas: LSOA code (2011))." in page
