"""The gate's Great Expectations Data Docs: one site across months, offline.

    data_docs/index.html              every month and Trust (checks/data_docs_site.py): open this first
    data_docs/static/                 GE's styles and images and the vendored scripts, once for the site
    data_docs/YYYY-MM/index.html      the month: every Trust's figures, verdicts and links
    data_docs/YYYY-MM/validations/gate.html   GE's Trust-level validation (the gate), rates as percentages
    data_docs/YYYY-MM/validations/<ORG>.html  a failing Trust's own validation: its unexpected values,
                                              each pointed to by file and line
    data_docs/YYYY-MM/expectations/<suite>.html  the two suites (the rules)

The pages are GE's own renderers and views (``ValidationResultsPageRenderer``,
``ExpectationSuitePageRenderer`` and GE's page view, subclassed only to reuse compiled templates and
to escape extract values: checks/data_docs_templates.py). GE's ``SiteBuilder`` is not used: it
copies GE's 4 MB of static files into every site it builds and writes an index of the GE store,
which knows nothing of months or Trusts.

A Trust's page costs ~11 ms of GE rendering, so pages are made for the Trusts that fail (a national
month has ~130 Trusts and a handful failing): every Trust's figures are in the month's index.
The month folder is built beside the old one and swapped in whole (pipelines/core/files.py); the
static folder is made once (again only when GE's or the vendored files change); the site index
is rewritten from the month folders on disk.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from checks.data_docs_offline import VENDOR_DIR, copy_vendor, make_pages_offline
from checks.data_docs_site import write_month_index, write_site_index
from checks.data_docs_trusts import MonthValidation, gate_result, percent, trust_result
from checks.measure_specs import MeasureSpec
from pipelines.core.files import replaced_folder

STAMP = ".mdq-static"  # in static/: what the folder was made from


def _ge_static() -> Path:
    import great_expectations.render.view as view

    return Path(view.__file__).with_name("static")


def _static_stamp() -> str:
    import great_expectations as gx

    digest = hashlib.sha256(gx.__version__.encode())
    for base in (_ge_static(), VENDOR_DIR):
        for p in sorted(base.rglob("*")):
            if p.is_file():
                digest.update(f"{p.relative_to(base)}|{p.stat().st_size}\n".encode())
    return digest.hexdigest()


def ensure_static(root: Path) -> Path:
    """``root/static``: GE's static files (its stylesheet made offline) and the vendored scripts, once."""
    static, stamp = root / "static", _static_stamp()
    if (static / STAMP).is_file() and (static / STAMP).read_text(encoding="utf-8") == stamp:
        return static
    with replaced_folder(static) as building:
        shutil.copytree(_ge_static(), building, dirs_exist_ok=True)
        copy_vendor(building)
        make_pages_offline(building, root)
        (building / STAMP).write_text(stamp, encoding="utf-8")
    return static


# GE's pages assume GE's own site layout (validation pages four folders down, suite pages one);
# ours are two down from the site root, so their links home and to the suite are set here.
def _relinked(html: str, suite_names: Sequence[str]) -> str:
    html = html.replace('href="../../../../index.html"', 'href="../../index.html"')
    html = html.replace('href="../index.html"', 'href="../../index.html"')
    for name in suite_names:
        html = html.replace(f'href="../../../../expectations/{name}.html"', f'href="../expectations/{name}.html"')
    return html


def _render(renderer: Any, view: Any, resource: Any, path: Path, suite_names: Sequence[str]) -> None:
    html = view.render(renderer.render(resource))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_relinked(html, suite_names), encoding="utf-8")


def build_month_docs(
    root: Path,
    month: MonthValidation,
    suites: Sequence[Any],
    specs: Sequence[MeasureSpec],
    names: Mapping[str, str],
) -> Path:
    """``root/<month>/`` built beside the old one and swapped in; then the site index. Returns the
    month's index.html."""
    from great_expectations.render.renderer import ExpectationSuitePageRenderer, ValidationResultsPageRenderer

    from checks.data_docs_templates import CachedTemplatesPageView

    root = Path(root).resolve()
    ensure_static(root)
    suite_names = [suite.name for suite in suites]
    pages = ValidationResultsPageRenderer()
    view = CachedTemplatesPageView()
    with replaced_folder(root / month.month) as building:
        for suite in suites:
            _render(
                ExpectationSuitePageRenderer(),
                view,
                suite,
                building / "expectations" / f"{suite.name}.html",
                suite_names,
            )
        gate = gate_result(month, specs, names, f"Trusts' rates, {month.month}")
        _render(pages, view, gate, building / "validations" / "gate.html", suite_names)
        shown = set()
        if month.rows_result is not None:
            for org in month.failing_orgs():
                asset = f"{org} {names.get(org, '')} bookings, {month.month}".replace("  ", " ")
                _render(
                    pages,
                    view,
                    trust_result(month, org, specs, asset),
                    building / "validations" / f"{org}.html",
                    suite_names,
                )
                shown.add(org)
        make_pages_offline(building, root)
        write_month_index(building, _summary(month, specs, names, shown, suite_names))
    write_site_index(root)
    return root / month.month / "index.html"


def _summary(
    month: MonthValidation,
    specs: Sequence[MeasureSpec],
    names: Mapping[str, str],
    shown: set[str],
    suites: Sequence[str],
) -> dict[str, Any]:
    trusts = []
    for i, org in enumerate(month.orgs):
        n = int(month.bookings[i])
        measures = []
        for spec in specs:
            u = int(month.unexpected[spec.measure_id][i])
            measures.append(
                {
                    "measure_id": spec.measure_id,
                    "rate": percent((n - u) / n if n else None),
                    "valid": n - u,
                    "unexpected": u,
                    "passed": bool(month.passed[spec.measure_id][i]) and n > 0,
                }
            )
        trusts.append(
            {
                "org": org,
                "name": names.get(org, ""),
                "bookings": n,
                "failing": not all(m["passed"] for m in measures),
                "page": f"validations/{org}.html" if org in shown else None,
                "measures": measures,
            }
        )
    return {
        "month": month.month,
        "suites": list(suites),
        "measures": [{"id": s.measure_id, "title": s.title, "threshold_pct": f"{s.threshold:.0%}"} for s in specs],
        "trusts": trusts,
    }
