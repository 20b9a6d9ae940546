"""What the rules file and the layouts file must say for the pipeline to use them.

Each check returns one line per problem, naming the setting and what is wrong with it, so that
a Trust editing a threshold or a file pattern gets every mistake at once as a clear message
(`mdq` prints them and exits 2), never a traceback from the step that first trips over it.
Only what the code relies on is checked; anything else in the files is left alone.
"""

from __future__ import annotations

import codecs
import re
from numbers import Real
from typing import Any

MEASURE_KINDS = ("flag_rate",)
SEVERITIES = ("error", "warn")
QUOTING = ("rfc4180", "none")
FILE_PATTERN_GROUPS = ("org", "yyyy", "mm")
SETTINGS = ("providers", "resubmission_suffix", "date_of_birth_min_age_years")  # layouts.yaml keys that are no layout


def _number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _regex(value: Any, where: str, problems: list[str], groups: tuple[str, ...] = ()) -> None:
    if not isinstance(value, str):
        problems.append(f"{where}: expected a regular expression, found {value!r}")
        return
    try:
        compiled = re.compile(value)
    except re.error as exc:
        problems.append(f"{where}: not a valid regular expression ({exc}): {value!r}")
        return
    missing = [g for g in groups if g not in compiled.groupindex]
    if missing:
        problems.append(f"{where}: the pattern has no group {', '.join(f'(?P<{g}>...)' for g in missing)}")


def _list_of_text(value: Any, where: str, problems: list[str], empty_ok: bool = True) -> bool:
    if not isinstance(value, list) or (not value and not empty_ok):
        problems.append(f"{where}: expected a list{'' if empty_ok else ' of at least one'}, found {value!r}")
        return False
    return True


