"""Risks carry forward like actions: a risk raised at one meeting of a series is on the
carried-forward section of the next, with its owner, until a meeting closes it with why
(`k` in the room); then no later meeting carries it. The closure is the signed-in
person's, audited, and locked with the meeting that records it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from huddle.agenda import SectionKey
from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.models import AttendanceStatus, MeetingKind
from screens.form import FormScreen
from store import Store, meetings
from store.check import check_database
from store.meeting_reads import carried_risks, meeting_row
from store.minutes import minutes_for_export
from store.room import room_view
from tests.acting import acting_as
from tests.test_meeting_room import EIGHT, SIZE, TODAY, form_text, in_room, person_id, start, until

SERIES = "Late shift brief — district nursing"
YESTERDAY = TODAY - timedelta(days=1)


def held(store: Store, day, *, risk: str = "") -> int:  # noqa: ANN001 - a date
    """A brief of the series held and signed off on `day` by its chair, with `risk` raised."""
    jess = person_id(store, "Jess Armitage")
    as_chair = acting_as(store, jess)
    meeting = meetings.start_meeting(
        as_chair,
        series=SERIES,
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=jess,
        today=day,
        now=datetime.combine(day, EIGHT),
    )
    assert meeting.id is not None
    if risk:
        meetings.record_risk(
            as_chair,
            text=risk,
            owner_id=person_id(store, "Lucy Hargreaves"),
            today=day,
            meeting_id=meeting.id,
            section=SectionKey.UNSAFE_TODAY,
        )
    meetings.mark_attendance(as_chair, meeting.id, jess, AttendanceStatus.PRESENT)
    meetings.sign_off(
        as_chair,
        meeting.id,
        meeting_row(store, meeting.id).version,
        now=datetime.combine(day, EIGHT) + timedelta(minutes=5),
    )
    return meeting.id


def started(store: Store, day) -> int:  # noqa: ANN001 - a date
    jess = person_id(store, "Jess Armitage")
    meeting = meetings.start_meeting(
        acting_as(store, jess),
        series=SERIES,
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=jess,
        today=day,
        now=datetime.combine(day, EIGHT),
    )
    assert meeting.id is not None
    return meeting.id


def test_a_risk_is_carried_with_its_owner_until_closed_with_why(demo: Store) -> None:
    held(demo, YESTERDAY - timedelta(days=1), risk="One car off the road")
    held(demo, YESTERDAY)  # carried through a meeting that did not close it
    today = started(demo, TODAY)
    facts = room_view(demo, today, SectionKey.CARRIED, TODAY).facts
    assert "1 risks carried forward: 1 still open" in facts
    assert "  RISK One car off the road — owner Lucy Hargreaves, raised 20/11/2026 — OPEN" in facts
    (risk,) = carried_risks(demo, meeting_row(demo, today))
    closer = acting_as(demo, person_id(demo, "Jess Armitage"))
    meetings.close_risk(closer, today, risk.id, reason="Car back from repair", today=TODAY)
    facts = room_view(demo, today, SectionKey.CARRIED, TODAY).facts
    assert "1 risks carried forward: 0 still open" in facts
    assert any(line.endswith("— closed here: Car back from repair") for line in facts)
    assert "closed here: Car back from repair" in minutes_for_export(demo, today)
    closure = next(iter(demo.db.query("SELECT * FROM risk_closure")))
    assert closure["closed_by"] == person_id(demo, "Jess Armitage")
    audit = next(iter(demo.db.query("SELECT * FROM audit ORDER BY id DESC LIMIT 1")))
    assert (audit["table_name"], audit["actor"]) == ("risk_closure", "Jess Armitage")
    # Signed off, the next meeting of the series carries it no further.
    jess = person_id(demo, "Jess Armitage")
    meetings.mark_attendance(closer, today, jess, AttendanceStatus.PRESENT)
    meetings.sign_off(
        closer, today, meeting_row(demo, today).version, now=datetime(2026, 11, 22, 9)
    )
    tomorrow = started(demo, TODAY + timedelta(days=1))
    assert carried_risks(demo, meeting_row(demo, tomorrow)) == []
    assert check_database(demo.conn).ok


def test_a_closure_is_refused_twice_without_a_reason_and_once_signed_off(demo: Store) -> None:
    held(demo, YESTERDAY, risk="Bank staff unfamiliar with the area")
    today = started(demo, TODAY)
    (risk,) = carried_risks(demo, meeting_row(demo, today))
    closer = acting_as(demo, person_id(demo, "Jess Armitage"))
    with pytest.raises(ValueError, match="^reason: say why"):
        meetings.close_risk(closer, today, risk.id, reason="  ", today=TODAY)
    meetings.close_risk(closer, today, risk.id, reason="Induction done", today=TODAY)
    with pytest.raises(ValueError, match="^risk: already closed here"):
        meetings.close_risk(closer, today, risk.id, reason="again", today=TODAY)
    # The closure is locked with its meeting, for SQLite itself.
    jess = person_id(demo, "Jess Armitage")
    meetings.mark_attendance(closer, today, jess, AttendanceStatus.PRESENT)
    meetings.sign_off(
        closer, today, meeting_row(demo, today).version, now=datetime(2026, 11, 22, 9)
    )
    with pytest.raises(Exception, match="signed off and cannot be changed"):
        demo.conn.execute("DELETE FROM risk_closure")


async def test_k_closes_a_carried_risk_in_the_room(demo: Store) -> None:
    held(demo, YESTERDAY, risk="Lone working after dark")
    app = make_app(acting_as(demo, person_id(demo, "Jess Armitage")), FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, SERIES)
        while runner.section != SectionKey.CARRIED:
            await pilot.press("right_square_bracket")
            runner = await in_room(app, pilot)
        assert "RISK Lone working after dark — owner Lucy Hargreaves" in str(
            runner.query_one("#facts").render()
        )
        await pilot.press("k")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the closing form")
        assert "1. Lone working after dark — Lucy Hargreaves" in form_text(app)
        await pilot.press("enter", *"Buddy system agreed", "enter")
        runner = await in_room(app, pilot)
        assert "closed here: Buddy system agreed" in str(runner.query_one("#facts").render())
    reason = demo.conn.execute("SELECT reason FROM risk_closure").fetchone()
    assert reason == ("Buddy system agreed",)


async def test_a_risk_written_like_markup_is_closed_as_written(demo: Store) -> None:
    """Its text is the choice on the closing form: shown as written, not read as markup
    (which would end the app on the stray "[/]")."""
    text = "Hold [/] discharge [b]until[/b] seen"
    held(demo, YESTERDAY, risk=text)
    app = make_app(acting_as(demo, person_id(demo, "Jess Armitage")), FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, SERIES)
        while runner.section != SectionKey.CARRIED:
            await pilot.press("right_square_bracket")
            runner = await in_room(app, pilot)
        await pilot.press("k")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the closing form")
        await pilot.press("enter", *"Resolved", "enter")
        await in_room(app, pilot)
    closed = demo.conn.execute(
        "SELECT r.text FROM risk_closure AS c JOIN risk AS r ON r.id = c.risk_id"
    ).fetchone()
    assert closed == (text,)
