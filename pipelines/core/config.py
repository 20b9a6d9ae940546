"""Loads the two configuration files: the rules (checks/rules.yaml) and the layouts (schemas/layouts.yaml).

Every other module takes its thresholds, code lists and column mappings from here, so that the
files stay the one source of truth.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pipelines.core.config_checks import layouts_problems, rules_problems
from pipelines.core.paths import LAYOUTS_FILE, RULES_FILE


class ConfigError(ValueError):
    """A configuration file is missing or says something the pipeline cannot use."""


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: configuration file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def _checked(path: Path, data: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """The data, or ConfigError with one line per problem, each naming the file."""
    if problems:
        raise ConfigError("\n".join(f"{path}: {problem}" for problem in problems))
    return data


@lru_cache(maxsize=8)
def _rules_cached(path: str, mtime: float) -> dict[str, Any]:
    rules = _load_yaml(Path(path))
    return _checked(Path(path), rules, rules_problems(rules))


def load_rules(path: Path | None = None) -> dict[str, Any]:
    """The rules file; MDQ_RULES overrides the shipped one (a Trust staging a new threshold)."""
    path = Path(path or os.environ.get("MDQ_RULES") or RULES_FILE)
    return _rules_cached(str(path), path.stat().st_mtime if path.exists() else 0.0)


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    header: str
    required: bool = False
    identifier: bool = False
    max_lines: int = 1  # physical lines a quoted value may span (schemas/layouts.yaml; default: its own line)


@dataclass(frozen=True)
class Layout:
    key: str
    system: str
    role: str
    file_pattern: str
    encoding: str
    delimiter: str
    quoting: str
    columns: tuple[ColumnSpec, ...]
    formats: dict[str, str] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)
    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)


def _layout(key: str, spec: dict[str, Any]) -> Layout:
    columns = tuple(
        ColumnSpec(
            name=name,
            header=str(col["header"]),
            required=bool(col.get("required", False)),
            identifier=bool(col.get("identifier", False)),
            max_lines=int(col.get("max_lines", 1)),
        )
        for name, col in spec["columns"].items()
    )
    maps = {k: {str(a): str(b) for a, b in v.items()} for k, v in spec.items() if k.endswith("_map")}
    known = {"system", "role", "file_pattern", "encoding", "delimiter", "quoting", "columns", "formats", "patterns"}
    extra = {k: v for k, v in spec.items() if k not in known and not k.endswith("_map")}
    return Layout(
        key=key,
        system=spec["system"],
        role=spec["role"],
        file_pattern=spec["file_pattern"],
        encoding=spec["encoding"],
        delimiter=spec["delimiter"],
        quoting=spec.get("quoting", "rfc4180"),
        columns=columns,
        formats=dict(spec.get("formats", {})),
        patterns=dict(spec.get("patterns", {})),
        maps=maps,
        extra=extra,
    )


@dataclass(frozen=True)
class Layouts:
    layouts: tuple[Layout, ...]
    providers: dict[str, str]  # ODS code -> name
    # A file name's suffix that makes it resubmission number `n`; without one every file ranks 0.
    resubmission_suffix: str | None = None
    # A quarantined date this many years before the file's month may be a date of birth: withheld.
    date_of_birth_min_age_years: int | None = None
    # ODS code -> ((first month or None for "from the start", system), ...) in month order: the
    # Trust's system of record by month. A Trust listed as `ODS: name` has no entry here.
    systems_of_record: dict[str, tuple[tuple[str | None, str], ...]] = field(default_factory=dict)

    def by_key(self, key: str) -> Layout:
        return next(layout for layout in self.layouts if layout.key == key)

    def system_of_record(self, org_code: str, month: str) -> str | None:
        """The Trust's system of record in the month by the layouts file, or None without a history."""
        current = None
        for first, system in self.systems_of_record.get(org_code, ()):
            if first is None or first <= month:
                current = system
        return current

    @property
    def system_order(self) -> list[str]:
        """Systems in the order their layouts are listed (the earlier wins a choice with no history)."""
        return list(dict.fromkeys(layout.system for layout in self.layouts))


def load_layouts(path: Path | None = None) -> Layouts:
    """The layouts file; MDQ_LAYOUTS overrides the shipped one (another region's providers)."""
    return _layouts_cached(str(Path(path or os.environ.get("MDQ_LAYOUTS") or LAYOUTS_FILE)))


@lru_cache(maxsize=4)
def _layouts_cached(path: str) -> Layouts:
    data = _load_yaml(Path(path))
    _checked(Path(path), data, layouts_problems(data))
    providers, history = _providers(data.pop("providers", None) or {})
    resubmission = data.pop("resubmission_suffix", None)
    min_age = data.pop("date_of_birth_min_age_years", None)
    return Layouts(
        layouts=tuple(_layout(k, v) for k, v in data.items()),
        providers=providers,
        resubmission_suffix=resubmission,
        date_of_birth_min_age_years=min_age,
        systems_of_record=history,
    )


def _providers(spec: dict[str, Any]) -> tuple[dict[str, str], dict[str, tuple[tuple[str | None, str], ...]]]:
    """(ODS code -> name, ODS code -> system-of-record history) from `providers:`, either
    `ODS: name` (no history) or `ODS: {name, systems: [{system, from}, ...]}`."""
    names, history = {}, {}
    for org, entry in spec.items():
        if isinstance(entry, dict):
            names[str(org)] = str(entry["name"])
            steps = [(None if s.get("from") is None else str(s["from"]), str(s["system"])) for s in entry["systems"]]
            history[str(org)] = tuple(steps)
        else:
            names[str(org)] = str(entry)
    return names, history


def gated_measures(rules: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in rules["measures"] if m.get("gated")]


def postcode_validity(rules: dict[str, Any]) -> str:
    """`directory` (found and live in the postcode directory) or `format` (BS7666 format only)."""
    mode = str(rules["postcode"].get("validity", "directory"))
    if mode not in ("directory", "format"):
        raise ConfigError(f"rules file: postcode.validity must be 'directory' or 'format', not {mode!r}")
    return mode
