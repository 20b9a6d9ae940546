#!/usr/bin/env bash
# Runs the pinned uv, installing it first into var/bootstrap if this machine has none.
# Every project command goes through this, so a fresh machine needs only Python 3.11+.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="0.13.8"
if command -v uv >/dev/null 2>&1 && [[ "$(uv --version)" == "uv $version"* ]]; then
  uv_bin="$(command -v uv)"
else
  uv_bin="$root/var/bootstrap/bin/uv"
  if [[ ! -x "$uv_bin" ]]; then
    python3 -m venv "$root/var/bootstrap" || {
      echo "python3 -m venv failed: install Python 3.11+ with venv (on Debian/Ubuntu: apt-get install python3-venv)" >&2
      exit 2
    }
    "$root/var/bootstrap/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$version"
  fi
fi
# Use the machine's Python; never download one. Trust the system's certificate store, as pip
# does, so a TLS-inspecting proxy (common on NHS networks) does not break the install.
export UV_PYTHON_DOWNLOADS=never
export UV_SYSTEM_CERTS=1
# Compile bytecode at install: a cold `mdq run` otherwise compiles Dagster and GE on every start
# where bytecode cannot be cached (PYTHONDONTWRITEBYTECODE), costing ~8 s.
export UV_COMPILE_BYTECODE=1
export UV_PROJECT_ENVIRONMENT="$root/.venv"
exec "$uv_bin" "$@"
