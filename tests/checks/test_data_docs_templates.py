"""Data Docs built with compiled Jinja templates reused across builds (checks/data_docs_templates.py).

What is proved here:

* the GE and Jinja internals the cache hooks into are still as in GE 1.24.1 / Jinja 3.1 (these
  tests fail loudly on an upgrade that changes them; the cache itself degrades to "compile every
  build" with a warning);
* a site built by ``build_data_docs`` is, page for page, what GE's stock ``SiteBuilder`` writes
  for the same results (only per-render UUIDs and the render time differ, as between any two
  GE builds);
* two months gated one after the other in one process each get a complete site holding only
  their own month's results, and the second build compiles no template at all.

Fixture (rules from checks/rules.yaml: postcode >= 0.95, ethnic category >= 0.80), 2 Trusts:

    2025-04  RAA  4 bookings, all valid                              -> passes both
             RBB  4 bookings, postcodes 2 valid + 2 NULL (2/4 = 0.5) -> fails postcode
    2025-05  RAA  4 bookings, ethnic 1 valid + 'Z', '99', NULL (1/4) -> fails ethnic category
             RBB  4 bookings, all valid                              -> passes both
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import jinja2
import pandas as pd
import pytest
import yaml
from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier
from great_expectations.render.renderer.site_builder import SiteBuilder
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from great_expectations.render.view.view import DefaultJinjaView

from checks import context as gx_context
from checks import data_docs, data_docs_templates, suites
from checks.validation import run_ge_gate

RULES_PATH = Path(__file__).resolve().parents[2] / "checks" / "rules.yaml"
PC = "MSD_MOTHER_POSTCODE_VALID"
EC = "MSD_MOTHER_ETHNIC_VALID"

VALID = [("B1 1AA", "A"), ("M60 1NW", "B"), ("CV1 2AB", "C"), ("LS1 4AP", "D")]
ROWS = {
    ("2025-04", "RAA"): VALID,
    ("2025-04", "RBB"): [VALID[0], VALID[1], (None, "A"), (None, "B")],
    ("2025-05", "RAA"): [("B1 1AA", "A"), ("M60 1NW", "Z"), ("CV1 2AB", "99"), ("LS1 4AP", None)],
    ("2025-05", "RBB"): VALID,
}
# month -> (Trust, measure) pairs that fail, from the fixture table above
FAILING = {"2025-04": {("RBB", PC)}, "2025-05": {("RAA", EC)}}

# What differs between two GE builds of the same results: a UUID per rendered block
# (generate_html_element_uuid), the data context's id, and the render time stamped on the logo URL.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_RENDER_TIME = re.compile(r"\?d=\d{8}T\d{6}\.\d{6}Z")


def _month(month: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"reporting_month": m, "org_code": org, "postcode": pc, "ethnic_category": ec}
            for (m, org), rows in ROWS.items()
            if m == month
            for pc, ec in rows
        ]
    )


@pytest.fixture(scope="module")
def rules() -> dict:
    # These tests exercise GE's mechanics on hand-written formats: format mode. Directory mode
    # (the shipped setting) is tested in tests/checks/test_postcodes.py.
    return format_mode(yaml.safe_load(RULES_PATH.read_text()))


def format_mode(rules: dict) -> dict:
    rules["postcode"]["validity"] = "format"
    return rules


def _site_files(site: Path) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".html":
            text = _RENDER_TIME.sub("?d=T", _UUID.sub("U", data.decode("utf-8")))
            out[path.relative_to(site).as_posix()] = text
        else:
            out[path.relative_to(site).as_posix()] = data
    return out


def _compile_counter(monkeypatch) -> list[str]:
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


# ------------------------------------------------------------- the internals relied upon


def test_ge_views_still_make_a_plain_jinja_environment_the_cache_can_hook():
    """GE 1.24.1: DefaultJinjaView.__init__ makes ``self.env``, a jinja2.Environment with no
    bytecode cache, whose loaders are Jinja's own (their ``load`` consults the bytecode cache)."""
    for view_class in (DefaultJinjaPageView, DefaultJinjaIndexPageView):
        view = view_class()
        assert type(view.env) is jinja2.Environment
        assert view.env.bytecode_cache is None
        assert isinstance(view.env.loader, jinja2.ChoiceLoader)
        for loader in view.env.loader.loaders:
            assert type(loader).load is jinja2.BaseLoader.load, type(loader)
    # GE's instantiate_class_from_config passes a view only the runtime values its __init__
    # names; the subclasses spell out these same two.
    params = list(inspect.signature(DefaultJinjaView.__init__).parameters)
    assert params == ["self", "custom_styles_directory", "custom_views_directory"]
    for name in ("CachedTemplatesPageView", "CachedTemplatesIndexPageView"):
        assert list(inspect.signature(getattr(data_docs_templates, name).__init__).parameters) == params