def rules_problems(rules: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    breakdowns = rules.get("breakdowns")
    if _list_of_text(breakdowns, "breakdowns", problems, empty_ok=False) and "overall" not in breakdowns:
        problems.append("breakdowns: must include 'overall'")
    measures = rules.get("measures")
    if not isinstance(measures, list) or not measures:
        problems.append(f"measures: expected a list of at least one measure, found {measures!r}")
        measures = []
    seen: set[str] = set()
    for index, measure in enumerate(measures):
        problems += _measure_problems(index, measure, seen, breakdowns if isinstance(breakdowns, list) else [])
    for section in ("postcode", "ethnic_category", "plausibility", "smoking", "imd", "disclosure", "findings"):
        if not isinstance(rules.get(section), dict):
            problems.append(f"{section}: expected a section (a mapping), found {rules.get(section)!r}")
    if isinstance(rules.get("postcode"), dict) and "format_regex" in rules["postcode"]:
        _regex(rules["postcode"]["format_regex"], "postcode.format_regex", problems)
    for name, bounds in (
        (rules.get("plausibility") or {}).items() if isinstance(rules.get("plausibility"), dict) else ()
    ):
        if not (isinstance(bounds, dict) and _number(bounds.get("min")) and _number(bounds.get("max"))):
            problems.append(f"plausibility.{name}: expected numbers min and max, found {bounds!r}")
        elif bounds["min"] > bounds["max"]:
            problems.append(f"plausibility.{name}: min {bounds['min']} is above max {bounds['max']}")
    if isinstance(rules.get("imd"), dict):
        problems += _imd_problems(rules["imd"])
    if isinstance(rules.get("disclosure"), dict):
        problems += _disclosure_problems(rules["disclosure"])
    if isinstance(rules.get("findings"), dict):
        problems += _findings_problems(rules["findings"])
    golive = rules.get("golive", {})
    share = golive.get("max_lost_share", 0) if isinstance(golive, dict) else None
    if not (_number(share) and 0 <= share <= 1):
        problems.append(f"golive.max_lost_share: expected a share from 0 to 1 (0.05 for 5%), found {share!r}")
    return problems


def _measure_problems(index: int, measure: Any, seen: set[str], breakdowns: list) -> list[str]:
    if not isinstance(measure, dict):
        return [f"measures[{index}]: expected a measure (id, kind, flag, ...), found {measure!r}"]
    name = f"measures[{index}] ({measure.get('id')})" if measure.get("id") else f"measures[{index}]"
    problems = []
    for key in ("id", "title", "flag"):
        if not isinstance(measure.get(key), str) or not measure.get(key):
            problems.append(f"{name}: '{key}' must be text, found {measure.get(key)!r}")
    if measure.get("id") in seen:
        problems.append(f"{name}: the id is used twice")
    seen.add(measure.get("id"))
    if measure.get("kind") not in MEASURE_KINDS:
        problems.append(f"{name}: kind must be one of {', '.join(MEASURE_KINDS)}, found {measure.get('kind')!r}")
    if not isinstance(measure.get("gated", False), bool):
        problems.append(f"{name}: gated must be true or false, found {measure.get('gated')!r}")
    if measure.get("gated") is True:
        threshold = measure.get("threshold")
        if not _number(threshold) or not 0 <= threshold <= 1:
            problems.append(f"{name}: threshold must be a number from 0 to 1 (0.95 for 95%), found {threshold!r}")
    if measure.get("better", "higher") not in ("higher", "lower"):
        problems.append(f"{name}: better must be higher or lower, found {measure.get('better')!r}")
    if measure.get("severity", "error") not in SEVERITIES:
        problems.append(f"{name}: severity must be one of {', '.join(SEVERITIES)}, found {measure.get('severity')!r}")
    degenerate = measure.get("degenerate_breakdowns", [])
    if not isinstance(degenerate, list) or any(b not in breakdowns for b in degenerate):
        problems.append(f"{name}: degenerate_breakdowns must be a list of the breakdowns, found {degenerate!r}")
    reconcile = measure.get("reconcile")
    if reconcile is not None:
        if not isinstance(reconcile, dict) or not isinstance(reconcile.get("value"), str):
            problems.append(f"{name}: reconcile must be {{value: <column compared>, decimals: N}}, found {reconcile!r}")
        elif reconcile.get("decimals") is not None and not (
            isinstance(reconcile["decimals"], int)
            and not isinstance(reconcile["decimals"], bool)
            and reconcile["decimals"] >= 0
        ):
            problems.append(
                f"{name}: reconcile.decimals must be a whole number of places, found {reconcile['decimals']!r}"
            )
    return problems


def _imd_problems(imd: dict[str, Any]) -> list[str]:
    editions = imd.get("editions")
    if not isinstance(editions, dict) or not editions:
        return [f"imd.editions: expected a mapping of editions, found {editions!r}"]
    problems = []
    if imd.get("edition") not in editions and str(imd.get("edition")) not in editions:
        problems.append(
            f"imd.edition: {imd.get('edition')!r} is not one of imd.editions ({', '.join(map(str, editions))})"
        )
    for edition, spec in editions.items():
        for key in ("postcode_lsoa_column", "file_lsoa_header"):
            if not isinstance(spec, dict) or not isinstance(spec.get(key), str):
                problems.append(f"imd.editions.{edition}.{key}: expected a column name")
    if not isinstance(imd.get("decile_header_prefix"), str):
        problems.append("imd.decile_header_prefix: expected the start of the decile column's header")
    return problems


def _disclosure_problems(disclosure: dict[str, Any]) -> list[str]:
    problems = []
    low, high, round_to = (disclosure.get(k) for k in ("suppress_min", "suppress_max", "round_to"))
    if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high):
        problems.append(
            f"disclosure: suppress_min and suppress_max must be whole numbers, min <= max, found {low!r}, {high!r}"
        )
    if not (isinstance(round_to, int) and round_to >= 1):
        problems.append(f"disclosure.round_to: expected a whole number of at least 1, found {round_to!r}")
    decimals = disclosure.get("rate_decimals", 0)
    if not (isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 3):
        problems.append(f"disclosure.rate_decimals: expected a whole number from 0 to 3, found {decimals!r}")
    return problems


def _findings_problems(findings: dict[str, Any]) -> list[str]:
    problems = []
    size, confidence, share = (findings.get(k) for k in ("min_group_women", "confidence", "not_known_dominates_share"))
    if not (isinstance(size, int) and not isinstance(size, bool) and size >= 1):
        problems.append(f"findings.min_group_women: expected a whole number of women, found {size!r}")
    if not (_number(confidence) and 0 < confidence < 1):
        problems.append(f"findings.confidence: expected a share between 0 and 1 (0.998), found {confidence!r}")
    if not (_number(share) and 0 < share <= 1):
        problems.append(f"findings.not_known_dominates_share: expected a share from 0 to 1, found {share!r}")
    return problems


