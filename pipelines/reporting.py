"""What `mdq run` prints after each month, read back from the warehouse."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.config import gated_measures, load_layouts, load_rules
from pipelines.fingerprint import config_fingerprint
from pipelines.warehouse import STAGES, connect, month_stage

console = Console(stderr=False, highlight=False, width=max(Console().width, 120))


def month_status(warehouse: Path, month: str) -> list[dict]:
    gated = [m["id"] for m in gated_measures(load_rules())]
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            """SELECT s.*, m.measure_id, m.numerator, m.denominator, m.rate, m.status
               FROM trust_month_status s
               LEFT JOIN measures m ON m.reporting_month = s.reporting_month AND m.org_code = s.org_code
                    AND m.breakdown = 'overall' AND list_contains(?, m.measure_id)
               WHERE s.reporting_month = ? ORDER BY s.org_code, m.measure_id""",
            [gated, month],
        ).fetchall()
        columns = [d[0] for d in con.description]
    by_org: dict[str, dict] = {}
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        org = by_org.setdefault(row["org_code"], {**row, "rates": {}})
        if row["measure_id"]:
            org["rates"][row["measure_id"]] = row
    return list(by_org.values())


def unreadable_files(warehouse: Path, month: str) -> list[tuple]:
    with connect(warehouse, read_only=True) as con:
        return con.execute(
            """SELECT file_name, error_line, error_column, error FROM submissions
               WHERE reporting_month = ? AND status = 'unreadable' ORDER BY file_name""",
            [month],
        ).fetchall()


def print_month_summary(month: str, status: list[dict], out: Path, problems: list[tuple], ignored: list[str]) -> None:
    gated = gated_measures(load_rules())
    table = Table(title=f"{month}: scorecard in {out}", title_justify="left")
    for heading in (
        "Trust",
        "System",
        "Rows read",
        "Loaded",
        "Quarantined",
        "Bookings",
        *(m["title"] for m in gated),
        "Submission",
    ):
        table.add_column(heading)
    for row in status:
        cells = []
        for m in gated:
            r = row["rates"].get(m["id"])
            cells.append("-" if not r or r["rate"] is None else f"{r['rate']:.1%} {r['status']}")
        table.add_row(
            row["org_code"],
            row["source_system"] or "-",
            str(row["rows_read"]),
            str(row["rows_loaded"]),
            str(row["rows_quarantined"]),
            str(row["bookings"]),
            *cells,
            row["completeness"],
        )
    console.print(table)
    if any("Cerner" in (row.get("source_system") or "") for row in status):
        console.print("  Rows read, loaded and quarantined include Cerner clinical-event rows.", markup=False)
    for file_name, line, column, reason in problems:
        where = file_name + (f", line {line}" if line else "") + (f", column {column}" if column else "")
        console.print(f"  unreadable: {where}: {reason}", markup=False)
    for name in ignored:
        console.print(f"  ignored: {name} (its name matches no extract layout in schemas/layouts.yaml)", markup=False)


@contextmanager
def progress(enabled: bool):
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not enabled,
        transient=False,
    ) as bar:
        yield bar


def month_is_current(settings, month: str) -> bool:
    """The warehouse holds this month's measures from exactly the extracts now in the landing folder."""
    from pipelines.ingest.landing import checksum, choose_current, discover

    if not settings.warehouse.exists():
        return False
    current, _ = choose_current(discover(settings.landing, load_layouts(), {month}))
    wanted = sorted((e.path.name, checksum(e.path)) for e in current)
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
