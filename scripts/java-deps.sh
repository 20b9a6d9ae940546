#!/usr/bin/env bash
# What the Spark engine's tests need beyond Python: a Java 17+ runtime for PySpark 4. Installs
# Debian's openjdk-17-jre-headless when none is found and the machine allows (root with apt);
# otherwise says so, and the Spark tests report themselves skipped for want of Java.
set -uo pipefail
java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  local major
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
  [[ -n "$major" && "$major" -ge 17 ]]
}
if ! java_ok; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's openjdk-17-jre-headless for the Spark engine's tests" >&2
    (apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1; }) \
      || echo "could not install openjdk-17-jre-headless: the Spark tests will be skipped" >&2
  else
    echo "no Java 17+ runtime and none can be installed here: the Spark tests will be skipped" >&2
  fi
fi
exit 0
