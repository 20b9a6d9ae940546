"""The month's Great Expectations Data Docs: a fresh site of the run's validations, made offline."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from checks.data_docs_offline import make_offline
from checks.data_docs_templates import DOCS_SECTIONS, view_config

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations.data_context import FileDataContext


def build_data_docs(
    context: FileDataContext,
    site_dir: Path,
    resource_identifiers: Iterable,
    site_name: str,
) -> Path:
    """Render a fresh Data Docs site holding only ``resource_identifiers``; return index.html.

    The site is built by a ``SiteBuilder`` made here rather than one registered in
    ``great_expectations.yml``: registering a site per month would grow the shared YAML and
    race between concurrent runs. ``site_dir`` is emptied first so that a re-run of a month
    does not leave the previous run's pages in its index. GE's default sections and index are
    used, with GE's views subclassed only to reuse compiled templates across builds.
    """
    from great_expectations.render.renderer.site_builder import SiteBuilder

    site_dir = Path(site_dir).resolve()
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.mkdir(parents=True)
    page_view = view_config("CachedTemplatesPageView")
    builder = SiteBuilder(
        data_context=context,
        store_backend={
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(site_dir),
        },
        site_name=site_name,
        show_how_to_buttons=False,
        runtime_environment={"root_directory": context.root_directory},
        # merged by GE into its default sections (expectations, validations, profiling)
        site_section_builders={section: {"view": page_view} for section in DOCS_SECTIONS},
        site_index_builder={
            "class_name": "DefaultSiteIndexBuilder",
            "view": view_config("CachedTemplatesIndexPageView"),
        },
    )
    wanted = list(resource_identifiers)
    builder.build(resource_identifiers=wanted)
    index = site_dir / "index.html"
    if not index.is_file():
        raise RuntimeError(f"GE Data Docs did not write {index}")
    # GE's section builders log a rendering error and drop the page: evidence must not go missing
    # quietly, so every resource asked for must have its page.
    missing = [str(r) for r in wanted if builder.get_resource_url(resource_identifier=r, only_if_exists=True) is None]
    if missing:
        raise RuntimeError(f"GE Data Docs in {site_dir} has no page for {', '.join(missing)} (see GE's log)")
    return index


def build_offline_data_docs(
    context: FileDataContext, site_dir: Path, resource_identifiers: Iterable, site_name: str
) -> Path:
    """``build_data_docs``, then the site made to work offline: GE's pages load their scripts
    from CDNs and a tracking logo, which are served from the site instead."""
    index = build_data_docs(context, site_dir, resource_identifiers, site_name)
    make_offline(index.parent)
    return index
