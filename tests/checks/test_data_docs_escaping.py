"""Extract values in the Data Docs are text, never markup: GE 1.24.1 escapes its string-template
parameters but writes the cells of its "unexpected values" tables raw, so a postcode such as
`<img src=x onerror=…>` ran as script on the validation page. The month's site is built from
hostile values and opened in headless Chromium: no script of theirs runs, no element of theirs
exists, and each shows as the text it is.

Fixture: one month, Trust RAA with 6 valid bookings and Trust RBB whose postcodes are the payloads
below (and whose ethnic categories are too: only a code of the rules' list is valid), so RBB fails
and has a page of its own; its Trust code is markup too in one file's name (`source_file`).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest
import yaml

from checks.validation import run_ge_gate
from tests.checks.test_data_docs_offline import _offline_browser, _visit

RULES_PATH = Path(__file__).resolve().parents[2] / "checks" / "rules.yaml"
PAYLOADS = [
    "<img src=x onerror=\"window.__mdq_pwned='img'\">",
    "<script>window.__mdq_pwned='script'</script>",
    "<svg onload=\"window.__mdq_pwned='svg'\">",
    # As the canonical table holds a postcode: upper-cased, white space removed; HTML entities pass.
    "<IMG/SRC/ONERROR=&#119;indow.__mdq_pwned=1>",
    "&lt;b&gt;entities&lt;/b&gt;",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("data_docs_escaping")
    rows = [("RAA", "B1 1AA", "A")] * 6 + [("RBB", p, p) for p in PAYLOADS]
    bookings = pd.DataFrame(
        [
            {
                "reporting_month": "2025-04",
                "org_code": o,
                "postcode": p,
                "ethnic_category": e,
                "source_file": f"K2_{o}<b>x</b>_202504.csv",
                "source_line": i + 2,
            }
            for i, (o, p, e) in enumerate(rows)
        ]
    )
    rules = yaml.safe_load(RULES_PATH.read_text())
    rules["postcode"]["validity"] = "format"  # GE's rendering of hand-written values: format mode
    _, index = run_ge_gate(bookings, rules, base / "work", base / "docs")
    return index.parent.parent  # the site: its index, the month's folder and static files


def _row_level_page(site: Path) -> Path:
    return site / "2025-04" / "validations" / "RBB.html"


def test_payloads_are_written_escaped(site):
    """Every payload is in RBB's validation page, escaped; no page of the site holds one raw."""
    text = _row_level_page(site).read_text(encoding="utf-8")
    for payload in PAYLOADS:
        assert html.escape(payload) in text, payload
    assert html.escape("K2_RBB<b>x</b>_202504.csv") + ":8" in text  # the file and line of RBB's first row
    pages = sorted(site.rglob("*.html"))
    assert {p.relative_to(site).as_posix() for p in pages} >= {"index.html", "2025-04/index.html"}
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        for payload in PAYLOADS:
            assert payload not in raw, (page.name, payload)


def test_no_payload_runs_in_the_browser(chromium, site):
    with _offline_browser(chromium) as browser:
        for page in sorted(site.rglob("*.html")):
            if "vendor" in page.parts:
                continue
            seen = _visit(browser, page)
            assert seen["exceptions"] == [], (page.name, seen)
            assert browser.evaluate("typeof window.__mdq_pwned") == "undefined", page.name
            planted = browser.evaluate(
                "document.querySelectorAll('[onerror], [onload], img[src=x], img[src=X], b').length"
            )
            assert planted == 0, page.name
        browser.open(_row_level_page(site).as_uri())
        shown = browser.evaluate("document.body.innerText")
    for payload in PAYLOADS:
        assert payload in shown, payload  # shown as the text it is
