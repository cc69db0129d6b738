"""Commissioner queries through the assurance flow (store.commissioner_queries,
huddle.query_flow) on real SQLite files and fixed dates.

A query is logged the day it is received, with the matter, the period and a deadline that
has not passed, and its standard steps are made with it: review within 2 working days,
verification within 5, the response by the deadline, each an action owned by its owner.
The response, with evidence, puts it under monthly review; each monthly review moves the
next a month on; only the alignment of returns, records and lived experience, with
evidence, closes it. Nothing else closes one: not `records.update`, not raw SQL. A refused
change writes nothing.
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
    QueryStep,
    Service,
)
from huddle.query_flow import QueryState, next_review, standing
from store import NotFound, Store, actions, commissioner_queries, open_store, records
from store.action_list import count_actions, each_action
from store.check import check_database
from store.query_list import QueryFilter, count_queries, page_of_queries, query_detail
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


def steps_of(store: Store, query: CommissionerQuery) -> dict[QueryStep, Action]:
    found = store.conn.execute(
        "SELECT id FROM action WHERE query_id = ? AND query_step IS NOT NULL", (query.id,)
    ).fetchall()
    steps = [records.get(store, Action, row[0]) for row in found]
    return {step.query_step: step for step in steps if step.query_step is not None}


def close_checks(store: Store, query: CommissionerQuery, by: Person, on: date = TODAY) -> None:
    """The review and the verification done, with their evidence."""
    steps = steps_of(store, query)
    closed(store, steps[QueryStep.REVIEW], by, on, evidence="Call log and complaints reviewed")
    closed(store, steps[QueryStep.VERIFICATION], by, on, evidence="Figures re-run and agreed")


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


def answered(store: Store, query: CommissionerQuery, by: Person, **fields: object):
    close_checks(store, query, by, fields.get("today", TODAY))  # type: ignore[arg-type]
    return respond(store, now(store, query), by, **fields)


def review(
    store: Store, query: CommissionerQuery, by: Person, on: date, note: str = "Audit: 1 of 40 off"
) -> CommissionerQuery:
    assert query.id is not None
    return commissioner_queries.record_review(
        acting_as(store, pid(by)), query.id, query.version, reviewed_on=on, note=note, today=on
    )


def align(
    store: Store, query: CommissionerQuery, by: Person, on: date, evidence: str = "All agree"
) -> CommissionerQuery:
    assert query.id is not None
    return commissioner_queries.record_alignment(
        acting_as(store, pid(by)),
        query.id,
        query.version,
        aligned_on=on,
        evidence=evidence,
        today=on,
    )


def now(store: Store, query: CommissionerQuery) -> CommissionerQuery:
    assert query.id is not None
    return records.get(store, CommissionerQuery, query.id)


def state(store: Store, query: CommissionerQuery, today: date) -> QueryState:
    stored = now(store, query)
    return standing(
        stored.status,
        stored.deadline,
        today,
        response_sent_on=stored.response_sent_on,
        next_review_on=stored.next_review_on,
        aligned_on=stored.aligned_on,
    ).state


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
    assert audit_count(store) == start + 4  # the query and its three steps, in one write
    reasons = {r[0] for r in store.conn.execute("SELECT reason FROM audit WHERE id > ?", (start,))}
    assert reasons == {"commissioner query logged: Waiting-list breach figures"}


def test_logging_makes_the_standard_steps_owned_and_dated_from_the_day_received(
    store: Store, team: Team
) -> None:
    _, owner, _ = team
    # Received Friday 20 November 2026: two working days on is Tuesday 24, five is Friday 27.
    query = logged(store, owner, deadline=date(2026, 12, 4))
    steps = steps_of(store, query)
    assert {kind: (s.due_date, s.owner_id, s.status) for kind, s in steps.items()} == {
        QueryStep.REVIEW: (date(2026, 11, 24), owner.id, ActionStatus.OPEN),
        QueryStep.VERIFICATION: (date(2026, 11, 27), owner.id, ActionStatus.OPEN),
        QueryStep.RESPONSE: (date(2026, 12, 4), owner.id, ActionStatus.OPEN),
    }
    assert {s.source for s in steps.values()} == {ActionSource.COMMISSIONER_QUERY}
    assert {s.meeting_id for s in steps.values()} == {None}
    assert {s.created_on for s in steps.values()} == {TODAY}
    assert steps[QueryStep.RESPONSE].title.startswith("Send the response to ICB community")


def test_a_step_never_falls_after_the_response_deadline(store: Store, team: Team) -> None:
    _, owner, _ = team
    query = logged(store, owner, received_on=TODAY, deadline=date(2026, 11, 24))
    steps = steps_of(store, query)
    assert [steps[k].due_date for k in QueryStep] == [date(2026, 11, 24)] * 3


def test_a_query_logged_late_has_its_steps_overdue_from_the_start(store: Store, team: Team) -> None:
    _, owner, _ = team
    query = logged(store, owner, received_on=date(2026, 11, 10), deadline=DEADLINE)
    steps = steps_of(store, query)
    assert steps[QueryStep.REVIEW].due_date == date(2026, 11, 12)
    overdue = ActionQuery(TODAY, view=ActionView.OVERDUE, query_id=query.id)
    assert count_actions(store, overdue) == 2


def test_the_steps_are_edited_like_any_action(store: Store, team: Team) -> None:
    _, owner, analyst = team
    query = logged(store, owner)
    verification = steps_of(store, query)[QueryStep.VERIFICATION]
    assert verification.id is not None
    moved = actions.move_due_date(
        store,
        verification.id,
        verification.version,
        due_date=date(2026, 11, 30),
        reason="The extract arrives on Monday",
        today=TODAY,
    )
    handed = actions.change_owner(
        store, verification.id, moved.version, owner_id=pid(analyst), reason="Data lead's job"
    )
    assert (handed.due_date, handed.first_due_date, handed.owner_id) == (
        date(2026, 11, 30),
        date(2026, 11, 27),
        analyst.id,
    )


def test_a_set_up_bank_holiday_moves_the_steps(store: Store, team: Team) -> None:
    _, owner, _ = team
    records.add(
        store, Service(name="Northgate", extra_bank_holidays=[date(2026, 11, 23)]), "set up"
    )
    query = logged(store, owner, deadline=date(2026, 12, 4))
    steps = steps_of(store, query)
    assert (steps[QueryStep.REVIEW].due_date, steps[QueryStep.VERIFICATION].due_date) == (
        date(2026, 11, 25),
        date(2026, 11, 30),
    )


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
    step(store, query, analyst, "Draft the corrective actions")
    step(store, other, owner, "Sample ten safeguarding referrals")
    steps = ActionQuery(TODAY, view=ActionView.EVERY, query_id=query.id)
    lines = list(each_action(store, steps))
    assert len(lines) == 4 and "Draft the corrective actions" in {line.title for line in lines}
    assert {line.source for line in lines} == {ActionSource.COMMISSIONER_QUERY}
    assert {line.linked_to for line in lines} == {"query: Waiting-list breach figures"}
    by_source = ActionQuery(TODAY, source=ActionSource.COMMISSIONER_QUERY)
    assert count_actions(store, by_source) == 8


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
    extra = step(store, query, analyst, "Draft the corrective actions")
    actions.start(store, extra.id, extra.version)  # in progress is still open
    with refused(store, r"^3 step\(s\) still open: close each with its evidence first"):
        respond(store, query, owner)
    with pytest.raises(ValueError) as refusal:
        respond(store, query, owner)
    assert "(Review the records behind the query" in str(refusal.value)
    assert "Send the response" not in str(refusal.value)  # the response closes with it
    close_checks(store, query, analyst)
    with refused(store, r"^1 step\(s\) still open: .*\(Draft the corrective actions\)$"):
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
    "recorded by nobody on the staff list": (
        {"actor": "tester"},
        ValueError,
        "^recorded by: only a person on the staff list may do this, and 'tester' is nobody",
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
    close_checks(store, query, owner)
    changes, error, problem = RESPONSE_REFUSALS[refusal]
    values: dict = {"sent_on": TODAY, "actor": owner.name, **changes}
    with refused(store, problem, error):
        commissioner_queries.record_response(
            replace(store, actor=values.pop("actor")),
            values.pop("query_id", query.id),
            now(store, query).version,
            evidence="Emailed",
            today=TODAY,
            **values,
        )


def test_the_response_puts_the_query_under_review_and_closes_its_response_step(
    store: Store, team: Team
) -> None:
    _, owner, analyst = team
    query = logged(store, owner)
    close_checks(store, query, analyst)
    sent = respond(
        store,
        now(store, query),
        analyst,
        evidence="  Verified figures sent to the ICB contracts inbox  ",
        link=" S:\\Contracts\\ICB\\2026-10 breaches.pdf ",
        sent_on=TODAY - timedelta(days=1),
    )
    row = raw_row(store, "commissioner_query", query.id)
    assert {
        k: row[k]
        for k in (
            "status",
            "response_sent_on",
            "response_evidence",
            "response_link",
            "responded_by",
            "next_review_on",
            "closed_by",
        )
    } == {
        "status": "under review",
        "response_sent_on": "2026-11-21",
        "response_evidence": "Verified figures sent to the ICB contracts inbox",
        "response_link": "S:\\Contracts\\ICB\\2026-10 breaches.pdf",
        "responded_by": analyst.id,
        "next_review_on": "2026-12-21",
        "closed_by": None,
    }
    assert sent.version == row["version"] == 2
    response = steps_of(store, query)[QueryStep.RESPONSE]
    assert (response.status, response.closed_on, response.closed_by) == (
        ActionStatus.CLOSED,
        date(2026, 11, 21),
        analyst.id,
    )
    assert response.evidence == "Response sent: Verified figures sent to the ICB contracts inbox"
    assert last_audit(store)["reason"] == (
        "commissioner query answered: Verified figures sent to the ICB contracts inbox"
    )
    with refused(store, "^the response was recorded as sent on 21/11/2026"):
        respond(store, sent, owner)


def test_an_answered_query_still_takes_steps_until_it_is_closed(store: Store, team: Team) -> None:
    _, owner, _ = team
    sent = answered(store, logged(store, owner), owner)
    corrective = step(store, sent, owner, "Same-day reporting check on the late shift")
    assert corrective.query_id == sent.id
    with refused(store, r"^1 step\(s\) still open"):
        align(store, now(store, sent), owner, TODAY)
    closed(store, corrective, owner, evidence="Check in place; two weeks of logs attached")
    done = align(store, now(store, sent), owner, TODAY)
    with refused(store, "^this query is closed .*: it takes no more steps"):
        step(store, done, owner, "One more thing")


def test_a_second_terminal_cannot_answer_a_query_again(
    store: Store, team: Team, db_path: Path
) -> None:
    _, owner, analyst = team
    query = logged(store, owner)
    close_checks(store, query, owner)
    first = open_store(db_path, owner.name)
    second = open_store(db_path, analyst.name)
    try:
        mine, theirs = now(first, query), now(second, query)
        respond(first, mine, owner, evidence="Emailed the ICB")
        with refused(second, "^the response was recorded as sent on 22/11/2026"):
            respond(second, theirs, analyst, evidence="Emailed the ICB too")
        row = raw_row(store, "commissioner_query", query.id)
        assert (row["response_evidence"], row["responded_by"], row["version"]) == (
            "Emailed the ICB",
            owner.id,
            2,
        )
        assert last_audit(store)["actor"] == owner.name
    finally:
        first.close()
        second.close()


# --- the monthly review and the alignment --------------------------------------------------

# Thursday 27 August 2026; Monday 31 August is the late summer bank holiday.
THURSDAY = date(2026, 8, 27)


def test_a_query_logged_before_a_bank_holiday_monday_follows_the_flow_to_closed(
    store: Store, team: Team
) -> None:
    """The Done-when case, with a fixed clock: each day's `today` is given."""
    _, owner, analyst = team
    query = logged(store, owner, received_on=THURSDAY, today=THURSDAY, deadline=date(2026, 9, 11))
    steps = steps_of(store, query)
    # Two working days: Friday 28, (weekend, bank holiday Monday) Tuesday 1 September.
    assert steps[QueryStep.REVIEW].due_date == date(2026, 9, 1)
    # Five: Fri 28, Tue 1, Wed 2, Thu 3, Fri 4 September.
    assert steps[QueryStep.VERIFICATION].due_date == date(2026, 9, 4)
    assert steps[QueryStep.RESPONSE].due_date == date(2026, 9, 11)
    assert state(store, query, date(2026, 9, 7)) == QueryState.OPEN
    # Response due from two working days before the deadline: Wednesday 9 September.
    assert state(store, query, date(2026, 9, 8)) == QueryState.OPEN
    assert state(store, query, date(2026, 9, 9)) == QueryState.RESPONSE_DUE

    closed(store, steps[QueryStep.REVIEW], owner, date(2026, 9, 1), evidence="Records reviewed")
    closed(store, steps[QueryStep.VERIFICATION], analyst, date(2026, 9, 4), evidence="Verified")
    sent = respond(
        store, now(store, query), owner, sent_on=date(2026, 9, 10), today=date(2026, 9, 10)
    )
    assert (sent.status, sent.next_review_on) == (QueryStatus.UNDER_REVIEW, date(2026, 10, 10))
    assert state(store, query, date(2026, 10, 10)) == QueryState.UNDER_REVIEW
    assert state(store, query, date(2026, 10, 12)) == QueryState.REVIEW_OVERDUE

    start = audit_count(store)
    reviewed = review(store, sent, analyst, date(2026, 10, 12), "Audit: 3 of 60 coded wrongly")
    assert (reviewed.status, reviewed.next_review_on) == (
        QueryStatus.UNDER_REVIEW,
        date(2026, 11, 12),
    )
    assert audit_count(store) == start + 2  # the review and the query's next date
    assert state(store, query, date(2026, 10, 12)) == QueryState.UNDER_REVIEW
    row = store.conn.execute(
        "SELECT reviewed_on, note, reviewed_by, next_review_on FROM commissioner_query_review"
    ).fetchall()
    assert row == [("2026-10-12", "Audit: 3 of 60 coded wrongly", analyst.id, "2026-11-12")]

    reviewed = review(store, reviewed, owner, date(2026, 11, 10), "Audit: 1 of 60; a family")
    assert reviewed.next_review_on == date(2026, 12, 10)
    assert now(store, query).status == QueryStatus.UNDER_REVIEW  # still, after two reviews

    done = align(store, reviewed, analyst, date(2026, 12, 8), "Audit 0 of 60; families agree")
    row = raw_row(store, "commissioner_query", query.id)
    assert {k: row[k] for k in ("status", "aligned_on", "aligned_evidence", "closed_by")} == {
        "status": "closed",
        "aligned_on": "2026-12-08",
        "aligned_evidence": "Audit 0 of 60; families agree",
        "closed_by": analyst.id,
    }
    assert (done.next_review_on, state(store, query, date(2027, 3, 1))) == (
        None,
        QueryState.CLOSED,
    )
    detail = query_detail(store, pid_of(query))
    assert [r.note for r in detail.reviews] == [
        "Audit: 1 of 60; a family",
        "Audit: 3 of 60 coded wrongly",
    ]
    assert (detail.responded_by, detail.closed_by) == (owner.name, analyst.name)
    assert check_database(store.conn).ok


