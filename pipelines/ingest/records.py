"""Splits an extract's text into physical lines, and the lines into records.

Conservation is counted against physical lines, not only against what a CSV parser calls a
record. Given a whole file, Python's csv module reads an unclosed quote as one field running
to the next quote or the end of the file: every line in between silently becomes part of one
field, and a per-record count still balances. Here every record knows the lines it spans, and a
record may span more than one line only when

* each line break falls inside a quoted field of a column the layout lets span lines
  (``max_lines`` in schemas/layouts.yaml; without it a field stays on its line),
* within that many lines,
* the quote closes before the end of the file, and
* no line it would swallow is a whole record of the header's width on its own.

Anything else is a broken line: reported on its own with the reason (the caller quarantines
it), and reading starts again on the next line, so the rest of the file still loads.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

# What the csv module (and so every reader here) takes for a line end.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_BREAK = re.compile(r"[\r\n]")
# str.splitlines also ends lines at these, which the csv module reads as ordinary characters.
_OTHER_LINE_ENDS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def physical_lines(text: str) -> list[str]:
    """The text's lines, each with its line end (the last may have none)."""
    if any(char in text for char in _OTHER_LINE_ENDS):
        return _LINE.findall(text)
    return text.splitlines(keepends=True)  # the same lines, four times faster


@dataclass(slots=True)
class Record:
    line: int  # physical line it starts on, from 1
    lines: int  # physical lines it spans
    fields: list[str]


@dataclass(frozen=True)
class BrokenLine:
    line: int
    column: str | None
    reason: str


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    quoted: bool  # RFC 4180 quoting; False: a quote is an ordinary character

    def reader(self, lines: Iterable[str]) -> Iterator[list[str]]:
        quoting = csv.QUOTE_MINIMAL if self.quoted else csv.QUOTE_NONE
        return csv.reader(lines, delimiter=self.delimiter, quoting=quoting)


def split_records(
    lines: Sequence[str],
    start: int,
    dialect: Dialect,
    header: Sequence[str] = (),
    max_lines: dict[int, int] | None = None,
) -> Iterator[Record | BrokenLine]:
    """Records (and broken lines) from ``lines[start:]``, in order, covering every line once.

    ``max_lines`` maps a field's position to how many lines it may span (absent: one); ``header``
    names positions in reasons and gives the width of a whole record.
    """
    max_lines = max_lines or {}
    position = start
    while position < len(lines):
        reader = dialect.reader(map(lines.__getitem__, range(position, len(lines))))
        consumed = 0
        try:
            for fields in reader:
                span = reader.line_num - consumed
                consumed = reader.line_num
                broken = None
                # A field can hold a line break only if the record runs on, or at the file's end.
                if span > 1 or position + span == len(lines):
                    broken = _span_problem(fields, lines, position, span, dialect, header, max_lines)
                if broken:
                    yield BrokenLine(position + 1, *broken)
                    position += 1
                    break  # read again from the next line
                yield Record(position + 1, span, fields)
                position += span
            else:
                return
        except csv.Error as exc:
            yield BrokenLine(position + 1, None, f"cannot parse: {exc}")
            position += 1


def _span_problem(
    fields: list[str],
    lines: Sequence[str],
    position: int,
    span: int,
    dialect: Dialect,
    header: Sequence[str],
    max_lines: dict[int, int],
) -> tuple[str | None, str] | None:
    """(column, reason) when a record's line breaks are not ones the layout allows; else None."""
    spanning = [index for index, value in enumerate(fields) if _BREAK.search(value)]
    if not spanning:
        return None
    index = spanning[0]
    column = header[index] if index < len(header) else f"field {index + 1}"
    if _open_at_end("".join(lines[position : position + span]), dialect.delimiter):
        return column, f"a quoted field in {column} opens on this line and does not close before the end of the file"
    for index in spanning:
        allowed = max_lines.get(index, 1)
        column = header[index] if index < len(header) else f"field {index + 1}"
        if allowed <= 1:
            return column, f"a quoted field in {column} does not close on its line ({column} may not span lines)"
        if span > allowed:
            return column, f"a quoted field in {column} does not close within {allowed} lines"
    for offset in range(1, span):
        alone = next(dialect.reader([lines[position + offset]]), [])
        if len(alone) == len(header) and not any(_BREAK.search(value) for value in alone):
            return column, (
                f"a quoted field in {column} does not close before line {position + offset + 1}, "
                "which is a whole record of its own"
            )
    return None


def _open_at_end(text: str, delimiter: str) -> bool:
    """Whether the text ends inside a quoted field, read as the csv module reads it (not strict)."""
    quoted = after_quote = False
    field_start = True
    for char in text:
        if quoted:
            if after_quote:
                after_quote = False
                if char == '"':
                    continue  # a doubled quote
                quoted = False  # the quote closed the field; this character follows it
            elif char == '"':
                after_quote = True
                continue
            else:
                continue
        if char == delimiter or char in "\r\n":
            field_start = True
        elif char == '"' and field_start:
            quoted, field_start = True, False
        else:
            field_start = False
    return quoted and not after_quote
