"""Data Docs built with compiled Jinja templates reused across builds (checks/data_docs_templates.py).

What is proved here:

* the GE and Jinja internals the cache hooks into are still as in GE 1.24.1 / Jinja 3.1 (these
  tests fail loudly on an upgrade that changes them; the cache itself degrades to "compile every
  build" with a warning);
* a page rendered by the cached view is what GE's stock page view writes for the same result
  (only per-render UUIDs and the render time differ, as between any two GE renders);
* two months gated one after the other in one process each get a complete month folder holding
  only their own month's results, and the second build compiles no template at all.

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
from great_expectations.render.renderer import ValidationResultsPageRenderer
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from great_expectations.render.view.view import DefaultJinjaView

from checks import context as gx_context
from checks import data_docs_templates
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


def test_cached_views_write_the_same_pages_as_ge_stock_views(tmp_path, rules):
    work = tmp_path / "work"
    run_ge_gate(pd.concat([_month("2025-04"), _month("2025-05")]), rules, work)
    context = gx_context.open_context(work)
    keys = list(context.validation_results_store.list_keys())
    assert len(keys) == 4  # 2 months x 2 results

    def pages(view) -> list[str]:
        # a fresh document per render: GE's views change the document they render
        documents = [ValidationResultsPageRenderer().render(context.validation_results_store.get(k)) for k in keys]
        return [_RENDER_TIME.sub("?d=T", _UUID.sub("U", view.render(d))) for d in documents]

    stock = pages(DefaultJinjaPageView())
    data_docs_templates.compiled_templates().clear()
    first = pages(data_docs_templates.CachedTemplatesPageView())  # cache filled while rendering
    second = pages(data_docs_templates.CachedTemplatesPageView())  # cache used
    assert first == stock
    assert second == stock


def test_two_months_in_one_process_each_get_their_own_complete_folder(tmp_path, rules, monkeypatch):
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
        folder = index.parent
        assert folder == (docs / "data_docs" / month).resolve()
        (failing_org,) = {org for org, _ in FAILING[month]}
        (passing_org,) = {"RAA", "RBB"} - {failing_org}
        pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
        assert pages == sorted(
            [
                "expectations/maternity_dq_gate_rows.html",
                "expectations/maternity_dq_gate_trusts.html",
                "index.html",
                "validations/gate.html",
                f"validations/{failing_org}.html",  # the failing Trust's own page; none for the other
            ]
        )
        gate_page = (folder / "validations" / "gate.html").read_text(encoding="utf-8")
        assert failing_org in gate_page  # the failing Trust is named on its own month's page
        assert passing_org not in gate_page
        assert other not in "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.html"))
        for page in folder.rglob("*.html"):  # and each folder is made offline
            assert not re.search(r"""(src|href)\s*=\s*["']https?://""", page.read_text(encoding="utf-8")), page
    site_index = (docs / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert 'href="2025-04/index.html"' in site_index and 'href="2025-05/index.html"' in site_index


def test_a_page_ge_fails_to_render_fails_the_build_and_keeps_the_previous_folder(tmp_path, rules, monkeypatch):
    work, docs = tmp_path / "work", tmp_path / "docs"
    _, index = run_ge_gate(_month("2025-04"), rules, work, docs)
    before = _site_files(index.parent)

    def broken(self, *args, **kwargs):
        raise ValueError("a renderer bug")

    monkeypatch.setattr(data_docs_templates.CachedTemplatesPageView, "render", broken)
    with pytest.raises(ValueError, match="a renderer bug"):
        run_ge_gate(_month("2025-04"), rules, work, docs)
    assert _site_files(index.parent) == before
