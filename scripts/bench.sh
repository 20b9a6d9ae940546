#!/usr/bin/env bash
# The national-scale benchmark: set up from uv.lock, then run bench/run_benchmark.py with the
# arguments given (e.g. --profile --cli, as docs/performance.md reports; --smoke for seconds).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/uv.sh sync --frozen --quiet --inexact
exec .venv/bin/python bench/run_benchmark.py "$@"