def pid_of(query: CommissionerQuery) -> int:
    assert query.id is not None
    return query.id


def test_next_review_is_a_month_on_even_from_a_long_month() -> None:
    assert next_review(date(2027, 1, 31)) == date(2027, 2, 28)
    assert next_review(date(2026, 12, 15)) == date(2027, 1, 15)


REVIEW_REFUSALS: dict[str, tuple[dict, str]] = {
    "no note": ({"note": "  "}, "^what the review found: data accuracy audits"),
    "a review tomorrow": ({"reviewed_on": TODAY + timedelta(days=1)}, "^reviewed on: 23/11"),
    "before the response": (
        {"reviewed_on": TODAY - timedelta(days=1)},
        r"^reviewed on: 21/11/2026 is before the response was sent \(22/11/2026\)",
    ),
    "by nobody on the staff list": ({"actor": "tester"}, "^reviewed by: only a person"),
}


@pytest.mark.parametrize("refusal", list(REVIEW_REFUSALS))
def test_a_refused_review_writes_nothing(store: Store, team: Team, refusal: str) -> None:
    _, owner, _ = team
    sent = answered(store, logged(store, owner), owner)
    changes, problem = REVIEW_REFUSALS[refusal]
    values: dict = {"reviewed_on": TODAY, "note": "Audit done", "actor": owner.name, **changes}
    with refused(store, problem):
        commissioner_queries.record_review(
            replace(store, actor=values.pop("actor")),
            pid_of(sent),
            sent.version,
            today=TODAY,
            **values,
        )


