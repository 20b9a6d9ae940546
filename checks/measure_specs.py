"""The gated measures as Great Expectations validates them, read from checks/rules.yaml.

No threshold, regex or code list is written here; only the wiring "measure -> canonical column
-> kind of expectation" is (``_MEASURE_WIRING``). A gated measure without wiring is an error:
the gate cannot silently skip it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pipelines.core.config import postcode_validity

# GE's ``mostly`` leaves NULLs out of its denominator; MSDS counts a missing value as invalid.
# The validated batch has NULLs replaced by this sentinel, which no rule may accept.
NULL_SENTINEL = ""

# Wiring only (no thresholds, codes or regexes): the canonical column each gated measure
# validates, and which kind of expectation its rule block becomes.
_MEASURE_WIRING: dict[str, tuple[str, Literal["regex", "in_set"]]] = {
    "MSD_MOTHER_POSTCODE_VALID": ("postcode", "regex"),
    "MSD_MOTHER_ETHNIC_VALID": ("ethnic_category", "in_set"),
}


@dataclass(frozen=True)
class MeasureSpec:
    """One gated measure, as read from the rules."""

    measure_id: str
    title: str
    column: str
    kind: Literal["regex", "in_set"]
    threshold: float
    regex: str | None = None
    value_set: tuple[str, ...] | None = None
    # Postcode in directory mode: a value not live in the postcode directory in its month arrives
    # marked (checks/postcodes.py) and the regex, which allows one space only, rejects it.
    directory: bool = False


# --------------------------------------------------------------------------- rules -> specs


# Directory mode: any normalised postcode (outward, one space, three characters); whether it is a
# real postcode is the directory's word, not a format's. A not-live mark adds spaces and fails.
NORMALISED_SHAPE = "^[^ ]+ [^ ]{3}$"


def postcode_directory_mode(rules: Mapping[str, Any]) -> bool:
    return postcode_validity(dict(rules)) == "directory"


def postcode_validity_regex(rules: Mapping[str, Any]) -> str:
    """One regex: a normalised postcode (directory mode) or the BS7666 format (format mode) AND an
    outward code that is not a pseudo postcode.

    ``^(?!(?:P1|P2) )(?:<format>)``: the lookahead rejects a value whose outward code
    (everything before the single space of a normalised postcode) is exactly a pseudo code;
    the format keeps its own anchors (``^`` inside the group still matches at 0).
    """
    block = rules["postcode"]
    fmt = NORMALISED_SHAPE if postcode_directory_mode(rules) else block["format_regex"]
    pseudo = [str(code).strip().upper() for code in block.get("pseudo_outward_codes") or []]
    if not pseudo:
        return f"(?:{fmt})"
    alternatives = "|".join(re.escape(code) for code in pseudo)
    return f"^(?!(?:{alternatives}) )(?:{fmt})"


def gated_measure_specs(rules: Mapping[str, Any]) -> list[MeasureSpec]:
    """The gated measures of ``rules`` (in rules order) with their thresholds and rule values."""
    specs: list[MeasureSpec] = []
    for measure in rules["measures"]:
        if not measure.get("gated"):
            continue
        measure_id = measure["id"]
        if measure_id not in _MEASURE_WIRING:
            raise ValueError(
                f"gated measure {measure_id} has no Great Expectations wiring in "
                "checks/measure_specs.py; the gate cannot silently skip a gated measure"
            )
        threshold = measure.get("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < float(threshold) <= 1:
            raise ValueError(f"{measure_id}: threshold must be a number in (0, 1], got {threshold!r}")
        column, kind = _MEASURE_WIRING[measure_id]
        common: dict[str, Any] = {
            "measure_id": measure_id,
            "title": str(measure.get("title", measure_id)),
            "column": column,
            "kind": kind,
            "threshold": float(threshold),
        }
        if kind == "regex":
            regex = postcode_validity_regex(rules)
            compiled = re.compile(regex)
            if compiled.search(NULL_SENTINEL):
                raise ValueError(f"{measure_id}: regex {regex!r} accepts the null sentinel ''")
            specs.append(MeasureSpec(**common, regex=regex, directory=postcode_directory_mode(rules)))
        else:
            codes = tuple(str(code) for code in rules["ethnic_category"]["valid_codes"])
            if not codes:
                raise ValueError(f"{measure_id}: ethnic_category.valid_codes is empty")
            if NULL_SENTINEL in codes:
                raise ValueError(f"{measure_id}: valid_codes contains the null sentinel ''")
            specs.append(MeasureSpec(**common, value_set=codes))
    if not specs:
        raise ValueError("rules define no gated measure")
    return specs
