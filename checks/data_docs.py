"""The month's Great Expectations Data Docs: a fresh site of the run's validations, made offline."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from checks.data_docs_offline import make_offline
from checks.data_docs_templates import DOCS_SECTIONS, view_config
from pipelines.core.files import replaced_folder

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations.data_context import FileDataContext


def build_data_docs(
    context: FileDataContext,
    site_dir: Path,
    resource_identifiers: Iterable,
    site_name: str,
) -> Path:
    """Render a fresh Data Docs site holding only ``resource_identifiers``; return index.html.

    The site is built in a folder beside ``site_dir`` and takes its place whole once complete
    (pipelines/core/files.py), so a re-run of a month leaves none of the previous run's pages
    in its index, and a build that fails or is killed part-way leaves the previous site intact.
    """
    site_dir = Path(site_dir).resolve()
    with replaced_folder(site_dir) as building:
        _build_site(context, building, list(resource_identifiers), site_name)
    return site_dir / "index.html"


def _build_site(context: FileDataContext, site_dir: Path, wanted: list, site_name: str) -> None:
    """The site, written into the empty folder ``site_dir``.

    The site is built by a ``SiteBuilder`` made here rather than one registered in
    ``great_expectations.yml``: registering a site per month would grow the shared YAML and
    race between concurrent runs. GE's default sections and index are used, with GE's views
    subclassed only to reuse compiled templates across builds and to escape extract values.
    """
    from great_expectations.render.renderer.site_builder import SiteBuilder

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
    builder.build(resource_identifiers=wanted)
    index = site_dir / "index.html"
    if not index.is_file():
        raise RuntimeError(f"GE Data Docs did not write {index}")
    # GE's section builders log a rendering error and drop the page: evidence must not go missing
    # quietly, so every resource asked for must have its page.
    missing = [str(r) for r in wanted if builder.get_resource_url(resource_identifier=r, only_if_exists=True) is None]
    if missing:
        raise RuntimeError(f"GE Data Docs in {site_dir} has no page for {', '.join(missing)} (see GE's log)")


def build_offline_data_docs(
    context: FileDataContext, site_dir: Path, resource_identifiers: Iterable, site_name: str
) -> Path:
    """``build_data_docs``, with the site made to work offline before it takes its place: GE's
    pages load their scripts from CDNs and a tracking logo, which are served from the site instead."""
    site_dir = Path(site_dir).resolve()
    with replaced_folder(site_dir) as building:
        _build_site(context, building, list(resource_identifiers), site_name)
        make_offline(building)
    return site_dir / "index.html"
