"""What the huddle does to one waiting-list entry, each change one audited transaction.

Every function takes the entry's id and the version the user was looking at: if someone
else changed the entry in between, StaleVersion is raised and nothing is written. Each
change re-dates the entry through `records.redated_row`, so a breach that has happened is
never cleared by a re-tier or a pause.

A contact, a pause, a resume and a closure happened on a day (`on`, or `contact_on`),
which may be before the day it is recorded (`today`) but never after it, never before the
referral, and never before the event it follows on the entry's clock (a resume before its
pause began, a pause before the last one ended, a closure before the pause it ends): a
date out of order would move the breach date by days that never passed.
"""

from __future__ import annotations

from datetime import date

from huddle import rules
from huddle.dates import uk
from huddle.models import (
    Action,
    ActionSource,
    ContactKind,
    EntryStatus,
    EscalationRung,
    HeldState,
    InterimContact,
    WaitingEntry,
)
from store import actions, records
from store.connection import Store, Transaction
from store.errors import NotFound

CLOSED_STATUSES = (EntryStatus.SEEN, EntryStatus.DISCHARGED, EntryStatus.REMOVED)


def _required(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValueError(f"reason: say why the {what} (it goes in the audit trail)")
    return reason


def _stored(txn: Transaction, entry_id: int) -> dict:
    stored = txn.row("waiting_entry", entry_id)
    if stored is None:
        raise NotFound("waiting_entry", entry_id)
    if stored["status"] != EntryStatus.WAITING:
        when = stored["closed_on"]
        on = f" on {uk(date.fromisoformat(when))}" if when else ""
        raise ValueError(f"this entry was closed ({stored['status']}){on}: it cannot change")
    return stored


def _happened_on(on: date | None, today: date, field: str) -> date:
    """The day a change happened: `today` unless given, and never after it."""
    day = today if on is None else on
    if day > today:
        raise ValueError(f"{field}: {uk(day)} is in the future (today is {uk(today)})")
    return day


def _not_before(day: date, field: str, stored: dict, *events: tuple[str, str]) -> None:
    """Refuse `day` if it is before any of `events` (a stored column, said in words)."""
    for column, words in events:
        if stored[column] and day < (when := date.fromisoformat(stored[column])):
            raise ValueError(f"{field}: {uk(day)} is before {words} ({uk(when)})")


REFERRAL = ("referral_date", "the referral date")


def changed(
    txn: Transaction,
    stored: dict,
    version: int,
    today: date,
    changes: dict,
    reason: str | None = None,
) -> WaitingEntry:
    """`changes` to the entry `stored`, inside an open write: validated whole, re-dated by
    the rules (a breach that has happened stands) and audited with the version read."""
    entry = WaitingEntry.model_validate({**stored, **changes})
    row = records.redated_row(stored, entry, records.risk_tiers(txn), today)
    after = txn.update("waiting_entry", stored["id"], row, version, reason)
    return WaitingEntry.model_validate(after)


def log_contact(
    store: Store,
    entry_id: int,
    version: int,
    *,
    kind: ContactKind,
    outcome: str,
    made_by: int,
    contact_on: date,
    today: date,
) -> tuple[WaitingEntry, InterimContact]:
    """Record an interim contact and move the entry's next contact due on from it. An
    older contact than the last is recorded too (logged late), but moves nothing back."""
    outcome = outcome.strip()
    contact_on = _happened_on(contact_on, today, "contact date")
    with store.write(f"interim contact ({kind}): {outcome or '(no outcome)'}") as txn:
        stored = _stored(txn, entry_id)
        _not_before(contact_on, "contact date", stored, REFERRAL)
        contact = records.insert(
            txn,
            InterimContact(
                entry_id=entry_id,
                contact_on=contact_on,
                kind=kind,
                outcome=outcome,
                made_by=made_by,
            ),
        )
        last = stored["last_interim_contact"]
        latest = max(contact_on, date.fromisoformat(last)) if last else contact_on
        entry = changed(txn, stored, version, today, {"last_interim_contact": latest})
    return entry, contact


def retier(
    store: Store, entry_id: int, version: int, *, tier: int, reason: str, today: date
) -> WaitingEntry:
    """Move the entry to another tier. The referral date stands, and so does a breach."""
    reason = _required(reason, "tier changes")
    with store.write(reason) as txn:
        stored = _stored(txn, entry_id)
        if stored["tier"] == tier:
            raise ValueError(f"tier: the entry is already in tier {tier}")
        why = f"re-tiered from {stored['tier']} to {tier}: {reason}"
        # The tier is the huddle's now: an extract's different tier is held, whatever it
        # says (huddle.extract_ownership), until a person accepts one.
        changes = {"tier": tier, "tier_by_huddle": True}
        return changed(txn, stored, version, today, changes, why)


def pause_clock(
    store: Store,
    entry_id: int,
    version: int,
    *,
    reason: str,
    today: date,
    on: date | None = None,
) -> WaitingEntry:
    """A patient-initiated pause from `on` (default today). Paused before it breached, the
    entry cannot breach until the pause ends; a breach that had happened by `today`, even
    if the pause is dated before it, stands."""
    reason = _required(reason, "clock is paused")
    day = _happened_on(on, today, "pause date")
    with store.write(f"clock paused: {reason}") as txn:
        stored = _stored(txn, entry_id)
        if stored["paused_since"]:
            since = uk(date.fromisoformat(stored["paused_since"]))
            raise ValueError(f"the clock has been paused since {since}: resume it first")
        _not_before(
            day, "pause date", stored, REFERRAL, ("clock_resumed_on", "the end of the last pause")
        )
        changes = {"paused_since": day, "pause_reason": reason}
        return changed(txn, stored, version, today, changes)


def resume_clock(
    store: Store,
    entry_id: int,
    version: int,
    *,
    reason: str,
    today: date,
    on: date | None = None,
) -> WaitingEntry:
    """End a pause on `on` (default today): its days move the breach date on, unless the
    entry had breached before the pause began."""
    reason = _required(reason, "clock resumes")
    day = _happened_on(on, today, "resume date")
    with store.write(reason) as txn:
        stored = _stored(txn, entry_id)
        if not stored["paused_since"]:
            raise ValueError("the clock is not paused")
        _not_before(day, "resume date", stored, ("paused_since", "the start of the pause"))
        paused = rules.days_waited(date.fromisoformat(stored["paused_since"]), day)
        changes = {
            "paused_since": None,
            "pause_reason": None,
            "paused_days": stored["paused_days"] + paused,
            "clock_resumed_on": day,
        }
        why = f"clock resumed after {paused} days paused: {reason}"
        return changed(txn, stored, version, today, changes, why)


def escalate(
    store: Store,
    entry_id: int,
    *,
    rung: EscalationRung,
    owner_id: int,
    due_date: date,
    today: date,
    title: str = "",
    meeting_id: int | None = None,
) -> Action:
    """Open an escalation action for the entry: with a named owner, a due date and a rung,
    it is the documented escalation every breach needs. Raised in a meeting, it is linked
    to the meeting, whose minutes then list it."""
    with store.write(f"{rung} escalation") as txn:
        stored = _stored(txn, entry_id)
        who = stored["local_id"] or stored["nhs_number"]
        return actions.insert_action(
            txn,
            Action(
                title=title.strip() or f"Escalation ({rung}) for {who}",
                owner_id=owner_id,
                due_date=due_date,
                source=ActionSource.BREACH,
                entry_id=entry_id,
                meeting_id=meeting_id,
                created_on=today,
                rung=rung,
            ),
            today,
        )


def change_case_owner(
    store: Store, entry_id: int, version: int, *, owner_id: int, reason: str, today: date
) -> WaitingEntry:
    with store.write(reason.strip() or "case owner changed") as txn:
        stored = _stored(txn, entry_id)
        if stored["case_owner_id"] == owner_id:
            raise ValueError("case owner: that person is already the case owner")
        return changed(txn, stored, version, today, {"case_owner_id": owner_id})


def mark_reviewed(
    store: Store, entry_id: int, version: int, *, today: date, meeting_id: int | None = None
) -> WaitingEntry:
    """Reviewed in this huddle (the meeting, when one is running, is linked)."""
    with store.write(f"reviewed at the huddle of {uk(today)}") as txn:
        stored = _stored(txn, entry_id)
        changes = {"last_reviewed_on": today, "reviewed_meeting_id": meeting_id}
        return changed(txn, stored, version, today, changes)


def close_entry(
    store: Store,
    entry_id: int,
    version: int,
    *,
    status: EntryStatus,
    reason: str,
    today: date,
    on: date | None = None,
) -> WaitingEntry:
    """Take the entry off the waiting list (seen, discharged or removed) with its outcome,
    closed on `on` (default today). The row stays, with everything recorded against it."""
    if status not in CLOSED_STATUSES:
        raise ValueError("status: an entry closes as seen, discharged or removed")
    reason = _required(reason, "entry is closed")
    day = _happened_on(on, today, "close date")
    with store.write(f"closed ({status}): {reason}") as txn:
        stored = _stored(txn, entry_id)
        _not_before(
            day,
            "close date",
            stored,
            REFERRAL,
            ("paused_since", "the start of the pause"),
            ("clock_resumed_on", "the end of the last pause"),
        )
        changes = {"status": status, "outcome": reason, "closed_on": day}
        return changed(txn, stored, version, today, changes)


def _closed(txn: Transaction, entry_id: int) -> dict:
    stored = txn.row("waiting_entry", entry_id)
    if stored is None:
        raise NotFound("waiting_entry", entry_id)
    if stored["status"] == EntryStatus.WAITING:
        raise ValueError("this entry is waiting: it has not been closed")
    return stored


def reopened(txn: Transaction, stored: dict, version: int, today: date, reason: str) -> None:
    """A closed entry back on the waiting list, inside an open write: its referral date
    stands, and so does a breach. The outcome it closed with stays in its history."""
    changes = {"status": EntryStatus.WAITING, "closed_on": None, "outcome": None}
    changed(txn, stored, version, today, changes, f"reopened: {reason}")


def reopen_entry(
    store: Store, entry_id: int, version: int, *, reason: str, today: date
) -> WaitingEntry:
    """Put a closed entry back on the list (closed by mistake, or still waiting after all).
    A held "closed here, still in the provider's extract" for it is accepted with it."""
    reason = _required(reason, "entry is reopened")
    with store.write(f"reopened: {reason}") as txn:
        reopened(txn, _closed(txn, entry_id), version, today, reason)
        for held_id, held_version in txn.conn.execute(
            "SELECT id, version FROM held_change WHERE entry_id = ? AND field = 'status' "
            "AND state = 'open'",
            (entry_id,),
        ).fetchall():
            accepted = HeldState.ACCEPTED.resolved(today, reason)
            txn.update("held_change", held_id, accepted, held_version)
        return WaitingEntry.model_validate(txn.row("waiting_entry", entry_id))


def record_outcome(
    store: Store, entry_id: int, version: int, *, outcome: str, today: date
) -> WaitingEntry:
    """The outcome of an entry closed without one (the reconciliation's "no outcome")."""
    outcome = outcome.strip()
    if not outcome:
        raise ValueError("outcome: say how the entry ended, e.g. seen in clinic 02/12")
    with store.write(f"outcome recorded: {outcome}") as txn:
        stored = _closed(txn, entry_id)
        if (stored["outcome"] or "").strip():
            raise ValueError(f"outcome: this entry closed with one already ({stored['outcome']})")
        return changed(txn, stored, version, today, {"outcome": outcome})


def confirm_still_waiting(
    store: Store, entry_id: int, version: int, *, reason: str, today: date
) -> WaitingEntry:
    """The huddle confirms an entry its provider's extract no longer lists is still
    waiting (dropped from the extract by mistake): the mark is cleared, with the reason."""
    reason = _required(reason, "entry is kept on the list")
    with store.write(f"still waiting, though not in the provider's extract: {reason}") as txn:
        stored = _stored(txn, entry_id)
        if stored["not_in_extract_since"] is None:
            raise ValueError("this entry is in its provider's latest extract: nothing to confirm")
        # Not a field of the entry's model (only imports set it): written as it is.
        txn.update("waiting_entry", entry_id, {"not_in_extract_since": None}, version)
        return WaitingEntry.model_validate(txn.row("waiting_entry", entry_id))
