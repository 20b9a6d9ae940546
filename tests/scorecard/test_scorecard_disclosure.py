"""Disclosure control, and the quarantine reason kinds, on their own."""

from __future__ import annotations

import pytest
import yaml

from pipelines.core.paths import RULES_FILE
from pipelines.scorecard.data import reason_kind
from pipelines.scorecard.disclosure import DisclosurePolicy

MSDS = DisclosurePolicy(suppress_min=1, suppress_max=7, symbol="*", round_to=5, footnote="f")


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (1, "*"), (7, "*"), (8, "10"), (12, "10"), (13, "15"), (15, "15"), (1234, "1,235"), (None, "–")],
)
def test_counts(count, shown):
    assert MSDS.count(count) == shown


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [
        (9, 13, "67%"),  # rounded 10 of 15: the exact 69.2% is not what the page shows
        (0, 40, "0%"),
        (40, 40, "100%"),
        (1000, 1002, "100%"),  # rounded 1,000 of 1,000
        (1000, 1010, "99%"),  # rounded 1,000 of 1,010 = 99.0%
        (2000, 2003, ">99%"),  # rounded 2,000 of 2,005 = 99.75%: not 100%, as the rounded counts differ
        (8, 2000, "<1%"),  # rounded 10 of 2,000 = 0.5%: rounds to 0 (half to even) but is not 0
        (0, 0, "–"),
    ],
)
def test_rates_come_from_the_rounded_counts(numerator, denominator, text):
    assert MSDS.rate_text(numerator, denominator) == text


def test_rates_from_suppressed_counts_are_not_shown():
    assert not MSDS.rate_shown(5, 100)  # numerator suppressed
    assert not MSDS.rate_shown(7, 7)  # both
    assert not MSDS.rate_shown(0, 6)  # denominator suppressed
    assert not MSDS.rate_shown(0, 0)  # no denominator
    assert MSDS.rate_shown(0, 9)
    assert MSDS.rate_shown(8, 8)
    assert not MSDS.rate_shown(9, 13)  # 4 without: the complement is suppressed too
    assert MSDS.rate_shown(9, 17)  # 8 without


def test_the_shipped_policy_is_nhs_englands():
    """measures.md: counts from 1 to 7 shown as *, other counts rounded to the nearest 5."""
    from pipelines.core.config import load_rules

    policy = DisclosurePolicy.from_rules(load_rules(RULES_FILE))
    assert (policy.suppress_min, policy.suppress_max, policy.symbol, policy.round_to) == (1, 7, "*", 5)
    assert policy.rate_decimals == 0
    assert policy.footnote == (
        "Counts from 1 to 7 are shown as * and other counts are rounded to the nearest 5, following NHS "
        "England's publication practice for MSDS. A rate in a breakdown is worked out from the rounded counts, "
        "to the whole per cent, and is shown only when neither the women with the item nor the women without "
        "it number 1 to 7; a * may also stand for a figure withheld so that a count from 1 to 7 cannot be "
        "worked out from the others."
    )


def test_the_policy_is_read_from_the_rules_file(tmp_path):
    """A rules file staging another policy (1 to 9 as 'c', rounding to 10) gets that policy."""
    from pipelines.core.config import load_rules

    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    rules["disclosure"].update(suppress_max=9, suppressed_symbol="c", round_to=10, footnote="Staged.")
    staged = tmp_path / "rules.yaml"
    staged.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    policy = DisclosurePolicy.from_rules(load_rules(staged))
    assert (policy.suppress_min, policy.suppress_max, policy.symbol, policy.round_to, policy.footnote) == (
        1,
        9,
        "c",
        10,
        "Staged.",
    )


def test_a_different_policy_is_applied_as_configured():
    ten = DisclosurePolicy(suppress_min=1, suppress_max=9, symbol="c", round_to=10, footnote="")
    assert [ten.count(n) for n in (9, 10, 14, 15, 25)] == ["c", "10", "10", "20", "30"]


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        (
            "BookingDate '2025-02-31' is not a real date in the layout's format %Y-%m-%d",
            "BookingDate … is not a real date in the layout's format %Y-%m-%d",
        ),
        (
            "Booking Date '31/02/2025 12:00' is not a real date in the layout's format %d/%m/%Y %H:%M",
            "Booking Date … is not a real date in the layout's format %d/%m/%Y %H:%M",
        ),
        ("Booking Date 2025-03-25 is outside the file's month 2025-04", "Booking Date … is outside the file's month …"),
        ("exact duplicate of line 4", "exact duplicate of line …"),
        (
            "pregnancy ID repeated from line 168 with different values",
            "pregnancy ID repeated from line … with different values",
        ),
        ("RESULT_VAL 'O'Neil' is not a number", "RESULT_VAL … is not a number"),
        (
            "Postcode 'CV1 2AB' is not a valid identifier for this layout",
            "Postcode … is not a valid identifier for this layout",
        ),
        (
            "PREGNANCY_ID has no loaded row in the month's pregnancy file",
            "PREGNANCY_ID has no loaded row in the month's pregnancy file",
        ),
        ("Booking ID is blank", "Booking ID is blank"),
    ],
)
def test_reason_kinds_drop_values(reason, kind):
    assert reason_kind(reason) == kind
