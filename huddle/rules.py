"""The waiting-list rules. Pure: every function takes `today` (or a date) as a parameter.

Breach date = referral date + the tier's maximum safe wait; breached when today is after it.
Interim contact due = (last interim contact, else referral date) + the tier's cadence.
"""

from __future__ import annotations

from datetime import date, timedelta

from huddle.models import RiskTier


def days_waited(referral_date: date, today: date) -> int:
    return (today - referral_date).days


def breach_date(referral_date: date, tier: RiskTier) -> date:
    """Re-tiering changes the tier, never the referral date, so the clock never restarts."""
    return referral_date + timedelta(days=tier.max_safe_wait_days)


def is_breached(breach_on: date, today: date) -> bool:
    return today > breach_on


def days_to_breach(breach_on: date, today: date) -> int:
    """Negative once breached: how many days past the maximum safe wait."""
    return (breach_on - today).days


def interim_contact_due(
    referral_date: date, last_interim_contact: date | None, tier: RiskTier
) -> date | None:
    """None for a tier with no interim cadence (it must be seen, not phoned)."""
    if tier.interim_contact_days is None:
        return None
    since = last_interim_contact or referral_date
    return since + timedelta(days=tier.interim_contact_days)


def is_contact_overdue(contact_due: date | None, today: date) -> bool:
    return contact_due is not None and today > contact_due


def is_breached_without_escalation(breach_on: date, today: date, has_escalation: bool) -> bool:
    """The safety flag: a breach with no documented escalation action."""
    return is_breached(breach_on, today) and not has_escalation


def days_until(target: date, today: date) -> int:
    """Countdown in whole days (negative once the date has passed)."""
    return (target - today).days
