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


def test_rates_from_suppressed_counts_are_not_shown():
    assert not MSDS.rate_shown(5, 100)  # numerator suppressed
    assert not MSDS.rate_shown(7, 7)  # both
    assert not MSDS.rate_shown(0, 6)  # denominator suppressed
    assert not MSDS.rate_shown(0, 0)  # no denominator
    assert MSDS.rate_shown(0, 9)
    assert MSDS.rate_shown(8, 8)


def test_the_shipped_policy_is_nhs_englands():
    """measures.md: counts from 1 to 7 shown as *, other counts rounded to the nearest 5."""
    from pipelines.core.config import load_rules

    policy = DisclosurePolicy.from_rules(load_rules(RULES_FILE))
    assert (policy.suppress_min, policy.suppress_max, policy.symbol, policy.round_to) == (1, 7, "*", 5)
    assert policy.footnote == (
        "Counts from 1 to 7 are shown as * and other counts are rounded to the nearest 5, following NHS "
        "England's publication practice for MSDS; rates from suppressed counts are not shown."
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
