"""What the Spark tests need: PySpark (the `spark` extra) and a Java 17+ runtime, else a skip
that says which is missing (scripts/test.sh installs both; CI prints the reason with -ra)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess

import pytest


def spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (bash scripts/uv.sh sync --extra spark)"
    java = shutil.which("java") or (
        os.environ.get("JAVA_HOME") and os.path.join(os.environ["JAVA_HOME"], "bin", "java")
    )
    if not java:
        return "no Java runtime: scripts/java-deps.sh could not install openjdk-17-jre-headless here"
    version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    major = version.split('"')[1].split(".")[0] if '"' in version else "0"
    if not major.isdigit() or int(major) < 17:
        return f"Java {major} found; PySpark 4 needs Java 17 or later"
    return None


@pytest.fixture(scope="session")
def spark_local_dir(tmp_path_factory):
    """Where the test session's Spark writes its shuffle files, spills and cached blocks: a folder
    of this run's own, so test_spark_no_leaks scans them alone (no other session's /tmp files)."""
    return tmp_path_factory.mktemp("spark-local")


@pytest.fixture(scope="session")
def spark(spark_local_dir):
    """Spark local[2], as CI runs it: one session for every Spark test of the run."""
    missing = spark_missing()
    if missing:
        pytest.skip(missing)
    os.environ["MDQ_SPARK_MASTER"] = "local[2]"
    os.environ["SPARK_LOCAL_DIRS"] = str(spark_local_dir)  # read by the JVM as it starts
    from pipelines.core.engines.spark_session import spark_session

    return spark_session()
