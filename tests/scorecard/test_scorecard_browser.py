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
