"""read_extract on random files: whichever path reads a file, the public result is the exact path's."""

from __future__ import annotations

import sys

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.read_extract import UnreadableExtract, read_extract
from tests.conftest import examples
from tests.ingest.read_extract_helpers import (
    BADGER,
    EVENTS,
    K2,
    PREG,
    _exact_from_file,
    _outcome,
    _public,
    _write,
    rx,
)


def test_whitespace_constants_match_python_and_polars():
    """PY_WHITESPACE is str.strip()'s set; polars' default strip differs from it only by
    ONLY_PY_WHITESPACE, which is why the fast path strips with PY_WHITESPACE when one occurs."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    assert "".join(c for c in chars if c.isspace()) == rx.PY_WHITESPACE
    padded = pl.Series([c + "x" + c for c in chars])
    python = [s.strip() for s in padded.to_list()]
    default = padded.str.strip_chars().to_list()
    assert [c for c, p, d in zip(chars, python, default, strict=True) if p != d] == list(rx.ONLY_PY_WHITESPACE)
    assert padded.str.strip_chars(rx.PY_WHITESPACE).to_list() == python


# -------------------------------------------------------------- random files: the same results

SAFE_CHARS = ["a", "B", "7", " ", "\t", "\x1c", "\xa0", "é", "€", "\u3000", "\u2028", "x^"]


def _encodable(layout, chars: list[str]) -> list[str]:
    return [c for c in chars if c.encode(layout.encoding, errors="ignore").decode(layout.encoding) == c]


@st.composite
def extract_files(draw, clean: bool = False):
    """(layout, file bytes): a small file of the layout's columns with random values, quoting and
    line ends. clean=True: only unquoted files holding one record of the header's width per line,
    each with its line end.
    Otherwise quoted fields (where the layout quotes) and now and then a damaged field (a raw
    separator, quote or line break), a short, long, blank or repeated header line, a lone CR."""
    layout = draw(st.sampled_from([K2, BADGER, PREG, EVENTS]))
    sep, quoted = layout.delimiter, layout.quoting != "none"
    headers = [c.header for c in layout.columns]
    if draw(st.booleans()):
        headers = draw(st.permutations(headers))
    if draw(st.booleans()):
        headers.insert(draw(st.integers(0, len(headers))), "Extra")
    safe = _encodable(layout, SAFE_CHARS) + ["|" if sep == "," else ","]
    if not quoted:
        safe.append('"')  # an ordinary character without quoting
    damage = [",", "|", '"', "\r", "\n"]

    def field() -> str:
        damaged = not clean and draw(st.integers(0, 15)) == 0
        text = "".join(draw(st.lists(st.sampled_from(safe + damage if damaged else safe), max_size=4)))
        if quoted and not clean and draw(st.booleans()):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [sep.join(headers)]
    for _ in range(draw(st.integers(0, 5))):
        kind = "row" if clean else draw(st.sampled_from(["row"] * 12 + ["short", "long", "blank", "header"]))
        if kind in ("blank", "header"):
            lines.append("" if kind == "blank" else lines[0])
        else:
            lines.append(sep.join(field() for _ in range(len(headers) + {"row": 0, "short": -1, "long": 1}[kind])))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = "".join(line + ("\r" if not clean and draw(st.integers(0, 19)) == 0 else end) for line in lines)
    if not clean and draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final line end: unreadable on either path
    bom = b"\xef\xbb\xbf" if layout.encoding == "utf-8-sig" and draw(st.booleans()) else b""
    return layout, bom + text.encode(layout.encoding)


PROPERTY = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(case=extract_files())
def test_random_files_read_as_the_exact_path_reads_them(tmp_path, case):
    layout, data = case
    path = _write(tmp_path, "extract.txt", data)
    assert _outcome(read_extract, path, layout) == _outcome(_exact_from_file, path, layout)
    try:
        text, warnings = rx.decode(data, layout, path.name)
    except UnreadableExtract:
        return
    fast = _outcome(rx._read_fast, text, layout, path.name, list(warnings))
    if fast != ("fallback",):
        assert fast == _outcome(rx._read_exact, text, layout, path.name, list(warnings))


@PROPERTY
@given(case=extract_files(clean=True))
def test_random_clean_files_take_the_fast_path(tmp_path, case):
    layout, data = case
    text, warnings = rx.decode(data, layout, "extract.txt")
    if "\n" not in text.rstrip("\r\n"):
        return  # header only: unreadable on either path
    exact = rx._read_exact(text, layout, "extract.txt", list(warnings))
    fast = rx._read_fast(text, layout, "extract.txt", list(warnings))
    assert fast is not None, text
    assert _public(fast) == _public(exact)
