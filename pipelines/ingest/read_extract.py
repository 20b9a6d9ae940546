"""Turns one extract file into a frame of raw text values, one row per record, keyed by line number.

Only structure is judged here (encoding, header, field counts). Whether values make sense is the
pandera contract's job (schemas/raw.py). A file that cannot be read at all raises
UnreadableExtract naming the file, line and reason; a record with the wrong number of fields is
returned as a row problem so the caller can quarantine it.

Records are split from physical lines (records.py): an unclosed quote costs its own line, not the
rest of the file, and every physical line after the header starts or continues exactly one record.
A file should end with a line end, as the layouts do: a last record short of fields is a cut
file; a whole last record without one loads with a warning on the submission.

The csv module path (_read_exact) is the reference. Unquoted files in which every line is one
record of the header's width are split in polars instead (_read_fast), for the same result faster.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

from pipelines.core.config import Layout
from pipelines.ingest.records import BrokenLine, Dialect, Record, physical_lines, split_records

# A single field longer than the csv module's default (128 KiB) is still a row to quarantine,
# not a reason to abandon the whole file.
csv.field_size_limit(16 * 1024 * 1024)

LINE_COLUMN = "_line"


class UnreadableExtract(Exception):
    """The file as a whole cannot be used: the month is incomplete for its Trust."""

    def __init__(self, file_name: str, reason: str, line: int | None = None, column: str | None = None):
        self.file_name, self.reason, self.line, self.column = file_name, reason, line, column
        where = f"{file_name}" + (f", line {line}" if line else "") + (f", column {column}" if column else "")
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str | None
    value: str | None
    reason: str


@dataclass
class ParsedExtract:
    frame: pl.DataFrame  # one text column per layout column present + _line
    rows_read: int
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines_read: int = 0  # physical lines after the header; each starts or continues one record
    spans: dict[int, int] = field(default_factory=dict)  # first line -> lines, for records over one line

    @property
    def continuation_lines(self) -> int:
        """Lines that continue a record begun on an earlier line (a field the layout lets span lines)."""
        return sum(n - 1 for n in self.spans.values())


def normalise_header(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufeff", "").strip()).casefold()


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, layout: Layout, file_name: str) -> tuple[str, list[str]]:
    warnings: list[str] = []
    if not data.strip():
        raise UnreadableExtract(file_name, "empty file")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UnreadableExtract(file_name, "binary content (NUL byte)", line=_line_of_offset(data, nul))
    bom = data.startswith(codecs.BOM_UTF8)
    utf8 = codecs.lookup(layout.encoding).name in ("utf-8", "utf-8-sig")
    if not utf8 and bom:
        raise UnreadableExtract(
            file_name, f"UTF-8 byte-order mark, but the {layout.key} layout is {layout.encoding}", line=1
        )
    if not utf8 and not data.isascii():
        # Windows-1252 decodes almost any bytes, so a UTF-8 export would load as mojibake:
        # valid multi-byte UTF-8 is the tell that the Trust sent the wrong encoding.
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise UnreadableExtract(
                file_name, f"wrong encoding: the file is UTF-8, the {layout.key} layout is {layout.encoding}"
            )
    try:
        text = data.decode(layout.encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableExtract(
            file_name,
            f"wrong encoding: byte 0x{data[exc.start]:02x} is not valid {layout.encoding}",
            line=_line_of_offset(data, exc.start),
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if layout.encoding == "utf-8-sig" and not bom:
        warnings.append("no UTF-8 byte-order mark (accepted)")
    return text, warnings


def map_header(header: list[str], layout: Layout, file_name: str) -> tuple[dict[str, int], list[str]]:
    """Layout column name -> field index, matching headers whatever their case, spacing or order."""
    position: dict[str, int] = {}
    for index, name in enumerate(header):
        position.setdefault(normalise_header(name), index)
    mapping, warnings, missing_required = {}, [], []
    for column in layout.columns:
        index = position.get(normalise_header(column.header))
        if index is not None:
            mapping[column.name] = index
        elif column.required:
            missing_required.append(column.header)
        else:
            warnings.append(f"column '{column.header}' missing: loaded as blank")
    if missing_required:
        raise UnreadableExtract(
            file_name,
            f"not the {layout.key} layout: header lacks {', '.join(missing_required)}",
            line=1,
            column=", ".join(missing_required),
        )
    known = {normalise_header(c.header) for c in layout.columns}
    extra = [h for h in header if normalise_header(h) not in known]
    if extra:
        warnings.append(f"extra columns ignored: {', '.join(extra)}")
    if len(position) < len(header):
        warnings.append("duplicated column names in header: the first of each is used")
    return mapping, warnings


def read_extract(path: Path, layout: Layout) -> ParsedExtract:
    file_name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableExtract(file_name, f"cannot open: {exc.strerror}") from None
    return parse_extract(data, layout, file_name)


def parse_extract(data: bytes, layout: Layout, file_name: str) -> ParsedExtract:
    """The file's bytes as rows, by the fast path when it provably reads them alike."""
    text, warnings = decode(data, layout, file_name)
    parsed = _read_fast(text, layout, file_name, warnings)
    return parsed if parsed is not None else _read_exact(text, layout, file_name, warnings)


