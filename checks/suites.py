"""The two Great Expectations suites of the gate, built from the gated measures' specs.

``maternity_dq_gate_rows`` (row level, the MSDS rules as GE built-ins)
    * ``MSD_MOTHER_POSTCODE_VALID``: ``ExpectColumnValuesToMatchRegex`` on ``postcode`` (the
      gate's own normalisation of the postcode as typed, checks/postcodes.py) with one regex:
      a negative lookahead for ``postcode.pseudo_outward_codes`` and, in ``directory`` mode, a
      normalised postcode shape that a postcode not live in the directory in the month fails
      (it arrives marked by the gate's own directory lookup), in ``format`` mode
      ``postcode.format_regex`` (``^(?!(?:ZZ99) )(?:<format>)``).
    * ``MSD_MOTHER_ETHNIC_VALID``: ``ExpectColumnValuesToBeInSet`` on ``ethnic_category`` with
      ``ethnic_category.valid_codes``.
    * ``mostly`` = the measure's ``threshold``.

``maternity_dq_gate_trusts`` (Trust level, the gate)
    One row per Trust: ``bookings`` and, per gated measure, the observed rate.
    ``ExpectColumnValuesToBeBetween(<measure>, min_value=threshold, max_value=1)`` (inclusive,
    so a rate exactly at the threshold passes) and ``ExpectColumnValuesToBeBetween(bookings,
    min_value=1)`` (a Trust-month with no bookings fails).
"""

from __future__ import annotations

from collections.abc import Iterable

from checks.measure_specs import MeasureSpec

SUITE_ROWS = "maternity_dq_gate_rows"
SUITE_TRUSTS = "maternity_dq_gate_trusts"
BOOKINGS_COLUMN = "bookings"


def build_row_suite(specs: Iterable[MeasureSpec]):
    """The row-level suite: one built-in GE expectation per gated measure."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    expectations = []
    for spec in specs:
        note = (
            f"{spec.measure_id} ({spec.title}). mostly = rules.yaml threshold {spec.threshold}. "
            f"Missing values are coalesced to '' before validation, so they are invalid and "
            f"stay in the denominator (MSDS). This row-level result covers all Trusts in the "
            f"month; the gate verdict is per Trust, in suite {SUITE_TRUSTS}."
        )
        meta = {"measure_id": spec.measure_id, "threshold": spec.threshold}
        if spec.kind == "regex":
            expectations.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=spec.column,
                    regex=spec.regex,
                    mostly=spec.threshold,
                    meta=meta,
                    notes=note,
                )
            )
        else:
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=spec.column,
                    value_set=list(spec.value_set or ()),
                    mostly=spec.threshold,
                    meta=meta,
                    notes=note,
                )
            )
    return gx.ExpectationSuite(
        name=SUITE_ROWS,
        expectations=expectations,
        meta={"source": "checks/rules.yaml"},
        notes=(
            "MSDS validity rules from checks/rules.yaml, validated on one batch per reporting "
            "month holding every Trust's bookings. NULLs are validated as '' so that they "
            "count as invalid and stay in the denominator."
        ),
    )


def build_trust_suite(specs: Iterable[MeasureSpec]):
    """The Trust-level gate suite: each Trust-month's rate >= threshold, and bookings >= 1."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column=BOOKINGS_COLUMN,
            min_value=1,
            meta={"measure_id": None},
            notes=(
                "A Trust-month with no bookings in the gate (missing or unreadable "
                "submission) fails every gated measure: no data is not good data."
            ),
        )
    ]
    for spec in specs:
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=spec.measure_id,
                min_value=spec.threshold,
                max_value=1,
                meta={"measure_id": spec.measure_id, "threshold": spec.threshold},
                notes=(
                    f"{spec.measure_id} ({spec.title}): valid / all bookings of the Trust in "
                    f"the month, NULLs counted as invalid; passes at >= {spec.threshold} "
                    "(rules.yaml threshold). Unexpected rows name the failing Trusts."
                ),
            )
        )
    return gx.ExpectationSuite(
        name=SUITE_TRUSTS,
        expectations=expectations,
        meta={"source": "checks/rules.yaml"},
        notes=(
            "The gate: one row per Trust for the reporting month. A Trust passes a measure "
            "when its observed rate is at least the rules.yaml threshold."
        ),
    )
