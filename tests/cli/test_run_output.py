"""What `mdq run` prints stays one line per finding, whatever the landing folder's names hold."""

from __future__ import annotations

from tests.cli.mdq_in_process import mdq
from tests.cli.test_gate_cli import _paths
from tests.conftest import FIXTURE_MONTH

__all__ = ["mdq"]  # the fixture: `mdq ARGS` in-process


def test_a_newline_in_a_file_name_cannot_print_a_line_of_its_own(landing, tmp_path, mdq):
    """Two names carrying `<newline>unreadable: FAKE...`: a file named like no layout (ignored) and
    a folder named like RLT's K2 extract (an unreadable submission). Each is printed on its own
    line with the newline shown as `\\n`; no printed line starts as the forged one."""
    (landing / "notes\nunreadable: FAKE1.csv").write_text("x\n")
    (landing / "K2_RLT_MaternityBookings_202504\nunreadable: FAKE2.csv").mkdir()
    result = mdq("run", "--month", FIXTURE_MONTH, *_paths(landing, tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.strip().startswith("unreadable: FAKE")], result.stdout
    assert "ignored: notes\\nunreadable: FAKE1.csv (its name matches no extract layout" in result.stdout
    assert (
        "unreadable: K2_RLT_MaternityBookings_202504\\nunreadable: FAKE2.csv: a folder named like an extract"
        in result.stdout
    )


def test_configuration_problems_exit_2_one_line_each(landing, tmp_path, mdq):
    """A rules file with two problems (a threshold `abc`, measures[1] of an unknown kind) and an
    IoD File 7 holding its header only: `mdq run` and `mdq gate` stop before running, exit 2, and
    print one line per problem, no traceback."""
    import yaml

    from pipelines.core.paths import RULES_FILE

    rules = yaml.safe_load(RULES_FILE.read_text())
    rules["measures"][0]["threshold"] = "abc"
    rules["measures"][1]["kind"] = "ratio"
    bad_rules = tmp_path / "rules.yaml"
    bad_rules.write_text(yaml.safe_dump(rules, sort_keys=False))
    result = mdq("run", "--month", FIXTURE_MONTH, *_paths(landing, tmp_path), env={"MDQ_RULES": str(bad_rules)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"mdq: {bad_rules}: measures[0] (MSD_MOTHER_POSTCODE_VALID): threshold must be a number from 0 to 1 "
        "(0.95 for 95%), found 'abc'",
        f"mdq: {bad_rules}: measures[1] (MSD_MOTHER_ETHNIC_VALID): kind must be one of flag_rate, found 'ratio'",
    ]
    iod = landing / "reference" / "File_7_IoD2025_fixture.csv"
    iod.write_text(iod.read_text().splitlines()[0] + "\n")
    result = mdq("gate", "--month", FIXTURE_MONTH, *_paths(landing, tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "mdq: File_7_IoD2025_fixture.csv: the IoD 2025 File 7 holds its header only: no LSOA would get a decile"
    ]
