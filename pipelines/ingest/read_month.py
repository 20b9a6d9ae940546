"""Reads every extract of one month into pseudonymised frames and quarantine problems (no warehouse).

For each file: structure (read_extract); then, for all files of a layout at once, the raw
pandera contract -> placement in the month -> pseudonymisation. Cerner's events file is then
checked against its pregnancy file. Nothing here writes anything, so a failure part-way leaves
the warehouse untouched.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.core.config import Layout, Layouts
from pipelines.ingest.contract import SOURCE_COLUMN, validate_batch
from pipelines.ingest.landing import Extract, choose_current, discover, landed_checksum, read_landed
from pipelines.ingest.placement import event_times, place_in_month
from pipelines.ingest.pseudonymise import pseudonymise
from pipelines.ingest.quarantine_values import for_quarantine
from pipelines.ingest.read_extract import LINE_COLUMN, RowProblem, UnreadableExtract, parse_extract
from pipelines.ingest.routing import route
from schemas.raw import RAW_CONTRACTS

READ_THREADS = 2  # the reference machine's cores; more threads only add contention there


@dataclass
class FileResult:
    extract: Extract
    checksum: str
    status: str  # loaded | unreadable | superseded
    rows_read: int | None = None
    lines_read: int | None = None  # physical lines after the header
    spans: dict[int, int] = field(default_factory=dict)  # first line -> lines, records over one line
    frame: pl.DataFrame | None = None  # rows to load, identifiers replaced by keys
    problems: list[RowProblem] = field(default_factory=list)
    error: UnreadableExtract | None = None
    warnings: list[str] = field(default_factory=list)
    # A parallel-run extract (routing.py): loaded to the parallel_* tables, never to bookings.
    parallel: bool = False

    @property
    def stored_role(self) -> str:
        """The submission's role: the layout's, prefixed `parallel_` for a parallel-run extract."""
        return ("parallel_" if self.parallel else "") + self.extract.layout.role

    @property
    def continuation_lines(self) -> int | None:
        return None if self.lines_read is None else sum(n - 1 for n in self.spans.values())

    @property
    def rows_loaded(self) -> int:
        return 0 if self.frame is None else self.frame.height

    @property
    def submission_id(self) -> str:
        import hashlib

        return hashlib.sha256(f"{self.extract.file_name}|{self.checksum}".encode()).hexdigest()[:16]


@dataclass
class PreparedMonth:
    month: str
    files: list[FileResult]
    orgs: set[str] | None  # None: every Trust of the month is (re)loaded

    @property
    def inputs(self) -> dict[str, str]:
        """What was read: file name -> checksum of the bytes parsed (as landing_inputs gives it)."""
        return {f.extract.file_name: f.checksum for f in self.files}


def standardise_batch(
    frames: list[pl.DataFrame],
    layout: Layout,
    months: list[str],
    orgs: list[str],
    key: bytes,
    today: date,
    known: dict[str, str] | None = None,
) -> list[tuple[pl.DataFrame, list[RowProblem]]]:
    """Contract, placement and pseudonyms for files of one layout (frames[i] is for months[i], orgs[i]).

    The files go through each step together, as one frame: polars and pandera cost mostly per
    call, and a national month has ~160 files. Returns (rows, problems) per file, in order.
    """
    rows, problems = validate_batch(frames, RAW_CONTRACTS[layout.key], layout)
    source = pl.col(SOURCE_COLUMN)
    if layout.role != "clinical_events":
        month = source.replace_strict(list(range(len(months))), months, return_dtype=pl.String)
        rows, misplaced = place_in_month(rows, layout, month, today, file=SOURCE_COLUMN)
        for index, line, column, value, reason in misplaced.iter_rows():
            problems[index].append(RowProblem(line, column, value, reason))
    else:
        rows = event_times(rows, layout)
    org = source.replace_strict(list(range(len(orgs))), orgs, return_dtype=pl.String)
    rows = pseudonymise(rows, layout, org, key, known)
    by_source = rows.partition_by(SOURCE_COLUMN, as_dict=True, include_key=False)
    empty = rows.clear().drop(SOURCE_COLUMN)
    return [(by_source.get((i,), empty), problems[i]) for i in range(len(frames))]


def empty_frame(layout: Layout, key: bytes) -> pl.DataFrame:
    """A zero-row frame with exactly the columns a standardised file of this layout has."""
    blank = pl.DataFrame(
        {LINE_COLUMN: pl.Series([], dtype=pl.Int64), **{c.name: pl.Series([], dtype=pl.String) for c in layout.columns}}
    )
    [(rows, _)] = standardise_batch([blank], layout, ["1900-01"], ["XXX"], key, date.max)
    return rows


def read_file(extract: Extract, layouts: Layouts, key: bytes, today: date) -> FileResult:
    # Read once, inside the guard: a file that cannot be opened is unreadable, not a failed month.
    data, digest, problem = read_landed(extract)
    result = FileResult(extract=extract, checksum=digest, status="loaded")
    layout = extract.layout
    if data is None:
        result.status, result.error = "unreadable", UnreadableExtract(extract.file_name, problem)
        return result
    if layouts.providers and extract.org_code not in layouts.providers:
        result.status, result.error = (
            "unreadable",
            UnreadableExtract(
                extract.file_name,
                f"unknown provider ODS code {extract.org_code} (not in schemas/layouts.yaml providers)",
            ),
        )
        return result
    try:
        parsed = parse_extract(data, layout, extract.file_name)
    except UnreadableExtract as exc:
        result.status, result.error = "unreadable", exc
        return result
    # The raw text rows: contract, placement and pseudonyms follow in _standardise_all.
    result.rows_read, result.warnings = parsed.rows_read, parsed.warnings
    result.lines_read, result.spans = parsed.lines_read, parsed.spans
    result.frame, result.problems = parsed.frame, parsed.problems
    return result


def read_files(extracts: list[Extract], layouts: Layouts, key: bytes, today: date) -> list[FileResult]:
    """read_file for each extract, in order, two at a time.

    Files are independent and most of reading one is native code that releases the GIL (file
    I/O, checksums, polars' CSV reader), so a second thread puts the second core to work.
    """
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        return list(pool.map(lambda extract: read_file(extract, layouts, key, today), extracts))


def _standardise_all(files: list[FileResult], layouts: Layouts, key: bytes, today: date) -> None:
    """Contract, placement and pseudonyms for the month's readable files, one batch per layout."""
    known: dict[str, str] = {}  # the month's keys by message, shared by its layouts
    for layout in layouts.layouts:
        batch = [f for f in files if f.status == "loaded" and f.extract.layout.key == layout.key]
        if not batch:
            continue
        results = standardise_batch(
            [f.frame for f in batch],
            layout,
            [f.extract.month for f in batch],
            [f.extract.org_code for f in batch],
            key,
            today,
            known,
        )
        for f, (rows, problems) in zip(batch, results, strict=True):
            f.frame, f.problems = rows, f.problems + problems


def _pair_cerner(files: list[FileResult]) -> None:
    """Events count only against a loaded pregnancy of the same Trust and month."""
    pregnancies = {
        (f.extract.org_code, f.extract.month): f
        for f in files
        if f.extract.layout.role == "pregnancy" and f.status == "loaded"
    }
    for events in (f for f in files if f.extract.layout.role == "clinical_events" and f.status == "loaded"):
        partner = pregnancies.get((events.extract.org_code, events.extract.month))
        known = partner.frame.get_column("pregnancy_key") if partner is not None else pl.Series([], dtype=pl.String)
        orphan = events.frame.filter(~pl.col("pregnancy_key").is_in(known.implode()))
        reason = (
            "PREGNANCY_ID has no loaded row in the month's pregnancy file"
            if partner is not None
            else "no readable pregnancy file for this Trust and month"
        )
        header = events.extract.layout.column("pregnancy_id").header
        events.problems += [RowProblem(line, header, None, reason) for line in orphan.get_column(LINE_COLUMN)]
        events.frame = events.frame.filter(pl.col("pregnancy_key").is_in(known.implode()))
    for pregnancy in pregnancies.values():
        has_events = any(
            f.extract.layout.role == "clinical_events"
            and f.status == "loaded"
            and f.extract.org_code == pregnancy.extract.org_code
            for f in files
        )
        if not has_events:
            pregnancy.warnings.append("no readable clinical events file: booking measurements not recorded")


def _month_extracts(month: str, landing: Path, layouts: Layouts, orgs: set[str] | None) -> list[Extract]:
    return [e for e in discover(landing, layouts, {month}) if orgs is None or e.org_code in orgs]


def landing_inputs(month: str, landing: Path, layouts: Layouts, orgs: set[str] | None = None) -> dict[str, str]:
    """The month's files now in the landing folder: name -> checksum (PreparedMonth.inputs)."""
    return {e.file_name: landed_checksum(e) for e in _month_extracts(month, landing, layouts, orgs)}


def read_month(
    month: str, landing: Path, layouts: Layouts, key: bytes, today: date, orgs: set[str] | None = None
) -> PreparedMonth:
    choice = choose_current(_month_extracts(month, landing, layouts, orgs), layouts)
    files = read_files(choice.current, layouts, key, today)
    _standardise_all(files, layouts, key, today)
    for tie in choice.ties:
        next(f for f in files if f.extract is tie.chosen).warnings.append(tie.describe())
    files += [FileResult(extract=e, checksum=landed_checksum(e), status="superseded") for e in choice.superseded]
    route(files, layouts, month)
    _pair_cerner(files)
    _withhold_identifiers(files, layouts)
    return PreparedMonth(month=month, files=files, orgs=orgs)


def _withhold_identifiers(files: list[FileResult], layouts: Layouts) -> None:
    for f in files:
        f.problems = for_quarantine(f.problems, f.extract.layout, f.extract.month, layouts)


def read_one(extract: Extract, layouts: Layouts, key: bytes, today: date) -> FileResult:
    """A single file read and standardised as read_month would (Cerner pairing aside)."""
    result = read_file(extract, layouts, key, today)
    _standardise_all([result], layouts, key, today)
    _withhold_identifiers([result], layouts)
    return result
