"""The action tracker's store (store.actions, store.action_list) on real SQLite files and
fixed dates (never the real date).

An action is created with a named owner and a date that has not passed, started, closed
with evidence (and nothing else closes one: not `records.update`, not raw SQL), reviewed
to see the change held, reopened (counted, its evidence kept in the audit trail only) and
its due date moved (counted, the first due date kept). Each change is one audited write
made against the version the user was looking at; a refused one writes nothing at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from huddle.action_query import ActionQuery, ActionSort, ActionView
from huddle.models import Action, ActionSource, ActionStatus, Person, Provider
from store import NotFound, StaleVersion, Store, actions, open_store, records
from store.action_list import count_actions, each_action, page_of_actions
from store.queries import status_summary
from tests.acting import acting_as
from tests.test_store import audit_count, audit_rows, provider_and_owner, raw_row

TODAY = date(2026, 11, 22)  # a Sunday
NEXT_FRIDAY = date(2026, 11, 27)
YESTERDAY = TODAY - timedelta(days=1)

Team = tuple[Provider, Person, Person]


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture
def team(store: Store) -> Team:
    provider, owner = provider_and_owner(store)
    assert provider.id is not None
    other = records.add(
        store, Person(name="Alex Brown", role="Data lead", provider_id=provider.id), "set up"
    )
    return provider, owner, other


def pid(person: Person) -> int:
    assert person.id is not None
    return person.id


def added(
    store: Store,
    owner: Person,
    title: str = "Chase the referral paperwork",
    due: date = NEXT_FRIDAY,
    today: date = TODAY,
    **fields: object,
) -> Action:
    action = actions.add_action(
        store, title=title, owner_id=pid(owner), due_date=due, today=today, **fields
    )
    assert action.id is not None
    return action


def closed(
    store: Store,
    action: Action,
    by: Person,
    today: date = TODAY,
    evidence: str = "Paperwork filed on the shared drive",
    **fields: object,
) -> Action:
    assert action.id is not None
    return actions.close(
        acting_as(store, pid(by)),
        action.id,
        action.version,
        evidence=evidence,
        today=today,
        **fields,
    )


def now(store: Store, action: Action) -> Action:
    assert action.id is not None
    return records.get(store, Action, action.id)


def table(store: Store, name: str) -> list[dict]:
    return list(store.db.query(f"SELECT * FROM [{name}] ORDER BY id"))


def footprint(store: Store) -> tuple[int, list[dict], list[dict]]:
    """Everything an action change can write: the audit trail, actions and queries."""
    return audit_count(store), table(store, "action"), table(store, "commissioner_query")


@contextmanager
def refused(store: Store, match: str, error: type[Exception] = ValueError) -> Iterator[None]:
    """The change inside is refused with `match`, and leaves the database exactly as it was."""
    before = footprint(store)
    with pytest.raises(error, match=match):
        yield
    assert footprint(store) == before
    assert not store.conn.in_transaction


def last_audit(store: Store) -> dict:
    return audit_rows(store)[-1]


def count(store: Store, view: ActionView, **filters: object) -> int:
    return count_actions(store, ActionQuery(TODAY, view=view, **filters))


def titles(store: Store, query: ActionQuery) -> list[str]:
    return [line.title for line in each_action(store, query)]


# --- creating an action -----------------------------------------------------------------------


def test_an_action_is_created_open_with_its_owner_and_dates_and_audited(
    store: Store, team: Team
) -> None:
    _, owner, _ = team
    start = audit_count(store)
    action = added(store, owner, title="  Chase the referral paperwork  ", due=TODAY)
    row = raw_row(store, "action", action.id)
    assert {k: row[k] for k in ("title", "owner_id", "due_date", "status", "source")} == {
        "title": "Chase the referral paperwork",
        "owner_id": owner.id,
        "due_date": "2026-11-22",  # due today is allowed: it is not yet overdue
        "status": "open",
        "source": "added by hand",
    }
    assert (row["created_on"], row["version"], row["due_moves"]) == ("2026-11-22", 1, 0)
    assert row["first_due_date"] is None and row["evidence"] is None
    assert audit_count(store) == start + 1
    audited = last_audit(store)
    assert (audited["table_name"], audited["row_id"], audited["operation"]) == (
        "action",
        action.id,
        "insert",
    )
    assert audited["reason"] == "action added (added by hand): Chase the referral paperwork"


def test_an_action_may_be_reviewed_on_its_due_date_or_later(store: Store, team: Team) -> None:
    _, owner, _ = team
    on_the_day = added(store, owner, review_on=NEXT_FRIDAY)
    later = added(store, owner, review_on=NEXT_FRIDAY + timedelta(days=28))
    assert now(store, on_the_day).review_on == NEXT_FRIDAY
    assert now(store, later).review_on == date(2026, 12, 25)


CREATION_REFUSALS: dict[str, tuple[dict, type[Exception], str]] = {
    "no owner": ({"owner_id": None}, ValueError, "^owner: pick a person in the service"),
    "an owner who is not a person in the service": (
        {"owner_id": 404},
        ValueError,
        "^owner: pick a person in the service",
    ),
    "a blank title": ({"title": ""}, ValueError, "^title: say what is to be done"),
    "a title of spaces": ({"title": " \t "}, ValueError, "^title: say what is to be done"),
    "a due date in the past": (
        {"due_date": YESTERDAY},
        ValueError,
        "^due date: 21/11/2026 has already passed; give today or a later date",
    ),
    "a review before the due date": (
        {"due_date": NEXT_FRIDAY, "review_on": TODAY + timedelta(days=2)},
        ValueError,
        "^review on: 24/11/2026 is before the due date, 27/11/2026",
    ),
    "a step of a query that does not exist": (
        {"query_id": 404},
        NotFound,
        "no commissioner query with id 404",
    ),
}


@pytest.mark.parametrize("refusal", list(CREATION_REFUSALS))
def test_a_refused_action_names_the_field_and_writes_nothing(
    store: Store, team: Team, refusal: str
) -> None:
    _, owner, _ = team
    changes, error, problem = CREATION_REFUSALS[refusal]
    fields = {"title": "Chase the referral paperwork", "owner_id": owner.id, "due_date": TODAY}
    with refused(store, problem, error):
        actions.add_action(store, **{**fields, **changes}, today=TODAY)
    assert table(store, "action") == []


def test_an_action_cannot_be_created_closed(store: Store, team: Team) -> None:
    _, owner, _ = team
    action = Action(
        title="Already done",
        owner_id=pid(owner),
        due_date=TODAY,
        created_on=TODAY,
        status=ActionStatus.CLOSED,
        evidence="It was done before the meeting",
    )
    with (
        refused(store, "^status: an action is created open"),
        store.write("an action closed from the start") as txn,
    ):
        actions.insert_action(txn, action, TODAY)


# --- starting and closing -------------------------------------------------------------------


def test_starting_an_action(store: Store, team: Team) -> None:
    _, owner, _ = team
    action = added(store, owner)
    started = actions.start(store, action.id, action.version)
    assert (started.status, started.version) == (ActionStatus.IN_PROGRESS, 2)
    assert last_audit(store)["reason"] == "action started"
    with refused(store, "already in progress"):
        actions.start(store, action.id, started.version)


def test_closing_records_the_evidence_who_closed_it_when_and_the_link(
    store: Store, team: Team
) -> None:
    _, owner, other = team
    action = added(store, owner)
    done = closed(
        store,
        action,
        other,
        evidence="  Referral paperwork filed  ",
        link=" S:\\Governance\\referrals.xlsx ",
        review_on=TODAY + timedelta(days=28),
    )
    row = raw_row(store, "action", action.id)
    assert {
        k: row[k]
        for k in ("status", "evidence", "evidence_link", "closed_on", "closed_by", "review_on")
    } == {
        "status": "closed",
        "evidence": "Referral paperwork filed",
        "evidence_link": "S:\\Governance\\referrals.xlsx",
        "closed_on": "2026-11-22",
        "closed_by": other.id,
        "review_on": "2026-12-20",
    }
    assert done.version == row["version"] == 2
    assert last_audit(store)["reason"] == "action closed: Referral paperwork filed"
    # Closed by the person the store acts as (the signed-in person), who is also the actor.
    assert last_audit(store)["actor"] == other.name
    assert json.loads(last_audit(store)["after"])["evidence"] == "Referral paperwork filed"


def test_an_action_in_progress_closes_and_a_link_is_optional(store: Store, team: Team) -> None:
    _, owner, _ = team
    action = added(store, owner)
    started = actions.start(store, action.id, action.version)
    done = closed(store, started, owner)
    assert (done.status, done.evidence_link, done.review_on) == (ActionStatus.CLOSED, None, None)


@pytest.mark.parametrize("evidence", ["", "   ", "\n\t "])
def test_closing_without_evidence_is_refused(store: Store, team: Team, evidence: str) -> None:
    _, owner, _ = team
    action = added(store, owner)
    with refused(store, "^evidence: say what shows it is done"):
        closed(store, action, owner, evidence=evidence)
    assert now(store, action).status == ActionStatus.OPEN


CLOSE_REFUSALS: dict[str, tuple[dict, type[Exception], str]] = {
    "closed by nobody on the staff list": (
        {"actor": "tester"},
        ValueError,
        "^closed by: only a person on the staff list may do this, and 'tester' is nobody on it",
    ),
    "a review on the day it closes": (
        {"review_on": TODAY},
        ValueError,
        "^review on: 22/11/2026 is not after today",
    ),
    "from a stale screen": ({"version": 0}, StaleVersion, "changed by someone else"),
    "an action that does not exist": ({"action_id": 404}, NotFound, "no action with id 404"),
}


@pytest.mark.parametrize("refusal", list(CLOSE_REFUSALS))
def test_a_refused_close_writes_nothing(store: Store, team: Team, refusal: str) -> None:
    _, owner, _ = team
    action = added(store, owner)
    changes, error, problem = CLOSE_REFUSALS[refusal]
    values = {"action_id": action.id, "version": action.version, "actor": owner.name, **changes}
    with refused(store, problem, error):
        actions.close(
            replace(store, actor=values.pop("actor")),
            values.pop("action_id"),
            values.pop("version"),
            evidence="Done and filed",
            today=TODAY,
            **values,
        )


def test_a_closed_action_cannot_be_closed_started_moved_or_handed_over(
    store: Store, team: Team
) -> None:
    _, owner, other = team
    done = closed(store, added(store, owner), owner)
    assert done.id is not None
    reopen_first = "^this action was closed on 22/11/2026: reopen it first"
    with refused(store, reopen_first):
        closed(store, done, owner, evidence="Closed again")
    with refused(store, reopen_first):
        actions.start(store, done.id, done.version)
    with refused(store, reopen_first):
        actions.move_due_date(
            store,
            done.id,
            done.version,
            due_date=TODAY + timedelta(days=30),
            reason="x",
            today=TODAY,
        )
    with refused(store, reopen_first):
        actions.change_owner(store, done.id, done.version, owner_id=pid(other), reason="leave")


# --- no path closes an action without evidence ---------------------------------------------


def test_records_update_refuses_actions(store: Store, team: Team) -> None:
    _, owner, _ = team
    action = added(store, owner)
    for change in (
        {"status": ActionStatus.CLOSED},
        {"status": ActionStatus.CLOSED, "evidence": "typed into another program"},
        {"title": "A new title"},
    ):
        with refused(store, "changes through store.actions"):
            records.update(store, action.model_copy(update=change), "closing it the short way")


def test_the_model_refuses_a_closed_action_without_evidence(team: Team) -> None:
    _, owner, _ = team
    with pytest.raises(ValueError, match="a closed action needs evidence"):
        Action(
            title="x",
            owner_id=pid(owner),
            due_date=TODAY,
            created_on=TODAY,
            status=ActionStatus.CLOSED,
            evidence="  ",
        )


RAW_SQL = {
    "closing an open action": "UPDATE action SET status = 'closed' WHERE id = :id",
    "closing with blank evidence": (
        "UPDATE action SET status = 'closed', evidence = '  ', closed_on = '2026-11-22' "
        "WHERE id = :id"
    ),
    "clearing a closed action's evidence": "UPDATE action SET evidence = NULL WHERE id = :closed",
    "blanking a closed action's evidence": "UPDATE action SET evidence = '' WHERE id = :closed",
    "inserting a closed action": (
        "INSERT INTO action (title, owner_id, due_date, status, source, created_on) "
        "VALUES ('Done elsewhere', :owner, '2026-11-22', 'closed', 'added by hand', "
        "'2026-11-22')"
    ),
    "inserting a closed action with blank evidence": (
        "INSERT INTO action (title, owner_id, due_date, status, source, created_on, evidence) "
        "VALUES ('Done elsewhere', :owner, '2026-11-22', 'closed', 'added by hand', "
        "'2026-11-22', ' ')"
    ),
}


@pytest.mark.parametrize("statement", list(RAW_SQL))
def test_the_database_refuses_a_closed_action_without_evidence(
    store: Store, team: Team, statement: str
) -> None:
    _, owner, _ = team
    action = added(store, owner)
    done = closed(store, added(store, owner, title="Audit the notes"), owner)
    params = {"id": action.id, "closed": done.id, "owner": owner.id}
    with refused(store, "a closed action needs evidence", sqlite3.IntegrityError):
        store.conn.execute(RAW_SQL[statement], params)


# --- reopening ---------------------------------------------------------------------------


def test_reopening_counts_and_clears_the_evidence_which_stays_in_the_audit_trail(
    store: Store, team: Team
) -> None:
    _, owner, other = team
    action = added(store, owner)
    done = closed(
        store,
        action,
        other,
        evidence="Policy reissued",
        link="https://intranet/p1",
        review_on=date(2026, 12, 22),
    )
    reopened = actions.reopen(
        store, action.id, done.version, reason="Staff still using the old form", today=TODAY
    )
    row = raw_row(store, "action", action.id)
    assert row["status"] == "open"
    assert row["reopened_count"] == reopened.reopened_count == 1
    assert [
        row[c] for c in ("evidence", "evidence_link", "closed_on", "closed_by", "review_on")
    ] == [None] * 5
    assert row["due_date"] == NEXT_FRIDAY.isoformat() and row["due_moves"] == 0
    audited = last_audit(store)
    assert audited["reason"] == "action reopened: Staff still using the old form"
    before = json.loads(audited["before"])
    assert (before["evidence"], before["evidence_link"]) == (
        "Policy reissued",
        "https://intranet/p1",
    )
    # Closed and reopened again: counted again.
    again = actions.reopen(
        store,
        action.id,
        closed(store, reopened, owner).version,
        reason="Still not used",
        today=TODAY,
    )
    assert again.reopened_count == 2
    evidence = [
        json.loads(r["after"])["evidence"]
        for r in audit_rows(store)
        if r["table_name"] == "action" and r["reason"].startswith("action closed")
    ]
    assert evidence == ["Policy reissued", "Paperwork filed on the shared drive"]


def test_reopening_with_a_new_due_date_counts_as_a_move(store: Store, team: Team) -> None:
    _, owner, _ = team
    done = closed(store, added(store, owner), owner)
    reopened = actions.reopen(
        store,
        done.id,
        done.version,
        reason="Missed a ward",
        today=TODAY,
        due_date=date(2026, 12, 4),
    )
    assert (reopened.due_date, reopened.first_due_date, reopened.due_moves) == (
        date(2026, 12, 4),
        NEXT_FRIDAY,
        1,
    )


REOPEN_REFUSALS: dict[str, tuple[Callable[[Store, Action], object], str]] = {
    "without a reason": (
        lambda store, action: actions.reopen(
            store, action.id, action.version, reason=" ", today=TODAY
        ),
        "^reason: say why it is reopened",
    ),
    "with a new due date in the past": (
        lambda store, action: actions.reopen(
            store, action.id, action.version, reason="x", today=TODAY, due_date=YESTERDAY
        ),
        "^new due date: 21/11/2026 has already passed",
    ),
}


@pytest.mark.parametrize("refusal", list(REOPEN_REFUSALS))
def test_a_refused_reopen_writes_nothing(store: Store, team: Team, refusal: str) -> None:
    _, owner, _ = team
    done = closed(store, added(store, owner), owner)
    change, problem = REOPEN_REFUSALS[refusal]
    with refused(store, problem):
        change(store, done)


def test_an_action_that_is_not_closed_cannot_be_reopened(store: Store, team: Team) -> None:
    _, owner, _ = team
    action = added(store, owner)
    with refused(store, "^this action is not closed"):
        actions.reopen(store, action.id, action.version, reason="again", today=TODAY)


# --- moving the due date ------------------------------------------------------------------


def test_moving_the_due_date_twice_keeps_the_first_and_counts_both(
    store: Store, team: Team
) -> None:
    _, owner, _ = team
    action = added(store, owner)
    moved = actions.move_due_date(
        store,
        action.id,
        action.version,
        due_date=date(2026, 12, 4),
        reason="Waiting for the extract",
        today=TODAY,
    )
    assert (moved.first_due_date, moved.due_moves) == (NEXT_FRIDAY, 1)
    moved = actions.move_due_date(
        store,
        action.id,
        moved.version,
        due_date=date(2026, 11, 30),
        reason="Extract came early",
        today=TODAY,
    )
    row = raw_row(store, "action", action.id)
    assert (row["due_date"], row["first_due_date"], row["due_moves"], row["version"]) == (
        "2026-11-30",
        "2026-11-27",
        2,
        3,
    )
    reasons = [r["reason"] for r in audit_rows(store) if r["operation"] == "update"]
    assert reasons == [
        "due date moved from 27/11/2026 to 04/12/2026: Waiting for the extract",
        "due date moved from 04/12/2026 to 30/11/2026: Extract came early",
    ]


MOVE_REFUSALS: dict[str, tuple[dict, str]] = {
    "without a reason": ({"reason": ""}, "^reason: say why the due date moves"),
    "with a reason of spaces": ({"reason": "   "}, "^reason: say why the due date moves"),
    "to the date it already has": (
        {"due_date": NEXT_FRIDAY},
        "^due date: the action is already due on 27/11/2026",
    ),
    "to a date that has passed": (
        {"due_date": YESTERDAY},
        "^new due date: 21/11/2026 has already passed",
    ),
}


@pytest.mark.parametrize("refusal", list(MOVE_REFUSALS))
def test_a_refused_move_writes_nothing(store: Store, team: Team, refusal: str) -> None:
    _, owner, _ = team
    action = added(store, owner)
    changes, problem = MOVE_REFUSALS[refusal]
    values = {"due_date": date(2026, 12, 4), "reason": "Waiting for the extract", **changes}
    with refused(store, problem):
        actions.move_due_date(store, action.id, action.version, today=TODAY, **values)


def test_changing_the_owner(store: Store, team: Team) -> None:
    _, owner, other = team
    action = added(store, owner)
    handed = actions.change_owner(
        store, action.id, action.version, owner_id=pid(other), reason="Sam on leave"
    )
    assert (handed.owner_id, handed.version) == (other.id, 2)
    assert last_audit(store)["reason"] == "owner changed: Sam on leave"
    with refused(store, "^owner: that person already owns this action"):
        actions.change_owner(store, action.id, 2, owner_id=pid(other), reason="again")
    with refused(store, "^owner: pick a person in the service"):
        actions.change_owner(store, action.id, 2, owner_id=404, reason="again")
    with refused(store, "^reason: say why the owner changes"):
        actions.change_owner(store, action.id, 2, owner_id=pid(owner), reason="")


# --- two terminals -------------------------------------------------------------------------

STALE_CHANGES: dict[str, Callable[[Store, Action, Person], object]] = {
    "start": lambda store, action, who: actions.start(store, action.id, action.version),
    "close": lambda store, action, who: closed(store, action, who),
    "move the due date": lambda store, action, who: actions.move_due_date(
        store, action.id, action.version, due_date=date(2026, 12, 11), reason="later", today=TODAY
    ),
    "change the owner": lambda store, action, who: actions.change_owner(
        store, action.id, action.version, owner_id=pid(who), reason="handover"
    ),
}


@pytest.mark.parametrize("change", list(STALE_CHANGES))
def test_a_change_from_a_stale_screen_is_refused_and_writes_nothing(
    store: Store, team: Team, db_path: Path, change: str
) -> None:
    _, owner, other = team
    action = added(store, owner)
    first = open_store(db_path, "coordinator one")
    second = open_store(db_path, "coordinator two")
    try:
        mine, theirs = now(first, action), now(second, action)
        assert mine.version == theirs.version == 1
        actions.move_due_date(
            first,
            action.id,
            mine.version,
            due_date=date(2026, 12, 4),
            reason="Extract late",
            today=TODAY,
        )
        with refused(second, "changed by someone else", StaleVersion):
            STALE_CHANGES[change](second, theirs, other)
        row = raw_row(store, "action", action.id)
        assert (row["status"], row["due_date"], row["owner_id"], row["version"]) == (
            "open",
            "2026-12-04",
            owner.id,
            2,
        )
        updates = [r for r in audit_rows(store) if r["operation"] == "update"]
        assert [(r["actor"], r["reason"]) for r in updates] == [
            ("coordinator one", "due date moved from 27/11/2026 to 04/12/2026: Extract late")
        ]
    finally:
        first.close()
        second.close()


# --- the review after closing ---------------------------------------------------------------


def reviewable(store: Store, owner: Person) -> Action:
    """Set on 25 October, due 30 October, closed on 1 November with a review on the 20th."""
    action = added(store, owner, due=date(2026, 10, 30), today=date(2026, 10, 25))
    return closed(store, action, owner, today=date(2026, 11, 1), review_on=date(2026, 11, 20))


def test_a_review_that_held_keeps_the_action_closed(store: Store, team: Team) -> None:
    _, owner, _ = team
    done = reviewable(store, owner)
    reviewed = actions.record_review(
        acting_as(store, pid(owner)),
        done.id,
        done.version,
        held=True,
        note="Sampled ten records: all complete",
        today=TODAY,
    )
    assert reviewed.status == ActionStatus.CLOSED
    assert (reviewed.reviewed_on, reviewed.review_note, reviewed.reopened_count) == (
        TODAY,
        "held: Sampled ten records: all complete",
        0,
    )
    assert reviewed.evidence == "Paperwork filed on the shared drive"
    assert (
        last_audit(store)["reason"] == "review: the change held: Sampled ten records: all complete"
    )
    with refused(store, "^this action's review was recorded on 22/11/2026"):
        actions.record_review(
            acting_as(store, pid(owner)),
            done.id,
            reviewed.version,
            held=True,
            note="again",
            today=TODAY,
        )


def test_a_review_that_did_not_hold_reopens_the_action_and_counts(store: Store, team: Team) -> None:
    _, owner, _ = team
    done = reviewable(store, owner)
    reviewed = actions.record_review(
        acting_as(store, pid(owner)),
        done.id,
        done.version,
        held=False,
        note="Three of ten records incomplete",
        today=TODAY,
        due_date=date(2026, 12, 11),
    )
    row = raw_row(store, "action", done.id)
    assert (row["status"], row["reopened_count"], row["evidence"], row["closed_on"]) == (
        "open",
        1,
        None,
        None,
    )
    assert (row["reviewed_on"], row["review_note"]) == (
        "2026-11-22",
        "did not hold: Three of ten records incomplete",
    )
    assert (row["due_date"], row["first_due_date"], row["due_moves"]) == (
        "2026-12-11",
        "2026-10-30",
        1,
    )
    assert reviewed.reopened_count == 1
    assert last_audit(store)["reason"] == (
        "review: the change did not hold: Three of ten records incomplete"
    )
    assert (
        json.loads(last_audit(store)["before"])["evidence"] == "Paperwork filed on the shared drive"
    )


def test_a_review_needs_one_scheduled_and_a_note(store: Store, team: Team) -> None:
    _, owner, _ = team
    not_scheduled = closed(store, added(store, owner), owner)
    with refused(store, "^this action has no review scheduled"):
        actions.record_review(
            acting_as(store, pid(owner)),
            not_scheduled.id,
            not_scheduled.version,
            held=True,
            note="fine",
            today=TODAY,
        )
    still_open = added(store, owner)
    with refused(store, "^this action has no review scheduled"):
        actions.record_review(
            acting_as(store, pid(owner)), still_open.id, 1, held=True, note="fine", today=TODAY
        )
    scheduled = closed(store, added(store, owner), owner, review_on=date(2026, 12, 1))
    # Reviewed by whoever records it: the audit names them, so it is a person, never
    # 'tester' (nobody on the staff list).
    with refused(store, "^reviewed by: only a person on the staff list may do this, and 'tester'"):
        actions.record_review(
            store, scheduled.id, scheduled.version, held=True, note="fine", today=TODAY
        )
    with refused(store, "^what the review found: say what was checked"):
        actions.record_review(
            acting_as(store, pid(owner)),
            scheduled.id,
            scheduled.version,
            held=True,
            note=" ",
            today=TODAY,
        )
    with refused(store, "^new due date: 21/11/2026 has already passed"):
        actions.record_review(
            acting_as(store, pid(owner)),
            scheduled.id,
            scheduled.version,
            held=False,
            note="no",
            today=TODAY,
            due_date=YESTERDAY,
        )


# --- the views ----------------------------------------------------------------------------


@pytest.fixture
def tracker(store: Store, team: Team) -> dict[str, Action]:
    """A small tracker as at Sunday 22 November, built by the store's own functions on the
    days each thing happened."""
    _, sam, alex = team
    made: dict[str, Action] = {}

    def make(key: str, owner: Person, due: date, created: date, **fields: object) -> Action:
        made[key] = added(store, owner, title=key, due=due, today=created, **fields)
        return made[key]

    make("overdue since 10/11", sam, date(2026, 11, 10), date(2026, 11, 1))
    started = make("overdue since yesterday", alex, YESTERDAY, date(2026, 11, 5))
    made["overdue since yesterday"] = actions.start(store, started.id, started.version)
    make("due today", alex, TODAY, date(2026, 11, 20), source=ActionSource.AUDIT)
    make("due Saturday", sam, date(2026, 11, 28), date(2026, 11, 21))
    make("due in a week", sam, date(2026, 11, 29), date(2026, 11, 21), source=ActionSource.AUDIT)
    for key, owner, closed_on, review in (
        ("closed 10/11, review due 20/11", alex, date(2026, 11, 10), date(2026, 11, 20)),
        ("closed 24/10", sam, date(2026, 10, 24), None),
        ("closed 25/10", sam, date(2026, 10, 25), None),
        ("closed 15/11, review on 30/11", alex, date(2026, 11, 15), date(2026, 11, 30)),
        ("closed 12/11, reviewed 20/11", sam, date(2026, 11, 12), date(2026, 11, 18)),
    ):
        action = make(key, owner, closed_on + timedelta(days=5), closed_on - timedelta(days=3))
        made[key] = closed(store, action, owner, today=closed_on, review_on=review)
    done = made["closed 12/11, reviewed 20/11"]
    made["closed 12/11, reviewed 20/11"] = actions.record_review(
        acting_as(store, pid(owner)),
        done.id,
        done.version,
        held=True,
        note="checked",
        today=date(2026, 11, 20),
    )
    return made


def test_each_view_counts_what_it_says(store: Store, tracker: dict[str, Action]) -> None:
    assert count(store, ActionView.EVERY) == 10
    assert titles(store, ActionQuery(TODAY, view=ActionView.OVERDUE)) == [
        "overdue since 10/11",
        "overdue since yesterday",
    ]
    # Due today up to Saturday: today and the six days after (due today is not overdue).
    assert titles(store, ActionQuery(TODAY, view=ActionView.THIS_WEEK)) == [
        "due today",
        "due Saturday",
    ]
    # The last 28 days, from 25 October, most recently closed first.
    assert titles(store, ActionQuery(TODAY, view=ActionView.CLOSED_RECENTLY)) == [
        "closed 15/11, review on 30/11",
        "closed 12/11, reviewed 20/11",
        "closed 10/11, review due 20/11",
        "closed 25/10",
    ]
    # Open: everything not closed, and the closed action whose review is due, not done.
    assert titles(store, ActionQuery(TODAY)) == [
        "overdue since 10/11",
        "closed 10/11, review due 20/11",  # due 15/11
        "overdue since yesterday",
        "due today",
        "due Saturday",
        "due in a week",
    ]
    # A week later the review on 30/11 is due too, and the closed-recently window has moved.
    later = date(2026, 11, 30)
    assert count_actions(store, ActionQuery(later)) == 7
    assert count_actions(store, ActionQuery(later, view=ActionView.CLOSED_RECENTLY)) == 3


def test_each_line_says_what_the_rules_say_as_at_its_date(
    store: Store, tracker: dict[str, Action]
) -> None:
    lines = {line.title: line for line in each_action(store, ActionQuery(TODAY, ActionView.EVERY))}
    assert lines["overdue since 10/11"].overdue and lines["overdue since 10/11"].days_to_due == -12
    assert lines["overdue since 10/11"].age_days == 21
    assert not lines["due today"].overdue and lines["due today"].days_to_due == 0
    assert lines["overdue since yesterday"].status == ActionStatus.IN_PROGRESS
    assert lines["closed 10/11, review due 20/11"].review_due
    assert not lines["closed 10/11, review due 20/11"].overdue
    assert not lines["closed 12/11, reviewed 20/11"].review_due
    assert lines["closed 12/11, reviewed 20/11"].reviewed_on == date(2026, 11, 20)
    assert lines["due today"].source == ActionSource.AUDIT and lines["due today"].linked_to == ""


def test_the_status_overdue_count_is_the_overdue_view(
    store: Store, tracker: dict[str, Action]
) -> None:
    for as_at in (date(2026, 11, 1), TODAY, date(2026, 11, 29), date(2026, 12, 31)):
        summary = status_summary(store, as_at)
        assert summary.actions.overdue == count_actions(
            store, ActionQuery(as_at, view=ActionView.OVERDUE)
        )
    summary = status_summary(store, TODAY)
    assert (summary.actions.open, summary.actions.overdue) == (5, 2)


def test_the_demos_overdue_count_is_the_overdue_view(demo: Store) -> None:
    for as_at in (TODAY, TODAY + timedelta(days=7)):
        overdue = count_actions(demo, ActionQuery(as_at, view=ActionView.OVERDUE))
        assert status_summary(demo, as_at).actions.overdue == overdue > 0


def test_filters_by_owner_and_source(store: Store, team: Team, tracker: dict[str, Action]) -> None:
    _, sam, alex = team
    assert count(store, ActionView.EVERY, owner_id=sam.id) == 6
    assert count(store, ActionView.OPEN, owner_id=alex.id) == 3
    assert count(store, ActionView.OVERDUE, owner_id=alex.id) == 1
    assert titles(store, ActionQuery(TODAY, source=ActionSource.AUDIT)) == [
        "due today",
        "due in a week",
    ]
    assert count(store, ActionView.EVERY, source=ActionSource.AUDIT, owner_id=sam.id) == 1
    assert count(store, ActionView.EVERY, source=ActionSource.COMMISSIONER_QUERY) == 0
    assert count(store, ActionView.EVERY, status=ActionStatus.IN_PROGRESS) == 1


def test_sorting_by_owner_and_by_age_and_paging(store: Store, tracker: dict[str, Action]) -> None:
    by_owner = [
        (line.owner, line.due_date)
        for line in each_action(store, ActionQuery(TODAY, sort=ActionSort.OWNER))
    ]
    assert [owner for owner, _ in by_owner] == ["Alex Brown"] * 3 + ["Sam Patel"] * 3
    assert by_owner == sorted(by_owner)
    by_age = titles(store, ActionQuery(TODAY, sort=ActionSort.AGE))
    assert by_age == [
        "overdue since 10/11",  # created 1/11
        "overdue since yesterday",  # 5/11
        "closed 10/11, review due 20/11",  # 7/11
        "due today",  # 20/11
        "due Saturday",  # 21/11
        "due in a week",  # 21/11, added after
    ]
    every = ActionQuery(TODAY, view=ActionView.EVERY, sort=ActionSort.OWNER)
    in_order = titles(store, every)
    pages = [page_of_actions(store, every, offset, 4) for offset in (0, 4, 8)]
    assert [len(page) for page in pages] == [4, 4, 2]
    assert [line.title for page in pages for line in page] == in_order
    assert page_of_actions(store, every, 12, 4) == []


def test_search_matches_percent_and_underscore_literally(store: Store, team: Team) -> None:
    _, owner, _ = team
    for title in (
        "Audit 100% of case notes",
        "Audit 1000 case notes",
        "Rename snake_case fields",
        "Rename snakeXcase fields",
        "Check the S:\\shared folder",
        "Check the S:shared folder",
    ):
        added(store, owner, title=title)

    def found(search: str) -> list[str]:
        return titles(store, ActionQuery(TODAY, view=ActionView.EVERY, search=search))

    assert found("100%") == ["Audit 100% of case notes"]
    assert found("%") == ["Audit 100% of case notes"]
    assert found("e_c") == ["Rename snake_case fields"]
    assert found("_") == ["Rename snake_case fields"]
    assert found("S:\\") == ["Check the S:\\shared folder"]
    assert found("  audit  ") == ["Audit 100% of case notes", "Audit 1000 case notes"]
    assert found("nothing like it") == []
    assert count(store, ActionView.EVERY, search="%%") == 0