def layouts_problems(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    providers = data.get("providers", {})
    if providers is not None and not isinstance(providers, dict):
        problems.append(f"providers: expected ODS code: name pairs, found {providers!r}")
    systems = {spec.get("system") for key, spec in data.items() if key not in SETTINGS and isinstance(spec, dict)}
    for org, entry in (providers or {}).items() if isinstance(providers, dict) else ():
        problems += _provider_problems(str(org), entry, systems)
    if data.get("resubmission_suffix") is not None:
        _regex(data["resubmission_suffix"], "resubmission_suffix", problems, groups=("n",))
    min_age = data.get("date_of_birth_min_age_years")
    if min_age is not None and (not isinstance(min_age, int) or isinstance(min_age, bool) or min_age < 1):
        problems.append(f"date_of_birth_min_age_years: expected a whole number of years, found {min_age!r}")
    layouts = {k: v for k, v in data.items() if k not in SETTINGS}
    if not layouts:
        problems.append("no layout defined")
    for key, spec in layouts.items():
        problems += _layout_problems(str(key), spec)
    return problems


def _provider_problems(org: str, entry: Any, systems: set[Any]) -> list[str]:
    """`ODS: name`, or `ODS: {name, systems: [{system, from: YYYY-MM}, ...]}` (the system of
    record by month; the first entry may leave `from` out, the others name months in order)."""
    if isinstance(entry, str):
        return []
    where = f"providers.{org}"
    if not isinstance(entry, dict):
        return [f"{where}: expected a name, or {{name, systems}}, found {entry!r}"]
    problems = []
    if not isinstance(entry.get("name"), str) or not entry["name"]:
        problems.append(f"{where}.name: expected the Trust's name, found {entry.get('name')!r}")
    steps = entry.get("systems")
    if not isinstance(steps, list) or not steps:
        return [*problems, f"{where}.systems: expected a list of {{system, from: YYYY-MM}}, found {steps!r}"]
    previous = None
    for i, step in enumerate(steps):
        here = f"{where}.systems[{i}]"
        if not isinstance(step, dict):
            problems.append(f"{here}: expected {{system, from: YYYY-MM}}, found {step!r}")
            continue
        if step.get("system") not in systems:
            known = ", ".join(sorted(str(s) for s in systems if s))
            problems.append(f"{here}.system: {step.get('system')!r} is not the system of any layout ({known})")
        first = step.get("from")
        if first is None and i == 0:
            continue
        if not (isinstance(first, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", first)):
            problems.append(f"{here}.from: expected a month 'YYYY-MM' (quoted), found {first!r}")
        elif previous is not None and first <= previous:
            problems.append(f"{here}.from: {first} is not after the entry before it ({previous})")
        else:
            previous = first
    return problems


def _layout_problems(key: str, spec: Any) -> list[str]:
    if not isinstance(spec, dict):
        return [f"{key}: expected a layout (system, role, file_pattern, ...), found {spec!r}"]
    problems: list[str] = []
    for field in ("system", "role", "encoding", "delimiter"):
        if not isinstance(spec.get(field), str) or not spec.get(field):
            problems.append(f"{key}.{field}: expected text, found {spec.get(field)!r}")
    _regex(spec.get("file_pattern"), f"{key}.file_pattern", problems, groups=FILE_PATTERN_GROUPS)
    if isinstance(spec.get("encoding"), str):
        try:
            codecs.lookup(spec["encoding"])
        except LookupError:
            problems.append(f"{key}.encoding: {spec['encoding']!r} is not an encoding Python knows")
    if isinstance(spec.get("delimiter"), str) and len(spec["delimiter"]) != 1:
        problems.append(f"{key}.delimiter: expected one character, found {spec['delimiter']!r}")
    if spec.get("quoting", "rfc4180") not in QUOTING:
        problems.append(f"{key}.quoting: expected one of {', '.join(QUOTING)}, found {spec.get('quoting')!r}")
    columns = spec.get("columns")
    if not isinstance(columns, dict) or not columns:
        return [*problems, f"{key}.columns: expected the layout's columns, found {columns!r}"]
    for required in ("pregnancy_id",) if spec.get("role") == "clinical_events" else ("pregnancy_id", "booking_date"):
        if required not in columns:
            problems.append(f"{key}.columns: no {required} column")
    for name, column in columns.items():
        if not isinstance(column, dict) or not isinstance(column.get("header"), str):
            problems.append(f"{key}.columns.{name}: expected {{header: ...}}, found {column!r}")
            continue
        lines = column.get("max_lines", 1)
        if not isinstance(lines, int) or isinstance(lines, bool) or lines < 1:
            problems.append(f"{key}.columns.{name}.max_lines: expected a whole number of at least 1, found {lines!r}")
    for name, pattern in (spec.get("patterns") or {}).items():
        _regex(pattern, f"{key}.patterns.{name}", problems)
    return problems
