#!/usr/bin/env bash
# Mutation testing (docs/testing.md): set up with the test and mutation extras, then run
# bench/mutation.py with the arguments given, e.g. `sql`, `python --module verdicts`, `report sql`.
# Not part of CI's default run: a module takes minutes, the whole set most of an hour on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/uv.sh sync --frozen --quiet --extra test --extra mutation
exec .venv/bin/python bench/mutation.py "$@"
