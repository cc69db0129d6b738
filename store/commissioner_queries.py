"""Commissioner queries (the external assurance tracker): who asked what, about which
period, by when, and who owns the answer. Its steps are actions under it
(`actions.add_action(query_id=...)`); it closes only when the response is recorded as
sent, with evidence, and never while one of its steps is still open."""

from __future__ import annotations

from datetime import date

from huddle.dates import uk
from huddle.models import ActionStatus, CommissionerQuery, QueryStatus
from store import records
from store.connection import Store
from store.errors import NotFound
from store.people import acting_person


def log_query(
    store: Store,
    *,
    received_on: date,
    asked_by: str,
    matter: str,
    data_period: str,
    deadline: date,
    owner_id: int,
    today: date,
) -> CommissionerQuery:
    if received_on > today:
        raise ValueError(f"received: {uk(received_on)} is in the future")
    if not asked_by.strip():
        raise ValueError("asked by: name who asked (the commissioner or their team)")
    if not matter.strip():
        raise ValueError("matter: the measure or matter queried")
    if deadline < today:
        raise ValueError(f"response deadline: {uk(deadline)} has already passed")
    query = CommissionerQuery(
        received_on=received_on,
        asked_by=asked_by,
        matter=matter,
        data_period=data_period,
        deadline=deadline,
        owner_id=owner_id,
    )
    with store.write(f"commissioner query logged: {query.matter}") as txn:
        if txn.row("person", owner_id) is None:
            raise ValueError("owner: pick a person in the service (type part of their name)")
        return records.insert(txn, query)


def record_response(
    store: Store,
    query_id: int,
    version: int,
    *,
    sent_on: date,
    evidence: str,
    today: date,
    link: str = "",
) -> CommissionerQuery:
    """The response was sent: with the evidence of it, the query closes, closed by the
    person the store acts as (the signed-in person)."""
    evidence = evidence.strip()
    if not evidence:
        raise ValueError("evidence: what was sent, to whom (a note; a link or path below if any)")
    if sent_on > today:
        raise ValueError(f"sent on: {uk(sent_on)} is in the future")
    with store.write(f"commissioner query answered: {evidence}") as txn:
        stored = txn.row("commissioner_query", query_id)
        if stored is None:
            raise NotFound("commissioner_query", query_id)
        if stored["status"] != QueryStatus.OPEN:
            sent = uk(date.fromisoformat(stored["response_sent_on"]))
            raise ValueError(f"the response was recorded as sent on {sent}")
        if sent_on < date.fromisoformat(stored["received_on"]):
            raise ValueError(f"sent on: {uk(sent_on)} is before the query was received")
        open_steps = [
            title
            for (title,) in txn.conn.execute(
                "SELECT title FROM action WHERE query_id = ? AND status != ? ORDER BY due_date",
                (query_id, ActionStatus.CLOSED),
            )
        ]
        if open_steps:
            raise ValueError(
                f"{len(open_steps)} step(s) still open: close each with its evidence first "
                f"({'; '.join(open_steps)})"
            )
        closed_by = acting_person(txn, "closed by").id
        changes = {
            "status": QueryStatus.RESPONDED,
            "response_sent_on": sent_on,
            "response_evidence": evidence,
            "response_link": link.strip() or None,
            "closed_by": closed_by,
        }
        row = records.checked_changes(CommissionerQuery, stored, changes)
        after = txn.update("commissioner_query", query_id, row, version)
        return CommissionerQuery.model_validate(after)
