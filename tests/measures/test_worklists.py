"""Worklists are made to be opened in Excel: values from the extracts that would start a formula
are written as text (a leading apostrophe), so the file cannot run anything.

Fixture K2 (tests/fixtures/landing), loaded rows 2-6 and 11, edited:
* line 4 (BK00000003) postcode blank -> `@SUM(1+1)`       (invalid postcode: postcode worklist)
* line 5 (BK00000004) postcode N/A   -> `=HYPERLINK("http://x","y")` (invalid: postcode worklist)
* line 6 (BK00000005) postcode ZZ99 3VZ -> `-2+3`          (invalid: postcode worklist)
* line 6 ethnic origin White-British -> `+cmd|' /C calc'!A0` (maps to no code: ethnic worklist)
"""

from __future__ import annotations

import csv
import io

from pipelines.core.warehouse import connect
from pipelines.measures.compute import compute_measures
from pipelines.measures.worklists import write_worklists
from tests.conftest import load

K2 = "K2_RKB_MaternityBookings_202504.csv"


def _edit(landing, line: int, old: str, new: str) -> None:
    path = landing / K2
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_bytes(("\ufeff" + "\r\n".join(lines)).encode("utf-8"))


def test_worklist_cells_never_start_a_formula(landing, tmp_path):
    _edit(landing, 4, ",12+6,,", ",12+6,@SUM(1+1),")
    _edit(landing, 5, ",N/A,", ',"=HYPERLINK(""http://x"",""y"")",')
    _edit(landing, 6, ",ZZ99 3VZ,White-British,", ",-2+3,\"+cmd|' /C calc'!A0\",")
    wh, out = tmp_path / "w.duckdb", tmp_path / "out"
    load(landing, wh)
    with connect(wh) as con:
        compute_measures(con, "2025-04")
        paths = write_worklists(con, "2025-04", out)
    rows = list(csv.DictReader(io.StringIO(paths["RKB"].read_text(encoding="utf-8"))))
    by_line = {(r["measure_id"], r["source_line"]): r["value"] for r in rows}
    assert by_line[("MSD_MOTHER_POSTCODE_VALID", "4")].startswith("'@SUM(1")
    assert by_line[("MSD_MOTHER_POSTCODE_VALID", "5")].startswith("'=HYPERLINK(")
    assert by_line[("MSD_MOTHER_POSTCODE_VALID", "6")].startswith("'-")
    assert by_line[("MSD_MOTHER_ETHNIC_VALID", "6")] == "'+cmd|' /C calc'!A0"
    for path in paths.values():
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), (path.name, row)


def test_a_month_rewritten_keeps_no_stale_worklist(landing, tmp_path):
    """A worklist left from an earlier run for a Trust the month no longer has (RXX) goes; other
    months' worklists stay."""
    wh, out = tmp_path / "w.duckdb", tmp_path / "out"
    (out / "worklists").mkdir(parents=True)
    (out / "worklists" / "worklist-2025-04-RXX.csv").write_text("stale\n")
    (out / "worklists" / "worklist-2025-03-RXX.csv").write_text("another month\n")
    load(landing, wh)
    with connect(wh) as con:
        compute_measures(con, "2025-04")
        write_worklists(con, "2025-04", out)
    assert sorted(p.name for p in (out / "worklists").iterdir()) == [
        "worklist-2025-03-RXX.csv",
        "worklist-2025-04-RJC.csv",
        "worklist-2025-04-RKB.csv",
        "worklist-2025-04-RLT.csv",
    ]
