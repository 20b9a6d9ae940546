"""What `mdq` prints, read back from the warehouse.

Rich sizes the output to the terminal (COLUMNS, else 80 columns when not a terminal) and colours
it only when it is one (and NO_COLOR is unset); nothing here forces either.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.core.config import gated_measures, load_rules
from pipelines.core.errors import one_line
from pipelines.core.warehouse import connect
from pipelines.gate.verdicts import GateVerdict
from pipelines.ingest.routing import NOTE_PREFIX

console = Console(highlight=False)
STATUS_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow"}


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


def parallel_runs(warehouse: Path, month: str) -> list[str]:
    """One line per Trust and system whose extract ran in parallel, then the warnings routing gave
    about the system of record (pipelines/ingest/routing.py), each naming the Trust and month."""
    with connect(warehouse, read_only=True) as con:
        runs = con.execute(
            """SELECT p.org_code, p.source_system, bool_and(p.status = 'loaded'),
                      (SELECT string_agg(DISTINCT r.source_system, '+' ORDER BY r.source_system) FROM submissions r
                       WHERE r.reporting_month = p.reporting_month AND r.org_code = p.org_code
                         AND r.status IN ('loaded', 'unreadable') AND NOT starts_with(r.role, 'parallel_'))
               FROM submissions p
               WHERE p.reporting_month = ? AND p.status IN ('loaded', 'unreadable') AND starts_with(p.role, 'parallel_')
               GROUP BY p.reporting_month, p.org_code, p.source_system ORDER BY 1, 2""",
            [month],
        ).fetchall()
        notes = con.execute(
            """SELECT org_code, warnings FROM submissions WHERE reporting_month = ?
               AND status IN ('loaded', 'unreadable') AND warnings LIKE ? ORDER BY org_code, file_name""",
            [month, f"%{NOTE_PREFIX}%"],
        ).fetchall()
    lines = [
        f"{org} {month}: {system} extract "
        + ("loaded as a parallel run" if loaded else "sent as a parallel run could not be read")
        + f" (system of record {record or 'none received'})"
        for org, system, loaded, record in runs
    ]
    for org, warnings in notes:
        lines += [f"warning: {org} {month}: {part}" for part in warnings.split("; ") if part.startswith(NOTE_PREFIX)]
    return lines


def unreadable_files(warehouse: Path, month: str) -> list[tuple]:
    with connect(warehouse, read_only=True) as con:
        return con.execute(
            """SELECT file_name, error_line, error_column, error FROM submissions
               WHERE reporting_month = ? AND status = 'unreadable' ORDER BY file_name""",
            [month],
        ).fetchall()


def _styled(text: str, status: str) -> str:
    style = STATUS_STYLE.get(status)
    return f"[{style}]{text}[/]" if style else text


def _rate_cell(rate: float | None, status: str) -> str:
    if rate is None:
        return "-"
    return _styled(f"{rate:.1%}", status) if status == "pass" else _styled(f"{rate:.1%} {status}", status)


def print_month_table(month: str, status: list[dict]) -> None:
    """The month's Trusts: bookings, rows quarantined, the gated rates, the submission."""
    gated = gated_measures(load_rules())
    table = Table(title=f"{month}: {len(status)} Trusts", title_justify="left", box=None, pad_edge=False)
    table.add_column("Trust")
    table.add_column("System")
    table.add_column("Booked", justify="right")
    table.add_column("Quarantined", justify="right")
    for m in gated:
        table.add_column(m["title"], justify="right")
    table.add_column("Submission")
    for row in status:
        cells = []
        for m in gated:
            r = row["rates"].get(m["id"])
            cells.append(_rate_cell(r["rate"], r["status"]) if r else "-")
        table.add_row(
            row["org_code"],
            row["source_system"] or "-",
            f"{row['bookings']:,}",
            f"{row['rows_quarantined']:,}",
            *cells,
            _styled(row["completeness"], "pass" if row["completeness"] == "complete" else "fail"),
        )
    console.print(table)
    if any("Cerner" in (row.get("source_system") or "") for row in status):
        console.print("Quarantined rows include Cerner clinical-event rows.", markup=False)