def test_an_open_query_takes_no_review_or_alignment_and_a_closed_one_no_more(
    store: Store, team: Team
) -> None:
    _, owner, _ = team
    query = logged(store, owner)
    with refused(store, "^the response has not been recorded as sent: record it first"):
        review(store, query, owner, TODAY)
    with refused(store, "^the response has not been recorded as sent: record it first"):
        align(store, query, owner, TODAY)
    done = align(store, answered(store, query, owner), owner, TODAY)
    with refused(store, "^this query was closed on 22/11/2026"):
        review(store, done, owner, TODAY)
    with refused(store, "^this query was closed on 22/11/2026"):
        align(store, done, owner, TODAY)


@pytest.mark.parametrize("evidence", ["", " \n"])
def test_the_alignment_is_refused_without_evidence(store: Store, team: Team, evidence: str) -> None:
    _, owner, _ = team
    sent = answered(store, logged(store, owner), owner)
    with refused(store, "^evidence: how returns, records and lived experience now agree"):
        align(store, sent, owner, TODAY, evidence)
    assert now(store, sent).status == QueryStatus.UNDER_REVIEW


def test_a_query_answered_before_the_monthly_review_says_responded_and_moves_on(
    store: Store, team: Team
) -> None:
    """A row as m010's flow left it (response sent, closed by the responder): shown as
    responded until a review or the alignment, and still matching its audit row."""
    _, owner, _ = team
    old = records.add(
        store,
        CommissionerQuery(
            received_on=date(2026, 9, 1),
            asked_by="ICB",
            matter="Complaints themes",
            deadline=date(2026, 9, 20),
            owner_id=pid(owner),
            status=QueryStatus.RESPONDED,
            response_sent_on=date(2026, 9, 18),
            response_evidence="Emailed",
            closed_by=pid(owner),
        ),
        "as recorded before the flow",
    )
    assert state(store, old, TODAY) == QueryState.RESPONDED
    shown = page_of_queries(store, QueryFilter(TODAY), 0, 10)
    assert [line.standing.short for line in shown] == ["responded 18/09"]
    assert check_database(store.conn).ok
    reviewed = review(store, old, owner, TODAY)
    assert (reviewed.status, reviewed.next_review_on) == (
        QueryStatus.UNDER_REVIEW,
        date(2026, 12, 22),
    )
    # Who recorded the response moves from closed_by, as the query is not closed.
    assert (reviewed.responded_by, reviewed.closed_by) == (owner.id, None)
    assert check_database(store.conn).ok


