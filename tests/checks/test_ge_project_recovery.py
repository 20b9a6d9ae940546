"""The Great Expectations project under the work folder is derived state (suites and validation
definitions are made from the rules on every run), so a store file GE left half-written (a kill
or a full disk while it writes in place) must not block the next run: the project is set aside
and made again, and the gate's verdicts are the same.

Fixture: 2025-04, Trust RAA 4 bookings all valid (passes), RBB 2 of 4 postcodes valid (fails).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from checks import context as gx_context
from checks import validation
from checks.validation import run_ge_gate

RULES = yaml.safe_load((Path(__file__).resolve().parents[2] / "checks" / "rules.yaml").read_text())
RULES["postcode"]["validity"] = "format"  # GE's mechanics on hand-written values: format mode
ROWS = [("RAA", "B1 1AA", "A")] * 4 + [("RBB", "B1 1AA", "A")] * 2 + [("RBB", None, "A"), ("RBB", "X", "A")]
BOOKINGS = pd.DataFrame(
    [{"reporting_month": "2025-04", "org_code": o, "postcode": p, "ethnic_category": e} for o, p, e in ROWS]
)


def _verdicts(results) -> list[tuple]:
    return [(r.org_code, r.measure_id, r.element_count, r.unexpected_count, r.success) for r in results]


def _as_a_new_process() -> None:
    gx_context._CONTEXTS.clear()
    validation._DEFINITIONS.clear()


@pytest.mark.parametrize(
    "store_file",
    [
        "gx/great_expectations.yml",
        "gx/uncommitted/config_variables.yml",
        "gx/expectations/maternity_dq_gate_rows.json",
        "gx/validation_definitions/maternity_dq_gate_trusts.json",
    ],
)
def test_half_written_store_file_does_not_block_the_next_run(tmp_path, store_file):
    work = tmp_path / "work"
    first, _ = run_ge_gate(BOOKINGS, RULES, work)
    assert _verdicts(first) == [
        ("RAA", "MSD_MOTHER_POSTCODE_VALID", 4, 0, True),
        ("RAA", "MSD_MOTHER_ETHNIC_VALID", 4, 0, True),
        ("RBB", "MSD_MOTHER_POSTCODE_VALID", 4, 2, False),
        ("RBB", "MSD_MOTHER_ETHNIC_VALID", 4, 0, True),
    ]
    path = work / store_file
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    _as_a_new_process()
    again, index = run_ge_gate(BOOKINGS, RULES, work, tmp_path / "docs")
    assert _verdicts(again) == _verdicts(first)
    assert index.is_file()
    set_aside = sorted(p.name for p in work.iterdir() if p.name.startswith(".gx-broken-"))
    assert len(set_aside) == 1 and (work / set_aside[0] / store_file.removeprefix("gx/")).is_file()
