"""The gate's own reading of the directory rule (checks/postcodes.py, pipelines/gate/results.py).

Great Expectations must reach the SQL's directory-based verdicts without reading the mart's
postcode columns. Fixture month (tests/fixtures/landing, 2025-04), valid postcodes counted by
hand: RJC 3 of 4 (CV32 malformed), RKB 2 of 6 (cv1 2ab twice; blank, N/A, ZZ99 3VZ and CV5 6EF,
terminated 202001, are not), RLT 1 of 3 (CV10 7AB; cv11 4xy is not in the directory, TBC).
"""

from __future__ import annotations

import pandas as pd
import pytest

from checks.postcodes import NOT_LIVE_NOTE, mark_not_live, normalise_postcodes
from pipelines.core.config import load_rules
from pipelines.core.warehouse import connect
from tests.conftest import FIXTURE_MONTH


def test_gate_normalises_as_the_spec_says():
    typed = pd.Series([" cv1 2ab ", "CV12AB", "cv1\u00a02ab", "n/a", "", None, "CV1 6XYY", "ZZ99 3VZ"])
    assert normalise_postcodes(typed, load_rules()).tolist() == [
        "CV1 2AB",
        "CV1 2AB",
        "CV1 2AB",
        None,
        None,
        None,
        "CV16 XYY",
        "ZZ99 3VZ",
    ]


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ab1", "AB1"),  # three characters or fewer stay whole: no space, nothing to split
        ("a1", "A1"),
        ("a1aa", "A 1AA"),  # four: one character before the space
        ("b11aa", "B1 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("\u200bcv1 2ab\ufeff", "CV1 2AB"),  # zero-width space and BOM: the rules' white space
        ("na", None),  # every null token, any case, with white space around it
        ("Tba", None),
        (" unknown ", None),
        ("nfa", None),
        ("0", None),
        ("tbc", None),
        ("N / A", None),
        ("00", "00"),  # not a token: typed, so kept (and invalid)
        ("nfa1", "N FA1"),
    ],
)
def test_gate_normalisation_edges(typed, normalised):
    """measures.md rule 1 worked by hand: remove the white space, upper-case, one space before the
    last three characters; blank and the null tokens (N/A, NA, TBC, TBA, UNKNOWN, NFA, 0) are None."""
    assert normalise_postcodes(pd.Series([typed]), load_rules()).tolist() == [normalised]


def test_a_non_text_value_is_read_as_its_text():
    assert normalise_postcodes(pd.Series([12345, float("nan")], dtype=object), load_rules()).tolist() == [
        "12 345",
        None,
    ]


def test_not_live_marking():
    """Live: as typed. Not live, or the lookup's answer unknown (NA): marked. The null sentinel ''
    (no postcode) is never marked: it is missing, not a postcode."""
    postcodes = pd.Series(["CV1 2AB", "CV5 6EF", "CV10 7AB", ""])
    live = pd.Series([True, False, None, False], dtype=object)
    assert mark_not_live(postcodes, live, "").tolist() == [
        "CV1 2AB",
        "CV5 6EF" + NOT_LIVE_NOTE,
        "CV10 7AB" + NOT_LIVE_NOTE,
        "",
    ]


def test_gate_counts_the_directory_rule_without_the_marts_postcode_columns(loaded, tmp_path):
    """Sabotage every postcode column the mart derived (all 'valid'): the gate still counts from
    the postcode as typed and its own directory lookup, so its counts stay the hand-counted ones."""
    from checks.validation import run_ge_gate
    from pipelines.gate.results import gate_bookings

    with connect(loaded) as con:
        con.execute(
            "UPDATE bookings SET postcode = 'CV1 2AB', postcode_valid = true, postcode_class = 'valid', lsoa_code = NULL"
        )
        frame = gate_bookings(con, FIXTURE_MONTH, load_rules())
    results, _ = run_ge_gate(frame, load_rules(), tmp_path / "work")
    got = {
        r.org_code: (r.element_count - r.unexpected_count, r.element_count)
        for r in results
        if r.measure_id == "MSD_MOTHER_POSTCODE_VALID"
    }
    assert got == {"RJC": (3, 4), "RKB": (2, 6), "RLT": (1, 3)}


def test_gate_verdicts_agree_with_sql_on_the_fixture_month(loaded, tmp_path):
    from pipelines.gate.results import run_month_gate
    from pipelines.gate.verdicts import evaluate_gate
    from pipelines.measures.compute import compute_measures

    with connect(loaded) as con:
        compute_measures(con, FIXTURE_MONTH)
        run_month_gate(con, FIXTURE_MONTH, tmp_path / "gx", tmp_path / "out")
    verdicts = {(v.org_code, v.measure_id): (v.numerator, v.denominator) for v in evaluate_gate(loaded, FIXTURE_MONTH)}
    assert {org: n for (org, m), n in verdicts.items() if m == "MSD_MOTHER_POSTCODE_VALID"} == {
        "RJC": (3, 4),
        "RKB": (2, 6),
        "RLT": (1, 3),
    }


@pytest.mark.parametrize("live", [True, False])
def test_a_postcode_not_live_is_marked_and_fails_the_expectation(tmp_path, live):
    """One Trust, one booking: CV1 2AB, found live by the lookup or not."""
    from checks.batch import prepare_batch
    from checks.measure_specs import gated_measure_specs

    rules = load_rules()
    specs = gated_measure_specs(rules)
    frame = pd.DataFrame(
        {
            "reporting_month": ["2025-04"],
            "org_code": ["RAA"],
            "postcode": ["CV1 2AB"],
            "postcode_live": [live],
            "ethnic_category": ["A"],
        }
    )
    batch = prepare_batch(frame, specs)
    assert batch["postcode"].tolist() == ["CV1 2AB" if live else "CV1 2AB" + NOT_LIVE_NOTE]
    from checks.validation import run_ge_gate

    results, _ = run_ge_gate(frame, rules, tmp_path / "work")
    postcode = next(r for r in results if r.measure_id == "MSD_MOTHER_POSTCODE_VALID")
    assert (postcode.unexpected_count, postcode.success) == ((0, True) if live else (1, False))


def test_directory_mode_needs_the_lookup_column(tmp_path):
    from checks.validation import run_ge_gate

    frame = pd.DataFrame(
        {"reporting_month": ["2025-04"], "org_code": ["RAA"], "postcode": ["CV1 2AB"], "ethnic_category": ["A"]}
    )
    with pytest.raises(ValueError, match="postcode_live"):
        run_ge_gate(frame, load_rules(), tmp_path / "work")
