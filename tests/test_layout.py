"""The house: stages are packages without Dagster, no import cycles, small modules, a true README tree.

The architecture contracts themselves (which package may import which) live in pyproject.toml
under [tool.importlinter]; this test runs them, then checks what import-linter does not: cycles
between single modules and module size.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("pipelines", "checks", "schemas")
MAX_LINES = 350
VENDORED = ("checks/data_docs_vendor",)


def test_import_linter_contracts_hold():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_modules():
    graph = grimp.build_graph(*PACKAGES)
    # A package's __init__ importing its own modules is not a cycle a reader trips over.
    for module in list(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(module + "."):
                graph.remove_import(importer=module, imported=imported)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y"]]


def _python_files() -> list[Path]:
    files = []
    for top in (*PACKAGES, "bench", "tests"):
        for path in sorted((REPO / top).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if not rel.startswith(VENDORED) and "node_modules" not in rel:
                files.append(path)
    return files


def test_no_module_over_the_size_limit():
    long = {
        path.relative_to(REPO).as_posix(): n
        for path in _python_files()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_readme_tree_names_only_paths_that_exist():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`((?:pipelines|checks|schemas|sql|sample_data|bench|docs|tests)/[^`*<>]*)`", section)
    assert named, "the README's 'Where things are' names no path"
    missing = [path for path in named if not (REPO / path.rstrip("/")).exists()]
    assert missing == []


def test_every_stage_package_is_in_the_readme_tree():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    stages = sorted(
        p.name for p in (REPO / "pipelines").iterdir() if p.is_dir() and (p / "__init__.py").exists()
    )
    assert [s for s in stages if f"pipelines/{s}/" not in section] == []
