"""The white-space characters of the rules file as regex character classes, one per engine.

checks/rules.yaml (`whitespace`) lists the code points normalisation removes; SQL (RE2 inside
DuckDB) and Python (`re`, for the Great Expectations side) build their classes here from that one
list, never from `\\s`, whose meaning differs by engine (ASCII-only in DuckDB's RE2, Unicode in
Python and polars).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pipelines.core.config import ConfigError

_ENTRY = re.compile(r"^([0-9A-Fa-f]{4,6})(?:-([0-9A-Fa-f]{4,6}))?$")


def whitespace_ranges(rules: Mapping[str, Any]) -> list[tuple[int, int]]:
    """Inclusive (first, last) code point ranges of `whitespace` in the rules."""
    entries = rules.get("whitespace")
    if not entries:
        raise ConfigError("rules file: `whitespace` must list the code points normalisation removes")
    ranges = []
    for entry in entries:
        match = _ENTRY.match(str(entry).strip())
        if not match:
            raise ConfigError(f"rules file: whitespace entry {entry!r} is not a hex code point or range like 2000-200A")
        first = int(match.group(1), 16)
        last = int(match.group(2) or match.group(1), 16)
        if last < first:
            raise ConfigError(f"rules file: whitespace range {entry!r} runs backwards")
        ranges.append((first, last))
    return ranges


def _class(rules: Mapping[str, Any], escape) -> str:
    parts = [escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in whitespace_ranges(rules)]
    return "[" + "".join(parts) + "]"


def whitespace_class_re2(rules: Mapping[str, Any]) -> str:
    """E.g. `[\\x{0009}-\\x{000D}\\x{0020}...]` for DuckDB's regexp functions (RE2)."""
    return _class(rules, lambda cp: f"\\x{{{cp:04X}}}")


def whitespace_class_python(rules: Mapping[str, Any]) -> str:
    """E.g. `[\\u0009-\\u000d\\u0020...]` for Python's `re` (and the Rust regex polars uses)."""
    return _class(rules, lambda cp: f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}")


def whitespace_characters(rules: Mapping[str, Any]) -> list[str]:
    """Every character the rules call white space (for property tests and Python stripping)."""
    return [chr(cp) for a, b in whitespace_ranges(rules) for cp in range(a, b + 1)]
