"""The Spark tests skip only for a stated reason (scripts/test.sh installs PySpark and Java; CI's
`pytest -ra` prints the reason), and `mdq run --engine spark` refuses in one line without them."""

from __future__ import annotations

import subprocess

from tests.engines.conftest import spark_missing


def test_no_java_is_the_stated_reason(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert spark_missing() == "no Java runtime: scripts/java-deps.sh could not install openjdk-17-jre-headless here"


def test_an_old_java_is_the_stated_reason(monkeypatch):
    """`java -version` of Java 11 prints `openjdk version "11.0.2"` on stderr."""
    monkeypatch.setattr("shutil.which", lambda name: "/opt/java11/bin/java")
    done = subprocess.CompletedProcess([], 0, stdout="", stderr='openjdk version "11.0.2" 2019-01-15\n')
    monkeypatch.setattr("subprocess.run", lambda *a, **k: done)
    assert spark_missing() == "Java 11 found; PySpark 4 needs Java 17 or later"


def test_no_pyspark_is_the_stated_reason(monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert spark_missing() == "PySpark is not installed (bash scripts/uv.sh sync --extra spark)"


def test_the_spark_cli_refuses_without_java(mdq_main, monkeypatch, tmp_path):
    """One line on stderr and exit 2, before any month runs."""
    from pipelines.core.paths import SAMPLE_DATA

    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("MDQ_SPARK_MASTER", "local[2]")
    status, out, err = mdq_main(
        "run", "--month", "2026-04", "--engine", "spark", "--landing", str(SAMPLE_DATA),
        "--warehouse", str(tmp_path / "wh"), "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert status == 2
    assert err.strip() == "mdq: --engine spark needs a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)"
    assert not (tmp_path / "wh").exists()