def _read_exact(text: str, layout: Layout, file_name: str, warnings: list[str]) -> ParsedExtract:
    """The reference reading: every structural fault gets its exact line and reason."""
    lines = physical_lines(text)
    dialect = Dialect(layout.delimiter, quoted=layout.quoting != "none")
    header_record = None
    for item in split_records(lines, 0, dialect):
        if isinstance(item, BrokenLine):
            raise UnreadableExtract(file_name, f"header: {item.reason}", line=item.line)
        if item.fields:  # blank lines before the header are no data
            header_record = item
            break
    if header_record is None:
        raise UnreadableExtract(file_name, "empty file")
    header = header_record.fields
    mapping, header_warnings = map_header(header, layout, file_name)
    warnings += header_warnings
    first = header_record.line - 1 + header_record.lines  # index of the first line after the header
    if not any(line.strip("\r\n") for line in lines[first:]):
        raise UnreadableExtract(file_name, "header only: no data rows")
    spanning = {mapping[c.name]: c.max_lines for c in layout.columns if c.name in mapping and c.max_lines > 1}
    items = list(split_records(lines, first, dialect, header, spanning))
    width = len(header)
    if not text.endswith(("\n", "\r")):
        # The layouts end every line, the last included. A last record short of fields was cut
        # short. A whole one may still have been cut inside its last field, where no field count
        # can tell, but many exports simply omit the final line end: it loads, and the submission
        # says why it should be looked at.
        last = items[-1]
        if not isinstance(last, Record) or len(last.fields) < width:
            found = f"{len(last.fields)} of {width} fields" if isinstance(last, Record) else "a broken record"
            raise UnreadableExtract(file_name, f"truncated: last record has {found} and no line end", line=last.line)
        warnings.append(
            f"line {last.line}: the file does not end with a line end; check that its last line "
            "was not cut inside its last field"
        )
    return _to_frame(items, header, mapping, len(lines) - first, warnings)


def _to_frame(items, header, mapping, lines_read, warnings) -> ParsedExtract:
    width = len(header)
    columns: dict[str, list[str | None]] = {name: [] for name in mapping}
    lines: list[int] = []
    problems: list[RowProblem] = []
    spans: dict[int, int] = {}
    for item in items:
        if isinstance(item, BrokenLine):
            problems.append(RowProblem(item.line, item.column, None, item.reason))
            continue
        line, fields = item.line, item.fields
        if item.lines > 1:
            spans[line] = item.lines
        if not fields:
            problems.append(RowProblem(line, None, None, "blank line"))
            continue
        if len(fields) != width:
            problems.append(RowProblem(line, None, None, f"expected {width} fields, found {len(fields)}"))
            continue
        if fields == header:
            problems.append(RowProblem(line, None, None, "repeated header line"))
            continue
        lines.append(line)
        for name, index in mapping.items():
            value = fields[index].strip()
            columns[name].append(value or None)
    frame = pl.DataFrame(
        {
            LINE_COLUMN: pl.Series(lines, dtype=pl.Int64),
            **{k: pl.Series(v, dtype=pl.String) for k, v in columns.items()},
        }
    )
    return ParsedExtract(
        frame=frame, rows_read=len(items), problems=problems, warnings=warnings, lines_read=lines_read, spans=spans
    )


