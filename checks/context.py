"""The Great Expectations project the gate runs in: file-backed, offline, quiet.

Everything GE writes goes under the ``work_dir`` the caller gives (``<work_dir>/gx``); the
Data Docs site goes under the ``docs_dir`` the caller gives. Nothing is written to the
user's home and no network connection is opened.

Analytics: GE 1.x reads ``GX_ANALYTICS_ENABLED`` from the environment and
``analytics_enabled`` from the project config; if either is false, nothing is sent. We set
both, the environment variable before GE is imported (this module is imported before any
GE import in :mod:`checks.validation`). The installed 1.24.1 wheel in fact ships no analytics
emitter at all (there is no ``great_expectations/analytics`` package in its RECORD; only the
config field survives), so both settings are belt and braces, and the tests prove that no
socket is connected during a run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Before any great_expectations import anywhere in this process that goes through us.
os.environ["GX_ANALYTICS_ENABLED"] = "False"

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations.data_context import FileDataContext

DATASOURCE_NAME = "maternity_dq"
LOCK_NAME = ".ge_gate.lock"
LOCK_TIMEOUT_S = 900

_CONTEXTS: dict[Path, FileDataContext] = {}
log = logging.getLogger(__name__)


def disable_analytics() -> None:
    """Force GE analytics off for this process (idempotent)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"


def open_context(work_dir: Path) -> FileDataContext:
    """Open (creating if needed) the file-backed GE project under ``work_dir/gx``.

    The context is cached per resolved ``work_dir`` for the life of the process (GE's
    context start-up reads and writes its YAML; doing that once matters in tests and
    backfills). ``mode="file"`` is explicit so that GX Cloud environment variables, if
    any are set, can never turn this into a Cloud context.
    """
    disable_analytics()
    root = Path(work_dir).resolve()
    cached = _CONTEXTS.get(root)
    if cached is not None and (root / "gx" / "great_expectations.yml").is_file():
        return cached

    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(root))

    changed = False
    if context.variables.analytics_enabled is not False:
        context.variables.analytics_enabled = False
        changed = True
    bars = context.variables.progress_bars
    if not bars or bars.get("globally", True) or bars.get("metric_calculations", True):
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        changed = True
    if changed:
        context.variables.save()

    _CONTEXTS[root] = context
    return context


def open_project(work_dir: Path, prepare: Callable[[FileDataContext], Any]) -> FileDataContext:
    """``open_context`` and ``prepare(context)`` (making the suites and validation definitions),
    with the project made again once if either fails.

    GE writes its YAML and JSON stores in place, so a kill or a full disk mid-write leaves a file
    half-written, and every later run failed on it until someone deleted it by hand. Everything
    in the project is made from the rules on each run (the month's Data Docs are built from the
    run's own results), so the broken project is set aside, as ``.gx-broken-<time>`` beside it
    for a look, and a new one made. A second failure is no broken file: it is raised.
    """
    try:
        context = open_context(work_dir)
        prepare(context)
        return context
    except Exception as exc:  # GE raises many kinds for a damaged file (YAML, JSON, pydantic, its own)
        root = Path(work_dir).resolve()
        _CONTEXTS.pop(root, None)
        aside = root / f".gx-broken-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
        if not (root / "gx").exists():
            raise
        os.replace(root / "gx", aside)
        log.warning(
            "GE project %s could not be used (%s: %s); set aside as %s and made again",
            root / "gx",
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
            aside.name,
        )
    context = open_context(work_dir)
    prepare(context)
    return context


def context_lock(work_dir: Path):
    """A cross-process lock for one GE project (its YAML and stores are not concurrency-safe)."""
    from filelock import FileLock

    root = Path(work_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return FileLock(str(root / LOCK_NAME), timeout=LOCK_TIMEOUT_S)


def whole_dataframe_batch_definition(context: FileDataContext, asset_name: str):
    """Get or create a pandas dataframe asset with one whole-dataframe batch definition."""
    sources = context.data_sources.all()
    if DATASOURCE_NAME in sources:
        source = sources[DATASOURCE_NAME]
    else:
        source = context.data_sources.add_pandas(DATASOURCE_NAME)
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition(asset_name)
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(asset_name)
