"""A hostile month: markup, spreadsheet formulas and unclosed quotes in every text field of every
extract. Run through the whole Dagster job, it loses no line, and no output can run anything:
every physical line ends loaded or quarantined, no CSV cell starts a formula, and no HTML page
(scorecard, Data Docs) runs a script or grows an element from the data in headless Chromium.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.orchestration.in_process import RunSettings
from tests.checks.test_data_docs_offline import _offline_browser, _visit
from tests.conftest import FIXTURE_MONTH, query

MARKUP = [
    "<img src=x onerror=\"window.__mdq_pwned='img'\">",
    "<script>window.__mdq_pwned='script'</script>",
    "<svg/onload=window.__mdq_pwned=1>",
    "</td><b>bold</b>",
]
FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"]
HOSTILE = MARKUP + FORMULAS
LAYOUT_FILES = {
    "K2_RKB_MaternityBookings_202504.csv": ("utf-8-sig", ",", "\r\n", True),
    "BadgerNet_RJC_Booking_2025-04.csv": ("cp1252", ",", "\n", True),
    "CERNER_RLT_202504_PREGNANCY.txt": ("utf-8", "|", "\n", False),
    "CERNER_RLT_202504_CLINICAL_EVENTS.txt": ("utf-8", "|", "\n", False),
}
# Columns whose value places a row (IDs, booking date) keep some rows loadable; every other text
# field of every row gets a hostile value, and some IDs and booking dates do too.
KEEP = {"Booking ID", "EpisodeID", "PREGNANCY_ID", "Booking Date", "BookingDate", "BOOKING_DT_TM", "EVENT_CD_DISP"}


def _hostile_file(path: Path, encoding: str, delimiter: str, end: str, quoted: bool) -> None:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline=""), delimiter=delimiter))
    header, body = rows[0], rows[1:]
    n = 0
    for r, row in enumerate(body):
        for c, name in enumerate(header):
            if name not in KEEP or r % 4 == 3:
                # Without quoting a value cannot hold the separator: that would be another field.
                row[c] = HOSTILE[n % len(HOSTILE)].replace(delimiter, "!") if not quoted else HOSTILE[n % len(HOSTILE)]
                n += 1
    if quoted:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator=end).writerows([header, *body])
        lines = buffer.getvalue().split(end)
        lines[2] += delimiter + '"never closed'  # and an unclosed quote on line 3
        text = end.join(lines)
    else:
        text = "".join(delimiter.join(row) + end for row in [header, *body])
    path.write_bytes(text.encode(encoding, errors="replace"))


def _physical_data_lines(path: Path) -> int:
    return len(re.findall(rb"[^\r\n]*(?:\r\n|\r|\n)", path.read_bytes())) - 1


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    import shutil

    from tests.conftest import FIXTURE_LANDING

    base = tmp_path_factory.mktemp("hostile")
    landing = base / "landing"
    shutil.copytree(FIXTURE_LANDING, landing)
    for name, (encoding, delimiter, end, quoted) in LAYOUT_FILES.items():
        _hostile_file(landing / name, encoding, delimiter, end, quoted)
    settings = RunSettings(
        landing=landing, reference=landing / "reference", warehouse=base / "w.duckdb", out=base / "out"
    )
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("monthly_dq").execute_in_process(
            partition_key=FIXTURE_MONTH, run_config=settings.run_config(), instance=instance
        )
    assert result.success
    return settings


def test_no_line_is_lost(hostile_run):
    rows = query(
        hostile_run.warehouse,
        """SELECT file_name, status, rows_read, rows_loaded, rows_quarantined, lines_read, continuation_lines
           FROM submissions ORDER BY 1""",
    )
    assert [r[0] for r in rows] == sorted(LAYOUT_FILES)
    for name, status, read, loaded, quarantined, lines, continued in rows:
        assert status == "loaded", name
        assert read == loaded + quarantined, name
        assert lines == read + continued == _physical_data_lines(hostile_run.landing / name), name
    # Hand-counted from the fixture month: rows r % 4 == 3 get a hostile ID and booking date
    # (quarantined), line 3 of each quoted file an unclosed quote (quarantined), and the fixture's
    # own quarantines stand. K2 keeps lines 2, 4, 6 and 11; BadgerNet 1001, 1003 and 1006; Cerner
    # 5001 to 5003.
    assert query(hostile_run.warehouse, "SELECT org_code, count(*) FROM bookings GROUP BY 1 ORDER BY 1") == [
        ("RJC", 3),
        ("RKB", 4),
        ("RLT", 3),
    ]


def test_no_spreadsheet_cell_starts_a_formula(hostile_run):
    files = sorted(hostile_run.out.rglob("*.csv"))
    assert len(files) == 6  # the measures, dq and go-live CSVs and a worklist per Trust
    seen_hostile = False
    for path in files:
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), (path.name, row)
            seen_hostile |= any(cell.startswith("'") for cell in row)
    assert seen_hostile  # the formulas did reach a worklist, neutralised


def _pages(settings: RunSettings) -> list[Path]:
    pages = sorted(settings.out.rglob("*.html"))
    assert any(p.name.startswith("scorecard-") for p in pages) and any(p.name == "index.html" for p in pages)
    return pages


def test_no_markup_is_written_raw(hostile_run):
    shown = ""
    for page in _pages(hostile_run):
        text = page.read_text(encoding="utf-8")
        shown += text
        for payload in MARKUP:
            assert payload not in text and payload.upper() not in text, (page.name, payload)
    # The markup did reach the pages (the Data Docs list invalid postcodes), as text.
    assert "&lt;SCRIPT&gt;WINDOW.__MDQ_PWNED=" in shown and "&lt;/TD&gt;&lt;B&gt;BOLD" in shown


def test_no_page_runs_the_data(chromium, hostile_run):
    with _offline_browser(chromium) as browser:
        for page in _pages(hostile_run):
            seen = _visit(browser, page)
            assert seen["exceptions"] == [], (page.name, seen["exceptions"])
            assert browser.evaluate("typeof window.__mdq_pwned") == "undefined", page.name
            planted = browser.evaluate(
                "document.querySelectorAll('[onerror], [onload], img[src=x], img[src=X]').length"
            )
            assert planted == 0, page.name
