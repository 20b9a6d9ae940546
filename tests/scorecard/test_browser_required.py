"""Without Chromium the browser tests skip, saying why; under MDQ_REQUIRE_BROWSER=1 (.ci/run) they
fail instead, so the accessibility and no-network checks cannot vanish from a green CI run."""

from __future__ import annotations

import os
import subprocess
import sys

from pipelines.core.paths import REPO_ROOT

BROWSER_TEST = "tests/scorecard/test_scorecard_browser.py"
REASON = "no Chromium found (apt-get install -y chromium, or set MDQ_CHROMIUM)"


def _pytest(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", BROWSER_TEST],
        cwd=REPO_ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "MDQ_REQUIRE_BROWSER"}, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_chromium_the_browser_test_skips_saying_why():
    result = _pytest(MDQ_CHROMIUM="/nonexistent/chromium")
    assert result.returncode == 0, result.stdout
    assert f"{REASON}: browser test skipped" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("2 skipped")  # the fixture months and April 2026


def test_ci_turns_the_skip_into_a_failure():
    result = _pytest(MDQ_CHROMIUM="/nonexistent/chromium", MDQ_REQUIRE_BROWSER="1")
    assert result.returncode == 1, result.stdout
    assert f"{REASON}; MDQ_REQUIRE_BROWSER=1 requires the browser tests (scripts/browser-deps.sh)" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]


def test_ci_sets_the_flag_and_the_deps_script_fails_saying_why():
    script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "export MDQ_REQUIRE_BROWSER=1" in script
    result = subprocess.run(
        ["bash", "scripts/browser-deps.sh"],
        cwd=REPO_ROOT,
        env={**os.environ, "MDQ_REQUIRE_BROWSER": "1", "MDQ_CHROMIUM": "/nonexistent/chromium"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1
    assert "browser-deps: MDQ_CHROMIUM=/nonexistent/chromium does not exist" in result.stderr.splitlines()
    assert result.stderr.splitlines()[-1] == (
        "browser-deps: MDQ_REQUIRE_BROWSER=1: the browser tests cannot run here, so the suite would fail"
    )
