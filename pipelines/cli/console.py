"""What `mdq run` prints after each month, read back from the warehouse."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.core.config import gated_measures, load_rules
from pipelines.core.errors import one_line
from pipelines.core.warehouse import connect
from pipelines.gate.verdicts import GateVerdict

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


def resubmission_ties(warehouse: Path, month: str) -> list[str]:
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            """SELECT warnings FROM submissions WHERE reporting_month = ? AND status IN ('loaded', 'unreadable')
               AND warnings LIKE '%tie: %' ORDER BY file_name""",
            [month],
        ).fetchall()
    return [part for (warnings,) in rows for part in warnings.split("; ") if part.startswith("tie: ")]


def unreadable_files(warehouse: Path, month: str) -> list[tuple]:
    with connect(warehouse, read_only=True) as con:
        return con.execute(
            """SELECT file_name, error_line, error_column, error FROM submissions
               WHERE reporting_month = ? AND status = 'unreadable' ORDER BY file_name""",
            [month],
        ).fetchall()


def print_month_summary(
    month: str, status: list[dict], out: Path, problems: list[tuple], ignored: list[str], ties: list[str] = ()
) -> None:
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
        console.print(one_line(f"  unreadable: {where}: {reason}"), markup=False)
    for name in ignored:
        console.print(
            one_line(f"  ignored: {name} (its name matches no extract layout in schemas/layouts.yaml)"), markup=False
        )
    for tie in ties:
        console.print(one_line(f"  {tie}"), markup=False)


def print_reference_notes(warehouse: Path) -> None:
    """Warnings about the reference data the month was measured with (not errors: the run stands)."""
    with connect(warehouse, read_only=True) as con:
        row = con.execute("SELECT any_value(postcode_introduction_dates) FROM reference_fingerprint").fetchone()
    if row and row[0] is False:
        console.print(
            "  warning: the postcode directory has no introduction dates (dointr): every postcode in it "
            "counted as introduced",
            markup=False,
        )


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


def print_breaches(verdicts: list[GateVerdict], month: str, stream=sys.stdout) -> None:
    failing = [v for v in verdicts if not v.passed]
    for v in failing:
        label = "BREACH" if v.breach else "WARN"
        print(f"{label} {month} {v.describe()}", file=stream)
    passed = len(verdicts) - len(failing)
    print(
        f"gate {month}: {passed} of {len(verdicts)} Trust x measure checks pass, "
        f"{sum(v.breach for v in verdicts)} breach(es)",
        file=stream,
    )
