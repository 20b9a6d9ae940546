"""The scorecard HTML against the hand-counted fixture months (see helpers.py and
tests/ingest/test_fixture_month.py for where every expected figure comes from)."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from pipelines.core.paths import RULES_FILE
from pipelines.core.warehouse import connect
from pipelines.measures.compute import read_measures, write_measures_csv
from pipelines.measures.worklists import write_worklists
from pipelines.scorecard import write_scorecard
from tests.scorecard.helpers import (
    APRIL,
    MAY,
    build,
    copy_landing,
    element,
    section,
    shift_to_may,
    table_rows,
    text_of,
)

POSTCODE, ETHNIC = "MSD_MOTHER_POSTCODE_VALID", "MSD_MOTHER_ETHNIC_VALID"
RUN = datetime(2025, 6, 10, 6, 0, tzinfo=UTC)

# May 2025 (helpers.shift_to_may): the April fixture's hand counts, except RKB's postcode 1 of 6.
EXPECTED_MAY = {
    ("RKB", POSTCODE): (1, 6, "16.7%"),
    ("RKB", ETHNIC): (4, 6, "66.7%"),
    ("RJC", POSTCODE): (3, 4, "75.0%"),
    ("RJC", ETHNIC): (2, 4, "50.0%"),
    ("RLT", POSTCODE): (1, 3, "33.3%"),
    ("RLT", ETHNIC): (1, 3, "33.3%"),
}


def render(warehouse: Path, month: str, out: Path, **kwargs) -> str:
    with connect(warehouse, read_only=True) as con:
        write_measures_csv(read_measures(con, month), out, month)
        path = write_scorecard(con, month, out, **kwargs)
    assert path == out / f"scorecard-{month}.html"
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def may(two_months, tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("out")
    return render(two_months, MAY, out, run_started=RUN), out


def tile(page: str, org: str, measure: str) -> str:
    return text_of(element(page, "article", data_org=org, data_measure=measure))


def test_tiles_show_the_hand_counted_figures_and_match_the_csv(may):
    page, out = may
    with open(out / f"measures-{MAY}.csv", newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["breakdown"] == "overall" and r["threshold"]]
    assert len(rows) == 6
    for r in rows:
        numerator, denominator, rate = EXPECTED_MAY[(r["org_code"], r["measure_id"])]
        assert (int(r["numerator"]), int(r["denominator"])) == (numerator, denominator)
        assert f"{float(r['rate']) * 100:.1f}%" == rate
        text = tile(page, r["org_code"], r["measure_id"])
        assert rate in text
        assert f"{numerator} of {denominator} women booked" in text
        assert f"Threshold {float(r['threshold']) * 100:.0f}%" in text
        assert r["status"] == "fail" and "Fail" in text and "Pass" not in text


def test_change_from_the_previous_stored_month(may):
    page, _ = may
    # April: RKB postcode 2 of 6 (33.3%); May: 1 of 6 (16.7%)
    assert "Down 16.7 percentage points since April 2025 (33.3%)" in tile(page, "RKB", POSTCODE)
    assert "No change since April 2025" in tile(page, "RKB", ETHNIC)


def test_tiles_say_why_women_are_not_valid_and_the_method_names_the_postcode_mode(may):
    """May, RKB (hand-counted): postcode TBC, blank and N/A missing (3), ZZ99 3VZ default (1),
    CV5 6EF terminated (1); ethnic Not Stated default (1), White-British unmapped (1)."""
    page, _ = may
    assert "Not valid: 3 blank or no postcode, 1 pseudo postcode (ZZ99), 1 not a valid postcode." in tile(
        page, "RKB", POSTCODE
    )
    assert "Not valid: 1 not stated or not known (Z, 99), 1 unmapped or not a code." in tile(page, "RKB", ETHNIC)
    method = text_of(element(page, "section", id="method"))
    assert "Postcode validity ran in directory mode" in method
    assert "no introduction dates" not in method


def test_method_notes_warn_when_the_directory_has_no_introduction_dates(tmp_path):
    landing = copy_landing(tmp_path / "landing")
    directory = landing / "reference" / "ONSPD_fixture.csv"
    rows = [line.split(",") for line in directory.read_text(encoding="utf-8").splitlines()]
    at = rows[0].index("dointr")
    directory.write_text("".join(",".join(r[:at] + r[at + 1 :]) + "\n" for r in rows), encoding="utf-8")
    page = render(build(landing, tmp_path / "wh" / "mdq.duckdb", [APRIL]), APRIL, tmp_path / "out")
    method = text_of(element(page, "section", id="method"))
    assert "The postcode directory loaded has no introduction dates (dointr)" in method


def test_failing_trusts_are_said_to_fail_in_words(may):
    page, _ = may
    summary = text_of(element(page, "section", id="summary"))
    assert "0 of 3 Trusts pass every gated measure in May 2025" in summary
    assert (
        "RKB fails valid postcode (16.7%, threshold 95%) and valid ethnic category (66.7%, threshold 80%)." in summary
    )
    assert summary.count("Fail:") == 6


def test_breakdown_counts_are_suppressed(may):
    page, _ = may
    rows = table_rows(page, "bd-rkb-imd-quintile")
    header, body = rows[0], rows[1:]
    assert header[:2] == ["IMD quintile", "Women booked"]
    assert body, "RKB has women in some IMD quintile"
    # every group holds 1 to 6 of RKB's 6 women: the count shows as *, and so does every rate
    for row in body:
        assert row[1] == "*"
        assert set(row[2:]) == {"*"}
    footnote = text_of(element(page, "footer", id="disclosure"))
    # measures.md: NHS England's publication practice for MSDS, stated on the page
    assert (
        "Counts from 1 to 7 are shown as * and other counts are rounded to the nearest 5, following NHS "
        "England's publication practice for MSDS. A rate in a breakdown is worked out from the rounded counts, "
        "to the whole per cent, and is shown only when neither the women with the item nor the women without "
        "it number 1 to 7; a * may also stand for a figure withheld so that a count from 1 to 7 cannot be "
        "worked out from the others."
    ) in footnote
    assert "not suppressed" in footnote


def test_not_known_groups_shown_and_degenerate_breakdowns_explained(may):
    page, _ = may
    groups = [row[0] for row in table_rows(page, "bd-rkb-ethnic-group")[1:]]
    assert "Not known" in groups  # line 5, 'Not Stated'
    quintile_header = table_rows(page, "bd-rkb-imd-quintile")[0]
    assert not any(h.startswith("Valid postcode") for h in quintile_header)
    rkb = text_of(section(page, "RKB"))
    assert "Not shown by IMD quintile: Valid postcode and Postcode resolves to an LSOA" in rkb
    assert "It is not a finding" in rkb


def test_quarantine_counted_by_kind_without_values(may):
    page, _ = may
    rkb = section(page, "RKB")
    reasons = {
        text_of(m.group(1)): int(text_of(m.group(2)))
        for m in re.finditer(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", rkb)
    }
    # K2 lines 7 (31/02), 8 (30/04 in the May copy), 9 (repeat of line 2), 10 (blank Booking ID)
    assert sum(reasons.values()) == 4
    assert reasons["exact duplicate of line …"] == 1
    assert reasons["Booking ID is blank"] == 1
    assert any(k.startswith("Booking Date … is not a real date") for k in reasons)
    for value in (
        "31/02/2025",
        "30/04/2025",
        "2025-05-32",
        "2025-06-01",
        "32-MAY-2025",
        "'abc'",
        "CV3 4CD",
        "9434765919",
        "943 476 5919",
        "H0000001",
        "BK00000001",
    ):
        assert value not in page, value


def test_trend_charts_have_text_alternatives(may):
    page, _ = may
    figure = element(page, "figure", aria_labelledby="spc-rkb-msd-mother-postcode-valid-h")
    assert '<svg class="spc"' in figure and 'role="img"' in figure
    assert '<title id="spc-rkb-msd-mother-postcode-valid-t">' in figure
    desc = text_of(element(figure, "desc"))
    assert "2 months with a rate, April 2025 to May 2025" in desc and "Latest (May 2025): 16.7%" in desc
    caption = text_of(element(figure, "figcaption"))
    assert caption == desc
    hidden = [r for r in re.findall(r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td><td>(.*?)</td>", figure)]
    assert hidden == [("April 2025", "33.3%", "2 of 6"), ("May 2025", "16.7%", "1 of 6")]


def test_method_notes(may):
    page, _ = may
    notes = text_of(element(page, "section", id="method"))
    # the eight measures of measures.md, each with what it counts
    for title in (
        "Valid postcode",
        "Valid ethnic category",
        "Postcode resolves to an LSOA",
        "BMI at booking recorded",
        "Smoking status at booking recorded",
        "CO reading at booking recorded",
        "Gestation at booking valid",
        "Valid NHS number",
    ):
        assert title in notes, title
    assert "Mother's NHS ethnic category is a stated category A to S." in notes
    assert "Carbon monoxide reading at booking recorded, 0 to 100 ppm." in notes
    assert "Gestation at booking present and 0 to 45 weeks." in notes
    assert "English Indices of Deprivation 2025 (areas: LSOA code (2021))" in notes
    assert "Months stored: 2 months: April 2025 to May 2025" in notes
    assert "Scorecard run started: 10 June 2025, 06:00:00 UTC" in notes
    assert f"measures-{MAY}.csv" in notes and f'href="measures-{MAY}.csv"' not in page


def test_self_contained_no_external_references(may):
    page, _ = may
    assert not re.search(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", page, re.IGNORECASE)
    assert "@import" not in page
    assert not re.search(r"url\(", page)
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<(?:img|iframe|link|object|embed)\b", page)
    assert len(re.findall(r"<h1\b", page)) == 1


def test_deterministic_apart_from_the_run_time(two_months, tmp_path):
    first = render(two_months, MAY, tmp_path / "a", run_started=RUN)
    again = render(two_months, MAY, tmp_path / "b", run_started=RUN)
    later = render(two_months, MAY, tmp_path / "c", run_started=datetime(2025, 7, 1, 9, 30, tzinfo=UTC))
    assert first == again
    assert first != later
    strip = re.compile(r"Scorecard run started: [^<]*")
    assert strip.sub("", first) == strip.sub("", later)


def test_unsuppressed_files_are_named_not_linked(two_months, tmp_path):
    """measures.md: the circulating page links to nothing that is not disclosure-controlled. The CSV
    files, the worklists and the Data Docs are named for analysts, by their paths beside the page."""
    out = tmp_path / "out"
    docs = out / "data_docs"
    docs.mkdir(parents=True)
    (docs / "index.html").write_text("<html></html>")
    with connect(two_months) as con:
        write_measures_csv(read_measures(con, MAY), out, MAY)
        worklists = write_worklists(con, MAY, out)
        page = write_scorecard(con, MAY, out, data_docs=docs, worklists=worklists).read_text(encoding="utf-8")
    assert {h[:1] for h in re.findall(r'href="([^"]*)"', page)} == {"#"}  # in-page anchors only
    analysts = text_of(element(page, "div", class_="analysts"))
    assert analysts.startswith("For analysts, not for circulation.")
    for name in (f"measures-{MAY}.csv", f"dq-{MAY}.csv", "data_docs/index.html"):
        assert name in analysts, name
    for org in ("RJC", "RKB", "RLT"):
        assert f"worklists/worklist-{MAY}-{org}.csv ({org}'s records to fix)" in analysts
        assert f"The worklist worklists/worklist-{MAY}-{org}.csv (in the worklists folder" in text_of(
            section(page, org)
        )


def test_a_missing_trust_is_shown_missing_and_failing(tmp_path):
    landing = copy_landing(tmp_path / "landing")
    shift_to_may(landing)
    for path in landing.glob("CERNER_RLT_202505_*"):
        path.unlink()
    warehouse = build(landing, tmp_path / "wh" / "mdq.duckdb", [APRIL, MAY])
    page = render(warehouse, MAY, tmp_path / "out")
    rlt = text_of(section(page, "RLT"))
    assert "Submission: Missing: no extract received" in rlt
    assert "Submission missing: no extract received." in rlt
    for measure in (POSTCODE, ETHNIC):
        text = tile(page, "RLT", measure)
        assert "Fail" in text and "No data" in text and "0 of 0 women booked" in text
        assert "Fails because the submission is missing" in text
    summary_rows = table_rows(page, "summary-table")
    rlt_row = next(r for r in summary_rows if r[0].startswith("RLT"))
    assert rlt_row[2] == "Missing" and rlt_row[3].startswith("Fail") and rlt_row[4].startswith("Fail")
    # the other Trusts are unaffected
    assert "Complete" in text_of(section(page, "RKB"))


def test_thresholds_and_footnote_follow_the_rules_file(tmp_path, monkeypatch):
    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    for m in rules["measures"]:
        if m["id"] == POSTCODE:
            m["threshold"] = 0.3
    rules["disclosure"]["footnote"] = "Staged footnote for the test."
    staged = tmp_path / "rules.yaml"
    staged.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("MDQ_RULES", str(staged))
    warehouse = build(copy_landing(tmp_path / "landing"), tmp_path / "wh" / "mdq.duckdb", [APRIL])
    page = render(warehouse, APRIL, tmp_path / "out")
    # RKB postcode 2 of 6 = 33.3% now meets a 30% threshold; RJC 3 of 4 passes; RLT 1 of 3 passes
    for org in ("RKB", "RJC", "RLT"):
        text = tile(page, org, POSTCODE)
        assert "Pass" in text and "Fail" not in text and "Threshold 30%" in text
    assert "Fail" in tile(page, "RKB", ETHNIC)
    assert "Staged footnote for the test." in page
