#!/usr/bin/env bash
# The test command: set up from uv.lock with the test and Spark extras and run the whole suite.
# .ci/run calls this same script, so CI and the README cannot drift apart.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# The Spark engine's extra too: its tests (tests/engines/) run one sample month on Spark local[2].
bash scripts/uv.sh sync --frozen --quiet --extra test --extra spark
bash scripts/browser-deps.sh
bash scripts/java-deps.sh
# Two workers (pytest-xdist), each taking whole test files (--dist loadfile), so a module's shared
# fixture warehouse is built once, on one worker. MDQ_TEST_WORKERS=0 runs in one process
# (docs/testing.md has the suite's times both ways).
exec .venv/bin/python -m pytest -n "${MDQ_TEST_WORKERS:-2}" --dist loadfile "$@"
