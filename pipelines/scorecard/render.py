"""Renders the scorecard: stored tables -> view model -> Jinja2 template -> one self-contained file.

The steps live in their own modules: data (read_scorecard_data), page (build_page: tiles, trends,
breakdown tables, findings) and templates/. render_scorecard looks `read_scorecard_data` and
`build_page` up in this module when it is called, so a caller (the benchmark) can wrap them here.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipelines.core.config import load_layouts, load_rules
from pipelines.core.files import write_atomically
from pipelines.golive import before_after, read_golive
from pipelines.scorecard.data import read_scorecard_data
from pipelines.scorecard.golive_section import build_golive_section
from pipelines.scorecard.page import build_page

__all__ = ["build_page", "read_scorecard_data", "render_scorecard", "write_scorecard"]

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """One environment per process: templates are compiled once (and again if a file changes)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = lambda n: f"{int(n or 0):,}"
    return env


def render_scorecard(
    con: duckdb.DuckDBPyConnection,
    month: str,
    out_dir: Path,
    data_docs: Path | None = None,
    worklists: dict[str, Path] | None = None,
    run_started: datetime | None = None,
) -> str:
    """The scorecard's HTML for the month, read from the stored tables only."""
    data = read_scorecard_data(con, month)
    rules, providers = load_rules(), load_layouts().providers
    # On a cursor of its own: the page's reads may leave a result pending on `con`, which DuckDB
    # then refuses to run anything else on.
    with con.cursor() as cursor:
        history, golive = before_after(cursor, month), read_golive(cursor, month)
    page = build_page(data, rules, providers, Path(out_dir), data_docs, worklists, run_started, history)
    page["golive"] = build_golive_section(golive, history, rules, providers)
    return _environment().get_template("scorecard.html.j2").render(**page)


def write_scorecard(
    con: duckdb.DuckDBPyConnection,
    month: str,
    out_dir: Path,
    data_docs: Path | None = None,
    worklists: dict[str, Path] | None = None,
    run_started: datetime | None = None,
) -> Path:
    """Write out_dir/scorecard-YYYY-MM.html atomically and return its path."""
    out_dir = Path(out_dir)
    html = render_scorecard(con, month, out_dir, data_docs, worklists, run_started)
    path = out_dir / f"scorecard-{month}.html"
    write_atomically(path, html.encode("utf-8"))
    return path
