"""One action in full: where it stands, what it came from (and can open again), the
commissioner query it is a step of, and its history from the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle.dates import uk
from huddle.links import Link
from huddle.models import Action, ActionSource, CommissionerQuery, Person
from store import records
from store.connection import Store
from store.errors import NotFound
from store.history import HistoryLine, audit_trail, changes
from store.oversight_reads import FiredTrigger, firing_of
from store.people import everyone

# The action's columns in the huddle's words, for its history.
_WORDS = {
    "title": "title",
    "owner_id": "owner",
    "status": "status",
    "due_date": "due date",
    "evidence": "evidence",
    "evidence_link": "evidence link",
    "closed_on": "closed",
    "closed_by": "closed by",
    "reopened_count": "times reopened",
    "review_on": "review on",
    "reviewed_on": "reviewed",
    "review_note": "review found",
}


@dataclass(frozen=True)
class ActionDetail:
    action: Action
    owner: str
    closed_by: str | None
    source: Link
    """What it came from: the entry, meeting or query it opens."""
    query: CommissionerQuery | None
    firing: FiredTrigger | None
    """For a trigger's escalation: the firing it was opened for (`g` opens it)."""
    history: list[HistoryLine]
    staff: list[Person]
    """Everyone an owner can be, for the action's forms."""

    @property
    def owner_left(self) -> bool:
        """The owner has left the service: OWNER LEFT until someone else is given it."""
        return any(p.id == self.action.owner_id and not p.active for p in self.staff)


def action_detail(store: Store, action_id: int) -> ActionDetail:
    with store.reading():
        rows = list(store.db.query("SELECT * FROM action WHERE id = ?", [action_id]))
        if not rows:
            raise NotFound("action", action_id)
        action = Action.model_validate(rows[0])
        staff = everyone(store)
        names = {person.id: person.name for person in staff}
        query = None
        if action.query_id is not None:
            query = records.get(store, CommissionerQuery, action.query_id)
        firing = firing_of(store, action_id) if action.source == ActionSource.TRIGGER else None
        return ActionDetail(
            action=action,
            owner=names.get(action.owner_id, "?"),
            closed_by=names.get(action.closed_by) if action.closed_by else None,
            source=source_of(store, action, query, firing),
            query=query,
            firing=firing,
            history=_history(store, action_id, 0, names),
            staff=staff,
        )


def saved_since(store: Store, action_id: int, version: int) -> list[HistoryLine]:
    """What others saved to the action after the version someone was looking at: said
    when their save is refused, beside what they typed, so they see both."""
    with store.reading():
        names = {person.id: person.name for person in everyone(store)}
        return _history(store, action_id, version, names)


def _history(
    store: Store, action_id: int, after_version: int, names: dict[int, str]
) -> list[HistoryLine]:
    return audit_trail(
        store,
        "table_name = 'action' AND row_id = :id AND json_extract(after, '$.version') > :version",
        {"id": action_id, "version": after_version},
        lambda _table, operation, before, after: (
            f"added: {after.get('title')}, owner {names.get(after['owner_id'])}"
            if operation == "insert"
            else changes(before, after, _WORDS, names)
        ),
    )


def source_of(
    store: Store,
    action: Action,
    query: CommissionerQuery | None,
    firing: FiredTrigger | None = None,
) -> Link:
    if firing is not None:
        return Link(f"trigger {firing.rule!r}, fired {uk(firing.fired_on)}")
    if query is not None:
        return Link(f"commissioner query: {query.matter}", query_id=query.id)
    if action.entry_id is not None:
        local_id, nhs_number = store.conn.execute(
            "SELECT local_id, nhs_number FROM waiting_entry WHERE id = ?", (action.entry_id,)
        ).fetchone()
        return Link(f"waiting-list entry {local_id or nhs_number}", entry_id=action.entry_id)
    if action.meeting_id is not None:
        series, held_on = store.conn.execute(
            "SELECT series, held_on FROM meeting WHERE id = ?", (action.meeting_id,)
        ).fetchone()
        held = uk(date.fromisoformat(held_on))
        return Link(f"{series} of {held}", meeting_id=action.meeting_id)
    return Link()
