#!/usr/bin/env bash
# The test command: set up from uv.lock with the test extras and run the whole suite.
# .ci/run calls this same script, so CI and the README cannot drift apart.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/uv.sh sync --frozen --quiet --extra test
bash scripts/browser-deps.sh
exec .venv/bin/python -m pytest "$@"
