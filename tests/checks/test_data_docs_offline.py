"""Offline GE Data Docs (checks/data_docs_offline.py): a real site from the gate, made offline,
then opened in headless Chromium with the network off.

The browser tests need Debian's `chromium` (MDQ_CHROMIUM names another binary): skipped, saying
so, when none is found, except under MDQ_REQUIRE_BROWSER=1 (CI), where they fail
(tests/conftest.py). Set MDQ_SCREENSHOTS=DIR to keep the screenshots.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml

from checks import data_docs
from checks.data_docs_offline import SITE_VENDOR, VENDOR_DIR, make_offline
from checks.validation import run_ge_gate
from tests.scorecard.cdp import Browser

RULES_PATH = Path(__file__).resolve().parents[2] / "checks" / "rules.yaml"

EXTERNAL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
EXTERNAL_CSS_URL = re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I)
LOCAL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"'#][^"']*)["']""", re.I)
RESULTS_ROWS = ".ge-index-page-validation-results-table tbody tr[data-index]"
SUITES_ROWS = ".ge-index-page-expectation_suites-table tbody tr[data-index]"


def _bookings() -> pd.DataFrame:
    """One month, two Trusts: RAA clean, RBB with missing and invalid values (so both pass and fail)."""
    rows = [("RAA", "B1 1AA", "A")] * 6 + [("RBB", None, "Z"), ("RBB", "ZZ99 3VZ", None), ("RBB", "M60 1NW", "B")]
    return pd.DataFrame(
        [{"reporting_month": "2025-04", "org_code": o, "postcode": p, "ethnic_category": e} for o, p, e in rows]
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, Path]:
    """(the site as GE's renderers write it, a copy after make_offline).

    The gate builds the site with the offline step switched off, so the raw site stays raw even
    though the gate makes its pages offline itself.
    """
    base = tmp_path_factory.mktemp("data_docs_offline")
    rules = yaml.safe_load(RULES_PATH.read_text())
    rules["postcode"]["validity"] = "format"  # GE mechanics on hand-written formats
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data_docs, "make_pages_offline", lambda folder, site_dir: None)
        _, index = run_ge_gate(_bookings(), rules, base / "work", base / "raw")
    raw = index.parent.parent
    site = base / "site"
    shutil.copytree(raw, site)
    make_offline(site)
    return raw, site


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "vendor" not in p.parts)


def _snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- the files


GE_PAGE = "2025-04/validations/gate.html"


def test_raw_site_is_what_we_fix(sites):
    """Guard: GE 1.24.1 really writes CDN links and the tracking logo (else the rest proves nothing)."""
    raw, _ = sites
    html = (raw / GE_PAGE).read_text(encoding="utf-8")
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in html
    assert "amazonaws.com/logo-long.png?d=" in html  # the logo from S3, with a timestamp


def test_no_external_reference_left(sites):
    _, site = sites
    pages = _pages(site)
    names = {p.relative_to(site).as_posix() for p in pages}
    # the site's index, the month's index, 2 suites, the gate and failing Trust RBB's validation
    assert names == {
        "index.html",
        "2025-04/index.html",
        "2025-04/expectations/maternity_dq_gate_rows.html",
        "2025-04/expectations/maternity_dq_gate_trusts.html",
        "2025-04/validations/gate.html",
        "2025-04/validations/RBB.html",
    }
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL_ATTR.search(text), (page, EXTERNAL_ATTR.search(text))
        assert not EXTERNAL_CSS_URL.search(text), page
        for gone in ("dataContextId", "greatexpectations.io", "amazonaws.com", "integrity=", "crossorigin"):
            assert gone not in text, (page, gone)
    for css in site.rglob("*.css"):
        assert not EXTERNAL_CSS_URL.search(css.read_text(encoding="utf-8")), css


def test_every_local_reference_resolves(sites):
    _, site = sites
    used: set[Path] = set()
    for page in _pages(site):
        for ref in LOCAL_ATTR.findall(page.read_text(encoding="utf-8")):
            target = (page.parent / ref.split("?")[0].split("#")[0]).resolve()
            assert target.is_file(), (page.relative_to(site), ref)
            assert site in target.parents, (page, ref)  # stays inside the site
            used.add(target)
    vendored = {p.resolve() for p in (site / SITE_VENDOR).glob("*.*") if p.suffix in (".js", ".css")}
    assert vendored and vendored <= used  # every vendored asset is used by some page


def test_vendored_files_are_the_ones_ge_pins(sites):
    """The two assets GE loads with Subresource Integrity hashes are byte-identical to the CDN's."""
    raw, _ = sites
    html = (raw / GE_PAGE).read_text(encoding="utf-8")
    for url, name in [
        ("popper.js/1.12.9/umd/popper.min.js", "popper-1.12.9.min.js"),
        ("bootstrap/4.3.1/js/bootstrap.min.js", "bootstrap-4.3.1.min.js"),
    ]:
        sri = re.search(re.escape(url) + r'"\s+integrity="(sha384-[^"]+)"', html).group(1)
        digest = base64.b64encode(hashlib.sha384((VENDOR_DIR / name).read_bytes()).digest()).decode()
        assert sri == f"sha384-{digest}", name
    size = sum(p.stat().st_size for p in VENDOR_DIR.rglob("*") if p.is_file() and p.name != "README.md")
    assert size < 600_000