def test_the_list_shows_live_queries_and_h_adds_the_closed(store: Store, team: Team) -> None:
    _, owner, _ = team
    first = logged(store, owner, matter="Breach figures")
    second = logged(store, owner, matter="Interim contacts")
    align(store, answered(store, second, owner), owner, TODAY)
    third = answered(store, logged(store, owner, matter="Complaints"), owner)
    live = page_of_queries(store, QueryFilter(TODAY), 0, 10)
    assert [(line.matter, line.standing.short) for line in live] == [
        ("Breach figures", "open, due in 5d"),
        ("Complaints", "under review, next 22/12"),
    ]
    assert count_queries(store, QueryFilter(TODAY)) == 2
    every = page_of_queries(store, QueryFilter(TODAY, answered=True), 0, 10)
    assert [line.matter for line in every][-1] == "Interim contacts"
    assert every[-1].standing.short == "closed 22/11"
    assert (first.id, third.id) == (live[0].id, live[1].id)


# --- no path closes a query without evidence ------------------------------------------------


def test_records_update_refuses_queries(store: Store, team: Team) -> None:
    _, owner, _ = team
    query = logged(store, owner)
    sent = query.model_copy(
        update={"status": QueryStatus.RESPONDED, "response_evidence": "emailed"}
    )
    with refused(store, "changes through store.actions or store.commissioner_queries"):
        records.update(store, sent, "closing it the short way")


