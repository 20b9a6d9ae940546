"""Reads a month's extracts on Spark: Spark's CSV reader for the rows, the reference reader for faults.

Spark's CSV reader (an explicit file list, an explicit schema of one text column per header
field, each layout's encoding and delimiter) reads every file whose physical lines are each one
whole record: then a record's line number is its ordinal in the file, which Spark can count.
Spark's reader cannot say on which line a structural fault is, nor keep a quote to the one column
allowed to span lines (BadgerNet's Notes), nor refuse undecodable bytes (it puts U+FFFD in their
place). So the driver first judges each file's structure from the bytes it reads for the checksum
anyway (pipelines/ingest/read_extract.py: the encoding, the header; a regular expression per line
for "one whole record", another for a line whose fields are the header's), and a file that is
not regular (a quote spanning lines, ragged or blank lines, a repeated header, no final line end,
a line as long as the csv module's field limit) is read by the reference reader on the driver,
its rows handed to Spark. Either way a file's rows, line numbers and problems are those the DuckDB
engine's reading gives (tests/engines/test_spark_read.py, test_spark_hostile.py).

Spark reads a file lazily, and again whenever it recomputes a frame, so it never reads the
landing folder: the bytes the driver checksummed and judged are written once to a folder of the
load's own in the warehouse (spark_staging.py), and Spark reads that copy, which nothing else
writes; the folder goes when the load ends. The month loads the bytes its checksums name; a
file overwritten in the landing folder after they were read is the next run's to load.
"""

from __future__ import annotations

import codecs
import csv
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.core.config import Layout, Layouts
from pipelines.ingest.landing import Extract, read_landed
from pipelines.ingest.read_extract import (
    LINE_COLUMN,
    PY_WHITESPACE,
    UnreadableExtract,
    decode,
    map_header,
    parse_extract,
)
from pipelines.ingest.read_month import READ_THREADS, FileResult

SOURCE = "_source"  # the file's position in the month's list of a layout's files
_FILE, _BLOCK = "_file", "_block"


@dataclass
class SparkFile:
    """A file Spark reads: its staged copy, its header's field positions and its physical line count."""

    result: FileResult
    header: tuple[str, ...]
    mapping: dict[str, int]
    lines: int  # physical lines, the header's included
    staged: Path  # the checksummed bytes, which Spark reads


