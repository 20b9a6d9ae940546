"""The hand-listed mutants of the rules, layouts and SQL (bench/mutants/catalogue.yaml), one at a time.

Each mutant is a one-line edit applied to the scratch copy, its tests run, and the edit undone;
caught means at least one test failed. Before any mutant, the same tests run on the unmutated
copy: a mutant can only be caught by tests that pass without it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.mutation_scratch import existing, first_failure, make_scratch, results_dir, run_tests

CATALOGUE = Path(__file__).resolve().parent / "mutants" / "catalogue.yaml"


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str
    find: str
    replace: str
    mistake: str
    tests: tuple[str, ...]


def load_catalogue(path: Path = CATALOGUE) -> list[Mutant]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutants = [Mutant(**{**e, "tests": tuple(e["tests"])}) for e in entries]
    ids = [m.id for m in mutants]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"{path}: mutant ids repeated: {', '.join(duplicated)}")
    return mutants


def apply(root: Path, mutant: Mutant) -> str:
    """Write the mutant into the copy; return the original text to restore."""
    path = root / mutant.file
    original = path.read_text(encoding="utf-8")
    found = original.count(mutant.find)
    if found != 1:
        raise ValueError(
            f"{mutant.id}: {mutant.file} holds its text {found} times, not once: the catalogue has drifted"
        )
    path.write_text(original.replace(mutant.find, mutant.replace), encoding="utf-8")
    return original


def run_catalogue(only: list[str] | None, timeout: float, log) -> list[dict]:
    mutants = [m for m in load_catalogue() if not only or m.id in only]
    unknown = sorted(set(only or []) - {m.id for m in mutants})
    if unknown:
        raise ValueError(f"no such mutant: {', '.join(unknown)}")
    root = make_scratch("sql")
    for mutant in mutants:  # every mutant's text is checked before the first test runs
        (root / mutant.file).write_text(apply(root, mutant), encoding="utf-8")
    baseline: dict[tuple[str, ...], bool] = {}
    results = []
    for mutant in mutants:
        tests = tuple(existing(root, mutant.tests, log))
        if tests and tests not in baseline:
            clean = run_tests(root, list(tests), timeout)
            baseline[tests] = clean.passed
            log(f"baseline {' '.join(tests)}: {'pass' if clean.passed else 'FAIL'} ({clean.seconds:.0f} s)")
            if not clean.passed:
                log(clean.tail)
        if not tests or not baseline[tests]:
            result = _result(mutant, tests, "survived" if not tests else "baseline failed", 0.0, "")
        else:
            original = apply(root, mutant)
            try:
                outcome = run_tests(root, list(tests), timeout)
            finally:
                (root / mutant.file).write_text(original, encoding="utf-8")
            status = "timeout" if outcome.timed_out else ("survived" if outcome.passed else "caught")
            caught_by = "" if outcome.passed else first_failure(outcome.tail)
            result = _result(mutant, tests, status, outcome.seconds, caught_by)
        (results_dir("sql") / f"{mutant.id}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        log(f"{mutant.id}: {result['status']} ({result['seconds']:.0f} s) {result['caught_by']}")
        results.append(result)
    return results


def stored_results() -> list[dict]:
    """Every mutant's latest stored result, in catalogue order."""
    folder = results_dir("sql")
    return [json.loads(p.read_text()) for m in load_catalogue() if (p := folder / f"{m.id}.json").exists()]


def _result(mutant: Mutant, tests: tuple[str, ...], status: str, seconds: float, caught_by: str) -> dict:
    return {
        "id": mutant.id,
        "file": mutant.file,
        "mistake": mutant.mistake,
        "tests": list(tests),
        "status": status,
        "seconds": round(seconds, 1),
        "caught_by": caught_by,
    }


def markdown(results: list[dict]) -> str:
    caught = sum(r["status"] in ("caught", "timeout") for r in results)
    lines = [
        f"Caught {caught} of {len(results)} ({caught / len(results):.0%}).",
        "",
        "| Mutant | File | Mistake | Result | Caught by |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        by = f"`{r['caught_by']}`" if r["caught_by"] else ""
        lines.append(f"| `{r['id']}` | `{r['file']}` | {r['mistake']} | {r['status']} | {by} |")
    return "\n".join(lines)