# What Python's str.strip() removes (c.isspace()). Polars' strip_chars() without arguments
# removes the same but for \x1c-\x1f (Unicode White_Space), and is faster; the tests check both.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
ONLY_PY_WHITESPACE = "\x1c\x1d\x1e\x1f"


@lru_cache(maxsize=64)
def _split_columns(separator: str, width: int, mapping: tuple[tuple[str, int], ...], whitespace: str | None):
    """The two selects that turn a column `l` of lines into the frame, plus `_whole`: whether a
    line holds exactly `width` fields. Cached: building expressions costs as much as running them
    on a file, and so would one select repeating the split in every column."""
    # width + 1 parts: the last is null unless the line has too many fields, the one before it
    # is null if it has too few. A CRLF line's CR ends up in its last field, stripped as whitespace.
    split = pl.col("l").str.split_exact(separator, width).struct.unnest()
    fields = [
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(LINE_COLUMN),
        # `fields[index].strip() or None`
        *(pl.col(f"field_{i}").str.strip_chars(whitespace).replace("", None).alias(name) for name, i in mapping),
        (pl.col(f"field_{width - 1}").is_not_null() & pl.col(f"field_{width}").is_null()).alias("_whole"),
    ]
    return split, fields


def _read_fast(text: str, layout: Layout, file_name: str, warnings: list[str]) -> ParsedExtract | None:
    """The same result as _read_exact, split in polars, or None unless that is provably so.

    Taken only for text without quoting in which every line is one record of the header's width:
    then a record's fields are what lies between its line's separators, and the record on line n
    is row n - 2. Anything else (quotes, ragged rows, blank lines, repeated headers...) is left to
    _read_exact. Each polars query costs a fixed ~0.3 ms, what the csv module takes for about a
    hundred lines: hence two small queries a file and not polars' CSV reader (~1 ms a call), and
    no fast path for quoted text (reading its quoted lines apart cost more than it saved).
    """
    if (
        (layout.quoting != "none" and '"' in text)
        # No field of this text can reach the csv module's limit, which makes a file unreadable.
        or len(text) >= csv.field_size_limit()
        # A lone CR ends a line for the csv module.
        or ("\r" in text and text.count("\r") != text.count("\r\n"))
        # No line end after the last line: the exact path says why the file is unreadable.
        or not text.endswith("\n")
    ):
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # after the final line end
    if len(lines) < 2:
        return None
    header_line = lines[0].removesuffix("\r")
    header = header_line.split(layout.delimiter)
    # Width 1 would take a blank line (which the csv module skips) for a record. A line read as
    # the header is the header line, so one occurrence of its text rules repeated headers out.
    if len(header) < 2 or text.count(header_line) > 1:
        return None
    mapping, header_warnings = map_header(header, layout, file_name)
    whitespace = PY_WHITESPACE if any(c in text for c in ONLY_PY_WHITESPACE) else None
    split, fields = _split_columns(layout.delimiter, len(header), tuple(mapping.items()), whitespace)
    body = pl.DataFrame({"l": lines[1:]}, schema={"l": pl.String})
    frame = body.select(split).select(fields)
    if not frame.drop_in_place("_whole").all():
        return None
    warnings += header_warnings
    return ParsedExtract(frame=frame, rows_read=frame.height, warnings=warnings, lines_read=frame.height)
