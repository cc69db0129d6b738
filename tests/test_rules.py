"""The waiting-list rules: pure date arithmetic over fixed dates, with the edge cases."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from huddle import rules
from huddle.models import DEFAULT_RISK_TIERS, RiskTier

TIERS = {tier.number: tier for tier in DEFAULT_RISK_TIERS}
URGENT, HIGH, MODERATE, ROUTINE = (TIERS[n] for n in (1, 2, 3, 4))


def expected_breach(referral: date, max_wait: int) -> date:
    """Written independently of huddle.rules: day numbers, not timedelta."""
    return date.fromordinal(referral.toordinal() + max_wait)


# --- the default tiers are the design's table -------------------------------------------


def test_default_tiers_match_the_design() -> None:
    assert [
        (t.number, t.name, t.max_safe_wait_days, t.interim_contact_days) for t in TIERS.values()
    ] == [
        (1, "Urgent", 2, None),
        (2, "High", 14, 7),
        (3, "Moderate", 42, 14),
        (4, "Routine", 126, 28),
    ]


# --- days waited --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("referral", "today", "waited"),
    [
        (date(2026, 11, 22), date(2026, 11, 22), 0),
        (date(2026, 11, 21), date(2026, 11, 22), 1),
        (date(2026, 1, 31), date(2026, 3, 1), 29),
        (date(2027, 12, 31), date(2028, 1, 1), 1),
        (date(2028, 2, 28), date(2028, 3, 1), 2),  # leap year: 29 Feb counts
        (date(2027, 2, 28), date(2027, 3, 1), 1),  # non-leap year
        (date(2026, 11, 23), date(2026, 11, 22), -1),  # referral in the future
    ],
)
def test_days_waited(referral: date, today: date, waited: int) -> None:
    assert rules.days_waited(referral, today) == waited


# --- breach date --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("referral", "tier", "breach"),
    [
        (date(2026, 11, 22), URGENT, date(2026, 11, 24)),
        (date(2026, 11, 22), HIGH, date(2026, 12, 6)),
        (date(2026, 11, 22), MODERATE, date(2027, 1, 3)),
        (date(2026, 11, 22), ROUTINE, date(2027, 3, 28)),
        # month ends
        (
            date(2026, 1, 31),
            RiskTier(number=5, name="Four weeks", max_safe_wait_days=28),
            date(2026, 2, 28),
        ),
        (date(2026, 1, 31), HIGH, date(2026, 2, 14)),
        (date(2026, 4, 30), URGENT, date(2026, 5, 2)),
        (date(2026, 2, 27), URGENT, date(2026, 3, 1)),
        # leap years
        (date(2028, 2, 15), HIGH, date(2028, 2, 29)),
        (date(2027, 2, 15), HIGH, date(2027, 3, 1)),
        (date(2028, 2, 28), URGENT, date(2028, 3, 1)),
        (date(2027, 2, 28), URGENT, date(2027, 3, 2)),
        (date(2028, 1, 1), ROUTINE, date(2028, 5, 6)),
        (date(2027, 1, 1), ROUTINE, date(2027, 5, 7)),
        # year end
        (date(2026, 12, 31), URGENT, date(2027, 1, 2)),
        (date(2026, 12, 20), HIGH, date(2027, 1, 3)),
        (date(2026, 12, 30), MODERATE, date(2027, 2, 10)),
    ],
    ids=lambda value: str(value) if isinstance(value, date) else None,
)
def test_breach_date(referral: date, tier: RiskTier, breach: date) -> None:
    assert rules.breach_date(referral, tier) == breach


@pytest.mark.parametrize(
    ("referral", "tier", "breach"),
    [
        # BST starts Sunday 29 March 2026 (a 23-hour day)
        (date(2026, 3, 28), URGENT, date(2026, 3, 30)),
        (date(2026, 3, 20), HIGH, date(2026, 4, 3)),
        # BST ends Sunday 25 October 2026 (a 25-hour day)
        (date(2026, 10, 24), URGENT, date(2026, 10, 26)),
        (date(2026, 10, 15), HIGH, date(2026, 10, 29)),
        # spans both changes
        (
            date(2026, 3, 1),
            RiskTier(number=6, name="Long", max_safe_wait_days=250),
            date(2026, 11, 6),
        ),
    ],
)
def test_clock_changes_count_whole_calendar_days(
    referral: date, tier: RiskTier, breach: date
) -> None:
    assert rules.breach_date(referral, tier) == breach
    assert rules.days_waited(referral, breach) == tier.max_safe_wait_days
    assert rules.days_to_breach(breach, referral) == tier.max_safe_wait_days


def test_days_across_both_uk_clock_changes_of_2026() -> None:
    assert rules.days_waited(date(2026, 3, 28), date(2026, 3, 30)) == 2
    assert rules.days_waited(date(2026, 10, 24), date(2026, 10, 26)) == 2
    assert rules.days_until(date(2026, 10, 26), date(2026, 3, 28)) == 212


@pytest.mark.parametrize("tier", DEFAULT_RISK_TIERS, ids=lambda t: f"tier{t.number}")
def test_breach_date_matches_an_independent_formula(tier: RiskTier) -> None:
    rng = random.Random(7)
    start, end = date(1990, 1, 1).toordinal(), date(2100, 12, 31).toordinal()
    for _ in range(3000):
        referral = date.fromordinal(rng.randint(start, end))
        breach = rules.breach_date(referral, tier)
        assert breach == expected_breach(referral, tier.max_safe_wait_days), referral
        assert breach.toordinal() - referral.toordinal() == tier.max_safe_wait_days
        # breached from the day after the breach date, never on it
        assert not rules.is_breached(breach, breach)
        assert rules.is_breached(breach, breach + timedelta(days=1))


def test_retiering_down_keeps_the_referral_date() -> None:
    referral = date(2026, 9, 1)
    as_high = rules.breach_date(referral, HIGH)
    as_routine = rules.breach_date(referral, ROUTINE)
    assert as_high == date(2026, 9, 15)
    assert as_routine == date(2027, 1, 5)
    assert as_routine == expected_breach(referral, ROUTINE.max_safe_wait_days)
    # and up again: the clock has not restarted at the date of re-tiering
    assert rules.breach_date(referral, URGENT) == date(2026, 9, 3)


def test_retiering_never_restarts_the_clock_over_random_dates() -> None:
    rng = random.Random(7)
    for _ in range(500):
        referral = date(2026, 1, 1) + timedelta(days=rng.randint(0, 700))
        old, new = rng.sample(DEFAULT_RISK_TIERS, 2)
        assert rules.breach_date(referral, new) == referral + timedelta(days=new.max_safe_wait_days)
        assert rules.breach_date(referral, new) >= referral
        # the old tier is irrelevant: only the referral date and the current tier count
        assert rules.breach_date(referral, new) - rules.breach_date(referral, old) == timedelta(
            days=new.max_safe_wait_days - old.max_safe_wait_days
        )


# --- breached, days to breach --------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "breached", "to_breach"),
    [
        (date(2026, 11, 20), False, 2),
        (date(2026, 11, 21), False, 1),
        (date(2026, 11, 22), False, 0),  # the breach date itself is not breached
        (date(2026, 11, 23), True, -1),
        (date(2027, 11, 22), True, -365),
    ],
)
def test_is_breached_and_days_to_breach(today: date, breached: bool, to_breach: int) -> None:
    breach_on = date(2026, 11, 22)
    assert rules.is_breached(breach_on, today) is breached
    assert rules.days_to_breach(breach_on, today) == to_breach


def test_breach_over_a_leap_day() -> None:
    breach_on = rules.breach_date(date(2028, 2, 15), HIGH)
    assert breach_on == date(2028, 2, 29)
    assert not rules.is_breached(breach_on, date(2028, 2, 29))
    assert rules.is_breached(breach_on, date(2028, 3, 1))
    assert rules.days_to_breach(breach_on, date(2028, 2, 28)) == 1


# --- interim contact ------------------------------------------------------------------------


def test_tier_one_has_no_interim_contact() -> None:
    assert rules.interim_contact_due(date(2026, 11, 1), None, URGENT) is None
    assert rules.interim_contact_due(date(2026, 11, 1), date(2026, 11, 2), URGENT) is None


@pytest.mark.parametrize(
    ("tier", "last_contact", "due"),
    [
        (HIGH, None, date(2026, 11, 8)),
        (MODERATE, None, date(2026, 11, 15)),
        (ROUTINE, None, date(2026, 11, 29)),
        (HIGH, date(2026, 11, 20), date(2026, 11, 27)),
        (MODERATE, date(2026, 12, 25), date(2027, 1, 8)),
        (ROUTINE, date(2026, 11, 5), date(2026, 12, 3)),
    ],
)
def test_interim_contact_due_from_last_contact_else_referral(
    tier: RiskTier, last_contact: date | None, due: date
) -> None:
    assert rules.interim_contact_due(date(2026, 11, 1), last_contact, tier) == due


def test_interim_contact_over_month_end_and_leap_day() -> None:
    assert rules.interim_contact_due(date(2028, 2, 22), None, HIGH) == date(2028, 2, 29)
    assert rules.interim_contact_due(date(2027, 2, 22), None, HIGH) == date(2027, 3, 1)
    assert rules.interim_contact_due(date(2026, 1, 10), date(2026, 1, 31), ROUTINE) == date(
        2026, 2, 28
    )


@pytest.mark.parametrize(
    ("due", "today", "overdue"),
    [
        (None, date(2030, 1, 1), False),
        (date(2026, 11, 22), date(2026, 11, 21), False),
        (date(2026, 11, 22), date(2026, 11, 22), False),
        (date(2026, 11, 22), date(2026, 11, 23), True),
    ],
)
def test_is_contact_overdue(due: date | None, today: date, overdue: bool) -> None:
    assert rules.is_contact_overdue(due, today) is overdue


# --- the safety flag ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "has_escalation", "flagged"),
    [
        (date(2026, 11, 22), False, False),  # on the breach date: not yet breached
        (date(2026, 11, 23), False, True),
        (date(2026, 11, 23), True, False),
        (date(2026, 11, 1), True, False),
    ],
)
def test_is_breached_without_escalation(today: date, has_escalation: bool, flagged: bool) -> None:
    assert (
        rules.is_breached_without_escalation(date(2026, 11, 22), today, has_escalation) is flagged
    )


# --- countdown ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "today", "days"),
    [
        (date(2026, 11, 22), date(2026, 11, 22), 0),
        (date(2026, 12, 25), date(2026, 11, 22), 33),
        (date(2027, 1, 1), date(2026, 12, 31), 1),
        (date(2028, 3, 1), date(2028, 2, 1), 29),
        (date(2027, 3, 1), date(2027, 2, 1), 28),
        (date(2026, 11, 1), date(2026, 11, 22), -21),
    ],
)
def test_days_until(target: date, today: date, days: int) -> None:
    assert rules.days_until(target, today) == days