def test_idempotent(sites):
    _, site = sites
    before = _snapshot(site)
    make_offline(site)
    assert _snapshot(site) == before


def test_unknown_external_tags_are_dropped_with_a_warning(tmp_path, caplog):
    site = tmp_path / "site"
    (site / "static" / "images").mkdir(parents=True)
    (site / "static" / "images" / "logo-long.png").write_bytes(b"png")
    (site / "index.html").write_text(
        '<html><head><script src="https://example.org/new-lib@9.js"></script>\n'
        '<link rel="stylesheet" href="//example.org/new.css">\n'
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js" integrity="sha384-x" crossorigin="anonymous">'
        "</script></head>\n"
        '<body><img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1&x=2">'
        '<p>see <a href="https://example.org/docs" target="_blank">the docs</a>.</p>'
        "<div style=\"background: url('https://example.org/bg.png')\"></div></body></html>",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="checks.data_docs_offline"):
        make_offline(site)
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "example.org" not in html
    assert '<script src="static/vendor/jquery-3.7.1.min.js"></script>' in html
    assert 'src="static/images/logo-long.png"' in html
    assert "<p>see the docs.</p>" in html
    assert "background: none" in html
    assert sum("dropped unknown external" in r.message for r in caplog.records) == 2
    assert (site / SITE_VENDOR / "jquery-3.7.1.min.js").is_file()


# --------------------------------------------------------------------------- the browser


@contextlib.contextmanager
def _offline_browser(executable: str) -> Iterator[Browser]:
    with Browser(executable) as browser:
        # Offline emulation, not Network.setBlockedURLs: its patterns match substrings, so "http://*"
        # would also block the data: SVG icons (they contain the SVG namespace URL). Any attempt to
        # reach the network still shows up in browser.requests, which each page check asserts on.
        browser.call(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        yield browser


def _visit(browser: Browser, page: Path) -> dict:
    """Open ``page``, let late loads (favicon) settle, and return what it requested and logged."""
    browser.requests.clear()
    browser.console.clear()
    browser.exceptions.clear()
    browser._events.clear()  # the driver keeps every event; only this page's matter
    browser.open(page.as_uri(), width=1366, height=900)
    browser.wait_for_quiet()  # late loads (favicon, lazy scripts) finished or failed
    failed = [e["params"] for e in browser._events if e.get("method") == "Network.loadingFailed"]
    return {
        "external": [u for u in browser.requests if not u.startswith(("file:", "data:"))],
        "failed": failed,
        "errors": [m for m in browser.console if m["level"] in ("error", "assert")],
        "exceptions": list(browser.exceptions),
    }


def test_raw_page_reaches_for_the_internet(chromium, sites):
    """The problem: GE's own page, opened offline, asks CDNs for its scripts and S3 for a beacon."""
    raw, _ = sites
    with _offline_browser(chromium) as browser:
        seen = _visit(browser, raw / GE_PAGE)
    assert any("code.jquery.com" in u for u in seen["external"])
    assert any("amazonaws.com/logo-long.png?d=" in u for u in seen["external"])


def test_offline_site_renders_with_no_network(chromium, sites, tmp_path):
    _, site = sites
    shots = Path(os.environ.get("MDQ_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with _offline_browser(chromium) as browser:
        for page in _pages(site):
            seen = _visit(browser, page)
            name = page.relative_to(site).as_posix()
            assert seen == {"external": [], "failed": [], "errors": [], "exceptions": []}, (name, seen)
            if page.name == "index.html":  # ours: plain HTML, a row per Trust
                rows = json.loads(
                    browser.evaluate("JSON.stringify([...document.querySelectorAll('tbody tr')].map(r => r.innerText))")
                )
                assert [r.split()[0] for r in rows] == ["RAA", "RBB"], (name, rows)
                browser.screenshot(shots / f"data_docs_{page.parent.name}_index.png", height=900)
                continue
            state = json.loads(
                browser.evaluate("""JSON.stringify({
                jquery: typeof jQuery, table: typeof jQuery.fn.bootstrapTable, collapse: typeof jQuery.fn.collapse,
                popper: typeof Popper, datepicker: typeof jQuery.fn.datepicker,
                bootstrapCss: getComputedStyle(document.querySelector('.navbar')).display,
                logo: (() => { const i = document.querySelector('.navbar-brand img');
                               return i && i.complete && i.naturalWidth > 0; })(),
                icons: [...document.querySelectorAll('.fas')].map(i => {
                    const s = getComputedStyle(i);
                    return s.maskImage !== 'none' && s.webkitMaskImage !== 'none'
                        && i.getBoundingClientRect().width > 0; }),
            })""")
            )
            assert state == {
                **state,
                "jquery": "function",
                "table": "function",
                "collapse": "function",
                "popper": "function",
                "datepicker": "function",
                "bootstrapCss": "flex",
                "logo": True,
            }, (name, state)
            assert state["icons"] and all(state["icons"]), (name, state["icons"])
            if page.name == "gate.html":
                text = browser.evaluate("document.body.innerText")
                assert text.count("unexpected values found") == 2  # RBB fails both measures
                assert "33.3%" in text and "RBB" in text  # RBB's rates, as percentages
                browser.screenshot(shots / "data_docs_validation_gate.png", height=1400)
            elif page.parent.name == "expectations":
                browser.screenshot(shots / f"data_docs_suite_{page.stem}.png", height=900)
