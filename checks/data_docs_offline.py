"""Make a Great Expectations Data Docs site work offline: no CDN, no tracking logo, no web links.

GE 1.24.1's page templates load jQuery, Bootstrap, bootstrap-table (whose JavaScript draws the
index page's tables: offline the index lists no validations), Popper, bootstrap-datepicker,
Font Awesome, Vega and a dark-mode stylesheet from public CDNs, and the navbar logo from S3 with
``?d=<timestamp>&dataContextId=<uuid>`` appended (a beacon). :func:`make_offline` rewrites every
page of a built site so that it loads only files inside the site:

* each stylesheet/script URL in :data:`ASSETS` becomes a relative link to the same file, copied
  from ``checks/data_docs_vendor/`` (npm packages of the exact versions, see its README) into
  ``<site>/static/vendor/``; ``integrity``/``crossorigin`` go (a file:// script fails CORS);
* Font Awesome becomes ``ge-icons.css``, a 3 KB stand-in drawing the few icons GE emits (the
  index's Status column is nothing but an icon);
* the S3 logo (and its dark-mode twin) becomes the copy GE itself ships in ``static/images/``;
* Vega (drawn only by profiling/distribution renderers our gate does not use) and the dark-mode
  stylesheet are dropped, as is any other external script, stylesheet or image, with a warning
  for one not listed here (a new GE release: update the table and the vendor folder);
* links to the web become plain text, and GE's newsletter footer goes;
* the favicon link, which GE gets one level wrong on validation pages, points at the site's copy.

Idempotent: a processed page has no external URL left, so a second run changes nothing.
"""

from __future__ import annotations

import filecmp
import logging
import os
import re
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

VENDOR_DIR = Path(__file__).with_name("data_docs_vendor")
SITE_VENDOR = "static/vendor"

# URL prefix -> file to use instead, relative to the site root (None: drop the tag). Files under
# static/vendor/ are copied from VENDOR_DIR; anything else must already be in the GE site.
ASSETS: dict[str, str | None] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "static/vendor/jquery-3.7.1.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "static/vendor/popper-1.12.9.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "static/vendor/bootstrap-4.3.1.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "static/vendor/bootstrap-4.3.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "static/vendor/bootstrap-table-1.19.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "static/vendor/bootstrap-table-1.19.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": "static/vendor/bootstrap-table-filter-control-1.19.1.min.js",
    # GE asks for 1.19.0's .css (and, on the index, .min.css): same rules as 1.19.1's .css
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.": "static/vendor/bootstrap-table-filter-control-1.19.1.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": "static/vendor/bootstrap-datepicker-1.9.0.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": "static/vendor/bootstrap-datepicker-1.9.0.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "static/vendor/ge-icons.css",
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png": "static/images/logo-long.png",
    # dark-mode navbar background; without bootstrap-dark the navbar stays light, so the same logo
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png": "static/images/logo-long.png",
    "https://cdn.jsdelivr.net/npm/vega": None,  # vega@5, vega-lite@5, vega-embed@6
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@": None,
}

_EXTERNAL = r"(?:https?:)?//"
_URL_ATTR = re.compile(rf"""\b(src|href)\s*=\s*(["'])({_EXTERNAL}[^"']*)\2""", re.I)
_TAG = re.compile(r"<script\b[^>]*>\s*</script\s*>|<link\b[^>]*>|<img\b[^>]*>", re.I)
_SRI = re.compile(r"""\s+(?:integrity|crossorigin)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""", re.I)
_CSS_URL = re.compile(rf"""url\(\s*(["']?)({_EXTERNAL}[^)"']*)\1\s*\)""", re.I)
_NEWSLETTER = re.compile(
    r"<footer\b[^>]*>(?:(?!</footer>).)*?greatexpectations\.io/newsletter.*?</footer>\s*", re.I | re.S
)
_WEB_LINK = re.compile(rf"""<a\b[^>]*\bhref\s*=\s*(["']){_EXTERNAL}[^"']*\1[^>]*>(.*?)</a\s*>""", re.I | re.S)
# GE points validation pages (4 levels down) at ../../../static/images/favicon.ico: a missing file
_FAVICON = re.compile(r"""\bhref\s*=\s*(["'])(?:\.\.?/)*static/images/favicon\.ico\1""", re.I)


def _local(url: str) -> tuple[bool, str | None]:
    """(listed in ASSETS, site-relative replacement or None)."""
    for prefix, target in ASSETS.items():
        if url.startswith(prefix):
            return True, target
    return False, None


def _relative(target: str, site_dir: Path, page: Path) -> str:
    return Path(os.path.relpath(site_dir / target, page.parent)).as_posix()


def _rewrite(text: str, site_dir: Path, page: Path) -> str:
    def tag(match: re.Match[str]) -> str:
        found = _URL_ATTR.search(match.group(0))
        if not found:
            return match.group(0)
        listed, target = _local(found.group(3))
        if target is None:
            if not listed:
                log.warning("Data Docs %s: dropped unknown external %s", page.name, found.group(3))
            return ""
        start, end = found.span(3)
        new = match.group(0)[:start] + _relative(target, site_dir, page) + match.group(0)[end:]
        return _SRI.sub("", new)

    def css_url(match: re.Match[str]) -> str:
        target = _local(match.group(2))[1]
        return f"url('{_relative(target, site_dir, page)}')" if target else "none"

    text = _TAG.sub(tag, text)
    text = _CSS_URL.sub(css_url, text)
    text = _NEWSLETTER.sub("", text)
    favicon = _relative("static/images/favicon.ico", site_dir, page)
    text = _FAVICON.sub(lambda m: f"href={m.group(1)}{favicon}{m.group(1)}", text)
    return _WEB_LINK.sub(lambda m: m.group(2), text)


def copy_vendor(static_dir: Path) -> None:
    """The vendored files into ``<static_dir>/vendor`` (a site's ``static`` folder)."""
    dest = static_dir / "vendor"
    for source in sorted(p for p in VENDOR_DIR.rglob("*") if p.is_file() and p.name != "README.md"):
        target = dest / source.relative_to(VENDOR_DIR)
        if not target.is_file() or not filecmp.cmp(source, target, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def make_pages_offline(folder: Path, site_dir: Path) -> None:
    """Rewrite the pages and stylesheets under ``folder`` in place, linking to files of the site at
    ``site_dir``. ``folder`` may be a folder being built beside its final place in the site (at the
    same depth), as the relative links then hold once it is renamed."""
    folder, site_dir = Path(folder).resolve(), Path(site_dir).resolve()
    for page in sorted([*folder.rglob("*.html"), *folder.rglob("*.css")]):
        if "vendor" in page.relative_to(folder).parts:
            continue
        text = page.read_text(encoding="utf-8")
        new = _rewrite(text, site_dir, page)
        if new != text:
            page.write_text(new, encoding="utf-8")


def make_offline(site_dir: Path) -> None:
    """Rewrite every page (and GE's own stylesheets) of the Data Docs site at ``site_dir`` in place."""
    site_dir = Path(site_dir).resolve()
    if not (site_dir / "index.html").is_file():
        raise FileNotFoundError(f"{site_dir} is not a Data Docs site (no index.html)")
    copy_vendor(site_dir / "static")
    make_pages_offline(site_dir, site_dir)


__all__ = ["ASSETS", "copy_vendor", "make_offline", "make_pages_offline"]
