"""Commissioner queries (store.commissioner_queries) on real SQLite files and fixed dates.

A query is logged the day it is received, with the matter, the period and a deadline that
has not passed; its steps are actions under it; it closes only when the response is
recorded as sent, with evidence, and never while a step is still open. Nothing else
closes one: not `records.update`, not raw SQL. A refused change writes nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from huddle.action_query import ActionQuery, ActionView
from huddle.models import (
    Action,
    ActionSource,
    ActionStatus,
    CommissionerQuery,
    Person,
    Provider,
    QueryStatus,
)
from store import NotFound, Store, actions, commissioner_queries, open_store, records
from store.action_list import count_actions, each_action
from tests.acting import acting_as
from tests.test_actions import closed, footprint, last_audit, pid, refused
from tests.test_store import audit_count, provider_and_owner, raw_row

TODAY = date(2026, 11, 22)  # a Sunday
DEADLINE = TODAY + timedelta(days=5)

Team = tuple[Provider, Person, Person]


@pytest.fixture
def team(store: Store) -> Team:
    provider, owner = provider_and_owner(store)
    assert provider.id is not None
    analyst = records.add(
        store, Person(name="Alex Brown", role="Data lead", provider_id=provider.id), "set up"
    )
    return provider, owner, analyst


def logged(store: Store, owner: Person, **fields: object) -> CommissionerQuery:
    values: dict = {
        "received_on": TODAY - timedelta(days=2),
        "asked_by": "ICB community contracts team",
        "matter": "Waiting-list breach figures",
        "data_period": "October 2026",
        "deadline": DEADLINE,
        "owner_id": pid(owner),
        "today": TODAY,
        **fields,
    }
    query = commissioner_queries.log_query(store, **values)
    assert query.id is not None
    return query


def step(store: Store, query: CommissionerQuery, owner: Person, title: str) -> Action:
    action = actions.add_action(
        store, title=title, owner_id=pid(owner), due_date=DEADLINE, today=TODAY, query_id=query.id
    )
    assert action.id is not None
    return action


def respond(
    store: Store,
    query: CommissionerQuery,
    by: Person,
    evidence: str = "Verified figures and explanation emailed to the ICB contracts inbox",
    **fields: object,
) -> CommissionerQuery:
    assert query.id is not None
    values: dict = {"sent_on": TODAY, "today": TODAY, **fields}
    return commissioner_queries.record_response(
        acting_as(store, pid(by)), query.id, query.version, evidence=evidence, **values
    )


def now(store: Store, query: CommissionerQuery) -> CommissionerQuery:
    assert query.id is not None
    return records.get(store, CommissionerQuery, query.id)


# --- logging a query ---------------------------------------------------------------------


def test_a_query_is_logged_open_with_its_deadline_and_owner_and_audited(
    store: Store, team: Team
) -> None:
    _, owner, _ = team
    start = audit_count(store)
    query = logged(store, owner)
    row = raw_row(store, "commissioner_query", query.id)
    assert {k: row[k] for k in ("received_on", "asked_by", "matter", "data_period")} == {
        "received_on": "2026-11-20",
        "asked_by": "ICB community contracts team",
        "matter": "Waiting-list breach figures",
        "data_period": "October 2026",
    }
    assert (row["deadline"], row["owner_id"], row["status"], row["version"]) == (
        "2026-11-27",
        owner.id,
        "open",
        1,
    )
    assert row["response_evidence"] is None and row["response_sent_on"] is None
    assert audit_count(store) == start + 1
    assert last_audit(store)["reason"] == ("commissioner query logged: Waiting-list breach figures")


def test_a_query_received_today_and_due_today_is_accepted(store: Store, team: Team) -> None:
    _, owner, _ = team
    query = logged(store, owner, received_on=TODAY, deadline=TODAY)
    assert (now(store, query).received_on, now(store, query).deadline) == (TODAY, TODAY)


LOG_REFUSALS: dict[str, tuple[dict, str]] = {
    "received tomorrow": (
        {"received_on": TODAY + timedelta(days=1)},
        "^received: 23/11/2026 is in the future",
    ),
    "a deadline that has passed": (
        {"deadline": TODAY - timedelta(days=1)},
        "^response deadline: 21/11/2026 has already passed",
    ),
    "a blank matter": ({"matter": ""}, "^matter: the measure or matter queried"),
    "a matter of spaces": ({"matter": "  \t"}, "^matter: the measure or matter queried"),
    "nobody who asked": ({"asked_by": " "}, "^asked by: name who asked"),
    "an owner who is not a person in the service": (
        {"owner_id": 404},
        "^owner: pick a person in the service",
    ),
}


@pytest.mark.parametrize("refusal", list(LOG_REFUSALS))
def test_a_refused_query_names_the_field_and_writes_nothing(
    store: Store, team: Team, refusal: str
) -> None:
    _, owner, _ = team
    changes, problem = LOG_REFUSALS[refusal]
    with refused(store, problem):
        logged(store, owner, **changes)


# --- its steps ---------------------------------------------------------------------------


def test_steps_are_actions_of_the_query(store: Store, team: Team) -> None:
    _, owner, analyst = team
    query = logged(store, owner)
    other = logged(store, owner, matter="Safeguarding referral timeliness")
    step(store, query, analyst, "Verify the October breach figures against the extract")
    step(store, query, owner, "Draft the response with the corrective actions")
    step(store, other, owner, "Sample ten safeguarding referrals")
    steps = ActionQuery(TODAY, view=ActionView.EVERY, query_id=query.id)
    lines = list(each_action(store, steps))
    assert [line.title for line in lines] == [
        "Verify the October breach figures against the extract",
        "Draft the response with the corrective actions",
    ]
    assert {line.source for line in lines} == {ActionSource.COMMISSIONER_QUERY}
    assert {line.linked_to for line in lines} == {"query: Waiting-list breach figures"}
    by_source = ActionQuery(TODAY, source=ActionSource.COMMISSIONER_QUERY)
    assert count_actions(store, by_source) == 3


def test_a_step_of_a_query_that_does_not_exist_is_refused(store: Store, team: Team) -> None:
    _, owner, _ = team
    with refused(store, "no commissioner query with id 404", NotFound):
        actions.add_action(
            store, title="x", owner_id=pid(owner), due_date=TODAY, today=TODAY, query_id=404
        )


# --- the response ------------------------------------------------------------------------


def test_the_response_is_refused_while_a_step_is_open_and_lists_them(
    store: Store, team: Team
) -> None:
    _, owner, analyst = team
    query = logged(store, owner)
    verify = step(store, query, analyst, "Verify the October breach figures")
    draft = step(store, query, owner, "Draft the response")
    actions.start(store, draft.id, draft.version)  # in progress is still open
    with refused(store, r"^2 step\(s\) still open: close each with its evidence first"):
        respond(store, query, owner)
    with pytest.raises(ValueError) as refusal:
        respond(store, query, owner)
    assert "(Verify the October breach figures; Draft the response)" in str(refusal.value)
    closed(store, verify, analyst, evidence="Figures reconciled with the October extract")
    with refused(store, r"^1 step\(s\) still open: .*\(Draft the response\)$"):
        respond(store, query, owner)
    assert now(store, query).status == QueryStatus.OPEN


@pytest.mark.parametrize("evidence", ["", "  ", "\n"])
def test_the_response_is_refused_without_evidence(store: Store, team: Team, evidence: str) -> None:
    _, owner, _ = team
    query = logged(store, owner)
    with refused(store, "^evidence: what was sent, to whom"):
        respond(store, query, owner, evidence=evidence)


RESPONSE_REFUSALS: dict[str, tuple[dict, type[Exception], str]] = {
    "sent tomorrow": (
        {"sent_on": TODAY + timedelta(days=1)},
        ValueError,
        "^sent on: 23/11/2026 is in the future",
    ),
    "sent before it was received": (
        {"sent_on": TODAY - timedelta(days=3)},
        ValueError,
        "^sent on: 19/11/2026 is before the query was received",
    ),
    "closed by nobody on the staff list": (
        {"actor": "tester"},
        ValueError,
        "^closed by: only a person on the staff list may do this, and 'tester' is nobody on it",
    ),
    "for a query that does not exist": (
        {"query_id": 404},
        NotFound,
        "no commissioner query with id 404",
    ),
}


@pytest.mark.parametrize("refusal", list(RESPONSE_REFUSALS))
def test_a_refused_response_writes_nothing(store: Store, team: Team, refusal: str) -> None:
    _, owner, _ = team
    query = logged(store, owner)
    changes, error, problem = RESPONSE_REFUSALS[refusal]
    values: dict = {"sent_on": TODAY, "actor": owner.name, **changes}
    with refused(store, problem, error):
        commissioner_queries.record_response(
            replace(store, actor=values.pop("actor")),
            values.pop("query_id", query.id),
            query.version,
            evidence="Emailed",
            today=TODAY,
            **values,
        )


def test_the_response_with_evidence_closes_the_query(store: Store, team: Team) -> None:
    _, owner, analyst = team
    query = logged(store, owner)
    verify = step(store, query, analyst, "Verify the October breach figures")
    closed(store, verify, analyst, evidence="Figures reconciled with the October extract")
    answered = respond(
        store,
        query,
        analyst,
        evidence="  Verified figures sent to the ICB contracts inbox  ",
        link=" S:\\Contracts\\ICB\\2026-10 breaches.pdf ",
        sent_on=TODAY - timedelta(days=1),
    )
    row = raw_row(store, "commissioner_query", query.id)
    assert {
        k: row[k]
        for k in ("status", "response_sent_on", "response_evidence", "response_link", "closed_by")
    } == {
        "status": "response sent",
        "response_sent_on": "2026-11-21",
        "response_evidence": "Verified figures sent to the ICB contracts inbox",
        "response_link": "S:\\Contracts\\ICB\\2026-10 breaches.pdf",
        "closed_by": analyst.id,
    }
    assert answered.version == row["version"] == 2
    assert last_audit(store)["reason"] == (
        "commissioner query answered: Verified figures sent to the ICB contracts inbox"
    )
    with refused(store, "^the response was recorded as sent on 21/11/2026"):
        respond(store, answered, owner)


def test_a_query_takes_no_more_steps_once_answered(store: Store, team: Team) -> None:
    _, owner, _ = team
    answered = respond(store, logged(store, owner), owner)
    with refused(store, "^this query's response has been sent: it takes no more steps"):
        step(store, answered, owner, "One more thing")


def test_a_second_terminal_cannot_answer_a_query_again(
    store: Store, team: Team, db_path: Path
) -> None:
    _, owner, analyst = team
    query = logged(store, owner)
    first = open_store(db_path, owner.name)
    second = open_store(db_path, analyst.name)
    try:
        mine, theirs = now(first, query), now(second, query)
        respond(first, mine, owner, evidence="Emailed the ICB")
        with refused(second, "^the response was recorded as sent on 22/11/2026"):
            respond(second, theirs, analyst, evidence="Emailed the ICB too")
        row = raw_row(store, "commissioner_query", query.id)
        assert (row["response_evidence"], row["closed_by"], row["version"]) == (
            "Emailed the ICB",
            owner.id,
            2,
        )
        assert last_audit(store)["actor"] == owner.name
    finally:
        first.close()
        second.close()


# --- no path closes a query without evidence ------------------------------------------------


def test_records_update_refuses_queries(store: Store, team: Team) -> None:
    _, owner, _ = team
    query = logged(store, owner)
    answered = query.model_copy(
        update={"status": QueryStatus.RESPONDED, "response_evidence": "emailed"}
    )
    with refused(store, "changes through store.actions or store.commissioner_queries"):
        records.update(store, answered, "closing it the short way")


RAW_SQL = {
    "closing an open query": (
        "UPDATE commissioner_query SET status = 'response sent', "
        "response_sent_on = '2026-11-22' WHERE id = :id"
    ),
    "closing with blank evidence": (
        "UPDATE commissioner_query SET status = 'response sent', response_evidence = ' ' "
        "WHERE id = :id"
    ),
    "clearing an answered query's evidence": (
        "UPDATE commissioner_query SET response_evidence = NULL WHERE id = :answered"
    ),
    "inserting an answered query": (
        "INSERT INTO commissioner_query "
        "(received_on, asked_by, matter, deadline, owner_id, status) "
        "VALUES ('2026-11-01', 'ICB', 'Complaints', '2026-11-10', :owner, 'response sent')"
    ),
}


@pytest.mark.parametrize("statement", list(RAW_SQL))
def test_the_database_refuses_a_closed_query_without_evidence(
    store: Store, team: Team, statement: str
) -> None:
    _, owner, _ = team
    query = logged(store, owner)
    answered = respond(store, logged(store, owner, matter="Complaints themes"), owner)
    params = {"id": query.id, "answered": answered.id, "owner": owner.id}
    before = footprint(store)
    with pytest.raises(sqlite3.IntegrityError, match="closes only with its response recorded"):
        store.conn.execute(RAW_SQL[statement], params)
    assert footprint(store) == before


def test_a_step_closed_by_raw_sql_without_evidence_is_refused_too(store: Store, team: Team) -> None:
    _, owner, _ = team
    query = logged(store, owner)
    verify = step(store, query, owner, "Verify the figures")
    with refused(store, "a closed action needs evidence", sqlite3.IntegrityError):
        store.conn.execute("UPDATE action SET status = 'closed' WHERE id = ?", (verify.id,))
    assert records.get(store, Action, verify.id).status == ActionStatus.OPEN
    with refused(store, r"^1 step\(s\) still open"):
        respond(store, query, owner)
