"""Mutation testing of the rules, gate, SPC, sensor and CLI modules with cosmic-ray, one module at a time.

Each module is mutated in its own cosmic-ray session (var/mutation/<name>.sqlite) in the scratch
copy, and each of its mutants runs only the tests mapped to it below (MODULES): the tests that
exercise it, not the whole suite, so a module finishes in minutes on two cores. Why cosmic-ray
and not mutmut: docs/testing.md.
"""

from __future__ import annotations

import ast
import json
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.mutation_scratch import MUTATION_DIR, existing, make_scratch, pytest_command, results_dir, test_env


@dataclass(frozen=True)
class Module:
    name: str
    path: str
    tests: tuple[str, ...]
    timeout: float = 240.0


# module -> the tests that exercise it (read from the tests' imports and what they run), the
# fastest that do: every surviving mutant runs all of them. A test that reaches the module only
# through a `mdq` subprocess counts (cosmic-ray mutates the file on disk, so the subprocess runs
# the mutant too). Listed in the order a full run takes them.
GATE_CLI = "tests/cli/test_gate_cli.py"
MODULES = [
    Module(
        "verdicts", "pipelines/gate/verdicts.py", ("tests/gate/test_verdicts.py", "tests/gate/test_threshold_edges.py")
    ),
    Module("measure_specs", "checks/measure_specs.py", ("tests/checks/test_measure_specs.py",)),
    Module("sensors", "pipelines/orchestration/sensors.py", ("tests/orchestration/test_landing_sensor.py",)),
    Module(
        "junit",
        "pipelines/gate/junit.py",
        ("tests/gate/test_junit.py", f"{GATE_CLI}::test_gate_fails_and_writes_junit"),
    ),
    Module("cli_main", "pipelines/cli/main.py", ("tests/cli/test_exit_statuses.py",)),
    Module("worklists", "pipelines/measures/worklists.py", ("tests/measures/test_worklists.py",)),
    Module("gate_results", "pipelines/gate/results.py", ("tests/gate/test_threshold_edges.py",)),
    Module("measures_compute", "pipelines/measures/compute.py", ("tests/gate/test_threshold_edges.py",)),
    Module("postcodes", "checks/postcodes.py", ("tests/checks/test_postcodes.py",)),
    Module("reuse", "pipelines/gate/reuse.py", ("tests/gate/test_reuse.py",)),
    Module("cli_commands", "pipelines/cli/commands.py", ("tests/cli/test_exit_statuses.py", GATE_CLI)),
    Module(
        "spc",
        "pipelines/scorecard/spc.py",
        ("tests/scorecard/test_scorecard_spc.py", "tests/scorecard/test_scorecard_spc_concern.py"),
    ),
]

# Operators left out, each for a reason (docs/testing.md): a binary operator is replaced only by
# one of its own family (arithmetic by arithmetic, `&` `|` `^` by each other: `a & b` made `a + b`
# on boolean arrays is an OR by another name, and these modules shift no bits nor raise to powers),
# and a comparison is not turned into an identity test (`==` to `is`: on the small ints and
# interned strings compared here the same, else a crash). Type annotations are not mutated at
# all (`_skip_annotations`): under `from __future__ import annotations` they are never evaluated.
_ARITHMETIC = "(Add|Sub|Mul|Div|FloorDiv|Mod|Pow)"
_BITWISE = "(BitOr|BitAnd|BitXor|LShift|RShift)"
EXCLUDED_OPERATORS = [
    rf"core/ReplaceBinaryOperator_{_ARITHMETIC}_{_BITWISE}$",
    rf"core/ReplaceBinaryOperator_{_BITWISE}_{_ARITHMETIC}$",
    r"core/ReplaceBinaryOperator_.*_(LShift|RShift|Pow)$",
    r"core/ReplaceComparisonOperator_(Eq|NotEq|Lt|LtE|Gt|GtE)_(Is|IsNot)$",
]


def _annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) positions, (line, column) as cosmic-ray counts them, of every type annotation."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        found: list[ast.expr | None] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            found += [arg.annotation for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if arg]
            found.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
        spans += [((e.lineno, e.col_offset), (e.end_lineno, e.end_col_offset)) for e in found if e is not None]
    return spans


