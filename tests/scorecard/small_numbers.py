"""The hostile small-number month: RJC, April 2025, 120 women, built to be disclosive.

Written row by row from the table below into a BadgerNet extract (the fixture landing's reference
folder: CV1 2AB is IMD decile 1, CV10 7AB decile 3, CV31 2AB decile 9, CV37 6AA decile 10). Every
woman has a valid postcode, a stated ethnic code, BMI, smoking status and gestation; no NHS number.

| women | ethnic code | postcode | CO reading |
|---|---|---|---|
| 98 | A (White British) | CV1 2AB (decile 1) | every one |
| 1 | B (White Irish) | CV31 2AB (decile 9) | yes |
| 8 | C (any other White) | CV37 6AA (decile 10) | every one |
| 13 | N (Black African) | CV10 7AB (decile 3) | 9 of the 13 |

So: White 107 (A 98 + B 1 + C 8), Black 13; deciles 1: 98, 3: 13, 9: 1, 10: 8; quintiles 1: 98,
2: 13, 5: 9. CO recorded 98 + 1 + 8 + 9 = 116 of 120. Each trap, with the counts rounded to 5:

* the complement: Black women show as 15 (13). Before #14 their CO rate read 69.2%, and of 13 to
  17 women only 9 of 13 gives 69.2% (10/14 = 71.4, 10/15 = 66.7, 11/15 = 73.3, 11/16 = 68.8,
  12/17 = 70.6): 4 women without a reading. Now the cell must be `*` (4 is from 1 to 7);
* a category differenced from its group: White 107 shows as 105 (103 to 107), A 98 as 100 (98 to
  102), C 8 as 10 (8 to 12), so B = White - A - C is at most 107 - 98 - 8 = 1: exactly 1. C must
  be withheld (shown `*`, with every rate) although it has 8 women;
* a decile differenced from the Trust total: 120 - decile 1 (98 to 102) - decile 3 (13 to 17) -
  decile 10 (8 to 12) leaves decile 9 at most 120 - 98 - 13 - 8 = 1: exactly 1. Decile 10 (8
  women, the smallest shown) must be withheld.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURE_LANDING

MONTH = "2025-04"
ORG = "RJC"
HEADER = (
    "EpisodeID,NHSNumber,MotherDOB,BookingDate,GestationAtBookingDays,Postcode,EthnicCategory,HeightCm,"
    "WeightKg,BMIAtBooking,SmokingAtBooking,COReadingPPM,OrgSiteCode,Notes"
)
# (women, ethnic code, postcode, how many of them have a CO reading)
COMPOSITION = [(98, "A", "CV1 2AB", 98), (1, "B", "CV31 2AB", 1), (8, "C", "CV37 6AA", 8), (13, "N", "CV10 7AB", 9)]


def small_number_landing(target: Path) -> Path:
    """A landing folder holding only the hostile month's RJC extract, and the fixture reference."""
    target.mkdir(parents=True)
    shutil.copytree(FIXTURE_LANDING / "reference", target / "reference")
    shutil.copy(FIXTURE_LANDING / ".mdq-synthetic", target / ".mdq-synthetic")
    lines = [HEADER]
    episode = 7000
    for women, code, postcode, with_co in COMPOSITION:
        for i in range(women):
            episode += 1
            co = "2" if i < with_co else ""
            lines.append(
                f"{episode},,1990-01-01,2025-04-{1 + episode % 28:02d},70,{postcode},{code},,,25,3,{co},RJC01,"
            )
    (target / f"BadgerNet_{ORG}_Booking_{MONTH}.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    return target
