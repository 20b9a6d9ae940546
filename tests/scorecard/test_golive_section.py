"""The scorecard's "Go-live assurance" section: its words, its disclosure control, its place on the page."""

from __future__ import annotations

import itertools
import re

import polars as pl
import pytest

from pipelines.core.config import load_rules
from pipelines.golive.reconcile import TABLE_COLUMNS
from pipelines.scorecard.disclosure import DisclosurePolicy
from pipelines.scorecard.golive_section import build_golive_section, share
from tests.golive.conftest import GOLIVE_MONTH, golive_landing
from tests.scorecard.helpers import text_of

__all__ = ["golive_landing"]
MSDS = DisclosurePolicy(suppress_min=1, suppress_max=7, symbol="*", round_to=5, footnote="f")
PROVIDERS = {"RKB": "University Hospitals Coventry and Warwickshire NHS Trust"}
ITEMS = [
    "MSD_MOTHER_POSTCODE_VALID",
    "MSD_MOTHER_ETHNIC_VALID",
    "MSD_BMI_RECORDED",
    "MSD_SMOKING_RECORDED",
    "MSD_CO_RECORDED",
    "MSD_GESTATION_VALID",
]


def _golive(coverage: tuple[int, int, int, int], items: dict[str, tuple[int, int, int, int, int]]) -> pl.DataFrame:
    """Stored golive rows: coverage (linked, only in record, only in parallel, unlinkable) and per
    item (same, different, lost, gained, neither); unlisted items are all 'same'."""
    linked, only_record, only_parallel, unlinkable = coverage
    rows = [
        ("2026-03", "RKB", "K2", "Cerner", "pregnancies", linked, None, None, None, None, None)
        + (only_record, only_parallel, unlinkable, unlinkable, 0)
    ]
    for item in ITEMS:
        counts = items.get(item, (linked, 0, 0, 0, 0))
        assert sum(counts) == linked
        rows.append(("2026-03", "RKB", "K2", "Cerner", item, linked, *counts, None, None, None, None, None))
    schema = {c: (pl.String if i < 5 else pl.Int64) for i, c in enumerate(TABLE_COLUMNS)}
    return pl.DataFrame(rows, schema=schema, orient="row")


NO_HISTORY = pl.DataFrame(schema={"org_code": pl.String})


def test_the_headline_answers_in_words_with_rounded_counts():
    """412 linked, ethnic category valid in K2 but not in Cerner for 96: shown 410 and 95, and the
    share from those, 95 / 410 = 23%. The worst item is the one named."""
    frame = _golive(
        (412, 23, 17, 31),
        {"MSD_MOTHER_ETHNIC_VALID": (260, 3, 96, 14, 39), "MSD_BMI_RECORDED": (395, 3, 10, 0, 4)},
    )
    section = build_golive_section(frame, NO_HISTORY, load_rules(), PROVIDERS)
    [run] = section.runs
    assert (
        run.headline == "Of 410 women in both extracts, ethnic category was valid in K2 but not in Cerner for 95 (23%)."
    )
    assert run.coverage == (
        "410 women were in both extracts (linked by a valid NHS number), 25 only in K2 and 15 only in Cerner; "
        "30 records could not be linked (no valid NHS number)."
    )
    ethnic = next(i for i in run.items if i.measure_id == "MSD_MOTHER_ETHNIC_VALID")
    assert (ethnic.label, ethnic.same, ethnic.different, ethnic.lost, ethnic.gained, ethnic.neither) == (
        "Ethnic category",
        "260",
        "*",
        "95",
        "15",
        "40",
    )
    assert ethnic.lost_share == "23%"
    bmi = next(i for i in run.items if i.measure_id == "MSD_BMI_RECORDED")
    assert (bmi.lost, bmi.lost_share) == ("10", "2%")  # 10 / 410 = 2.4%


def test_nothing_lost_is_said_so():
    section = build_golive_section(_golive((50, 0, 0, 0), {}), NO_HISTORY, load_rules(), PROVIDERS)
    assert (
        section.runs[0].headline == "Of 50 women in both extracts, every data item valid in K2 was valid in Cerner too."
    )


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [(0, 0, None), (0, 9, "0%"), (3, 100, None), (93, 100, None), (8, 8, "100%"), (8, 16, "67%"), (92, 100, "90%")],
)
def test_a_share_is_shown_only_when_numerator_and_complement_are_outside_1_to_7(numerator, denominator, shown):
    """(93, 100): complement 7, hidden. From the rounded counts: (8, 16) 10 / 15; (92, 100) 90 / 100."""
    assert share(MSDS, numerator, denominator) == shown


def _consistent(policy: DisclosurePolicy, shown_count: str) -> range | list[int]:
    """Exact counts a reader holding the shown count could suppose (0 to 60)."""
    return [n for n in range(61) if policy.count(n) == shown_count]


def test_no_shown_share_and_counts_pin_a_small_numerator_or_complement():
    """The attack of measures.md on every (lost, linked) pair up to 60: from what the section
    shows (the two counts, rounded or suppressed, and the share), enumerate the exact pairs that
    would show the same; none shown may have all of them put lost or linked - lost in 1 to 7."""
    for linked in range(61):
        for lost in range(linked + 1):
            shown = (MSDS.count(lost), MSDS.count(linked), share(MSDS, lost, linked))
            if shown[2] is None:
                continue
            candidates = [
                (n, d)
                for n, d in itertools.product(_consistent(MSDS, shown[0]), _consistent(MSDS, shown[1]))
                if n <= d and share(MSDS, n, d) == shown[2]
            ]
            assert (lost, linked) in candidates
            assert not all(1 <= n <= 7 or 1 <= d - n <= 7 for n, d in candidates), (lost, linked, shown)


