"""An action's life: created with a named owner and a date, started, closed with evidence,
reviewed to see the change held, reopened, its due date moved. Each step is one audited
transaction checked against the version the user was looking at (StaleVersion if someone
else saved in between), and each refusal names the field and says what would be accepted.

Every action is written here and nowhere else: `records.update` refuses actions, and the
database refuses a closed action without evidence whatever writes it.
"""

from __future__ import annotations

from datetime import date

from huddle.dates import uk
from huddle.models import Action, ActionSource, ActionStatus, MeetingState, QueryStatus
from store import records
from store.connection import Store, Transaction
from store.errors import NotFound
from store.people import acting_person, checked_person


def _required(text: str, field: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise ValueError(f"{field}: {what}")
    return text


def _not_past(day: date | None, today: date, field: str) -> None:
    if day is not None and day < today:
        raise ValueError(f"{field}: {uk(day)} has already passed; give today or a later date")


def _pick_a_person(field: str) -> ValueError:
    return ValueError(f"{field}: pick a person in the service (type part of their name)")


def _person(
    txn: Transaction, person_id: int | None, field: str, *, may_have_left: bool = False
) -> None:
    if person_id is None or txn.row("person", person_id) is None:
        raise _pick_a_person(field)
    checked_person(txn, person_id, field, may_have_left=may_have_left)


def _stored(txn: Transaction, action_id: int) -> dict:
    stored = txn.row("action", action_id)
    if stored is None:
        raise NotFound("action", action_id)
    return stored


def _open(txn: Transaction, action_id: int) -> dict:
    stored = _stored(txn, action_id)
    if stored["status"] == ActionStatus.CLOSED:
        raise ValueError(f"this action was closed on {_uk(stored['closed_on'])}: reopen it first")
    return stored


def _uk(value: str | None) -> str:
    return uk(date.fromisoformat(value)) if value else "an unknown date"


def _change(
    txn: Transaction, stored: dict, version: int, changes: dict, reason: str | None = None
) -> Action:
    row = records.checked_changes(Action, stored, changes)
    return Action.model_validate(txn.update("action", stored["id"], row, version, reason))


def insert_action(
    txn: Transaction, action: Action, today: date, *, dated_by_rule: bool = False
) -> Action:
    """Inside an open write (a meeting's decision, a query's step): the creation rules.

    `dated_by_rule`: the due date was worked out by a rule from an earlier day (a query's
    standard steps, from the day it was received), so a query logged late may have a step
    overdue from the start; a date a person gives must not have passed."""
    _required(action.title, "title", "say what is to be done")
    if not dated_by_rule:
        _not_past(action.due_date, today, "due date")
    if action.review_on is not None and action.review_on < action.due_date:
        raise ValueError(
            f"review on: {uk(action.review_on)} is before the due date, {uk(action.due_date)};"
            " give the due date or later"
        )
    # A fired trigger's escalation opens whoever owns its rule: never lost to a leaver.
    _person(txn, action.owner_id, "owner", may_have_left=action.source == ActionSource.TRIGGER)
    if action.meeting_id is not None:
        meeting = txn.row("meeting", action.meeting_id)
        if meeting is None:
            raise NotFound("meeting", action.meeting_id)
        if meeting["state"] == MeetingState.SIGNED_OFF:
            raise ValueError("meeting: it is signed off and takes no more actions")
    if action.query_id is not None:
        query = txn.row("commissioner_query", action.query_id)
        if query is None:
            raise NotFound("commissioner_query", action.query_id)
        if query["status"] == QueryStatus.CLOSED:
            raise ValueError(
                "this query is closed (returns, records and lived experience aligned): "
                "it takes no more steps"
            )
    if action.risk_id is not None and txn.row("go_live_risk", action.risk_id) is None:
        raise NotFound("go_live_risk", action.risk_id)
    if action.status == ActionStatus.CLOSED:
        raise ValueError("status: an action is created open; close it with its evidence")
    return records.insert(txn, action)


def add_action(
    store: Store,
    *,
    title: str,
    owner_id: int | None,
    due_date: date,
    today: date,
    source: ActionSource = ActionSource.BY_HAND,
    entry_id: int | None = None,
    meeting_id: int | None = None,
    query_id: int | None = None,
    risk_id: int | None = None,
    review_on: date | None = None,
) -> Action:
    # The model refuses these too, but in its own words: the form needs the field's.
    _required(title, "title", "say what is to be done")
    if owner_id is None:
        raise _pick_a_person("owner")
    action = Action(
        title=title,
        owner_id=owner_id,
        due_date=due_date,
        source=ActionSource.COMMISSIONER_QUERY if query_id is not None else source,
        entry_id=entry_id,
        meeting_id=meeting_id,
        query_id=query_id,
        risk_id=risk_id,
        created_on=today,
        review_on=review_on,
    )
    with store.write(f"action added ({action.source}): {action.title}") as txn:
        return insert_action(txn, action, today)


def start(store: Store, action_id: int, version: int) -> Action:
    with store.write("action started") as txn:
        stored = _open(txn, action_id)
        if stored["status"] == ActionStatus.IN_PROGRESS:
            raise ValueError("this action is already in progress")
        return _change(txn, stored, version, {"status": ActionStatus.IN_PROGRESS})


def close(
    store: Store,
    action_id: int,
    version: int,
    *,
    evidence: str,
    today: date,
    link: str = "",
    review_on: date | None = None,
) -> Action:
    """Close with evidence: a note of what shows it is done, and a link or file path if
    there is one. A review date schedules a check that the change held. Closed by the
    person the store acts as (the signed-in person), never one picked in a form."""
    evidence = _required(
        evidence, "evidence", "say what shows it is done (a note; a link or path below if any)"
    )
    if review_on is not None and review_on <= today:
        raise ValueError(f"review on: {uk(review_on)} is not after today; leave it blank for none")
    with store.write(f"action closed: {evidence}") as txn:
        stored = _open(txn, action_id)
        closed_by = acting_person(txn, "closed by").id
        changes = {
            "status": ActionStatus.CLOSED,
            "evidence": evidence,
            "evidence_link": link.strip() or None,
            "closed_on": today,
            "closed_by": closed_by,
            "review_on": review_on,
            "reviewed_on": None,
            "review_note": None,
        }
        return _change(txn, stored, version, changes)


def _moved(stored: dict, due_date: date) -> dict:
    """The changes that move the due date, keeping the first one and counting the moves."""
    if due_date.isoformat() == stored["due_date"]:
        raise ValueError(f"due date: the action is already due on {uk(due_date)}")
    return {
        "due_date": due_date,
        "first_due_date": stored["first_due_date"] or stored["due_date"],
        "due_moves": stored["due_moves"] + 1,
    }


def reopen(
    store: Store,
    action_id: int,
    version: int,
    *,
    reason: str,
    today: date,
    due_date: date | None = None,
) -> Action:
    """Open a closed action again: it counts as reopened; the evidence it was closed with
    leaves the action (it no longer shows it done) and stays in its history. A new due
    date, if given, counts as a move of the due date."""
    reason = _required(reason, "reason", "say why it is reopened (it goes in the audit trail)")
    _not_past(due_date, today, "new due date")
    with store.write(f"action reopened: {reason}") as txn:
        stored = _stored(txn, action_id)
        if stored["status"] != ActionStatus.CLOSED:
            raise ValueError("this action is not closed")
        return _change(txn, stored, version, _reopened(stored, today, due_date))


def _reopened(stored: dict, today: date, due_date: date | None) -> dict:
    changes = {
        "status": ActionStatus.OPEN,
        "reopened_count": (stored["reopened_count"] or 0) + 1,
        "evidence": None,
        "evidence_link": None,
        "closed_on": None,
        "closed_by": None,
        "review_on": None,
    }
    if due_date is not None and due_date.isoformat() != stored["due_date"]:
        changes |= _moved(stored, due_date)
    return changes


def move_due_date(
    store: Store, action_id: int, version: int, *, due_date: date, reason: str, today: date
) -> Action:
    reason = _required(reason, "reason", "say why the due date moves (it goes in the audit trail)")
    _not_past(due_date, today, "new due date")
    with store.write(reason) as txn:
        stored = _open(txn, action_id)
        why = f"due date moved from {_uk(stored['due_date'])} to {uk(due_date)}: {reason}"
        return _change(txn, stored, version, _moved(stored, due_date), why)


def change_owner(
    store: Store, action_id: int, version: int, *, owner_id: int, reason: str
) -> Action:
    reason = _required(reason, "reason", "say why the owner changes (it goes in the audit trail)")
    with store.write(f"owner changed: {reason}") as txn:
        stored = _open(txn, action_id)
        _person(txn, owner_id, "owner")
        if stored["owner_id"] == owner_id:
            raise ValueError("owner: that person already owns this action")
        return _change(txn, stored, version, {"owner_id": owner_id})


def record_review(
    store: Store,
    action_id: int,
    version: int,
    *,
    held: bool,
    note: str,
    today: date,
    due_date: date | None = None,
) -> Action:
    """The check, after closing, that the change held. If it did not, the action opens
    again (and counts as reopened), with `due_date` if one is given."""
    note = _required(note, "what the review found", "say what was checked and what was seen")
    _not_past(due_date, today, "new due date")
    verdict = "held" if held else "did not hold"
    with store.write(f"review: the change {verdict}: {note}") as txn:
        # Reviewed by whoever records it: the audit row names them, so they must be a
        # person of the set-up (the signed-in person), as whoever closed it was.
        acting_person(txn, "reviewed by")
        stored = _stored(txn, action_id)
        if stored["status"] != ActionStatus.CLOSED or not stored["review_on"]:
            raise ValueError("this action has no review scheduled")
        if stored["reviewed_on"]:
            raise ValueError(f"this action's review was recorded on {_uk(stored['reviewed_on'])}")
        changes = {"reviewed_on": today, "review_note": f"{verdict}: {note}"}
        if not held:
            changes |= _reopened(stored, today, due_date)
        return _change(txn, stored, version, changes)