def print_problems(problems: list[tuple], ignored: list[str], ties: list[str] = (), runs: list[str] = ()) -> None:
    """One line per finding, never wrapped: each names a file someone will search for."""
    lines = list(runs)
    for file_name, line, column, reason in problems:
        where = file_name + (f", line {line}" if line else "") + (f", column {column}" if column else "")
        lines.append(f"unreadable: {where}: {reason}")
    lines += [f"ignored: {name} (its name matches no extract layout in schemas/layouts.yaml)" for name in ignored]
    for text in [*lines, *ties]:
        console.print(one_line(text), markup=False, soft_wrap=True)


def print_reference_notes(warehouse: Path) -> None:
    """Warnings about the reference data the month was measured with (not errors: the run stands)."""
    with connect(warehouse, read_only=True) as con:
        row = con.execute("SELECT any_value(postcode_introduction_dates) FROM reference_fingerprint").fetchone()
    if row and row[0] is False:
        console.print(
            "warning: the postcode directory has no introduction dates (dointr): every postcode in it "
            "counted as introduced",
            markup=False,
        )


def month_line(month: str, status: list[dict], verdicts: list[GateVerdict]) -> str:
    """One line for a month of a backfill: Trusts, bookings, quarantined rows, the gate."""
    booked = sum(r["bookings"] or 0 for r in status)
    quarantined = sum(r["rows_quarantined"] or 0 for r in status)
    incomplete = sum(r["completeness"] != "complete" for r in status)
    breaches = sum(v.breach for v in verdicts)
    gate = _styled(f"{breaches} breach{'es' if breaches != 1 else ''}", "fail") if breaches else _styled("pass", "pass")
    parts = [f"{len(status)} Trusts", f"{booked:,} booked", f"{quarantined:,} quarantined"]
    if incomplete:
        parts.append(_styled(f"{incomplete} incomplete", "fail"))
    return f"{month}  " + ", ".join(parts) + f"  gate: {gate}"


def print_breach_table(verdicts_by_month: dict[str, list[GateVerdict]]) -> None:
    """Every breach of the backfill, by month and Trust."""
    rows = [(month, v) for month, verdicts in verdicts_by_month.items() for v in verdicts if not v.passed]
    console.print()
    if not rows:
        console.print(_styled(f"No breaches in {len(verdicts_by_month)} months.", "pass"))
        return
    table = Table(title="Breaches by month and Trust", title_justify="left", box=None, pad_edge=False)
    for heading in ("Month", "Trust", "Measure", "Rate", "Threshold", "Records short"):
        table.add_column(heading, justify="right" if heading in ("Rate", "Threshold", "Records short") else "left")
    for month, v in rows:
        complete = v.completeness == "complete" and v.rate is not None
        table.add_row(
            month,
            v.org_code,
            v.title,
            _styled(f"{v.rate:.1%}", "fail") if complete else _styled(v.completeness, "fail"),
            f"{v.threshold:.0%}",
            f"{v.records_short:,}" if complete else "-",
        )
    console.print(table)


def print_paths(paths: list[tuple[str, str]]) -> None:
    """What was written, one per line; paths are never wrapped, so they stay copyable."""
    width = max(len(label) for label, _ in paths)
    console.print()
    for label, path in paths:
        console.print(f"{label:<{width}}  {path}", markup=False, soft_wrap=True)


@contextmanager
def progress(enabled: bool):
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not enabled,
        transient=True,
    ) as bar:
        yield bar


def print_breaches(verdicts: list[GateVerdict], month: str, warn_only: bool, worklists: dict[str, Path]) -> None:
    """`mdq gate`: each failing check on a line, then one summary line."""
    failing = [v for v in verdicts if not v.passed]
    for v in failing:
        label = "BREACH" if v.breach else "WARN"
        worklist = worklists.get(v.org_code)
        where = f"; worklist {worklist}" if worklist and v.completeness == "complete" else ""
        text = escape(f"{month} {v.describe()}{where}")
        console.print(f"{_styled(label, 'fail' if v.breach else 'warn')} {text}", soft_wrap=True)
    passed = len(verdicts) - len(failing)
    head = f"gate {month}: {passed} of {len(verdicts)} Trust x measure checks pass"
    breaches = sum(v.breach for v in verdicts)
    if warn_only and failing:
        tail = f"; {len(failing)} below threshold, reported as warnings only (--warn-only): exit 0"
    elif breaches:
        tail = f"; {breaches} breach{'es' if breaches != 1 else ''}: the gate fails"
    elif failing:
        tail = f"; {len(failing)} warning{'s' if len(failing) != 1 else ''}, no breach"
    else:
        tail = "; no breach"
    console.print(head + tail, soft_wrap=True)
