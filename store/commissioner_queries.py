"""Commissioner queries (the external assurance tracker) through the assurance flow
(huddle.query_flow): logged with its standard steps as actions under it; answered, with
evidence, which puts it under monthly review; reviewed each month; closed only when
someone records, with evidence, that returns, records and lived experience align.

Every change is one audited write here: `records.update` refuses queries, and the
database refuses a query past open without the response's evidence, under review without
its next review date, or closed without the alignment's evidence.
"""

from __future__ import annotations

from datetime import date

from huddle import query_flow
from huddle.dates import uk
from huddle.models import (
    Action,
    ActionSource,
    ActionStatus,
    CommissionerQuery,
    QueryReview,
    QueryStatus,
    QueryStep,
)
from store import records
from store.actions import insert_action
from store.bank_holidays import added_bank_holidays
from store.connection import Store, Transaction
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
    """The query, and its review, verification and response as actions under it, owned
    by its owner and dated from the day it was received (huddle.query_flow), in one
    write."""
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
        logged = records.insert(txn, query)
        steps = query_flow.standard_steps(
            received_on, deadline, query.asked_by, added_bank_holidays(txn)
        )
        for step in steps:
            insert_action(
                txn,
                Action(
                    title=step.title,
                    owner_id=owner_id,
                    due_date=step.due,
                    source=ActionSource.COMMISSIONER_QUERY,
                    query_id=logged.id,
                    query_step=step.step,
                    created_on=today,
                ),
                today,
                dated_by_rule=True,
            )
        return logged


def _stored(txn: Transaction, query_id: int) -> dict:
    stored = txn.row("commissioner_query", query_id)
    if stored is None:
        raise NotFound("commissioner_query", query_id)
    return stored


def _open_steps(txn: Transaction, query_id: int, but: QueryStep | None = None) -> list[str]:
    return [
        title
        for (title,) in txn.conn.execute(
            "SELECT title FROM action WHERE query_id = ? AND status != ? "
            "AND (query_step IS NULL OR query_step IS NOT ?) ORDER BY due_date, id",
            (query_id, ActionStatus.CLOSED, but),
        )
    ]


def _no_open_steps(txn: Transaction, query_id: int, but: QueryStep | None = None) -> None:
    if open_steps := _open_steps(txn, query_id, but):
        raise ValueError(
            f"{len(open_steps)} step(s) still open: close each with its evidence first "
            f"({'; '.join(open_steps)})"
        )


def _change(txn: Transaction, stored: dict, version: int, changes: dict) -> CommissionerQuery:
    row = records.checked_changes(CommissionerQuery, stored, changes)
    after = txn.update("commissioner_query", stored["id"], row, version)
    return CommissionerQuery.model_validate(after)


def _not_future(day: date, today: date, field: str) -> None:
    if day > today:
        raise ValueError(f"{field}: {uk(day)} is in the future")


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
    """The response was sent, with the evidence of it: the query goes under review, its
    first monthly review a month after it was sent, and its response step (if still open)
    closes with the same evidence. Recorded by the person the store acts as. Refused
    while another of its steps is open."""
    evidence = evidence.strip()
    if not evidence:
        raise ValueError("evidence: what was sent, to whom (a note; a link or path below if any)")
    _not_future(sent_on, today, "sent on")
    with store.write(f"commissioner query answered: {evidence}") as txn:
        stored = _stored(txn, query_id)
        if stored["status"] != QueryStatus.OPEN:
            sent = uk(date.fromisoformat(stored["response_sent_on"]))
            raise ValueError(f"the response was recorded as sent on {sent}")
        if sent_on < date.fromisoformat(stored["received_on"]):
            raise ValueError(f"sent on: {uk(sent_on)} is before the query was received")
        _no_open_steps(txn, query_id, but=QueryStep.RESPONSE)
        by = acting_person(txn, "recorded by").id
        _close_response_step(txn, query_id, sent_on, evidence, link.strip() or None, by)
        return _change(
            txn,
            stored,
            version,
            {
                "status": QueryStatus.UNDER_REVIEW,
                "response_sent_on": sent_on,
                "response_evidence": evidence,
                "response_link": link.strip() or None,
                "responded_by": by,
                "next_review_on": query_flow.next_review(sent_on),
            },
        )


