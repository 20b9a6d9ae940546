"""What `mdq run` prints stays one line per finding, whatever the landing folder's names hold."""

from __future__ import annotations

from tests.cli.test_gate_cli import _paths, mdq
from tests.conftest import FIXTURE_MONTH


def test_a_newline_in_a_file_name_cannot_print_a_line_of_its_own(landing, tmp_path):
    """Two names carrying `<newline>unreadable: FAKE...`: a file named like no layout (ignored) and
    a folder named like RLT's K2 extract (an unreadable submission). Each is printed on its own
    line with the newline shown as `\\n`; no printed line starts as the forged one."""
    (landing / "notes\nunreadable: FAKE1.csv").write_text("x\n")
    (landing / "K2_RLT_MaternityBookings_202504\nunreadable: FAKE2.csv").mkdir()
    result = mdq("run", "--month", FIXTURE_MONTH, *_paths(landing, tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.strip().startswith("unreadable: FAKE")], result.stdout
    assert "  ignored: notes\\nunreadable: FAKE1.csv (its name matches no extract layout" in result.stdout
    assert (
        "  unreadable: K2_RLT_MaternityBookings_202504\\nunreadable: FAKE2.csv: a folder named like an extract"
        in result.stdout
    )
