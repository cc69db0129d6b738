"""The waiting-list rules. Pure: every function takes `today` (or a date) as a parameter.

Breach date = referral date + the tier's maximum safe wait (+ the days of finished clock
pauses); breached when today is after it. A breach that has happened stands: nothing that
re-dates an entry later (a re-tier, a pause ending, a tier's safe wait changing) moves its
breach date past a day already breached.
A paused clock is stopped: an entry whose clock was paused before it breached has no breach
date in force until the pause ends, when its breach date moves on by the days paused (so
it has as many days left at the resume as it had at the pause). One paused after its
breach stays breached.
Interim contact due = (last interim contact, else referral date) + the tier's cadence.
"""

from __future__ import annotations

from datetime import date, timedelta

from huddle.models import RiskTier


def days_waited(referral_date: date, today: date) -> int:
    return (today - referral_date).days


def breach_date(
    referral_date: date, tier: RiskTier, paused_days: int = 0, standing: date | None = None
) -> date:
    """Re-tiering changes the tier, never the referral date, so the clock never restarts.

    `paused_days` are the days of finished patient-initiated pauses; `standing` is the date
    of a breach that has already happened (see `kept_breach`), which this never exceeds.
    """
    due = referral_date + timedelta(days=tier.max_safe_wait_days + paused_days)
    return min(due, standing) if standing else due


def clock_stopped(breach_on: date, paused_since: date | None, standing: date | None) -> bool:
    """Whether a pause has stopped the clock: paused on or before the breach date, so the
    entry cannot breach until it resumes. A breach that has happened (`standing`, or one
    before the pause began) is not stopped by a pause: it stands."""
    return (
        paused_since is not None and standing is None and not is_breached(breach_on, paused_since)
    )


def breach_in_force(
    breach_on: date, paused_since: date | None, standing: date | None
) -> date | None:
    """The breach date the counts judge by: `breach_on` (from `breach_date`), or None while
    a pause has stopped the clock."""
    return None if clock_stopped(breach_on, paused_since, standing) else breach_on


def days_left_at_resume(breach_on: date, paused_since: date) -> int:
    """A stopped clock's days left, which it still has when it resumes: the days from the
    pause's start to the breach date the entry had then."""
    return (breach_on - paused_since).days


def kept_breach(
    stored_breach: date | None, standing: date | None, recomputed: date | None, today: date
) -> date | None:
    """The standing breach date after re-dating an entry from `stored_breach` to `recomputed`
    (each the breach date in force: None while a pause has stopped the clock).

    If the entry has already breached and the new date would be later, or the change would
    stop its clock (a pause recorded after the breach, though dated before it), the old date
    stands, so nothing clears a breach. Otherwise any earlier standing date is kept. A
    stopped clock had not breached, so it has nothing to keep.
    """
    if stored_breach is None or not is_breached(stored_breach, today):
        return standing
    if recomputed is None or recomputed > stored_breach:
        return stored_breach
    return standing


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


def is_action_overdue(closed: bool, due_date: date, today: date) -> bool:
    """An action not closed whose due date has passed (due today is not yet overdue)."""
    return not closed and due_date < today
