#!/usr/bin/env bash
# Quick start: set up from uv.lock and run the monthly pipeline (default: latest sample month).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# --inexact keeps the test extras if scripts/test.sh installed them.
bash scripts/uv.sh sync --frozen --quiet --inexact
exec .venv/bin/mdq run "$@"
