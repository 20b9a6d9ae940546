"""Whether `mdq gate` may reuse a month the warehouse already holds instead of running it again."""

from __future__ import annotations

from pipelines.core.config import load_layouts
from pipelines.core.fingerprint import config_fingerprint
from pipelines.core.warehouse import STAGES, connect, month_stage


def month_is_current(settings, month: str) -> bool:
    """The warehouse holds this month's measures from exactly the extracts now in the landing folder."""
    from pipelines.ingest.landing import choose_current, discover, landed_checksum

    if not settings.warehouse.exists():
        return False
    layouts = load_layouts()
    current = choose_current(discover(settings.landing, layouts, {month}), layouts).current
    wanted = sorted((e.path.name, landed_checksum(e)) for e in current)
    with connect(settings.warehouse, read_only=True) as con:
        stored = sorted(
            con.execute(
                "SELECT file_name, checksum FROM submissions WHERE reporting_month = ? AND status IN ('loaded', 'unreadable')",
                [month],
            ).fetchall()
        )
        stage, fingerprint = month_stage(con, month)
    # Gated after the latest ingest, from exactly these extracts, rules, layouts and reference data.
    return (
        stage in STAGES[STAGES.index("gated") :]
        and stored == wanted
        and fingerprint == config_fingerprint(settings.reference)
    )