RAW_SQL = {
    "closing an open query": (
        "UPDATE commissioner_query SET status = 'response sent', "
        "response_sent_on = '2026-11-22' WHERE id = :id",
        "closes only with its response recorded",
    ),
    "closing with blank evidence": (
        "UPDATE commissioner_query SET status = 'response sent', response_evidence = ' ' "
        "WHERE id = :id",
        "closes only with its response recorded",
    ),
    "clearing an answered query's evidence": (
        "UPDATE commissioner_query SET response_evidence = NULL WHERE id = :answered",
        "closes only with its response recorded",
    ),
    "inserting an answered query": (
        "INSERT INTO commissioner_query "
        "(received_on, asked_by, matter, deadline, owner_id, status) "
        "VALUES ('2026-11-01', 'ICB', 'Complaints', '2026-11-10', :owner, 'response sent')",
        "closes only with its response recorded",
    ),
    "closing an answered query without alignment": (
        "UPDATE commissioner_query SET status = 'closed' WHERE id = :answered",
        "closes only when returns, records and lived experience are recorded as aligned",
    ),
    "closing with blank alignment evidence": (
        "UPDATE commissioner_query SET status = 'closed', aligned_on = '2026-11-22', "
        "aligned_evidence = '  ' WHERE id = :answered",
        "closes only when returns, records and lived experience are recorded as aligned",
    ),
    "closing with alignment evidence but no date": (
        "UPDATE commissioner_query SET status = 'closed', aligned_evidence = 'ok' "
        "WHERE id = :answered",
        "closes only when returns, records and lived experience are recorded as aligned",
    ),
    "under review without a review date": (
        "UPDATE commissioner_query SET next_review_on = NULL WHERE id = :answered",
        "under review needs the date of its next monthly review",
    ),
    "rewriting a monthly review": (
        "UPDATE commissioner_query_review SET note = 'all fine' WHERE query_id = :answered",
        "a monthly review of a commissioner query stands as recorded",
    ),
    "deleting a monthly review": (
        "DELETE FROM commissioner_query_review WHERE query_id = :answered",
        "a monthly review of a commissioner query stands as recorded",
    ),
}