def _skip_annotations(session: Path, source: str) -> int:
    """Mark as skipped every pending mutant inside a type annotation; how many."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    spans = _annotation_spans(source)
    skipped = 0
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            if all(any(lo <= tuple(m.start_pos) < hi for lo, hi in spans) for m in item.mutations):
                db.set_result(
                    item.job_id,
                    WorkResult(output="type annotation, never evaluated", worker_outcome=WorkerOutcome.SKIPPED),
                )
                skipped += 1
    return skipped


def _config(module: Module, tests: list[str]) -> str:
    test_command = shlex.join(pytest_command(tests))
    excluded = ", ".join(json.dumps(e) for e in EXCLUDED_OPERATORS)
    return (
        "[cosmic-ray]\n"
        f'module-path = "{module.path}"\n'
        f"timeout = {module.timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(test_command)}\n\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n\n'
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = [{excluded}]\n"
    )


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def run_module(module: Module, root: Path, log) -> dict:
    """One module's cosmic-ray session, from a fresh database; its counts and surviving mutants."""
    config = MUTATION_DIR / f"{module.name}.toml"
    session = MUTATION_DIR / f"{module.name}.sqlite"
    tests = existing(root, module.tests, log)
    if not tests:
        log(f"{module.name}: no mapped test in this copy: every mutant counts as surviving")
    config.write_text(_config(module, tests or ["--collect-only"]), encoding="utf-8")
    session.unlink(missing_ok=True)
    started = time.perf_counter()

    def cr(*args: str) -> str:
        done = subprocess.run(args, cwd=root, capture_output=True, text=True, env=test_env())
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    baseline = subprocess.run(
        pytest_command(tests or ["--collect-only"]), cwd=root, capture_output=True, text=True, env=test_env()
    )
    if tests and baseline.returncode != 0:
        raise RuntimeError(f"{module.name}: its tests fail without any mutant:\n{baseline.stdout[-3000:]}")
    cr(_tool("cosmic-ray"), "init", str(config), str(session))
    cr(_tool("cr-filter-operators"), str(session), str(config))
    cr(_tool("cr-filter-pragma"), str(session))
    _skip_annotations(session, (root / module.path).read_text(encoding="utf-8"))
    log(f"{module.name}: {module.path} against {' '.join(tests)}")
    cr(_tool("cosmic-ray"), "exec", str(config), str(session))
    return _summary(module, tests, session, time.perf_counter() - started)


def _summary(module: Module, tests: list[str], session: Path, seconds: float) -> dict:
    """Counts from the session's dump (one JSON line per mutant: its work item and result)."""
    dump = subprocess.run([_tool("cosmic-ray"), "dump", str(session)], capture_output=True, text=True, check=True)
    killed, survived, skipped, survivors = 0, 0, 0, []
    for line in dump.stdout.splitlines():
        item, result = json.loads(line)
        if result is None:
            continue
        if result["worker_outcome"] == "skipped":
            skipped += 1
        elif result["test_outcome"] == "survived":
            survived += 1
            mutation = item["mutations"][0]
            survivors.append(
                {
                    "operator": mutation["operator_name"],
                    "line": mutation["start_pos"][0],
                    "diff": "\n".join(
                        d
                        for d in result["diff"].splitlines()
                        if d.startswith(("+", "-")) and d[:3] not in ("+++", "---")
                    ),
                }
            )
        else:
            killed += 1
    total = killed + survived
    return {
        "module": module.name,
        "path": module.path,
        "tests": tests,
        "mutants": total,
        "killed": killed,
        "survived": survived,
        "skipped_by_filter": skipped,
        "score": round(killed / total, 3) if total else None,
        "minutes": round(seconds / 60, 1),
        "survivors": sorted(survivors, key=lambda s: s["line"]),
    }


def run_modules(names: list[str] | None, log) -> list[dict]:
    chosen = [m for m in MODULES if not names or m.name in names]
    unknown = sorted(set(names or []) - {m.name for m in chosen})
    if unknown:
        raise ValueError(f"no such module: {', '.join(unknown)} (known: {', '.join(m.name for m in MODULES)})")
    root = make_scratch("python")
    results = []
    for module in chosen:  # one at a time: two cores are shared
        r = run_module(module, root, log)
        (results_dir("python") / f"{module.name}.json").write_text(json.dumps(r, indent=2), encoding="utf-8")
        log(f"{r['module']}: {r['killed']}/{r['mutants']} killed, {r['survived']} survived ({r['minutes']} min)")
        results.append(r)
    return results


def stored_results() -> list[dict]:
    """Every module's latest stored result, in MODULES order."""
    folder = results_dir("python")
    return [json.loads(p.read_text()) for m in MODULES if (p := folder / f"{m.name}.json").exists()]


def markdown(results: list[dict]) -> str:
    killed = sum(r["killed"] for r in results)
    total = sum(r["mutants"] for r in results)
    lines = [
        f"Killed {killed} of {total} ({killed / total:.1%})." if total else "No mutant.",
        "",
        "| Module | Tests run per mutant | Mutants | Killed | Survived | Score | Minutes |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        score = "" if r["score"] is None else f"{r['score']:.1%}"
        tests = ", ".join(f"`{t}`" for t in r["tests"])
        lines.append(
            f"| `{r['path']}` | {tests} | {r['mutants']} | {r['killed']} | {r['survived']} | {score} | {r['minutes']} |"
        )
    for r in results:
        for s in r["survivors"]:
            lines.append(f"\n`{r['path']}:{s['line']}` {s['operator']}\n```diff\n{s['diff']}\n```")
    return "\n".join(lines)
