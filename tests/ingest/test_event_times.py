"""A Cerner clinical event's time is read once, as the raw contract reads it, for every engine.

The contract accepts an EVENT_END_DT_TM that polars' strptime reads in the layout's format
(`%d-%b-%Y %H:%M:%S`); the staging model then picks each booking value by that time. DuckDB's own
strptime refused some of the times the contract let through, and failed the whole month's load.

Fixture month 2025-04 (tests/fixtures/landing): RLT's pregnancy 5001 is booked 02-APR-2025 09:00.
"""

from __future__ import annotations

from datetime import datetime

from tests.conftest import load, query

EVENTS = "CERNER_RLT_202504_CLINICAL_EVENTS.txt"


def test_times_the_contract_accepts_load_as_it_reads_them(landing, tmp_path):
    """Line 2 (5001's height, 1.65 m) timed `02-APR-+2025 09:10:00` (a signed year) and line 6
    (5001's CO reading, 2 ppm) timed `02-APR-2025 09:15:60` (second 60, which polars carries into
    the next minute): both are real times in the layout's format to the contract, so neither is
    quarantined. They load at 09:10:00 and 09:16:00 on 2 April 2025, within 14 days of the
    booking: 5001's height is 165 cm, which with its weight of 154 lb (69.85 kg, 09:12) makes a
    plausible BMI (valid), and its CO of 2 ppm is in 0-100 (valid)."""
    path = landing / EVENTS
    text = path.read_text(encoding="utf-8")
    text = text.replace("5001|Height|1.65|m|02-APR-2025 09:10:00", "5001|Height|1.65|m|02-APR-+2025 09:10:00")
    text = text.replace(
        "5001|Carbon Monoxide Reading|2|ppm|02-APR-2025 09:16:00",
        "5001|Carbon Monoxide Reading|2|ppm|02-APR-2025 09:15:60",
    )
    path.write_text(text, encoding="utf-8")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert (
        query(wh, "SELECT line_number FROM quarantine WHERE source_file = ? AND line_number IN (2, 6)", [EVENTS]) == []
    )
    assert query(wh, "SELECT source_line, event_at FROM clinical_events WHERE source_line IN (2, 6) ORDER BY 1") == [
        (2, datetime(2025, 4, 2, 9, 10)),
        (6, datetime(2025, 4, 2, 9, 16)),
    ]
    assert query(
        wh, "SELECT height_cm, bmi_class, co_ppm, co_class FROM bookings WHERE org_code = 'RLT' AND source_line = 2"
    ) == [(165.0, "valid", 2.0, "valid")]
