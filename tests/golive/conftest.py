"""The hand-written parallel-run month (tests/fixtures/golive, 2026-03), counted by hand.

RKB sends March 2026 from K2 (its system of record until 2026-03, schemas/layouts.yaml) and a
Cerner test extract. NHS numbers: n1 900 000 0017, n2 ...0025, n3 ...0033, n4 ...0041,
n5 ...0068, n6 ...0076, n7 ...0092 (valid, Modulus 11); 900 000 0018 fails it; 000 000 0000 is
a placeholder (default: no person key).

K2 (11 data rows, lines 2-12; line 12 booked 28/02/2026 is quarantined, 10 load):
  W1 n1 line 2 | W2 n2 line 3 | W3 n3 line 4 | W4 n4 line 5 | W5 n5 line 6 (not in Cerner)
  line 7 blank NHS, line 8 fails Modulus 11, line 9 placeholder: unlinkable (3)
  W6 n6 line 10 (05/03) and line 11 (20/03): the same woman booked twice
Cerner pregnancies (9 data rows; line 10 booked 27-FEB-2026 is quarantined, 8 load):
  W1 n1 | W2 n2 | W3 n3 | W4 n4 | line 6 placeholder (unlinkable) | W6 n6 line 7 (21-MAR)
  W7 n7 line 8 (not in K2) | line 9 blank NHS (unlinkable)
Cerner events: 14 rows, line 15 (Temperature) quarantined, 13 load.

Pregnancies: linked 5 (W1, W2, W3, W4, and W6: K2 line 10 pairs with Cerner line 7, the first
by booking date on each side), only in K2 2 (W5; W6's second K2 booking, line 11), only in
Cerner 1 (W7), unlinkable 5 (3 in K2, 2 in Cerner). 5 x 2 + 2 + 1 + 5 = 18 = 10 + 8.

Data items of the 5 linked pairs (K2 / Cerner):
  postcode:  W1 CV1 2AB / cv1 2ab same; W2 CV31 2AB / CV37 6AA different; W3 N/A / CV34 4AB
             only Cerner; W4 ZZ99 3VZ / blank neither; W6 CV10 7AB / CV10 7AB same    -> 2 1 0 1 1
  ethnic:    W1 A / A same; W2 H / empty alias lost; W3 unmapped / B only Cerner; W4 Z / Z
             neither; W6 R / S different                                              -> 1 1 1 1 1
  BMI:       W1 25.7 / 25.7 same; W2 30.1 / 31.0 different; W3 none / 22.0 only Cerner;
             W4 80 (implausible) / none neither; W6 61.4 kg / 1.60 m = 23.98 -> 24.0 / 24.0
             same (one decimal, the rules file)                                       -> 2 1 0 1 1
  smoking:   W1 never / never; W2 current / ex; W3 not asked / never; W4 blank / none;
             W6 never / never                                                         -> 2 1 0 1 1
  CO:        W1 2 / 2; W2 14 / 15; W3 blank / 1; W4 150 / none; W6 0 / 0              -> 2 1 0 1 1
  gestation: W1 10+3 = 73 / 73 same; W2 56 / 57 different; W3 blank / 84 only Cerner;
             W4 50+0 / blank neither; W6 70 / blank lost                              -> 1 1 1 1 1
(columns: both_valid_same, both_valid_different, valid_only_in_record, valid_only_in_parallel,
neither_valid; each row sums to linked = 5.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_LANDING, FIXTURES, load

GOLIVE_MONTH = "2026-03"
K2 = "K2_RKB_MaternityBookings_202603.csv"
PREGNANCY = "CERNER_RKB_202603_PREGNANCY.txt"
EVENTS = "CERNER_RKB_202603_CLINICAL_EVENTS.txt"


@pytest.fixture
def golive_landing(tmp_path: Path) -> Path:
    """A private copy of the parallel-run landing folder, with the fixture reference data."""
    target = tmp_path / "golive_landing"
    shutil.copytree(FIXTURES / "golive", target)
    shutil.copytree(FIXTURE_LANDING / "reference", target / "reference")
    return target


@pytest.fixture
def golive_loaded(golive_landing: Path, tmp_path: Path) -> Path:
    warehouse = tmp_path / "wh" / "mdq.duckdb"
    load(golive_landing, warehouse, GOLIVE_MONTH)
    return warehouse


def reconcile(warehouse: Path, month: str = GOLIVE_MONTH):
    from pipelines.core.warehouse import connect
    from pipelines.golive import compute_golive

    with connect(warehouse) as con:
        return compute_golive(con, month)
