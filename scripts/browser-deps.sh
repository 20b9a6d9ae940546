#!/usr/bin/env bash
# What the browser tests need beyond Python: Debian's Chromium and axe-core from npm
# (tests/scorecard/package.json). Installs them when the machine allows (root with apt-get; npm).
# Without them the browser tests skip, saying why, so the README's test command works on a machine
# without root. Under MDQ_REQUIRE_BROWSER=1 (CI: .ci/run) the tests fail instead of skipping, and
# this script exits 1 saying what is missing, before the suite starts.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
missing=()

find_chromium() {
  # As tests/scorecard/cdp.py finds it: MDQ_CHROMIUM, else the usual names on PATH.
  if [[ -n "${MDQ_CHROMIUM:-}" ]]; then
    [[ -e "$MDQ_CHROMIUM" ]] && return 0
    return 1
  fi
  local name
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    command -v "$name" >/dev/null 2>&1 && return 0
  done
  return 1
}

if ! find_chromium; then
  if [[ -n "${MDQ_CHROMIUM:-}" ]]; then
    missing+=("MDQ_CHROMIUM=$MDQ_CHROMIUM does not exist")
  elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "browser-deps: installing Debian's chromium for the browser tests" >&2
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }) \
      || missing+=("chromium: apt-get install -y chromium failed")
  else
    missing+=("chromium: not found, and installing it needs root and apt-get (or set MDQ_CHROMIUM to a Chromium binary)")
  fi
fi

if [[ ! -f "$root/tests/scorecard/node_modules/axe-core/axe.min.js" ]]; then
  if command -v npm >/dev/null 2>&1; then
    log="$(mktemp)"
    if ! npm ci --no-audit --no-fund --prefix "$root/tests/scorecard" >"$log" 2>&1; then
      missing+=("axe-core: npm ci --prefix tests/scorecard failed: $(tail -n 1 "$log")")
    fi
    rm -f "$log"
  else
    missing+=("axe-core: npm not found (install Node.js and run npm ci --prefix tests/scorecard)")
  fi
fi

if ((${#missing[@]})); then
  for problem in "${missing[@]}"; do echo "browser-deps: $problem" >&2; done
  if [[ "${MDQ_REQUIRE_BROWSER:-}" == 1 ]]; then
    echo "browser-deps: MDQ_REQUIRE_BROWSER=1: the browser tests cannot run here, so the suite would fail" >&2
    exit 1
  fi
  echo "browser-deps: the browser tests will be skipped, each saying why" >&2
fi
exit 0
