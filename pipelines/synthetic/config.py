"""The project's own layout and rule configuration, as the generator needs it.

The generator reads the same YAML the readers and measures read, so a code map or header
changed there is reflected in new synthetic extracts without touching Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import yaml

from pipelines.core.whitespace import whitespace_class_python


@cache
def _load(package: str, name: str) -> dict[str, Any]:
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def layouts() -> dict[str, Any]:
    """`schemas/layouts.yaml`, parsed."""
    return _load("schemas", "layouts.yaml")


def rules() -> dict[str, Any]:
    """`checks/rules.yaml`, parsed."""
    return _load("checks", "rules.yaml")


def columns(layout: str) -> list[tuple[str, str]]:
    """(canonical key, file header) pairs of a layout, in file order."""
    return [(key, spec["header"]) for key, spec in layouts()[layout]["columns"].items()]


def inverse_map(mapping: dict[str, str]) -> dict[str, str]:
    """Target -> first source value; the first listed source is the one a system writes."""
    out: dict[str, str] = {}
    for source, target in mapping.items():
        out.setdefault(str(target), str(source))
    return out


def k2_ethnic_text(code: str) -> str:
    return inverse_map(layouts()["K2"]["ethnic_map"])[code]


def k2_text_maps_to_code(text: str) -> bool:
    """Whether K2 text maps to any code, matching as the spec says (case, outer space)."""
    wanted = text.strip().casefold()
    return any(wanted == key.strip().casefold() for key in layouts()["K2"]["ethnic_map"])


def smoking_source(layout: str, canonical: str) -> str:
    return inverse_map(layouts()[layout]["smoking_map"])[canonical]


def event_display(canonical: str) -> str:
    return inverse_map(layouts()["CernerEvents"]["event_map"])[canonical]


def normalise_postcode(text: str) -> str:
    squashed = re.sub(whitespace_class_python(rules()), "", text).upper()
    return f"{squashed[:-3]} {squashed[-3:]}" if len(squashed) > 3 else squashed


def postcode_is_valid(text: str, live: Callable[[str], bool]) -> bool:
    """measures.md postcode rule, driven by rules.yaml; used to self-check the story. `live` says
    whether a normalised postcode is live in the postcode directory in the booking's month."""
    cfg = rules()["postcode"]
    norm = normalise_postcode(text)
    if norm.replace(" ", "") in {t.strip().upper() for t in cfg["null_tokens"]}:
        return False
    if norm.split(" ")[0] in cfg["pseudo_outward_codes"]:
        return False
    if cfg.get("validity", "directory") == "directory":
        return live(norm)
    return re.fullmatch(cfg["format_regex"], norm) is not None


def ethnic_code_is_valid(code: str) -> bool:
    return code.strip().upper() in rules()["ethnic_category"]["valid_codes"]
