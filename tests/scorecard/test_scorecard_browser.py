"""The rendered scorecard in headless Chromium: no console errors, no network, charts drawn,
no serious or critical axe-core violations; screenshots at laptop width and as printed.

Needs Debian's `chromium` (MDQ_CHROMIUM names another binary) and axe-core from
tests/scorecard/package.json (`npm ci --prefix tests/scorecard`); without them it is skipped,
saying so, except under MDQ_REQUIRE_BROWSER=1 (CI), where it fails (tests/conftest.py).
Set MDQ_SCREENSHOTS=DIR to keep the screenshots and the PDF.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.core.warehouse import connect
from pipelines.measures.compute import read_measures, write_measures_csv
from pipelines.scorecard import write_scorecard
from tests.scorecard.cdp import Browser
from tests.scorecard.helpers import MAY

# Session fixtures come first: a missing browser is found before the page is built.
pytestmark = pytest.mark.usefixtures("chromium", "axe_core")

AXE_RUN = """
axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
"""


@pytest.fixture(scope="module")
def page(two_months, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    with connect(two_months) as con:
        write_measures_csv(read_measures(con, MAY), out, MAY)
        return write_scorecard(con, MAY, out, run_started=datetime(2025, 6, 10, 6, 0, tzinfo=UTC))


def test_renders_offline_accessibly(chromium, axe_core, page, tmp_path):
    shots = Path(os.environ.get("MDQ_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    url = page.resolve().as_uri()
    with Browser(chromium) as browser:
        browser.open(url, width=1366, height=800)
        charts = browser.evaluate("""JSON.stringify([...document.querySelectorAll('svg.spc')].map(s => ({
            box: s.getBoundingClientRect().width, points: s.querySelectorAll('circle, path[class^=pt-]').length,
            title: !!s.querySelector('title'), desc: !!s.querySelector('desc')})))""")
        charts = json.loads(charts)
        assert len(charts) == 6  # 3 Trusts x 2 gated measures
        assert all(c["box"] > 300 and c["title"] and c["desc"] for c in charts)
        assert [c["points"] for c in charts] == [2] * 6  # April and May, one mark each
        assert browser.evaluate("document.querySelectorAll('h1').length") == 1
        assert browser.evaluate("document.documentElement.scrollWidth") <= 1366  # nothing spills sideways

        browser.evaluate(axe_core.read_text(encoding="utf-8"))
        violations = json.loads(browser.evaluate(AXE_RUN, await_promise=True))
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, json.dumps(serious, indent=1)

        browser.screenshot(shots / "scorecard-laptop.png", height=2400)
        browser.media("print")
        browser.viewport(794, 1123)  # A4 at 96 dpi
        browser.screenshot(shots / "scorecard-print.png", height=3000)
        pdf = browser.pdf(shots / "scorecard.pdf").read_bytes()
        browser.media("")

        errors = [m for m in browser.console if m["level"] in ("error", "assert")]
        assert not errors, errors
        assert not browser.exceptions, browser.exceptions
        assert set(browser.requests) == {url}, browser.requests  # the page itself, nothing else
    assert (shots / "scorecard-laptop.png").stat().st_size > 10_000
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3
    if os.environ.get("MDQ_SCREENSHOTS"):
        shutil.copy(page, shots / page.name)


WIDTHS = (390, 1400)  # a phone, a desktop


def _axe_serious(browser: Browser, axe_core: Path) -> list:
    browser.evaluate(axe_core.read_text(encoding="utf-8"))
    violations = json.loads(browser.evaluate(AXE_RUN, await_promise=True))
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_april_2026_at_a_phone_and_a_desktop_width(chromium, axe_core, sample_pages, tmp_path):
    """The sample's April 2026 (RKB's first Cerner month) in headless Chromium at 390 and 1400 px:
    nothing wider than the screen (tables scroll in their own box), the summary first, the charts
    scaled to the width with text still readable, no serious or critical axe-core violation; printed,
    no navigation, each Trust on a new page, the folded tables left out, fewer pages than the 14 of
    the issue. MDQ_SCREENSHOTS=DIR keeps the screenshots and the PDF."""
    shots = Path(os.environ.get("MDQ_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = tmp_path / "scorecard-2026-04.html"
    page.write_text(sample_pages["2026-04"][0], encoding="utf-8")
    url = page.resolve().as_uri()
    with Browser(chromium) as browser:
        for width in WIDTHS:
            browser.open(url, width=width, height=900)
            assert browser.evaluate("document.documentElement.scrollWidth") == width  # no sideways overflow
            first = browser.evaluate("document.querySelector('main > section').id")
            assert first == "summary"
            charts = json.loads(
                browser.evaluate("""JSON.stringify([...document.querySelectorAll('svg.spc')].map(s => ({
                    width: s.getBoundingClientRect().width,
                    label: s.querySelector('.ylab text').getBoundingClientRect().height})))""")
            )
            assert len(charts) == 6  # 3 Trusts x 2 gated measures
            assert all(c["width"] <= width for c in charts)
            assert min(c["label"] for c in charts) >= 9  # axis text at least 9 px high on screen
            assert not _axe_serious(browser, axe_core), width
            browser.screenshot(shots / f"scorecard-2026-04-{width}.png", height=2400)
        browser.media("print")
        browser.viewport(794, 1123)
        assert browser.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") == "none"
        breaks = browser.evaluate(
            "[...document.querySelectorAll('section.trust')].map(s => getComputedStyle(s).breakBefore)"
        )
        assert breaks == ["page"] * 3
        assert browser.evaluate(
            "[...document.querySelectorAll('details')].every(d => getComputedStyle(d).display == 'none')"
        )
        pdf = browser.pdf(shots / "scorecard-2026-04.pdf").read_bytes()
        assert not browser.exceptions and set(browser.requests) == {url}
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 3 < pages < 14