@pytest.mark.parametrize("statement", list(RAW_SQL))
def test_the_database_refuses_a_query_past_its_stage_without_evidence(
    store: Store, team: Team, statement: str
) -> None:
    _, owner, _ = team
    query = logged(store, owner)
    sent = answered(store, logged(store, owner, matter="Complaints themes"), owner)
    review(store, sent, owner, TODAY)
    params = {"id": query.id, "answered": sent.id, "owner": owner.id}
    sql, problem = RAW_SQL[statement]
    before = (
        footprint(store),
        store.conn.execute("SELECT * FROM commissioner_query_review").fetchall(),
    )
    with pytest.raises(sqlite3.IntegrityError, match=problem):
        store.conn.execute(sql, params)
    after = (
        footprint(store),
        store.conn.execute("SELECT * FROM commissioner_query_review").fetchall(),
    )
    assert after == before


def test_a_step_closed_by_raw_sql_without_evidence_is_refused_too(store: Store, team: Team) -> None:
    _, owner, _ = team
    query = logged(store, owner)
    verify = steps_of(store, query)[QueryStep.VERIFICATION]
    with refused(store, "a closed action needs evidence", sqlite3.IntegrityError):
        store.conn.execute("UPDATE action SET status = 'closed' WHERE id = ?", (verify.id,))
    assert records.get(store, Action, verify.id).status == ActionStatus.OPEN
    with refused(store, r"^2 step\(s\) still open"):
        respond(store, query, owner)
