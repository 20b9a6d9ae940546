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

import os
from pathlib import Path
from typing import TYPE_CHECKING

# Before any great_expectations import anywhere in this process that goes through us.
os.environ["GX_ANALYTICS_ENABLED"] = "False"

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations.data_context import FileDataContext

DATASOURCE_NAME = "maternity_dq"
LOCK_NAME = ".ge_gate.lock"
LOCK_TIMEOUT_S = 900

_CONTEXTS: dict[Path, FileDataContext] = {}


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
