"""`mdq run` says when the postcode directory has no introduction dates: a warning, not an error
(source-layouts.md lists the directory without dointr; ONSPD/NSPL carry it)."""

from __future__ import annotations

from tests.cli.mdq_in_process import mdq
from tests.cli.test_gate_cli import _paths
from tests.conftest import FIXTURE_MONTH

__all__ = ["mdq"]  # the fixture: `mdq ARGS` in-process


def _drop_dointr(landing) -> None:
    directory = landing / "reference" / "ONSPD_fixture.csv"
    rows = [line.split(",") for line in directory.read_text(encoding="utf-8").splitlines()]
    at = rows[0].index("dointr")
    directory.write_text("".join(",".join(r[:at] + r[at + 1 :]) + "\n" for r in rows), encoding="utf-8")


def test_run_warns_when_the_directory_has_no_introduction_dates(landing, tmp_path, mdq):
    env = {"MDQ_PSEUDONYM_KEY": "a test key of at least thirty-two bytes"}
    with_dates = mdq("run", "--month", FIXTURE_MONTH, *_paths(landing, tmp_path / "a"), env=env)
    assert with_dates.returncode == 0, with_dates.stderr
    assert "no introduction dates" not in with_dates.stdout
    _drop_dointr(landing)
    without = mdq("run", "--month", FIXTURE_MONTH, *_paths(landing, tmp_path / "b"), env=env)
    assert without.returncode == 0, without.stderr
    assert "warning: the postcode directory has no introduction dates (dointr)" in without.stdout