def test_jinja_loads_through_the_bytecode_cache_hook():
    """Jinja 3.1's BaseLoader.load: get_bucket before compiling, set_bucket after."""
    source = inspect.getsource(jinja2.BaseLoader.load)
    assert "environment.bytecode_cache" in source
    assert "bcc.get_bucket(environment, name, filename, source)" in source
    assert "bcc.set_bucket(bucket)" in source


def test_site_builder_uses_the_cached_views_in_every_section(tmp_path, monkeypatch):
    context = gx_context.open_context(tmp_path / "work")
    stock = SiteBuilder(
        data_context=context,
        store_backend={"class_name": "TupleFilesystemStoreBackend", "base_directory": str(tmp_path / "stock")},
        site_name="stock",
        runtime_environment={"root_directory": context.root_directory},
    )
    # GE's default sections are the ones build_data_docs configures
    assert set(stock.site_section_builders) == set(data_docs_templates.DOCS_SECTIONS)

    seen = []
    original = SiteBuilder.build

    def keep(self, *args, **kwargs):
        seen.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SiteBuilder, "build", keep)
    data_docs.build_data_docs(context, tmp_path / "site", [], site_name="s")
    (builder,) = seen
    assert set(builder.site_section_builders) == set(data_docs_templates.DOCS_SECTIONS)
    cache = data_docs_templates.compiled_templates()
    for section in builder.site_section_builders.values():
        assert type(section.view_class) is data_docs_templates.CachedTemplatesPageView
        assert section.view_class.env.bytecode_cache is cache
    assert type(builder.site_index_builder.view_class) is data_docs_templates.CachedTemplatesIndexPageView
    assert builder.site_index_builder.view_class.env.bytecode_cache is cache


def test_a_view_that_no_longer_has_a_plain_environment_is_left_alone(caplog, monkeypatch):
    monkeypatch.setattr(data_docs_templates, "_WARNED_UNCACHED", False)

    class Odd:
        env = None

    with caplog.at_level("WARNING", logger="checks.data_docs_templates"):
        data_docs_templates._attach_template_cache(Odd())
        data_docs_templates._attach_template_cache(Odd())
    assert len([r for r in caplog.records if "compiled on every build" in r.getMessage()]) == 1

    theirs = jinja2.BytecodeCache()
    env = jinja2.Environment(bytecode_cache=theirs)

    class WithOwnCache:
        pass

    view = WithOwnCache()
    view.env = env
    data_docs_templates._attach_template_cache(view)
    assert env.bytecode_cache is theirs


def test_code_compiled_for_one_configuration_is_not_used_for_another():
    cache = data_docs_templates.compiled_templates()
    cache.clear()
    loader = jinja2.DictLoader({"t.j2": "{{ x | shout }}"})
    plain = jinja2.Environment(loader=loader, bytecode_cache=cache)
    plain.filters["shout"] = lambda s: f"{s}!"
    assert plain.get_template("t.j2").render(x="a") == "a!"
    assert len(cache) == 1

    # same template and filter name, but the filter wants the context: needs other code
    with_context = jinja2.Environment(loader=loader, bytecode_cache=cache)
    with_context.filters["shout"] = jinja2.pass_context(lambda ctx, s: f"{s}{ctx['mark']}")
    assert with_context.get_template("t.j2").render(x="a", mark="?") == "a?"
    assert len(cache) == 2

    # same configuration again: reused (no third entry) and still right
    again = jinja2.Environment(loader=loader, bytecode_cache=cache)
    again.filters["shout"] = lambda s: f"{s}!!"
    assert again.get_template("t.j2").render(x="b") == "b!!"
    assert len(cache) == 2
    cache.clear()


def test_a_template_the_cache_cannot_key_is_compiled_and_not_stored(monkeypatch, caplog):
    cache = data_docs_templates.compiled_templates()
    cache.clear()

    def broken(environment, name):
        raise RuntimeError("no fingerprint")

    monkeypatch.setattr(data_docs_templates, "_compile_fingerprint", broken)
    env = jinja2.Environment(loader=jinja2.DictLoader({"t.j2": "{{ x }}!"}), bytecode_cache=cache)
    with caplog.at_level("WARNING", logger="checks.data_docs_templates"):
        assert env.get_template("t.j2").render(x="a") == "a!"
    assert len(cache) == 0
    assert "cannot key t.j2" in caplog.text


