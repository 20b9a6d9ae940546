"""Mutation testing: are the tests able to catch a one-line mistake? Not part of CI's default run.

    python bench/mutation.py sql [--only ID ...]        hand-listed rules/layouts/SQL mutants
    python bench/mutation.py python [--module NAME ...]  cosmic-ray over the rules, gate, SPC, sensor, CLI modules
    python bench/mutation.py report sql|python           the stored results as markdown
    ... --at REV                                         the tests (and code) of a git revision: the "before" score

Mutants are applied to a scratch copy under var/mutation/ (never the checkout), one at a time,
each run against the tests mapped to it (bench/mutation_python.py, bench/mutants/catalogue.yaml).
Results: one JSON file per module or mutant in var/mutation/<kind>[-<rev>]/ (a stopped run keeps
what it finished); docs/testing.md reports them.
`bash scripts/mutation.sh ...` sets up the `mutation` extra first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import mutation_python, mutation_scratch, mutation_sql  # noqa: E402


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/mutation.py", description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["sql", "python", "report"])
    parser.add_argument("what", nargs="?", choices=["sql", "python"], help="report: which results")
    parser.add_argument("--only", nargs="*", help="sql: these mutant ids only")
    parser.add_argument("--module", nargs="*", help="python: these modules only (names in bench/mutation_python.py)")
    parser.add_argument("--at", help="copy the repository as of this git revision (tests and code), not the work tree")
    parser.add_argument("--timeout", type=float, default=300.0, help="sql: seconds a mutant's tests may run")
    args = parser.parse_args(argv)
    mutation_scratch.MUTATION_DIR.mkdir(parents=True, exist_ok=True)
    mutation_scratch.AT_REVISION = args.at
    if args.kind == "sql":
        print(mutation_sql.markdown(mutation_sql.run_catalogue(args.only, args.timeout, _log)))
    elif args.kind == "python":
        print(mutation_python.markdown(mutation_python.run_modules(args.module, _log)))
    elif args.what == "sql":
        print(mutation_sql.markdown(mutation_sql.stored_results()))
    elif args.what == "python":
        print(mutation_python.markdown(mutation_python.stored_results()))
    else:
        parser.error("report: say which, sql or python")
    return 0


if __name__ == "__main__":
    sys.exit(main())
