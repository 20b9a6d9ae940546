"""NHS number: ten ASCII digits passing Modulus 11 (measures.md), placeholders as default.

Check digits worked by hand: 943 476 5919 -> 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299,
299 mod 11 = 2, 11 - 2 = 9: valid. 943 476 5918 has the wrong check digit. Ten identical digits
always pass (d * 54 = -d mod 11 gives check digit d), so 0000000000 and 1111111111 pass Modulus 11
and must be caught as placeholders. Nine Arabic-Indic zeros and a 0 would pass too if those
digits counted as zeros.
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.core.config import load_layouts
from pipelines.ingest.pseudonymise import nhs_number_class, pseudonymise


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9434765919", "valid"),
        ("943 476 5919", "valid"),
        ("943-476-5919", "valid"),
        ("943\u00a0476\u00a05919", "valid"),  # no-break spaces between groups, as pasted
        ("9434765918", "invalid"),
        ("\u0660" * 9 + "0", "invalid"),  # Arabic-Indic zeros are not [0-9]
        ("\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", "invalid"),  # full-width digits
        ("943476591", "invalid"),
        ("94347659199", "invalid"),
        ("abcdefghij", "invalid"),
        ("0000000000", "default"),
        ("111 111 1111", "default"),
        ("", "missing"),
        ("   ", "missing"),
        (None, "missing"),
    ],
)
def test_nhs_number_classes(typed, expected):
    frame = pl.DataFrame({"nhs": [typed]}, schema={"nhs": pl.String})
    assert frame.select(nhs_number_class("nhs")).item() == expected


def test_a_placeholder_never_links_two_women():
    """Two K2 bookings typed 0000000000 with different hospital numbers get different person keys;
    two with the same valid number share one."""
    layout = load_layouts().by_key("K2")
    frame = pl.DataFrame(
        {
            "pregnancy_id": ["BK1", "BK2", "BK3", "BK4"],
            "local_id": ["H1", "H2", "H3", "H4"],
            "nhs_number": ["0000000000", "0000000000", "943 476 5919", "9434765919"],
        }
    )
    out = pseudonymise(frame, layout, pl.lit("RKB"), b"test key")
    keys = out["person_key"].to_list()
    assert keys[0] != keys[1]
    assert keys[2] == keys[3]
    assert out["nhs_number_class"].to_list() == ["default", "default", "valid", "valid"]
    assert out["nhs_number_valid"].to_list() == [False, False, True, True]