# ------------------------------------------------------------------------ the output


def test_cached_views_write_the_same_site_as_ge_stock_views(tmp_path, rules):
    work = tmp_path / "work"
    run_ge_gate(pd.concat([_month("2025-04"), _month("2025-05")]), rules, work)
    context = gx_context.open_context(work)
    ids = [
        ExpectationSuiteIdentifier(name=suites.SUITE_ROWS),
        ExpectationSuiteIdentifier(name=suites.SUITE_TRUSTS),
        *context.validation_results_store.list_keys(),
    ]
    assert len(ids) == 6  # 2 suites, 2 months x 2 results

    stock_dir = tmp_path / "stock"
    SiteBuilder(
        data_context=context,
        store_backend={"class_name": "TupleFilesystemStoreBackend", "base_directory": str(stock_dir)},
        site_name="docs",
        show_how_to_buttons=False,
        runtime_environment={"root_directory": context.root_directory},
    ).build(resource_identifiers=ids)

    data_docs_templates.compiled_templates().clear()
    first = data_docs.build_data_docs(context, tmp_path / "first", ids, site_name="docs").parent
    second = data_docs.build_data_docs(context, tmp_path / "second", ids, site_name="docs").parent

    stock = _site_files(stock_dir)
    assert len([p for p in stock if p.endswith(".html")]) == 7  # index, 2 suites, 4 results
    assert _site_files(first) == stock  # cache filled while building
    assert _site_files(second) == stock  # cache used


def test_two_months_in_one_process_each_get_their_own_complete_site(tmp_path, rules, monkeypatch):
    """As run_month_gate runs a backfill: one gate call per month, same work dir, same process."""
    work, docs = tmp_path / "work", tmp_path / "docs"
    data_docs_templates.compiled_templates().clear()
    compiled = _compile_counter(monkeypatch)

    results_04, index_04 = run_ge_gate(_month("2025-04"), rules, work, docs)
    first_build = len(compiled)
    results_05, index_05 = run_ge_gate(_month("2025-05"), rules, work, docs)

    assert first_build > 10  # GE's page, section and component templates were compiled ...
    assert len(compiled) == first_build  # ... once: the second month compiled none

    for month, results, index, other in (
        ("2025-04", results_04, index_04, "2025-05"),
        ("2025-05", results_05, index_05, "2025-04"),
    ):
        assert {(r.org_code, r.measure_id) for r in results if not r.success} == FAILING[month]
        site = index.parent
        assert site == (docs / "data_docs" / month).resolve()
        pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
        assert len(pages) == 5, pages  # index, 2 suites, this month's 2 results
        for suite in (suites.SUITE_ROWS, suites.SUITE_TRUSTS):
            assert f"expectations/{suite}.html" in pages
            assert len([p for p in pages if p.startswith(f"validations/{suite}/maternity_dq_gate_{month}/")]) == 1
        assert not [p for p in pages if other in p]

        html = index.read_text(encoding="utf-8")
        results = [p for p in pages if p.startswith("validations/")]
        # both results are rows of the index's table, linked to their pages
        assert len(results) == 2 and all(html.count(f"'_table_row_link_path': '{p}'") == 1 for p in results)
        assert f"maternity_dq_gate_{other}" not in html

        trusts_page = next((site / "validations" / suites.SUITE_TRUSTS).rglob("*.html")).read_text()
        (failing_org,) = {org for org, _ in FAILING[month]}
        (passing_org,) = {"RAA", "RBB"} - {failing_org}
        assert failing_org in trusts_page  # the failing Trust is named on its own month's page
        assert passing_org not in trusts_page
        for page in site.rglob("*.html"):  # and each site is still made offline
            assert not re.search(r"""(src|href)\s*=\s*["']https?://""", page.read_text(encoding="utf-8")), page


def test_a_page_ge_fails_to_render_fails_the_build_instead_of_going_missing(tmp_path, rules, monkeypatch):
    work = tmp_path / "work"
    run_ge_gate(_month("2025-04"), rules, work)
    context = gx_context.open_context(work)
    ids = list(context.validation_results_store.list_keys())
    assert len(ids) == 2

    def broken(self, *args, **kwargs):
        raise ValueError("a renderer bug")

    # Result pages only: the index has its own view class, so index.html is still written.
    monkeypatch.setattr(data_docs_templates.CachedTemplatesPageView, "render", broken)
    with pytest.raises(RuntimeError, match="has no page for"):
        data_docs.build_data_docs(context, tmp_path / "site", ids, site_name="docs")
