"""Meetings in the store (store.meetings, store.meeting_reads, store.minutes) on real SQLite
files and a fixed date (never the real date).

A meeting is started in progress at its agenda's first section with its kind's timebox;
attendance, decisions and risks are saved the moment they are entered; the open actions of
the series' earlier meetings are carried into the next one; sign-off stores the minutes,
rendered from the record, with the head of the audit chain. After sign-off nothing about
the meeting changes on any path (the store in words, records.update and raw SQL through
SQLite's triggers, REPLACE included, on the store's connection and on a plain one such as
the sqlite3 shell's) except its actions' progress, and a correction is an addendum.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from huddle.action_query import ActionQuery, ActionView
from huddle.agenda import agenda
from huddle.dates import uk
from huddle.models import (
    ActionSource,
    ActionStatus,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingState,
    Person,
    Provider,
    ProviderKind,
)
from store import Store, actions, open_store, records
from store.action_list import count_actions, each_action
from store.audit import chain_head
from store.briefing import breaches_without_escalation
from store.check import check_database
from store.meeting_reads import attendance, meeting_row
from store.meetings import (
    add_addendum,
    mark_attendance,
    move_to,
    record_decision,
    record_risk,
    sign_off,
    start_meeting,
)
from store.minutes import minutes_for_export
from tests.acting import acting_as

TODAY = date(2026, 11, 22)
NOW = datetime.combine(TODAY, time(7, 45))
BRIEF = "Early shift brief"
HEAD = re.compile(r"audit row (\d+), SHA-256 ([0-9a-f]{64})")


# --- helpers ------------------------------------------------------------------------------


def add_people(store: Store, *names: str) -> list[int]:
    provider = records.add(store, Provider(name="Rapid response", kind=ProviderKind.PRIME), "p")
    assert provider.id is not None
    people = [
        records.add(store, Person(name=name, role="Shift lead", provider_id=provider.id), "p")
        for name in names
    ]
    return [person.id for person in people if person.id is not None]


def start(
    store: Store,
    chair: int,
    *,
    series: str = BRIEF,
    kind: MeetingKind = MeetingKind.SAFETY_BRIEF,
    today: date = TODAY,
) -> Meeting:
    return start_meeting(
        store,
        series=series,
        kind=kind,
        chair_id=chair,
        today=today,
        now=datetime.combine(today, time(7, 45)),
    )


def signed(store: Store, meeting: Meeting, by: int, minutes_taken: int = 5) -> Meeting:
    current = meeting_row(store, meeting.id or 0)
    assert current.started_at is not None
    return sign_off(
        acting_as(store, by),
        current.id or 0,
        current.version,
        now=current.started_at + timedelta(minutes=minutes_taken),
    )


def mid(meeting: Meeting) -> int:
    assert meeting.id is not None
    return meeting.id


def rows(store: Store, table: str, where: str, *params: object) -> list[tuple]:
    return store.conn.execute(
        f"SELECT * FROM [{table}] WHERE {where} ORDER BY id", params
    ).fetchall()


def count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def person_named(store: Store, name: str) -> int:
    return store.conn.execute("SELECT id FROM person WHERE name = ?", (name,)).fetchone()[0]


def meeting_action(
    store: Store, meeting: Meeting, owner: int, title: str, *, today: date, due: date
) -> int:
    action = actions.add_action(
        store,
        title=title,
        owner_id=owner,
        due_date=due,
        today=today,
        source=ActionSource.MEETING,
        meeting_id=mid(meeting),
    )
    assert action.id is not None
    return action.id


# --- starting a meeting -------------------------------------------------------------------


def test_start_puts_a_meeting_in_progress_at_its_first_section_with_its_timebox(
    store: Store,
) -> None:
    (chair,) = add_people(store, "Jess Armitage")
    brief = start(store, chair)
    assert brief.state == MeetingState.IN_PROGRESS
    assert brief.section == agenda(MeetingKind.SAFETY_BRIEF)[0].key == "attendance"
    assert brief.timebox_minutes == 5
    assert (brief.held_on, brief.started_at, brief.chair_id) == (TODAY, NOW, chair)
    assert meeting_row(store, mid(brief)) == brief

    huddle = start(store, chair, series="Therapy huddle", kind=MeetingKind.WAITING_LIST_HUDDLE)
    assert (huddle.timebox_minutes, huddle.section) == (30, "attendance")


def test_a_second_start_of_a_series_with_one_open_is_refused(store: Store) -> None:
    (chair,) = add_people(store, "Jess Armitage")
    first = start(store, chair, today=TODAY - timedelta(days=1))
    for spelt in (BRIEF, "  Early   shift\tbrief "):
        with pytest.raises(ValueError, match=r"^series: .*Early shift brief.*21/11/2026"):
            start(store, chair, series=spelt)
    assert count(store, "meeting") == 1

    mark_attendance(store, mid(first), chair, AttendanceStatus.PRESENT)
    signed(store, first, chair)
    again = start(store, chair)
    assert again.series == BRIEF and again.state == MeetingState.IN_PROGRESS


def test_a_start_needs_a_series_name_and_a_chair(store: Store) -> None:
    with pytest.raises(ValueError, match=r"^series: "):
        start_meeting(
            store, series="   ", kind=MeetingKind.SAFETY_BRIEF, chair_id=1, today=TODAY, now=NOW
        )
    with pytest.raises(ValueError, match=r"^chair: "):
        start_meeting(
            store, series=BRIEF, kind=MeetingKind.SAFETY_BRIEF, chair_id=None, today=TODAY, now=NOW
        )
    assert count(store, "meeting") == 0


def test_move_to_remembers_the_section_and_stops_at_a_known_one(store: Store) -> None:
    (chair,) = add_people(store, "Jess Armitage")
    brief = start(store, chair)
    moved = move_to(store, mid(brief), "capacity")
    assert moved.section == "capacity" and moved.version == brief.version + 1
    assert meeting_row(store, mid(brief)).section == "capacity"
    # Already there: nothing written.
    assert move_to(store, mid(brief), "capacity").version == moved.version


# --- attendance ---------------------------------------------------------------------------


def test_marking_twice_changes_the_mark_and_keeps_one_row(store: Store) -> None:
    chair, ruth = add_people(store, "Jess Armitage", "Ruth Okonjo")
    brief = start(store, chair)
    first = mark_attendance(store, mid(brief), ruth, AttendanceStatus.PRESENT)
    second = mark_attendance(store, mid(brief), ruth, AttendanceStatus.APOLOGIES)
    assert second.id == first.id and second.status == AttendanceStatus.APOLOGIES
    found = rows(store, "attendance", "meeting_id = ? AND person_id = ?", mid(brief), ruth)
    assert len(found) == 1 and found[0][3] == "apologies"
    # The same mark again writes nothing.
    audited = count(store, "audit")
    assert mark_attendance(store, mid(brief), ruth, AttendanceStatus.APOLOGIES) == second
    assert count(store, "audit") == audited


def test_attendance_lists_the_chair_then_the_series_last_meeting(store: Store) -> None:
    jess, yusuf, ruth, sean, liam = add_people(
        store, "Jess Armitage", "Yusuf Demir", "Ruth Okonjo", "Sean Gallagher", "Liam Cartwright"
    )
    yesterday = start(store, jess, today=TODAY - timedelta(days=1))
    for who, status in ((jess, "present"), (ruth, "present"), (sean, "apologies")):
        mark_attendance(store, mid(yesterday), who, AttendanceStatus(status))
    signed(store, yesterday, jess)

    today = start(store, yusuf)
    lines = attendance(store, today)
    assert [line.person_id for line in lines] == [yusuf, jess, ruth, sean]
    assert all(line.status is None for line in lines)  # invited, not yet marked
    assert liam not in {line.person_id for line in lines}

    mark_attendance(store, mid(today), liam, AttendanceStatus.PRESENT)
    mark_attendance(store, mid(today), ruth, AttendanceStatus.APOLOGIES)
    lines = attendance(store, today)
    assert [line.person_id for line in lines] == [yusuf, jess, ruth, sean, liam]
    marks = {line.person_id: line.status for line in lines}
    assert marks[liam] == AttendanceStatus.PRESENT
    assert marks[ruth] == AttendanceStatus.APOLOGIES
    assert marks[yusuf] is None


# --- decisions and risks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "owner", "field"),
    [("   ", "owner", "decision"), ("Hold two slots", None, "owner")],
)
def test_a_decision_needs_its_text_and_an_owner(
    store: Store, text: str, owner: str | None, field: str
) -> None:
    (chair,) = add_people(store, "Jess Armitage")
    brief = start(store, chair)
    audited = count(store, "audit")
    with pytest.raises(ValueError, match=rf"^{field}: "):
        record_decision(
            store,
            mid(brief),
            text=text,
            rationale="because",
            owner_id=chair if owner else None,
        )
    assert count(store, "decision") == 0
    assert count(store, "audit") == audited


@pytest.mark.parametrize(
    ("text", "owner", "field"),
    [("\t", "owner", "risk"), ("One car off the road", None, "owner")],
)
def test_a_risk_needs_its_text_and_an_owner(
    store: Store, text: str, owner: str | None, field: str
) -> None:
    (chair,) = add_people(store, "Jess Armitage")
    brief = start(store, chair)
    with pytest.raises(ValueError, match=rf"^{field}: "):
        record_risk(
            store,
            text=text,
            owner_id=chair if owner else None,
            today=TODAY,
            meeting_id=mid(brief),
        )
    assert count(store, "risk") == 0


def test_decisions_and_risks_are_saved_at_once(store: Store, db_path: Path) -> None:
    chair, ruth = add_people(store, "Jess Armitage", "Ruth Okonjo")
    brief = start(store, chair)
    decision = record_decision(
        store,
        mid(brief),
        text="  Hold two visit slots for discharges  ",
        rationale=" Discharges above baseline ",
        owner_id=ruth,
        section="capacity",
    )
    risk = record_risk(
        store,
        text="One car off the road until Tuesday",
        owner_id=chair,
        today=TODAY,
        meeting_id=mid(brief),
        section="what could make today unsafe?",
    )
    # Another terminal sees both while the meeting is still running.
    other = open_store(db_path, "someone else")
    try:
        assert other.conn.execute(
            "SELECT meeting_id, text, rationale, owner_id, section FROM decision WHERE id = ?",
            (decision.id,),
        ).fetchone() == (
            mid(brief),
            "Hold two visit slots for discharges",
            "Discharges above baseline",
            ruth,
            "capacity",
        )
        assert other.conn.execute(
            "SELECT meeting_id, text, owner_id, raised_on FROM risk WHERE id = ?", (risk.id,)
        ).fetchone() == (mid(brief), "One car off the road until Tuesday", chair, "2026-11-22")
        audited = other.conn.execute(
            "SELECT table_name, row_id FROM audit WHERE table_name IN ('decision', 'risk')"
        ).fetchall()
        assert audited == [("decision", decision.id), ("risk", risk.id)]
    finally:
        other.close()


# --- carried forward ----------------------------------------------------------------------


def test_open_actions_of_the_series_are_carried_into_its_next_meeting(store: Store) -> None:
    chair, ruth = add_people(store, "Jess Armitage", "Ruth Okonjo")
    two_weeks_ago, last_week = TODAY - timedelta(days=14), TODAY - timedelta(days=7)

    first = start(store, chair, today=two_weeks_ago)
    still_open = meeting_action(
        store, first, ruth, "Still open", today=two_weeks_ago, due=last_week
    )
    closed_early = meeting_action(
        store, first, ruth, "Closed before last week", today=two_weeks_ago, due=last_week
    )
    closed_late = meeting_action(
        store, first, ruth, "Closed since last week", today=two_weeks_ago, due=last_week
    )
    mark_attendance(store, mid(first), ruth, AttendanceStatus.PRESENT)
    signed(store, first, chair)
    actions.close(
        acting_as(store, ruth),
        closed_early,
        1,
        evidence="Done",
        today=two_weeks_ago + timedelta(days=2),
    )

    second = start(store, chair, today=last_week)
    from_second = meeting_action(store, second, chair, "From last week", today=last_week, due=TODAY)
    mark_attendance(store, mid(second), ruth, AttendanceStatus.PRESENT)
    signed(store, second, chair)
    actions.close(
        acting_as(store, ruth), closed_late, 1, evidence="Done", today=last_week + timedelta(days=1)
    )

    other_series = start(store, ruth, series="Therapy huddle", today=last_week)
    meeting_action(store, other_series, ruth, "Another series", today=last_week, due=TODAY)

    today = start(store, chair)
    meeting_action(store, today, chair, "Recorded today", today=TODAY, due=TODAY)

    carried = ActionQuery(TODAY, view=ActionView.EVERY, carried_into=mid(today))
    found = {line.id: line for line in each_action(store, carried)}
    assert set(found) == {still_open, closed_late, from_second}
    assert count_actions(store, carried) == 3
    assert found[still_open].overdue and found[closed_late].status == ActionStatus.CLOSED
    # The open view of the same: what is still to do.
    still = ActionQuery(TODAY, view=ActionView.OPEN, carried_into=mid(today))
    assert {line.id for line in each_action(store, still)} == {still_open, from_second}


# --- sign-off and the lock ----------------------------------------------------------------


@dataclass
class Held:
    """A signed-off meeting with one of everything recorded in it."""

    store: Store
    meeting: Meeting
    chair: int
    other: int
    decision: int
    risk: int
    attendance: int
    action: int
    loose_action: int
    """An action of no meeting."""
    open_meeting: Meeting
    """Another meeting, still open, with a decision of its own."""
    open_decision: int


@pytest.fixture
def held(store: Store) -> Iterator[Held]:
    chair, ruth, sean = add_people(store, "Jess Armitage", "Ruth Okonjo", "Sean Gallagher")
    brief = start(store, chair)
    presence = mark_attendance(store, mid(brief), ruth, AttendanceStatus.PRESENT)
    decision = record_decision(
        store, mid(brief), text="Hold two slots", rationale="Discharges", owner_id=ruth
    )
    risk = record_risk(
        store, text="One car off the road", owner_id=chair, today=TODAY, meeting_id=mid(brief)
    )
    action = meeting_action(
        store, brief, ruth, "Review night-shift decisions", today=TODAY, due=TODAY
    )
    loose = actions.add_action(store, title="By hand", owner_id=ruth, due_date=TODAY, today=TODAY)
    huddle = start(store, sean, series="Therapy huddle", kind=MeetingKind.WAITING_LIST_HUDDLE)
    open_decision = record_decision(
        store, mid(huddle), text="Book the long waiters", rationale="", owner_id=sean
    )
    done = signed(store, brief, chair)
    assert presence.id and decision.id and risk.id and loose.id and open_decision.id
    yield Held(
        store,
        done,
        chair,
        sean,
        decision.id,
        risk.id,
        presence.id,
        action,
        loose.id,
        huddle,
        open_decision.id,
    )


def test_sign_off_stores_the_minutes_and_the_audit_chain_head(held: Held) -> None:
    store, meeting = held.store, held.meeting
    stored = meeting_row(store, mid(meeting))
    assert stored == meeting
    assert stored.state == MeetingState.SIGNED_OFF
    assert stored.signed_off_by == held.chair
    assert stored.signed_off_at == NOW + timedelta(minutes=5)
    assert stored.minutes is not None and stored.minutes.startswith(f"# Minutes: {BRIEF}\n")
    assert stored.chain_head is not None
    head = HEAD.fullmatch(stored.chain_head)
    assert head, stored.chain_head
    row_id, digest = int(head[1]), head[2]
    assert store.conn.execute("SELECT hash FROM audit WHERE id = ?", (row_id,)).fetchone() == (
        digest,
    )
    # The head is the last row before the sign-off's own, which follows it in the chain.
    after = store.conn.execute(
        "SELECT table_name, row_id, operation, prev_hash FROM audit WHERE id = ?", (row_id + 1,)
    ).fetchone()
    assert after == ("meeting", mid(meeting), "update", digest)
    assert f"Audit chain head at sign-off: {stored.chain_head}" in stored.minutes


def test_after_sign_off_the_store_refuses_every_change_in_words(held: Held) -> None:
    store, meeting_id = held.store, mid(held.meeting)
    refusals = [
        lambda: record_decision(store, meeting_id, text="Late", rationale="", owner_id=held.chair),
        lambda: record_risk(
            store, text="Late", owner_id=held.chair, today=TODAY, meeting_id=meeting_id
        ),
        lambda: mark_attendance(store, meeting_id, held.other, AttendanceStatus.PRESENT),
        lambda: mark_attendance(store, meeting_id, held.chair, AttendanceStatus.APOLOGIES),
        lambda: move_to(store, meeting_id, "capacity"),
        lambda: sign_off(
            acting_as(store, held.chair),
            meeting_id,
            held.meeting.version,
            now=NOW + timedelta(hours=1),
        ),
    ]
    before = snapshot(held)
    for refused in refusals:
        with pytest.raises(ValueError, match="signed off"):
            refused()
    assert snapshot(held) == before


def test_records_update_cannot_edit_a_signed_off_meeting(held: Held) -> None:
    before = snapshot(held)
    edited = held.meeting.model_copy(update={"series": "Renamed", "minutes": "# Rewritten\n"})
    with pytest.raises((ValueError, sqlite3.IntegrityError), match="signed off"):
        records.update(held.store, edited, "tidy the minutes")
    assert snapshot(held) == before


def snapshot(held: Held) -> dict[str, list[tuple]]:
    """Everything about the signed-off meeting, and the actions the raw SQL aims at."""
    meeting_id = mid(held.meeting)
    store = held.store
    return {
        "meeting": rows(store, "meeting", "id = ?", meeting_id),
        **{
            table: rows(store, table, "meeting_id = ?", meeting_id)
            for table in ("decision", "attendance", "risk", "action", "addendum")
        },
        "moved": rows(store, "action", "id = ?", held.loose_action),
        "open decision": rows(store, "decision", "id = ?", held.open_decision),
        "counts": [tuple(count(store, t) for t in ("meeting", "decision", "action", "risk"))],
    }


RAW_EDITS = {
    "update meeting": "UPDATE meeting SET series = 'Renamed' WHERE id = :m",
    "reopen meeting": "UPDATE meeting SET state = 'in progress' WHERE id = :m",
    "rewrite minutes": "UPDATE meeting SET minutes = '# Rewritten' WHERE id = :m",
    "delete meeting": "DELETE FROM meeting WHERE id = :m",
    "insert decision": "INSERT INTO decision (meeting_id, text, rationale, owner_id) "
    "VALUES (:m, 'Late', '', :p)",
    "update decision": "UPDATE decision SET text = 'Changed' WHERE id = :decision",
    "delete decision": "DELETE FROM decision WHERE id = :decision",
    "move a decision in": "UPDATE decision SET meeting_id = :m WHERE id = :open_decision",
    "insert attendance": "INSERT INTO attendance (meeting_id, person_id, status) "
    "VALUES (:m, :p, 'present')",
    "update attendance": "UPDATE attendance SET status = 'apologies' WHERE id = :attendance",
    "delete attendance": "DELETE FROM attendance WHERE id = :attendance",
    "insert risk": "INSERT INTO risk (text, owner_id, raised_on, meeting_id) "
    "VALUES ('Late', :p, '2026-11-22', :m)",
    "update risk": "UPDATE risk SET text = 'Changed' WHERE id = :risk",
    "delete risk": "DELETE FROM risk WHERE id = :risk",
    "insert action": "INSERT INTO action (title, owner_id, due_date, status, source, "
    "meeting_id, created_on) VALUES ('Late', :p, '2026-11-30', 'open', 'meeting decision', "
    ":m, '2026-11-22')",
    "move an action in": "UPDATE action SET meeting_id = :m WHERE id = :loose",
    "take an action out": "UPDATE action SET meeting_id = NULL WHERE id = :action",
    "delete an action": "DELETE FROM action WHERE id = :action",
    # REPLACE deletes the row it collides with without firing that row's DELETE trigger.
    "replace meeting": "REPLACE INTO meeting (id, kind, series, held_on, chair_id, state) "
    "VALUES (:m, 'safety brief', 'Forged', '2026-11-22', :p, 'in progress')",
    "replace decision": "INSERT OR REPLACE INTO decision (id, meeting_id, text, rationale, "
    "owner_id) VALUES (:decision, :open, 'Moved out', '', :p)",
    "replace attendance": "REPLACE INTO attendance (id, meeting_id, person_id, status) "
    "VALUES (:attendance, :open, :p, 'present')",
    "replace risk": "REPLACE INTO risk (id, text, owner_id, raised_on, meeting_id) "
    "VALUES (:risk, 'Moved out', :p, '2026-11-22', :open)",
    "replace action": "REPLACE INTO action (id, title, owner_id, due_date, status, source, "
    "created_on) VALUES (:action, 'Out', :p, '2026-11-30', 'open', 'added by hand', "
    "'2026-11-22')",
    "renumber over a decision": "UPDATE OR REPLACE decision SET id = :decision "
    "WHERE id = :open_decision",
    "renumber over an action": "UPDATE OR REPLACE action SET id = :action WHERE id = :loose",
}


@contextmanager
def plain_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """The file as the sqlite3 shell or another tool opens it: foreign keys on, but not
    recursive_triggers (which sqlite-utils turns on for the store's own connection)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("PRAGMA recursive_triggers").fetchone() == (0,)
        yield conn
    finally:
        conn.close()


@pytest.mark.parametrize("through", ["store.conn", "plain sqlite3"])
@pytest.mark.parametrize("sql", RAW_EDITS.values(), ids=RAW_EDITS.keys())
def test_raw_sql_cannot_edit_a_signed_off_meeting(held: Held, sql: str, through: str) -> None:
    store = held.store
    before = snapshot(held)
    params = {
        "m": mid(held.meeting),
        "p": held.other,
        "decision": held.decision,
        "open_decision": held.open_decision,
        "open": mid(held.open_meeting),
        "attendance": held.attendance,
        "risk": held.risk,
        "action": held.action,
        "loose": held.loose_action,
    }
    if through == "store.conn":
        with pytest.raises(sqlite3.IntegrityError, match="signed off"):
            store.conn.execute(sql, params)
        assert not store.conn.in_transaction
    else:
        with (
            plain_connection(store.path) as conn,
            pytest.raises(sqlite3.IntegrityError, match="signed off"),
        ):
            conn.execute(sql, params)
    assert snapshot(held) == before


def test_an_action_of_a_signed_off_meeting_is_still_worked_and_closed(held: Held) -> None:
    store = held.store
    later = TODAY + timedelta(days=3)
    started = actions.start(store, held.action, 1)
    closed = actions.close(
        acting_as(store, held.other),
        held.action,
        started.version,
        evidence="Reviewed all four; one referred back to the GP",
        link="https://intranet.example/nc/2211",
        today=later,
    )
    assert closed.status == ActionStatus.CLOSED and closed.closed_on == later
    assert closed.meeting_id == mid(held.meeting)
    # The minutes as signed still show it as it was at sign-off.
    minutes = minutes_for_export(store, mid(held.meeting))
    assert minutes == held.meeting.minutes
    assert "Review night-shift decisions — owner Ruth Okonjo, due 22/11/2026, open" in minutes
    assert check_database(store.conn).ok


def test_the_other_meeting_stays_open_to_changes(held: Held) -> None:
    """The lock is on the signed-off meeting only."""
    store, huddle = held.store, held.open_meeting
    record_decision(store, mid(huddle), text="Call the tier 2s", rationale="", owner_id=held.other)
    mark_attendance(store, mid(huddle), held.chair, AttendanceStatus.PRESENT)
    assert move_to(store, mid(huddle), "breaches").section == "breaches"
    assert count(store, "decision") == 3


# --- addenda ------------------------------------------------------------------------------


def test_an_addendum_only_follows_sign_off_and_stands_as_written(held: Held) -> None:
    store = held.store
    other = acting_as(store, held.other)
    with pytest.raises(ValueError, match=r"^addendum: .*still open"):
        add_addendum(other, mid(held.open_meeting), text="Too early", now=NOW)
    with pytest.raises(sqlite3.IntegrityError, match="addendum"):
        store.conn.execute(
            "INSERT INTO addendum (meeting_id, text, author_id, written_at) "
            "VALUES (?, 'Raw', ?, '2026-11-22T09:00:00')",
            (mid(held.open_meeting), held.other),
        )
    with pytest.raises(ValueError, match=r"^addendum: "):
        add_addendum(other, mid(held.meeting), text="  ", now=NOW)
    # Written by whoever writes it: someone not on the staff list cannot.
    with pytest.raises(ValueError, match=r"^author: only a person on the staff list"):
        add_addendum(store, mid(held.meeting), text="Correction", now=NOW)
    assert count(store, "addendum") == 0

    written = datetime.combine(TODAY, time(9, 10))
    addendum = add_addendum(
        other, mid(held.meeting), text="  Sean Gallagher was present, not absent  ", now=written
    )
    assert addendum.text == "Sean Gallagher was present, not absent"
    assert addendum.written_at == written and addendum.author_id == held.other

    stored = rows(store, "addendum", "id = ?", addendum.id)
    plain = sqlite3.connect(store.path, isolation_level=None)
    for sql in (
        "UPDATE addendum SET text = 'Changed' WHERE id = ?",
        "UPDATE addendum SET author_id = author_id WHERE id = ?",
        "DELETE FROM addendum WHERE id = ?",
        "REPLACE INTO addendum (id, meeting_id, text, author_id, written_at) "
        "SELECT id, meeting_id, 'Rewritten', author_id, written_at FROM addendum WHERE id = ?",
    ):
        for conn in (store.conn, plain):
            with pytest.raises(sqlite3.IntegrityError, match="addendum stands as written"):
                conn.execute(sql, (addendum.id,))
    plain.close()
    assert rows(store, "addendum", "id = ?", addendum.id) == stored

    exported = minutes_for_export(store, mid(held.meeting))
    assert held.meeting.minutes is not None
    assert exported == (
        held.meeting.minutes
        + "\n## Addenda (after sign-off)\n\n"
        + "- 2026-11-22 09:10 by Sean Gallagher: Sean Gallagher was present, not absent\n"
    )
    # The meeting itself is untouched by its addendum.
    assert meeting_row(store, mid(held.meeting)) == held.meeting


def test_the_audit_trail_refuses_a_replace_as_it_refuses_update_and_delete(held: Held) -> None:
    store = held.store
    head_id, _ = chain_head(store.conn)
    before = rows(store, "audit", "1")
    forge = (
        "REPLACE INTO audit SELECT id, at, actor, table_name, row_id, operation, before, "
        "after, 'forged', prev_hash, hash, via FROM audit WHERE id = ?"
    )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute(forge, (head_id,))
    with plain_connection(store.path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute(forge, (head_id,))
    assert rows(store, "audit", "1") == before


# --- how a meeting is and is not signed off -----------------------------------------------


def test_a_meeting_cannot_be_inserted_signed_off(store: Store) -> None:
    (chair,) = add_people(store, "Jess Armitage")
    with pytest.raises(sqlite3.IntegrityError, match="not created signed off"):
        store.conn.execute(
            "INSERT INTO meeting (kind, series, held_on, chair_id, state, signed_off_by, "
            "signed_off_at, minutes, chain_head) VALUES ('safety brief', ?, '2026-11-22', ?, "
            "'signed off', ?, '2026-11-22T07:50:00', '# Minutes: forged', 'audit row 1')",
            (BRIEF, chair, chair),
        )
    assert count(store, "meeting") == 0


@pytest.mark.parametrize(
    "changes",
    [
        "signed_off_by = :p, signed_off_at = '2026-11-22T07:50:00'",  # no minutes
        "minutes = '# Minutes', signed_off_at = '2026-11-22T07:50:00'",  # nobody named
        "minutes = '# Minutes', signed_off_by = :p",  # no time
    ],
    ids=["no minutes", "no signer", "no time"],
)
def test_a_meeting_cannot_be_signed_off_without_minutes_signer_and_time(
    store: Store, changes: str
) -> None:
    (chair,) = add_people(store, "Jess Armitage")
    brief = start(store, chair)
    before = rows(store, "meeting", "id = ?", mid(brief))
    with pytest.raises(sqlite3.IntegrityError, match="with its minutes"):
        store.conn.execute(
            f"UPDATE meeting SET state = 'signed off', {changes} WHERE id = :m",
            {"m": mid(brief), "p": chair},
        )
    assert rows(store, "meeting", "id = ?", mid(brief)) == before


def test_sign_off_needs_the_version_that_was_read(store: Store) -> None:
    (chair,) = add_people(store, "Jess Armitage")
    brief = start(store, chair)
    mark_attendance(store, mid(brief), chair, AttendanceStatus.PRESENT)
    moved = move_to(store, mid(brief), "capacity")
    with pytest.raises(Exception, match="changed by someone else"):
        sign_off(acting_as(store, chair), mid(brief), brief.version, now=NOW)
    assert meeting_row(store, mid(brief)) == moved


def test_sign_off_is_by_the_acting_person_the_chair_or_someone_present(store: Store) -> None:
    """Nobody picks who signed: it is whoever the store acts as (the signed-in person), and
    they must be the chair or marked present; a meeting nobody attended is not signed off.
    Each refusal says who may, and writes nothing."""
    jess, ruth, sean, omar = add_people(
        store, "Jess Armitage", "Ruth Okonjo", "Sean Gallagher", "Omar Haddad"
    )
    brief = start(store, jess)

    def refused(by: Store, said: str) -> None:
        before = (rows(store, "meeting", "id = ?", mid(brief)), count(store, "audit"))
        with pytest.raises(ValueError) as caught:
            sign_off(by, mid(brief), meeting_row(store, mid(brief)).version, now=NOW)
        assert str(caught.value) == said
        assert (rows(store, "meeting", "id = ?", mid(brief)), count(store, "audit")) == before

    refused(
        store,
        "sign off: only a person on the staff list may do this, and 'tester' is nobody on it; "
        "sign in as yourself (a person of the set-up)",
    )
    refused(
        acting_as(store, jess),
        "sign off: nobody is marked present at this meeting; mark who attended (key p in "
        "Attendance), then the chair or someone present signs it off",
    )
    mark_attendance(store, mid(brief), ruth, AttendanceStatus.PRESENT)
    mark_attendance(store, mid(brief), sean, AttendanceStatus.APOLOGIES)
    for outsider, name in ((sean, "Sean Gallagher"), (omar, "Omar Haddad")):
        refused(
            acting_as(store, outsider),
            "sign off: only the chair (Jess Armitage) or someone marked present (Ruth Okonjo) "
            f"may sign off; you ({name}) are not marked present",
        )

    done = sign_off(
        acting_as(store, ruth), mid(brief), meeting_row(store, mid(brief)).version, now=NOW
    )
    assert (done.state, done.signed_off_by) == (MeetingState.SIGNED_OFF, ruth)
    assert f"- Signed off: {NOW:%d/%m/%Y %H:%M:%S} by Ruth Okonjo" in (done.minutes or "")
    (actor,) = store.conn.execute(
        "SELECT actor FROM audit WHERE table_name = 'meeting' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert actor == "Ruth Okonjo"


def test_the_chair_signs_off_without_being_marked_present_and_a_leaver_cannot(
    store: Store,
) -> None:
    jess, ruth = add_people(store, "Jess Armitage", "Ruth Okonjo")
    brief = start(store, jess)
    mark_attendance(store, mid(brief), ruth, AttendanceStatus.PRESENT)
    with store.write("Ruth leaves") as txn:
        txn.update("person", ruth, {"inactive_since": TODAY.isoformat()}, 1)
    with pytest.raises(ValueError, match=r"^sign off: Ruth Okonjo has left the service"):
        sign_off(acting_as(store, ruth), mid(brief), brief.version, now=NOW)
    done = sign_off(acting_as(store, jess), mid(brief), brief.version, now=NOW)
    assert done.signed_off_by == jess


# --- the minutes, on the demo -------------------------------------------------------------


def test_the_minutes_say_what_was_decided_done_and_left_unescalated(demo: Store) -> None:
    store = demo
    jess, ruth = person_named(store, "Jess Armitage"), person_named(store, "Ruth Okonjo")
    series = "Early shift brief — rapid response"
    brief = start(store, jess, series=series)
    for who in (jess, ruth):
        mark_attendance(store, mid(brief), who, AttendanceStatus.PRESENT)
    decisions = [
        ("Hold two visit slots for discharges until 14:00", "Discharges above baseline", ruth),
        ("Pair the new starter with Sean all day", "First week on the cars", jess),
    ]
    for text, why, owner in decisions:
        record_decision(
            store, mid(brief), text=text, rationale=why, owner_id=owner, section="capacity"
        )
    record_decision(store, mid(brief), text="No rationale given", rationale="", owner_id=jess)
    due = TODAY + timedelta(days=2)
    meeting_action(store, brief, ruth, "Ring the discharge team at 13:00", today=TODAY, due=due)
    record_risk(
        store,
        text="One car off the road until Tuesday",
        owner_id=jess,
        today=TODAY,
        meeting_id=mid(brief),
        section="what could make today unsafe?",
    )
    done = signed(store, brief, jess, minutes_taken=6)
    minutes = done.minutes
    assert minutes is not None

    assert minutes.startswith(f"# Minutes: {series}\n")
    assert "DRAFT" not in minutes
    for number, (text, why, owner) in enumerate(decisions, 1):
        name = "Ruth Okonjo" if owner == ruth else "Jess Armitage"
        assert f"{number}. **{text}**\n   - Owner: {name}\n   - Rationale: {why}\n" in minutes
        assert f"- Decision: {text} (owner {name})" in minutes  # under its section
    assert "3. **No rationale given**\n   - Owner: Jess Armitage\n   - Rationale: none given" in (
        minutes
    )
    assert f"- Ring the discharge team at 13:00 — owner Ruth Okonjo, due {uk(due)}, open" in (
        minutes
    )
    assert "- One car off the road until Tuesday — owner Jess Armitage" in minutes
    assert "- Present (2): Jess Armitage (" in minutes

    unescalated = breaches_without_escalation(store, TODAY)
    assert unescalated, "the demo has breaches without escalation"
    assert f"## Breaches without escalation ({len(unescalated)})" in minutes
    for line in unescalated:
        assert f"- {line}\n" in minutes

    assert "- Duration: 6:00 against a 5-minute timebox (over by 1:00)" in minutes
    assert done.chain_head and f"- Audit chain head at sign-off: {done.chain_head}" in minutes
    head = HEAD.fullmatch(done.chain_head)
    assert head
    assert (
        store.conn.execute("SELECT hash FROM audit WHERE id = ?", (int(head[1]),)).fetchone()[0]
        == head[2]
    )
    # The carried-forward item names the open actions of the series' earlier briefs.
    carried = ActionQuery(TODAY, view=ActionView.EVERY, carried_into=mid(done))
    carried_titles = [line.title for line in each_action(store, carried)]
    assert f"## Carried forward from earlier meetings ({len(carried_titles)})" in minutes
    for title in carried_titles:
        assert f"- {title} — owner " in minutes
    assert check_database(store.conn).ok


def test_check_passes_on_the_demo_after_meetings_locks_and_addenda(demo: Store) -> None:
    store = demo
    assert check_database(store.conn).ok
    jess, ruth = person_named(store, "Jess Armitage"), person_named(store, "Ruth Okonjo")
    huddle = start(
        store, ruth, series="Waiting-list huddle — therapy", kind=MeetingKind.WAITING_LIST_HUDDLE
    )
    mark_attendance(store, mid(huddle), jess, AttendanceStatus.PRESENT)
    mark_attendance(store, mid(huddle), jess, AttendanceStatus.APOLOGIES)
    mark_attendance(store, mid(huddle), ruth, AttendanceStatus.PRESENT)
    move_to(store, mid(huddle), "breaches")
    record_decision(store, mid(huddle), text="Escalate", rationale="Breached", owner_id=ruth)
    record_risk(store, text="Sickness", owner_id=jess, today=TODAY, meeting_id=mid(huddle))
    action = meeting_action(store, huddle, jess, "Book the tier 2s", today=TODAY, due=TODAY)
    done = signed(store, huddle, ruth, minutes_taken=34)
    for sql in (
        "UPDATE meeting SET minutes = 'forged' WHERE id = ?",
        "DELETE FROM decision WHERE meeting_id = ?",
        "UPDATE action SET meeting_id = NULL WHERE meeting_id = ?",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            store.conn.execute(sql, (mid(done),))
    add_addendum(acting_as(store, ruth), mid(done), text="Jess sent apologies", now=NOW)
    actions.close(acting_as(store, jess), action, 1, evidence="All booked", today=TODAY)
    report = check_database(store.conn)
    assert report.ok, report.lines()
    # Every meeting of the demo's history is signed off, each with its chain head.
    assert store.conn.execute(
        "SELECT count(*) FROM meeting WHERE state != 'signed off' OR minutes IS NULL "
        "OR chain_head IS NULL"
    ).fetchone() == (0,)
