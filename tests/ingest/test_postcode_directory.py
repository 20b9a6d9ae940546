"""The postcode rule as NHS England counts it: found in the postcode directory and live in the
reporting month, with every Unicode white-space character removed first.

Fixture: the hand-written landing folder (2025-04) with its directory replaced by one written
here. The K2 file's loaded postcodes (lines 2, 3, 4, 5, 6, 11) are cv1 2ab, 'CV12AB ', blank,
N/A, ZZ99 3VZ and 'cv5  6ef'; BadgerNet's (lines 2, 3, 4, 7) CV312AB, CV32, CV37 6AA,
cv34 4ab; Cerner's (5001-5003) CV10 7AB, cv11 4xy, TBC.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.core.config import load_layouts, load_rules
from pipelines.core.model_rules import install_rules
from tests.conftest import examples, load, query

HEADER = "pcd,pcds,dointr,doterm,lsoa11,lsoa21\n"


def write_directory(landing: Path, rows: str, header: str = HEADER) -> None:
    (landing / "reference" / "ONSPD_fixture.csv").write_text(header + rows, encoding="utf-8")


def classes(warehouse: Path, system: str) -> list[tuple[int, str]]:
    return query(
        warehouse,
        "SELECT source_line, postcode_class FROM bookings WHERE source_system = ? ORDER BY source_line",
        [system],
    )


def test_live_in_month_at_both_edges(landing, tmp_path):
    """2025-04 bookings. Introduced 202504 (the month itself) and terminated 202504 are live;
    introduced 202505 and terminated 202503 are not. An empty dointr counts as introduced.

    K2: line 2 cv1 2ab (dointr 202504: valid), line 3 'CV12AB' (same postcode: valid), line 11
    cv5 6ef (doterm 202504: valid). BadgerNet: line 2 CV31 2AB (doterm 202503: invalid), line 4
    CV37 6AA (dointr 202505: invalid), line 7 CV34 4AB (dointr empty: valid)."""
    write_directory(
        landing,
        "CV1 2AB,CV1 2AB,202504,,E01009001,E01009001\n"
        "CV5 6EF,CV5 6EF,198001,202504,E01009002,E01009002\n"
        "CV312AB,CV31 2AB,198001,202503,E01031001,E01031001\n"
        "CV376AA,CV37 6AA,202505,,E01031002,E01031002\n"
        "CV344AB,CV34 4AB,,,E01031003,E01031003\n",
    )
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert classes(wh, "K2") == [
        (2, "valid"),
        (3, "valid"),
        (4, "missing"),
        (5, "missing"),
        (6, "default"),
        (11, "valid"),
    ]
    assert classes(wh, "BadgerNet") == [(2, "invalid"), (3, "invalid"), (4, "invalid"), (7, "valid")]
    # A postcode terminated in the month is still placed in its area that month.
    assert query(wh, "SELECT lsoa_code FROM bookings WHERE source_system = 'K2' AND source_line = 11") == [
        ("E01009002",)
    ]


def test_directory_without_dointr_loads_and_says_so(landing, tmp_path):
    """source-layouts.md lists pcd, pcds, doterm, lsoa11, lsoa21: no dointr. Every postcode then
    counts as introduced (CV37 6AA, BadgerNet line 4, valid), the terminated one still is not
    (CV31 2AB, doterm 202503, line 2), and the warehouse records the missing dates."""
    write_directory(
        landing,
        "CV312AB,CV31 2AB,202503,E01031001,E01031001\nCV376AA,CV37 6AA,,E01031002,E01031002\n",
        header="pcd,pcds,doterm,lsoa11,lsoa21\n",
    )
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert classes(wh, "BadgerNet") == [(2, "invalid"), (3, "invalid"), (4, "valid"), (7, "invalid")]
    assert query(wh, "SELECT postcode_introduction_dates FROM reference_fingerprint") == [(False,)]


def test_directory_with_dointr_is_recorded(landing, tmp_path):
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert query(wh, "SELECT postcode_introduction_dates FROM reference_fingerprint") == [(True,)]


def test_format_mode_judges_the_bs7666_format_only(landing, tmp_path, monkeypatch):
    """validity: format. K2: cv1 2ab, 'CV12AB ', cv5 6ef (terminated, but well-formed) valid.
    Cerner: CV10 7AB and cv11 4xy (absent from the directory, well-formed) valid, TBC missing.
    BadgerNet: CV32 (not a postcode format) invalid."""
    rules = (Path(__file__).parents[2] / "checks" / "rules.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "rules.yaml"
    changed.write_text(rules.replace("  validity: directory", "  validity: format"), encoding="utf-8")
    monkeypatch.setenv("MDQ_RULES", str(changed))
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert classes(wh, "K2") == [
        (2, "valid"),
        (3, "valid"),
        (4, "missing"),
        (5, "missing"),
        (6, "default"),
        (11, "valid"),
    ]
    assert classes(wh, "Cerner") == [(2, "valid"), (3, "valid"), (4, "missing")]
    assert classes(wh, "BadgerNet") == [(2, "valid"), (3, "invalid"), (4, "valid"), (7, "valid")]


# ---- white space ---------------------------------------------------------------------------------


def unicode_white_space() -> list[str]:
    """Unicode's White_Space property, derived here without the rules file: the space separators
    (category Zs), line and paragraph separators (Zl, Zp), and the controls TAB, LF, VT, FF, CR, NEL."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Zs", "Zl", "Zp")]
    return sorted(set(chars) | set("\t\n\x0b\x0c\r\x85"))


