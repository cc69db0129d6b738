"""Where each commissioner query stands, in words, in `huddle status` (text and JSON) and
on the contract review meeting's agenda, as at a fixed date.

One query in each state: open, response due (its deadline two working days off or
fewer), OVERDUE, responded (answered before the monthly review was kept), under review,
review OVERDUE, and a closed one that none of them lists.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from huddle.agenda import SectionKey, agenda
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import (
    CommissionerQuery,
    Meeting,
    MeetingKind,
    Person,
    QueryStatus,
    QueryStep,
)
from huddle.query_flow import QueryState, standing, tally
from store import Store, actions, commissioner_queries, records
from store.briefing import section_facts
from store.query_list import agenda_lines, live_queries
from tests.acting import acting_as
from tests.test_store import provider_and_owner

# Thursday 27 August 2026; Monday 31 August is the late summer bank holiday.
LOGGED = date(2026, 8, 27)
AS_AT = date(2026, 9, 28)  # a Monday


def log(store: Store, owner: Person, matter: str, deadline: date) -> CommissionerQuery:
    assert owner.id is not None
    return commissioner_queries.log_query(
        store,
        received_on=LOGGED,
        asked_by="ICB contracts",
        matter=matter,
        data_period="July 2026",
        deadline=deadline,
        owner_id=owner.id,
        today=LOGGED,
    )


def answer(store: Store, owner: Person, query: CommissionerQuery, on: date) -> CommissionerQuery:
    assert query.id is not None and owner.id is not None
    me = acting_as(store, owner.id)
    for row in store.conn.execute(
        "SELECT id, version FROM action WHERE query_id = ? AND query_step != ?",
        (query.id, QueryStep.RESPONSE),
    ).fetchall():
        actions.close(me, row[0], row[1], evidence="done", today=on)
    query = records.get(store, CommissionerQuery, query.id)
    return commissioner_queries.record_response(
        me, query.id, query.version, sent_on=on, evidence="sent", today=on
    )


@pytest.fixture
def service(store: Store) -> Store:
    """Seven queries, one in each state as at AS_AT."""
    _, owner = provider_and_owner(store)
    assert owner.id is not None
    log(store, owner, "Missed visits", date(2026, 10, 30))  # open
    log(store, owner, "Complaints themes", date(2026, 9, 30))  # response due: Wed, 2 wd
    log(store, owner, "Safeguarding documentation", date(2026, 9, 25))  # OVERDUE
    # Sent 1 September: review due 1 October.
    answer(store, owner, log(store, owner, "Interim contacts", date(2026, 9, 11)), date(2026, 9, 1))
    # Sent 27 August: review due 27 September, a day ago.
    answer(store, owner, log(store, owner, "Breach figures", date(2026, 9, 11)), LOGGED)
    closed = answer(store, owner, log(store, owner, "Staffing returns", date(2026, 9, 11)), LOGGED)
    assert closed.id is not None
    commissioner_queries.record_alignment(
        acting_as(store, owner.id),
        closed.id,
        closed.version,
        aligned_on=date(2026, 9, 20),
        evidence="Returns and rota agree",
        today=date(2026, 9, 20),
    )
    records.add(  # answered before huddle kept the monthly review
        store,
        CommissionerQuery(
            received_on=date(2026, 6, 1),
            asked_by="ICB contracts",
            matter="Outcomes evidence",
            deadline=date(2026, 6, 20),
            owner_id=owner.id,
            status=QueryStatus.RESPONDED,
            response_sent_on=date(2026, 6, 18),
            response_evidence="Emailed",
            closed_by=owner.id,
        ),
        "as recorded before the monthly review",
    )
    return store


EXPECTED = [
    # (matter, status, deadline, next review), in the order listed
    ("Safeguarding documentation", "OVERDUE", "2026-09-25", None),
    ("Complaints themes", "response due", "2026-09-30", None),
    ("Missed visits", "open", "2026-10-30", None),
    ("Outcomes evidence", "responded", "2026-06-20", None),
    ("Breach figures", "review OVERDUE", "2026-09-11", "2026-09-27"),
    ("Interim contacts", "under review", "2026-09-11", "2026-10-01"),
]


def test_huddle_status_json_lists_each_query_not_closed_with_its_status_in_words(
    service: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["status", "--json", "--db", str(db_path)], FixedClock(AS_AT))
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    listed = [
        (q["matter"], q["status"], q["deadline"], q["next_review"]) for q in report["queries"]
    ]
    assert listed == EXPECTED
    first = report["queries"][0]
    assert set(first) == {
        "id",
        "matter",
        "asked_by",
        "owner",
        "status",
        "deadline",
        "next_review",
        "words",
    }
    assert first["words"] == "OVERDUE: the response was due 25/09/2026, 3 days ago"
    assert report["queries"][4]["words"].startswith(
        "under review, monthly review OVERDUE: due 27/09/2026, 1 day ago"
    )


def test_huddle_status_says_them_in_lines(
    service: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--db", str(db_path)], FixedClock(AS_AT)) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("Commissioner queries not closed: 6")
    assert out[start + 1 : start + 3] == [
        "  OVERDUE: the response was due 25/09/2026, 3 days ago — Safeguarding documentation "
        "(asked by ICB contracts, owner Sam Patel)",
        "  response due Wed 30/09/2026 — Complaints themes (asked by ICB contracts, owner "
        "Sam Patel)",
    ]


def test_response_due_starts_two_working_days_before_the_deadline() -> None:
    deadline = date(2026, 9, 1)  # the Tuesday after the summer bank holiday

    def state(today: date) -> QueryState:
        return standing(QueryStatus.OPEN, deadline, today).state

    # Thursday 27: Friday and Tuesday are two working days, so it is due.
    assert state(date(2026, 8, 26)) == QueryState.OPEN
    assert state(date(2026, 8, 27)) == QueryState.RESPONSE_DUE
    assert state(deadline) == QueryState.RESPONSE_DUE
    assert state(date(2026, 9, 2)) == QueryState.OVERDUE
    assert standing(
        QueryStatus.OPEN, deadline, date(2026, 8, 26), extra={date(2026, 8, 28)}
    ).state == (QueryState.RESPONSE_DUE)


def test_the_contract_review_agenda_has_the_queries_section(service: Store) -> None:
    sections = [section.key for section in agenda(MeetingKind.CONTRACT_REVIEW)]
    assert sections[:2] == [SectionKey.ATTENDANCE, SectionKey.QUERIES]
    assert SectionKey.QUERIES not in [s.key for s in agenda(MeetingKind.SAFETY_BRIEF)]
    lines = agenda_lines(service, AS_AT)
    assert lines[0] == ("6 commissioner queries: 3 awaiting a response, 3 under review (2 OVERDUE)")
    assert lines[1:3] == (
        "OVERDUE: the response was due 25/09/2026, 3 days ago — Safeguarding documentation "
        "(asked by ICB contracts, owner Sam Patel)",
        "response due Wed 30/09/2026 — Complaints themes (asked by ICB contracts, owner Sam Patel)",
    )
    assert not any("Staffing returns" in line for line in lines)  # closed
    assert len(lines) == 7
    # What the contract review's runner shows, and its minutes record, for the section.
    review = Meeting(kind=MeetingKind.CONTRACT_REVIEW, series="Contract review", held_on=AS_AT)
    assert section_facts(service, review, SectionKey.QUERIES, AS_AT) == lines


def test_the_agenda_says_when_there_is_none(store: Store) -> None:
    assert agenda_lines(store, AS_AT) == ("No commissioner query is open or under review",)


def test_the_actions_screen_tally(service: Store) -> None:
    states = [line.standing.state for line in live_queries(service, AS_AT)]
    assert tally(states) == (
        "6 commissioner queries: 1 open, 1 response due, 1 OVERDUE, 1 responded, "
        "1 under review, 1 review OVERDUE"
    )
    assert tally([]) == "no commissioner query open or under review"