def test_small_counts_never_appear_on_the_page(golive_landing, tmp_path):
    """The hand-written month (tests/golive/conftest.py) has only counts from 0 to 5: every count
    in the section is 0 or the symbol, and no share is shown."""
    from pipelines.core.warehouse import connect
    from pipelines.golive import compute_golive
    from pipelines.measures.compute import compute_measures
    from pipelines.scorecard import render_scorecard
    from tests.conftest import load

    wh = tmp_path / "w.duckdb"
    load(golive_landing, wh, GOLIVE_MONTH)
    with connect(wh) as con:
        compute_golive(con, GOLIVE_MONTH)
        compute_measures(con, GOLIVE_MONTH)
        page = render_scorecard(con, GOLIVE_MONTH, tmp_path)
    assert '<li><a href="#golive">Go-live assurance</a></li>' in page
    html = page[page.index('<section id="golive"') :]
    html = html[: html.index("</section>")]
    text = text_of(html)
    assert "Of * women in both extracts, ethnic category was valid in K2 but not in Cerner for *." in text
    cells = re.findall(r'<td class="num">([^<]*)</td>', html)
    assert len(cells) == 6 * 6 and set(cells) <= {"*", "0"}
    numbers = set(re.findall(r"\b\d+\b", text)) - {"2026", "5"}  # March 2026; "nearest 5", "more than 5%"
    assert numbers <= {"0", "1", "7"}, numbers  # 1 and 7 only in "* = 1 to 7 women"
    assert "1 to 7" in text


def test_no_section_without_a_parallel_run_or_a_change(loaded, tmp_path):
    from pipelines.core.warehouse import connect
    from pipelines.golive import compute_golive
    from pipelines.measures.compute import compute_measures
    from pipelines.scorecard import render_scorecard
    from tests.conftest import FIXTURE_MONTH

    with connect(loaded) as con:
        compute_golive(con, FIXTURE_MONTH)
        compute_measures(con, FIXTURE_MONTH)
        page = render_scorecard(con, FIXTURE_MONTH, tmp_path)
    assert 'id="golive"' not in page and "#golive" not in page


def test_the_change_of_system_table():
    """RKB's valid ethnic category, Trust totals shown exact as the trend charts show them: K2
    months pooled 873 of 1,000 (87.3%), then Cerner 2026-04 211 of 500 (42.2%) and 2026-05 4 of
    10 (40.0%: the Trust's monthly total, already exact in the trend chart's table)."""
    history = pl.DataFrame(
        [
            ("RKB", "MSD_MOTHER_ETHNIC_VALID", "before", "2026-04", "K2", "2025-04", "2026-03", 12, 873, 1000),
            ("RKB", "MSD_MOTHER_ETHNIC_VALID", "2026-04", "2026-04", "Cerner", "2026-04", "2026-04", 1, 211, 500),
            ("RKB", "MSD_MOTHER_ETHNIC_VALID", "2026-05", "2026-04", "Cerner", "2026-05", "2026-05", 1, 4, 10),
        ],
        schema=["org_code", "measure_id", "period", "change_month", "source_system", "first_month", "last_month",
                "months", "numerator", "denominator"],
        orient="row",
    )  # fmt: skip
    empty = _golive((0, 0, 0, 0), {}).clear()
    [change] = build_golive_section(empty, history, load_rules(), PROVIDERS).changes
    assert change.summary == (
        "RKB changed system of record in April 2026: K2 before (Apr 2025 to Mar 2026, pooled), Cerner since."
    )
    assert change.columns == ["Before (pooled)", "Apr 2026", "May 2026"]
    assert change.rows == [("Valid ethnic category", ["87.3%", "42.2%", "40.0%"])]


def test_the_section_renders_accessibly_in_a_browser(chromium, axe_core, golive_landing, tmp_path):
    """The hand-written parallel-run month with a change of system too: RKB's stored measures get
    a BadgerNet 2026-02 row before the K2 month (a made-up history, for the table to appear). In
    headless Chromium: both tables there, no serious or critical axe-core violation, nothing fetched."""
    import json

    from pipelines.core.warehouse import connect
    from pipelines.golive import compute_golive
    from pipelines.measures.compute import compute_measures
    from pipelines.scorecard import write_scorecard
    from tests.conftest import load
    from tests.scorecard.cdp import Browser
    from tests.scorecard.test_scorecard_browser import AXE_RUN

    wh = tmp_path / "w.duckdb"
    load(golive_landing, wh, GOLIVE_MONTH)
    with connect(wh) as con:
        compute_golive(con, GOLIVE_MONTH)
        compute_measures(con, GOLIVE_MONTH)
        con.execute(
            """INSERT INTO measures SELECT * REPLACE ('2026-02' AS reporting_month, 'BadgerNet' AS source_system)
               FROM measures WHERE org_code = 'RKB' AND breakdown = 'overall'"""
        )
        page = write_scorecard(con, GOLIVE_MONTH, tmp_path / "out")
    html = page.read_text(encoding="utf-8")
    assert 'id="golive-rkb-cerner-table"' in html and 'id="change-rkb-table"' in html
    url = page.resolve().as_uri()
    with Browser(chromium) as browser:
        browser.open(url, width=1366, height=800)
        assert browser.evaluate("document.querySelector('#golive').getBoundingClientRect().height") > 100
        browser.evaluate(axe_core.read_text(encoding="utf-8"))
        violations = json.loads(browser.evaluate(AXE_RUN, await_promise=True))
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, json.dumps(serious, indent=1)
        assert not browser.exceptions and set(browser.requests) == {url}
