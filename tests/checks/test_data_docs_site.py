"""The Data Docs an analyst uses (checks/data_docs.py): one site across months, GE's static files
once, an index by month and Trust, a failing Trust's own validation with its own counts and
samples, readable names, rates as percentages, and the unexpected rows by file and line.

Fixture (rules from checks/rules.yaml in format mode: postcode >= 95%, ethnic category >= 80%),
run month by month as `mdq run` does:

    2025-04  RAA  20 bookings, K2_RAA_MaternityBookings_202504.csv lines 2-21:
                  postcodes 19 valid + blank on line 21       -> 19/20 = 95.0%, passes
                  ethnic codes 20 valid                       -> 20/20 = 100.0%, passes
             RBB  10 bookings, BadgerNet_RBB_Booking_2025-04.csv lines 2-11:
                  postcodes 7 valid, 'XX' on lines 4 and 7, blank on line 10 -> 7/10 = 70.0%, FAILS
                  ethnic codes 9 valid + 'Q' on line 11       -> 9/10 = 90.0%, passes
    2025-05  RAA   5 bookings, RBB 5 bookings, all valid      -> both pass
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from checks.validation import run_ge_gate

RULES_PATH = Path(__file__).resolve().parents[2] / "checks" / "rules.yaml"
NAMES = {"RAA": "Alpha Hospitals NHS Trust", "RBB": "Beta Hospitals NHS Trust"}
K2, BN = "K2_RAA_MaternityBookings_202504.csv", "BadgerNet_RBB_Booking_2025-04.csv"


def _rows(month: str, org: str, file: str, postcodes: list, ethnic: list) -> list[dict]:
    return [
        {
            "reporting_month": month,
            "org_code": org,
            "postcode": pc,
            "ethnic_category": ec,
            "source_file": file,
            "source_line": line,
        }
        for line, (pc, ec) in enumerate(zip(postcodes, ethnic, strict=True), start=2)
    ]


def _april() -> pd.DataFrame:
    raa = _rows("2025-04", "RAA", K2, ["B1 1AA"] * 19 + [None], ["A"] * 20)
    rbb_pc = ["M60 1NW", "M60 1NW", "XX", "M60 1NW", "M60 1NW", "XX", "M60 1NW", "M60 1NW", None, "M60 1NW"]
    rbb = _rows("2025-04", "RBB", BN, rbb_pc, ["B"] * 9 + ["Q"])
    return pd.DataFrame(raa + rbb)


def _may() -> pd.DataFrame:
    return pd.DataFrame(
        _rows("2025-05", "RAA", "K2_RAA_MaternityBookings_202505.csv", ["B1 1AA"] * 5, ["A"] * 5)
        + _rows("2025-05", "RBB", "BadgerNet_RBB_Booking_2025-05.csv", ["M60 1NW"] * 5, ["B"] * 5)
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("data_docs_site")
    rules = yaml.safe_load(RULES_PATH.read_text())
    rules["postcode"]["validity"] = "format"
    for frame in (_april(), _may()):
        run_ge_gate(frame, rules, base / "work", base / "out", names=NAMES)
    return base / "out" / "data_docs"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_one_site_with_the_static_files_once(site):
    assert sorted(p.name for p in site.iterdir()) == ["2025-04", "2025-05", "index.html", "static"]
    assert [p for p in site.rglob("static") if p.is_dir()] == [site / "static"]
    assert (site / "static" / "vendor" / "jquery-3.7.1.min.js").is_file()
    for month in ("2025-04", "2025-05"):
        size = sum(p.stat().st_size for p in (site / month).rglob("*") if p.is_file())
        assert size < 300_000, (month, size)  # pages only; GE's 4 MB of static files are not copied
    # a month's page loads the site's shared files
    assert 'src="../../static/vendor/jquery-3.7.1.min.js"' in _text(site / "2025-04" / "validations" / "RBB.html")


def test_site_index_by_month_and_trust(site):
    html = _text(site / "index.html")
    assert html.index('href="2025-05/index.html"') < html.index('href="2025-04/index.html"')  # newest first
    rows = re.findall(r"<tr><td>(R..)</td><td>([^<]*)</td>(.*?)</tr>", html, re.S)
    assert [(org, name) for org, name, _ in rows] == [("RAA", NAMES["RAA"]), ("RBB", NAMES["RBB"])]
    cells = {org: re.findall(r'href="([^"]+)">(pass|fail)<', rest) for org, _, rest in rows}
    assert cells["RAA"] == [("2025-05/index.html#RAA", "pass"), ("2025-04/index.html#RAA", "pass")]
    assert cells["RBB"] == [("2025-05/index.html#RBB", "pass"), ("2025-04/validations/RBB.html", "fail")]


def test_month_index_has_every_trusts_own_figures_as_percentages(site):
    html = _text(site / "2025-04" / "index.html")
    assert "2 Trusts, 1 failing" in html
    assert "95.0% (19 valid, 1 not) pass" in html  # RAA postcode
    assert "100.0% (20 valid, 0 not) pass" in html  # RAA ethnic category
    assert "70.0% (7 valid, 3 not) FAIL" in html  # RBB postcode
    assert "90.0% (9 valid, 1 not) pass" in html  # RBB ethnic category
    assert 'href="validations/RBB.html"' in html and "validations/RAA.html" not in html


def test_failing_trusts_page_holds_its_own_counts_samples_and_lines(site):
    page = _text(site / "2025-04" / "validations" / "RBB.html")
    assert "3 unexpected values found" in page and "of 10 total rows" in page  # RBB's, not the month's 30
    assert "70.0% valid (7 of 10 bookings)" in page
    assert "90.0% valid (9 of 10 bookings)" in page
    # the unexpected rows by file and line, grouped by value: 'XX' twice, blank once, 'Q' once
    assert f"{BN}:4, {BN}:7" in page
    assert f"{BN}:10" in page and f"{BN}:11" in page
    assert "File:line" in page and ">Index<" not in page
    assert K2 not in page  # nothing of RAA's
    assert not (site / "2025-04" / "validations" / "RAA.html").exists()


def test_names_are_for_people(site):
    page = _text(site / "2025-04" / "validations" / "RBB.html")
    assert f"Data asset: RBB {NAMES['RBB']} bookings, 2025-04" in page
    assert "Valid postcode (MSD_MOTHER_POSTCODE_VALID): at least 95% of the Trust" in page
    gate = _text(site / "2025-04" / "validations" / "gate.html")
    assert f"RBB {NAMES['RBB']}" in gate and "70.0%" in gate
    assert "0.7<" not in gate and "0.7 " not in gate  # the rate is shown as a percentage
    for path in site.rglob("*.html"):
        assert "Data asset: None" not in _text(path), path


def test_a_month_built_again_replaces_only_its_own_folder(site, tmp_path):
    may_before = {p.relative_to(site): p.read_bytes() for p in (site / "2025-05").rglob("*") if p.is_file()}
    rules = yaml.safe_load(RULES_PATH.read_text())
    rules["postcode"]["validity"] = "format"
    fixed = _april().assign(postcode=lambda f: f["postcode"].fillna("B1 1AA").replace("XX", "M60 1NW"))
    run_ge_gate(fixed, rules, site.parent.parent / "work", site.parent, names=NAMES)
    assert not (site / "2025-04" / "validations" / "RBB.html").exists()  # RBB passes now
    assert {p.relative_to(site): p.read_bytes() for p in (site / "2025-05").rglob("*") if p.is_file()} == may_before
    assert '<td class="fail">' not in _text(site / "index.html")
