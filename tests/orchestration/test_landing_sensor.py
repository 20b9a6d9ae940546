"""The landing sensor's edges, evaluation by evaluation, with the cursor carried from one to the next.

A run is requested for a month when a file of it is new or its content changed (by SHA-256), and
only for a month the partitions offer. Its run key names the month's exact files and contents,
`<month>:<first 16 hex digits of SHA-256 of the JSON list of "name:sha256" sorted>`, so the same
content never runs twice even when the cursor is lost. The expected keys below are computed from
the files' bytes with hashlib, not by the sensor's code.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from pipelines.orchestration.resources import MdqSettings
from pipelines.orchestration.sensors import landing_sensor
from tests.conftest import FIXTURE_MONTH

FIXTURE_FILES = [
    "BadgerNet_RJC_Booking_2025-04.csv",
    "CERNER_RLT_202504_CLINICAL_EVENTS.txt",
    "CERNER_RLT_202504_PREGNANCY.txt",
    "K2_RKB_MaternityBookings_202504.csv",
]
K2 = "K2_RKB_MaternityBookings_202504.csv"


def _run_key(landing: Path, month: str, names: list[str]) -> str:
    state = sorted(f"{name}:{hashlib.sha256((landing / name).read_bytes()).hexdigest()}" for name in names)
    return f"{month}:{hashlib.sha256(json.dumps(state).encode()).hexdigest()[:16]}"


@pytest.fixture
def evaluate(landing, tmp_path):
    """One evaluation of the sensor from the given cursor: (requests, new cursor)."""
    resource = MdqSettings(landing=str(landing), warehouse=str(tmp_path / "w.duckdb"), out=str(tmp_path / "out"))
    with dg.instance_for_test() as instance:

        def once(cursor: str | None) -> tuple[list[dg.RunRequest], str | None]:
            context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"mdq": resource})
            return list(landing_sensor(context)), context.cursor

        yield once


def _summary(requests: list[dg.RunRequest]) -> list[tuple[str | None, str | None, str]]:
    return [(r.partition_key, r.run_key, r.tags["mdq/changed_files"]) for r in requests]


def test_new_files_request_their_month_once(landing, evaluate):
    requests, cursor = evaluate(None)
    assert _summary(requests) == [
        (FIXTURE_MONTH, _run_key(landing, FIXTURE_MONTH, FIXTURE_FILES), ",".join(FIXTURE_FILES))
    ]
    assert sorted(Path(p).name for p in json.loads(cursor)) == FIXTURE_FILES
    assert evaluate(cursor) == ([], cursor)  # nothing changed: nothing requested, cursor as it was


def test_a_timestamp_only_change_requests_nothing(landing, evaluate):
    """`touch` (or a copy keeping the bytes) moves the time but not the content: no run; the cursor
    takes the new time so the next evaluation need not hash the file again."""
    _, cursor = evaluate(None)
    path = landing / K2
    before = json.loads(cursor)[str(path)]
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 7_000_000_000))
    requests, after = evaluate(cursor)
    assert requests == []
    now = json.loads(after)[str(path)]
    assert (
        now != before
        and now.rsplit(":", 1)[1] == before.rsplit(":", 1)[1] == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    assert evaluate(after) == ([], after)


def test_a_resubmission_requests_its_month_with_a_new_run_key(landing, evaluate):
    _, cursor = evaluate(None)
    resub = "K2_RKB_MaternityBookings_202504_resub1.csv"
    (landing / resub).write_bytes((landing / K2).read_bytes().replace(b"cv1 2ab", b"CV1 2AB"))
    requests, cursor = evaluate(cursor)
    expected = _run_key(landing, FIXTURE_MONTH, [*FIXTURE_FILES, resub])
    assert _summary(requests) == [(FIXTURE_MONTH, expected, resub)]
    assert expected != _run_key(landing, FIXTURE_MONTH, FIXTURE_FILES)
    assert evaluate(cursor) == ([], cursor)


def test_content_replaced_under_the_same_name_requests_the_month(landing, evaluate):
    """Same name, same size, different bytes (a corrected file copied over the original)."""
    _, cursor = evaluate(None)
    path = landing / K2
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Never smoked,2,", b"Never smoked,3,", 1))
    assert path.stat().st_size == len(data)
    requests, _ = evaluate(cursor)
    assert _summary(requests) == [(FIXTURE_MONTH, _run_key(landing, FIXTURE_MONTH, FIXTURE_FILES), K2)]


def test_months_outside_the_partitions_are_never_requested(landing, evaluate):
    """A file for 2025-03 (before the first month, 2025-04), one for the month under way and one
    for next year (computed from today, so the case never expires): no request for any of them,
    and the cursor carries them, so they are not weighed again."""
    today = date.today()
    names = [
        "K2_RKB_MaternityBookings_202503.csv",
        f"K2_RKB_MaternityBookings_{today:%Y%m}.csv",
        f"K2_RKB_MaternityBookings_{today.year + 1}{today.month:02d}.csv",
    ]
    _, cursor = evaluate(None)
    for name in names:
        (landing / name).write_bytes((landing / K2).read_bytes())
    requests, cursor = evaluate(cursor)
    assert requests == []
    assert sorted(Path(p).name for p in json.loads(cursor)) == sorted(FIXTURE_FILES + names)
    assert evaluate(cursor) == ([], cursor)


def test_a_month_outside_the_partitions_does_not_hide_the_next(landing, evaluate):
    """In one evaluation, a file for 2025-03 (before the first month, weighed first) and a
    resubmission for 2025-04: the first is ignored, the second still requests its month."""
    _, cursor = evaluate(None)
    (landing / "K2_RKB_MaternityBookings_202503.csv").write_bytes((landing / K2).read_bytes())
    resub = "K2_RKB_MaternityBookings_202504_resub1.csv"
    (landing / resub).write_bytes((landing / K2).read_bytes().replace(b"cv1 2ab", b"CV1 2AB"))
    requests, _ = evaluate(cursor)
    assert _summary(requests) == [(FIXTURE_MONTH, _run_key(landing, FIXTURE_MONTH, [*FIXTURE_FILES, resub]), resub)]


def test_a_file_gone_since_it_was_listed_is_left_for_the_next_evaluation(landing, evaluate, monkeypatch):
    """A file removed between the folder's listing and its reading (listed first here) is skipped,
    not an error, and the files after it are weighed as usual."""
    import dataclasses

    from pipelines.orchestration import sensors

    listed = sensors.discover

    def with_a_vanished_file(folder, layouts):
        extracts = listed(folder, layouts)
        gone = dataclasses.replace(extracts[0], path=folder / "K2_RKB_MaternityBookings_202504_resub9.csv")
        return [gone, *extracts]

    monkeypatch.setattr(sensors, "discover", with_a_vanished_file)
    requests, cursor = evaluate(None)
    assert _summary(requests) == [
        (FIXTURE_MONTH, _run_key(landing, FIXTURE_MONTH, FIXTURE_FILES), ",".join(FIXTURE_FILES))
    ]
    assert sorted(Path(p).name for p in json.loads(cursor)) == FIXTURE_FILES