def _spark_encoding(layout: Layout) -> str:
    name = codecs.lookup(layout.encoding).name
    return {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp1252": "windows-1252"}.get(name, name)


def _record_pattern(layout: Layout, width: int) -> str:
    """One whole record on one line: ``width`` fields, quoted ones closing on the line.

    Quoted layouts: a field is unquoted without any quote, or quoted with its inner quotes
    doubled (the RFC 4180 cases Python's csv module and Spark's reader read alike). Anything
    else is for the reference reader."""
    d = re.escape(layout.delimiter)
    field = f"[^{d}\r\n]*" if layout.quoting == "none" else f'(?:[^"{d}\r\n]*|"(?:[^"\r\n]|"")*")'
    return f"^{field}(?:{d}{field}){{{width - 1}}}\r?$"


def _literal(text: str) -> str:
    """``text`` as a pattern of the regex polars runs (Rust's), every character but letters and
    digits written by its code point."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\x{{{ord(c):X}}}" for c in text)


def _header_pattern(layout: Layout, header: list[str]) -> str:
    """A line whose fields are ``header``'s, which the reference reader calls a repeated header
    whatever the quoting: in a quoted layout each field may be written bare (if it holds no quote,
    delimiter or line end) or quoted, its quotes doubled."""
    forms = []
    for name in header:
        quoted = _literal('"' + name.replace('"', '""') + '"')
        if layout.quoting == "none":
            forms.append(_literal(name))
        elif any(c in name for c in ('"', layout.delimiter, "\r", "\n")):
            forms.append(quoted)
        else:
            forms.append(f"(?:{_literal(name)}|{quoted})")
    return "^" + _literal(layout.delimiter).join(forms) + "\r?$"


def _regular(text: str, layout: Layout, file_name: str) -> tuple[list[str], int] | None:
    """(header fields, physical lines) when every line is one whole record and none repeats the
    header; else None."""
    if not text.endswith("\n") or text.count("\r") != text.count("\r\n"):
        return None
    lines = text[:-1].split("\n")
    header_line = lines[0].removesuffix("\r")
    quoting = csv.QUOTE_NONE if layout.quoting == "none" else csv.QUOTE_MINIMAL
    header = next(csv.reader([header_line], delimiter=layout.delimiter, quoting=quoting), [])
    if len(lines) < 2 or len(header) < 2:
        return None
    body = pl.Series(lines[1:], dtype=pl.String)
    if (
        not body.str.contains(_record_pattern(layout, len(header))).all()
        or body.str.contains(_header_pattern(layout, header)).any()
        # A field this long makes the reference reader call the file unreadable: it says so.
        or max(len(header_line), body.str.len_chars().max() or 0) >= csv.field_size_limit()
    ):
        return None
    return header, len(lines)


# Hadoop's paths cannot hold a colon (it reads as a URI scheme): were the warehouse's path to hold
# one, its files are read on the driver; glob characters are escaped (_spark_path) and every path
# is matched back to its file decoded (read_layout).
_NOT_FOR_HADOOP = ":"


def _spark_path(path: Path) -> str:
    """The path as Spark's reader must be given it: Hadoop globs ``{}[]*?\\``, so they are escaped."""
    return re.sub(r"([{}\[\]*?\\])", r"\\\1", str(path))


def prescan(extract: Extract, layouts: Layouts, staged: Path) -> FileResult | SparkFile:
    """The file judged on the driver: unreadable, read by the reference reader, or left to Spark,
    which reads the bytes judged and checksummed, written to ``staged``."""
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
        text, warnings = decode(data, layout, extract.file_name)
        regular = _regular(text, layout, extract.file_name)
        if regular is not None and _NOT_FOR_HADOOP not in str(staged.resolve()):
            header, lines = regular
            mapping, header_warnings = map_header(header, layout, extract.file_name)
            result.warnings = warnings + header_warnings
            result.rows_read = result.lines_read = lines - 1
            staged.write_bytes(data)
            return SparkFile(result, tuple(header), mapping, lines, staged)
        parsed = parse_extract(data, layout, extract.file_name)
    except UnreadableExtract as exc:
        result.status, result.error = "unreadable", exc
        return result
    result.rows_read, result.warnings = parsed.rows_read, parsed.warnings
    result.lines_read, result.spans = parsed.lines_read, parsed.spans
    result.frame, result.problems = parsed.frame, parsed.problems
    return result


def prescan_all(extracts: list[Extract], layouts: Layouts, staging: Path) -> list[FileResult | SparkFile]:
    """Each file judged; those Spark reads copied into ``staging``, a folder of this read's own, so no
    frame of an earlier read (Spark's cache matches plans by their files) stands for these bytes."""
    folder = staging / uuid.uuid4().hex
    folder.mkdir()
    # Named by position: no glob, colon or compression suffix for Hadoop to read into the name.
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        return list(pool.map(lambda i: prescan(extracts[i], layouts, folder / f"{i:05d}.csv"), range(len(extracts))))


def _strip(column: str) -> str:
    """Python's ``value.strip() or None`` (the reference reader's) as Spark SQL."""
    space = "".join(f"\\u{ord(c):04x}" for c in PY_WHITESPACE)
    return f"nullif(regexp_replace(`{column}`, '^[{space}]+|[{space}]+$', ''), '')"


def _file_path():
    """Each row's file as a local path: Spark names it by a URI whose percent-encoding is Hadoop's
    (a space, ``#``, ``%`` and brackets encoded; ``+``, ``(``, ``é`` not), never Python's
    ``as_uri()``'s, so the URI is decoded rather than compared (a ``+`` kept, not read as a space)."""
    from pyspark.sql import functions as F

    decoded = F.url_decode(F.regexp_replace(F.input_file_name(), r"\+", "%2B"))
    return F.regexp_replace(decoded, "^file:/+", "/")


def read_layout(spark, layout: Layout, files: list[FileResult | SparkFile]):
    """All the month's rows of one layout as one Spark frame: ``_source`` (index in ``files``),
    ``_line`` and one text column per layout column (NULL where a file lacks it)."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    parts = []
    groups: dict[tuple[str, ...], list[tuple[int, SparkFile]]] = {}
    for index, item in enumerate(files):
        if isinstance(item, SparkFile):
            groups.setdefault(item.header, []).append((index, item))
    for header, members in groups.items():
        width = len(header)
        schema = ", ".join(f"_c{i} STRING" for i in range(width))
        paths = [_spark_path(item.staged.resolve()) for _, item in members]
        frame = spark.read.csv(
            paths,
            schema=schema,
            sep=layout.delimiter,
            quote='"' if layout.quoting != "none" else "\u0000",
            escape='"' if layout.quoting != "none" else "\\",
            header=False,
            encoding=_spark_encoding(layout),
            multiLine=False,
            mode="FAILFAST",
            ignoreLeadingWhiteSpace=False,
            ignoreTrailingWhiteSpace=False,
        )
        index_of = {str(item.staged.resolve()): i for i, item in members}
        sources = spark.createDataFrame(list(index_of.items()), f"{_FILE} STRING, {SOURCE} INT")
        # A file split across tasks is read split by split, each in order: ordered by the split's
        # offset in the file, then by the id (increasing within a task), the ordinal is the line,
        # however Spark packs the splits into tasks (checked against the file's count of lines:
        # spark_standardise._check_lines).
        ordered = Window.partitionBy(_FILE).orderBy(_BLOCK, F.monotonically_increasing_id())
        frame = (
            frame.withColumn(_FILE, _file_path())
            .withColumn(_BLOCK, F.input_file_block_start())
            .withColumn(LINE_COLUMN, F.row_number().over(ordered).cast("bigint"))
            .join(F.broadcast(sources), _FILE)
            .where(F.col(LINE_COLUMN) > 1)  # line 1 is the header
        )
        mapping = members[0][1].mapping
        columns = [
            F.expr(_strip(f"_c{mapping[c.name]}")).alias(c.name)
            if c.name in mapping
            else F.lit(None).cast("string").alias(c.name)
            for c in layout.columns
        ]
        parts.append(frame.select(F.col(SOURCE), F.col(LINE_COLUMN), *columns))
    driver = [
        item.frame.with_columns(pl.lit(index, dtype=pl.Int32).alias(SOURCE))
        for index, item in enumerate(files)
        if isinstance(item, FileResult) and item.status == "loaded" and item.frame is not None
    ]
    if driver:
        combined = pl.concat(
            [
                f.with_columns(
                    pl.lit(None, dtype=pl.String).alias(c.name) for c in layout.columns if c.name not in f.columns
                ).select(SOURCE, LINE_COLUMN, *(c.name for c in layout.columns))
                for f in driver
            ]
        )
        parts.append(spark.createDataFrame(combined.to_arrow()))
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out = out.unionByName(part)
    return out