def _close_response_step(
    txn: Transaction, query_id: int, sent_on: date, evidence: str, link: str | None, by: int
) -> None:
    for row in txn.conn.execute(
        "SELECT id FROM action WHERE query_id = ? AND query_step = ? AND status != ?",
        (query_id, QueryStep.RESPONSE, ActionStatus.CLOSED),
    ).fetchall():
        step = txn.row("action", row[0])
        assert step is not None
        changes = {
            "status": ActionStatus.CLOSED,
            "evidence": f"Response sent: {evidence}",
            "evidence_link": link,
            "closed_on": sent_on,
            "closed_by": by,
        }
        checked = records.checked_changes(Action, step, changes)
        txn.update("action", step["id"], checked, step["version"])


def _under_review(stored: dict, what: str) -> None:
    status = QueryStatus(stored["status"])
    if status == QueryStatus.OPEN:
        raise ValueError(
            f"the response has not been recorded as sent: record it first (x), then {what}"
        )
    if status == QueryStatus.CLOSED:
        raise ValueError(f"this query was closed on {uk(date.fromisoformat(stored['aligned_on']))}")


def _recorder_moved(stored: dict) -> dict:
    """A query answered before the monthly review was kept names who recorded its response
    in closed_by: that moves to responded_by, as the query is not closed."""
    if stored["status"] == QueryStatus.RESPONDED and stored["responded_by"] is None:
        return {"responded_by": stored["closed_by"], "closed_by": None}
    return {}


def _not_before_response(day: date, stored: dict, field: str) -> None:
    sent = date.fromisoformat(stored["response_sent_on"])
    if day < sent:
        raise ValueError(f"{field}: {uk(day)} is before the response was sent ({uk(sent)})")


def record_review(
    store: Store,
    query_id: int,
    version: int,
    *,
    reviewed_on: date,
    note: str,
    today: date,
) -> CommissionerQuery:
    """A monthly governance review of a query under review: what it found, recorded by
    the person the store acts as; the next review is a month after this one."""
    note = note.strip()
    if not note:
        raise ValueError(
            "what the review found: data accuracy audits, family feedback, repeat "
            "discrepancies (it goes in the record)"
        )
    _not_future(reviewed_on, today, "reviewed on")
    next_on = query_flow.next_review(reviewed_on)
    with store.write(f"commissioner query reviewed: {note}") as txn:
        stored = _stored(txn, query_id)
        _under_review(stored, "its monthly review")
        _not_before_response(reviewed_on, stored, "reviewed on")
        records.insert(
            txn,
            QueryReview(
                query_id=query_id,
                reviewed_on=reviewed_on,
                note=note,
                reviewed_by=acting_person(txn, "reviewed by").id,  # type: ignore[arg-type]
                next_review_on=next_on,
            ),
        )
        return _change(
            txn,
            stored,
            version,
            {
                **_recorder_moved(stored),
                "status": QueryStatus.UNDER_REVIEW,
                "next_review_on": next_on,
            },
        )


def record_alignment(
    store: Store,
    query_id: int,
    version: int,
    *,
    aligned_on: date,
    evidence: str,
    today: date,
    link: str = "",
) -> CommissionerQuery:
    """Returns, records and lived experience align, with the evidence: the query closes,
    closed by the person the store acts as. Refused before the response is sent, and
    while any action under it is open."""
    evidence = evidence.strip()
    if not evidence:
        raise ValueError(
            "evidence: how returns, records and lived experience now agree (audit results, "
            "family feedback, repeat discrepancies gone)"
        )
    _not_future(aligned_on, today, "aligned on")
    with store.write(f"commissioner query closed, returns and records aligned: {evidence}") as txn:
        stored = _stored(txn, query_id)
        _under_review(stored, "record the alignment")
        _not_before_response(aligned_on, stored, "aligned on")
        _no_open_steps(txn, query_id)
        return _change(
            txn,
            stored,
            version,
            {
                **_recorder_moved(stored),
                "status": QueryStatus.CLOSED,
                "aligned_on": aligned_on,
                "aligned_evidence": evidence,
                "aligned_link": link.strip() or None,
                "next_review_on": None,
                "closed_by": acting_person(txn, "closed by").id,
            },
        )