WHITE = unicode_white_space()


@pytest.fixture(scope="module")
def rules_connection():
    con = duckdb.connect()
    install_rules(con, load_rules(), load_layouts())
    con.execute(
        "CREATE TEMP TABLE ref_postcodes (postcode VARCHAR, terminated VARCHAR, lsoa_code VARCHAR, introduced VARCHAR)"
    )
    yield con
    con.close()


def sql_class(con, typed: str, month: str = "2025-04") -> tuple[str | None, str]:
    """(normalised, class) of a typed postcode, with CV1 2AB in the directory (live throughout)."""
    con.execute("DELETE FROM ref_postcodes")
    con.execute("INSERT INTO ref_postcodes VALUES ('CV1 2AB', NULL, 'E01009001', '198001')")
    con.execute("CREATE OR REPLACE TEMP TABLE typed AS SELECT ?::VARCHAR AS raw, ?::VARCHAR AS month", [typed, month])
    return con.execute(
        """SELECT n.postcode, postcode_class(n.postcode, r.postcode IS NOT NULL)
           FROM (SELECT normalise_postcode(raw) AS postcode, month FROM typed) AS n
           LEFT JOIN ref_postcodes AS r
             ON r.postcode = n.postcode AND postcode_live_in(r.introduced, r.terminated, yyyymm(n.month))"""
    ).fetchone()


def test_the_spec_examples_normalise_alike(rules_connection):
    for typed in (" cv1 2ab ", "CV12AB", "cv1\u00a02ab", "CV1\u20092AB", "\tcv12ab\u3000", "\ufeffCV1 2AB"):
        assert sql_class(rules_connection, typed) == ("CV1 2AB", "valid"), repr(typed)


def test_the_rules_file_lists_every_unicode_white_space_character():
    from pipelines.core.whitespace import whitespace_characters

    assert set(WHITE) <= set(whitespace_characters(load_rules()))


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    inserts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=6), st.text(alphabet=WHITE, min_size=1, max_size=3)), max_size=5
    ),
    lower=st.booleans(),
)
def test_any_white_space_anywhere_leaves_a_valid_postcode_valid(rules_connection, inserts, lower):
    """Property (issue 12): white space of any kind, anywhere in CV1 2AB, in SQL and in the gate's
    own normalisation alike."""
    import pandas as pd

    from checks.postcodes import normalise_postcodes

    text = list("cv12ab" if lower else "CV12AB")
    for position, blank in sorted(inserts, reverse=True):
        text.insert(min(position, len(text)), blank)
    typed = "".join(text)
    assert sql_class(rules_connection, typed) == ("CV1 2AB", "valid")
    assert normalise_postcodes(pd.Series([typed]), load_rules()).tolist() == ["CV1 2AB"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("CV1O 2AB", ("CV1O 2AB", "invalid")),  # letter O for a zero: well-formed, not a postcode
        ("QA1 1AA", ("QA1 1AA", "invalid")),
        ("zz99 3vz", ("ZZ99 3VZ", "default")),
        ("ZZ993CZ", ("ZZ99 3CZ", "default")),
        ("n/a", (None, "missing")),
        (" unknown ", (None, "missing")),
        ("\u00a0", (None, "missing")),
        ("0", (None, "missing")),
    ],
)
def test_classes_of_typed_postcodes(rules_connection, typed, expected):
    assert sql_class(rules_connection, typed) == expected


def test_scottish_postcode_is_valid_with_no_lsoa_or_imd(landing, tmp_path):
    """BadgerNet line 3's CV32 replaced by EH11AA, in the directory with a Scottish data zone
    (S01008677) for an area: a valid postcode, no LSOA, IMD 'Not known' (NULL decile)."""
    badger = landing / "BadgerNet_RJC_Booking_2025-04.csv"
    badger.write_bytes(badger.read_bytes().replace(b",CV32,", b",EH11AA,"))
    directory = landing / "reference" / "ONSPD_fixture.csv"
    text = directory.read_text(encoding="utf-8")
    directory.write_text(text + "EH1 1AA,EH1 1AA,198001,,,S01008677,S01008677\n", encoding="utf-8")
    wh = tmp_path / "w.duckdb"
    load(landing, wh)
    assert query(
        wh,
        "SELECT postcode, postcode_class, postcode_lsoa_class, lsoa_code, imd_decile FROM bookings "
        "WHERE source_system = 'BadgerNet' AND source_line = 3",
    ) == [("EH1 1AA", "valid", "invalid", None, None)]
