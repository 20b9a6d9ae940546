"""The month's Data Docs folder is replaced whole: a build that fails part-way (or is killed)
leaves the previous site complete, and a finished build leaves nothing beside it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

import checks.data_docs as data_docs
from checks.validation import run_ge_gate

RULES = yaml.safe_load((Path(__file__).resolve().parents[2] / "checks" / "rules.yaml").read_text())
RULES["postcode"]["validity"] = "format"  # GE's mechanics on hand-written values: format mode


def _bookings(postcode: str) -> pd.DataFrame:
    rows = [("RAA", "B1 1AA", "A")] * 4 + [("RBB", postcode, "Z")]
    return pd.DataFrame(
        [{"reporting_month": "2025-04", "org_code": o, "postcode": p, "ethnic_category": e} for o, p, e in rows]
    )


def _snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_failed_build_leaves_the_previous_site(tmp_path, monkeypatch):
    work, docs = tmp_path / "work", tmp_path / "docs"
    _, index = run_ge_gate(_bookings("FIRST"), RULES, work, docs)
    site = index.parent
    before = _snapshot(site)
    assert "index.html" in before and any(name.startswith("validations/") for name in before)

    def killed(site_dir):
        assert site_dir != site  # the new site is built beside the old one
        raise KeyboardInterrupt("killed while the new site was made offline")

    monkeypatch.setattr(data_docs, "make_pages_offline", lambda folder, site_dir: killed(folder))
    with pytest.raises(KeyboardInterrupt):
        run_ge_gate(_bookings("SECOND"), RULES, work, docs)
    assert _snapshot(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == ["2025-04", "index.html", "static"]


def test_finished_build_replaces_the_site_and_leaves_nothing_beside_it(tmp_path):
    work, docs = tmp_path / "work", tmp_path / "docs"
    _, index = run_ge_gate(_bookings("FIRST"), RULES, work, docs)
    _, again = run_ge_gate(_bookings("SECOND"), RULES, work, docs)
    assert again == index
    pages = "".join(p.read_text(encoding="utf-8") for p in index.parent.rglob("*.html"))
    assert "SECOND" in pages and "FIRST" not in pages  # only this run's results
    assert sorted(p.name for p in index.parent.parent.iterdir()) == ["2025-04", "index.html", "static"]
