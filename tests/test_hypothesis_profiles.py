"""The property tests run under the profile MDQ_HYPOTHESIS_PROFILE names (tests/conftest.py):
derandomised under `ci` (the default, and .ci/run's), random and ten times longer under `nightly`."""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import settings

from pipelines.core.paths import REPO_ROOT
from tests.conftest import HYPOTHESIS_PROFILE
from tests.ingest.test_read_extract_properties import PROPERTY
from tests.reliability.test_fuzz_readers import FUZZ


def test_the_property_tests_inherit_the_profile():
    ci = HYPOTHESIS_PROFILE == "ci"
    for chosen in (settings(), FUZZ, PROPERTY):
        assert chosen.derandomize is ci
        assert chosen.database is None or not ci
    assert (FUZZ.max_examples, PROPERTY.max_examples) == ((60, 300) if ci else (600, 3000))


def test_ci_selects_the_ci_profile():
    """.ci/run sets MDQ_HYPOTHESIS_PROFILE=ci before the README's test command."""
    script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export MDQ_HYPOTHESIS_PROFILE=ci" in script.splitlines()


def test_an_unknown_profile_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--co", "tests/test_hypothesis_profiles.py"],
        cwd=REPO_ROOT,
        env={**os.environ, "MDQ_HYPOTHESIS_PROFILE": "weekly"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "MDQ_HYPOTHESIS_PROFILE='weekly': expected ci or nightly" in result.stdout + result.stderr
