#!/usr/bin/env bash
# What the scorecard's browser test needs beyond Python: Debian's Chromium and axe-core from npm.
# Installs them when the machine allows (root with apt; npm present); otherwise says so, and the
# browser test reports itself skipped for want of Chromium.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the scorecard browser test" >&2
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }) \
      || echo "could not install chromium: the browser test will be skipped" >&2
  else
    echo "chromium not found and cannot be installed here: the browser test will be skipped" >&2
  fi
fi
if [[ ! -d "$root/tests/scorecard/node_modules/axe-core" ]]; then
  if command -v npm >/dev/null 2>&1; then
    log="$(mktemp)"
    npm ci --no-audit --no-fund --prefix "$root/tests/scorecard" >"$log" 2>&1 \
      || { echo "npm ci for axe-core failed (the browser test will fail):" >&2; tail -n 5 "$log" >&2; }
    rm -f "$log"
  else
    echo "npm not found: the browser test needs axe-core (npm ci --prefix tests/scorecard)" >&2
  fi
fi
exit 0
