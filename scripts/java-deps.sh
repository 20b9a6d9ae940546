#!/usr/bin/env bash
# What the Spark engine's tests need beyond Python: a Java 17+ runtime for PySpark 4. Installs
# Debian's openjdk-17-jre-headless when none is found and the machine allows (root, or sudo
# without a password, with apt-get); otherwise says so, and the Spark tests report themselves
# skipped for want of Java (pytest -ra prints the reason in CI's log).
set -uo pipefail
java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  local major
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
  [[ -n "$major" && "$major" -ge 17 ]]
}
if java_ok; then
  exit 0
fi
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "no Java 17+ runtime, and not root (nor sudo without a password) to install one: the Spark tests will be skipped" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no Java 17+ runtime and no apt-get to install openjdk-17-jre-headless: the Spark tests will be skipped" >&2
  exit 0
fi
echo "installing Debian's openjdk-17-jre-headless for the Spark engine's tests" >&2
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1; then
  # A fresh image has no package lists yet.
  if ! { "${as_root[@]}" apt-get update -qq >/dev/null 2>&1 \
    && "${as_root[@]}" apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1; }; then
    echo "could not install openjdk-17-jre-headless: the Spark tests will be skipped" >&2
  fi
fi
java_ok || echo "Java is still not 17 or later after the install: the Spark tests will be skipped" >&2
exit 0
