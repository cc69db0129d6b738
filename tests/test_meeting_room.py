"""The meeting room driven with the keyboard, as a chair would: key 3, enter, one key per
person, `d` and `a` into the meeting, `]` through the agenda, `s` to sign off. Each test
runs the real app on a real SQLite file (the demo, as at 22/11/2026) and then asserts on
what the store holds and on the minutes it exports."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time as wall
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from textual.widgets import Input, Static
from textual.worker import WorkerCancelled

from fixtures.demo import seed_demo
from huddle.agenda import SectionKey, agenda
from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from huddle.models import MeetingKind
from screens.discard import DiscardTyped
from screens.entry_detail import EntryDetailScreen
from screens.entry_list import EntryList
from screens.form import FormScreen
from screens.leave import LeaveMeeting
from screens.meetings import MeetingLog, MeetingsScreen, SeriesList
from screens.minutes_view import MinutesScreen
from screens.runner import AttendanceList, AttendanceQuery, RunnerScreen
from store import Store, open_store
from store.briefing import breaches_without_escalation
from store.check import check_database
from store.minutes import minutes_for_export
from tests.acting import acting_as

TODAY = date(2026, 11, 22)  # a Sunday: "fri" is 27/11/2026
FRIDAY = "2026-11-27"
EIGHT = time(8, 0)
SIZE = (160, 45)
BRIEF = "Early shift brief — rapid response"
HUDDLE = "Waiting-list huddle — therapy"
ROOT = Path(__file__).resolve().parents[1]

# Recording one action in the room, from `a` to the saved form: `a`, the title, enter, part
# of the owner's name, enter, "fri", ctrl+s (4 keys besides the 19 + 5 + 3 typed).
ACTION_TITLE = "Book the car repair"
ACTION_OWNER = "kelly"  # Kelly Ridgway, advanced clinical practitioner
ACTION_KEYS = ("a", *ACTION_TITLE, "enter", *ACTION_OWNER, "enter", *"fri", "ctrl+s")
KEYSTROKES_TO_RECORD_AN_ACTION = 31


@dataclass
class MovingClock:
    """A clock the test moves on, so a meeting takes time (its duration is minuted)."""

    current: datetime
    overridden: bool = True
    from_env: bool = False

    def today(self) -> date:
        return self.current.date()

    def now(self) -> datetime:
        return self.current

    def advance(self, **gap: float) -> None:
        self.current += timedelta(**gap)


# --- reading what the app shows and what the store holds -------------------------------


def shown(app: HuddleApp, selector: str) -> str:
    """What a Static on the current screen shows, without its markup."""
    return str(app.screen.query_one(selector, Static).render())


def one(store: Store, sql: str, *params: object) -> dict:
    rows = list(store.db.query(sql, params))
    assert len(rows) == 1, f"expected one row for {sql!r} {params}, found {len(rows)}"
    return rows[0]


def scalar(store: Store, sql: str, *params: object) -> object:
    return store.conn.execute(sql, params).fetchone()[0]


def audit_count(store: Store) -> int:
    return int(scalar(store, "SELECT count(*) FROM audit"))


def person_id(store: Store, name: str) -> int:
    return int(scalar(store, "SELECT id FROM person WHERE name = ?", name))


def form(app: HuddleApp) -> FormScreen:
    screen = app.screen
    assert isinstance(screen, FormScreen), f"expected a form open, found {screen!r}"
    return screen


def form_text(app: HuddleApp) -> str:
    return "\n".join(str(part.render()) for part in form(app).query(Static))


def typed(app: HuddleApp, field: str) -> str:
    return form(app).query_one(f"#field-{field}", Input).value


def error(app: HuddleApp, field: str) -> str:
    return str(form(app).query_one(f"#error-{field}", Static).render())


def notified(app: HuddleApp) -> list[tuple[str, str]]:
    return [(note.title, note.message) for note in app._notifications]


def minutes_part(minutes: str, heading: str) -> str:
    """One `## heading` part of Markdown minutes, up to the next heading."""
    start = minutes.index(f"## {heading}")
    end = minutes.find("\n## ", start + 1)
    return minutes[start : end if end != -1 else None]


# --- waiting for the app ----------------------------------------------------------------


async def until(
    app: HuddleApp, pilot, condition: Callable[[], bool], what: str, timeout: float = 15.0
) -> None:
    """Let the store reads finish, and what they post be handled, until `condition` holds."""
    deadline = wall.monotonic() + timeout
    while True:
        with contextlib.suppress(WorkerCancelled):  # a read overtaken by a fresher one
            await app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
        if wall.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (screen {app.screen!r})")
        await pilot.pause(0.02)


def list_ready(widget) -> bool:  # noqa: ANN001 - a PagedList
    """Counted, and the highlighted row read (or nothing to read)."""
    return widget.query_shown is not None and (widget.total == 0 or widget.current() is not None)


def room(app: HuddleApp) -> RunnerScreen:
    screen = app.screen
    assert isinstance(screen, RunnerScreen), f"expected the runner, found {screen!r}"
    return screen


def room_ready(app: HuddleApp) -> bool:
    screen = app.screen
    if not isinstance(screen, RunnerScreen) or screen.view is None:
        return False
    if screen.view.section != screen.section:
        return False
    listed = screen._list()
    if isinstance(listed, AttendanceList) and listed.query_shown != AttendanceQuery(
        screen.meeting_id, screen.revision
    ):
        return False
    return listed is None or list_ready(listed)


async def in_room(app: HuddleApp, pilot) -> RunnerScreen:
    await until(app, pilot, lambda: room_ready(app), "the runner to show its section")
    return room(app)


async def meetings_screen(app: HuddleApp, pilot) -> MeetingsScreen:
    await pilot.press("3")

    def ready() -> bool:
        screen = app.screen
        return isinstance(screen, MeetingsScreen) and all(
            list_ready(screen.query_one(kind)) and screen.query_one(kind).total > 0
            for kind in (SeriesList, MeetingLog)
        )

    await until(app, pilot, ready, "the series list and the log")
    return app.screen


async def start(app: HuddleApp, pilot, series: str) -> RunnerScreen:
    """Key 3, the cursor down to `series`, enter: the runner at its first section."""
    screen = await meetings_screen(app, pilot)
    listed = screen.query_one(SeriesList)
    names = [line.series for line in listed.loaded()]
    assert series in names, names
    for _ in range(names.index(series)):
        await pilot.press("down")
    assert listed.current().series == series
    await pilot.press("enter")
    return await in_room(app, pilot)


async def mark(app: HuddleApp, pilot, *keys: str) -> list[int]:
    """`p` or `x` for each person in turn: whom each key marked."""
    marked = []
    for key in keys:
        listed = room(app).query_one(AttendanceList)
        marked.append(listed.current().person_id)
        await pilot.press(key)
        await in_room(app, pilot)
    return marked


async def next_section(app: HuddleApp, pilot, key: str = "]") -> RunnerScreen:
    await pilot.press(key)
    return await in_room(app, pilot)


async def fill(app: HuddleApp, pilot, *keys: str) -> None:
    """Keys into the form just opened by the key before."""
    await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "a form to open")
    await pilot.press(*keys)


async def record_decision(app: HuddleApp, pilot, text: str, rationale: str, owner: str) -> None:
    await pilot.press("d")
    await fill(app, pilot, *text, "enter", *rationale, "enter", *owner, "ctrl+s")
    await in_room(app, pilot)


async def save_sign_off(app: HuddleApp, pilot) -> MinutesScreen:
    """ctrl+s on the sign-off form: the signed minutes come up."""
    assert form(app).form_title.startswith("Sign off")
    await pilot.press("ctrl+s")
    await until(
        app,
        pilot,
        lambda: isinstance(app.screen, MinutesScreen) and app.screen.meeting is not None,
        "the signed minutes",
    )
    return app.screen


async def test_a_mark_pressed_while_the_list_is_read_again_lands_on_the_person_shown(
    demo: Store,
) -> None:
    """Issue 21's drill (p p p x p ... at 120 to 250 ms) lost marks: a key pressed after
    the list began to be read again, before its rows arrived, found no row and did
    nothing. Now the rows on screen stand until the fresh ones arrive, and the key acts
    on the person it was aimed at."""
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        listed = runner.query_one(AttendanceList)
        await mark(app, pilot, "p")
        aimed_at = listed.current()
        assert aimed_at is not None
        # The list begins to be read again (as after every mark), and the key comes at once.
        listed.show(AttendanceQuery(runner.meeting_id, runner.revision + 1), listed.total)
        assert listed.current() == aimed_at
        runner.action_mark("apologies")
        await in_room(app, pilot)
    status = scalar(
        demo,
        "SELECT status FROM attendance WHERE meeting_id = ? AND person_id = ?",
        runner.meeting_id,
        aimed_at.person_id,
    )
    assert status == "apologies"


# --- 1. a whole safety brief -------------------------------------------------------------


async def test_a_whole_safety_brief_is_minuted_and_signed_off(demo: Store) -> None:
    clock = MovingClock(datetime.combine(TODAY, EIGHT))
    jess = person_id(demo, "Jess Armitage")  # the brief's usual chair
    # Signed in as the chair: the sign-off is theirs.
    app = make_app(acting_as(demo, jess), clock)
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        meeting_id = runner.meeting_id
        meeting = one(demo, "SELECT * FROM meeting WHERE id = ?", meeting_id)
        assert (meeting["series"], meeting["state"], meeting["chair_id"]) == (
            BRIEF,
            "in progress",
            jess,
        )
        assert (meeting["held_on"], meeting["section"]) == ("2026-11-22", "attendance")
        assert runner.section == SectionKey.ATTENDANCE
        assert BRIEF in shown(app, "#room-title")

        # One key per person: the cursor moves on to the next after each.
        people = [line.name for line in runner.query_one(AttendanceList).loaded()]
        assert people[0] == "Jess Armitage"  # the chair comes first
        present = await mark(app, pilot, "p", "p")
        apologies = await mark(app, pilot, "x")
        present += await mark(app, pilot, "p", "p")
        assert len(set(present + apologies)) == 5
        assert (room(app).view.present, room(app).view.apologies) == (4, 1)

        # A decision, then an action, in the room.
        clock.advance(minutes=1)
        await record_decision(
            app,
            pilot,
            "Pair staff on the Eastfield estate",
            "Two lone-working incidents this month",
            "yusuf",
        )
        assert "DECISION: Pair staff on the Eastfield estate — owner Yusuf Demir" in shown(
            app, "#recorded-here"
        )
        keys = list(ACTION_KEYS)
        await pilot.press(keys[0])
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the action form")
        assert form(app).form_title == "New action"
        assert f"In the meeting: {BRIEF} (22/11/2026) · ctrl+o takes it out" in form_text(app)
        await pilot.press(*keys[1:])
        runner = await in_room(app, pilot)
        assert len(keys) == KEYSTROKES_TO_RECORD_AN_ACTION, (
            "keystrokes to record one action with an owner and a due date, in the room"
        )
        assert f"A {ACTION_TITLE} — owner Kelly Ridgway, due 27/11/2026" in shown(app, "#side")

        # Every section in turn: the meeting remembers each, so it resumes there.
        sections = [section.key for section in agenda(MeetingKind.SAFETY_BRIEF)]
        assert len(sections) == 8
        for key in sections[1:]:
            clock.advance(seconds=30)
            runner = await next_section(app, pilot)
            assert runner.section == key
            assert scalar(demo, "SELECT section FROM meeting WHERE id = ?", meeting_id) == key
            number = sections.index(key) + 1
            assert shown(app, "#section-title").startswith(f"{number}. ")
        runner = await next_section(app, pilot)  # the last section: `]` stays there
        assert runner.section == SectionKey.UNSAFE_TODAY
        runner = await next_section(app, pilot, "[")
        assert runner.section == SectionKey.TRIGGERS
        assert scalar(demo, "SELECT section FROM meeting WHERE id = ?", meeting_id) == (
            SectionKey.TRIGGERS
        )
        runner = await next_section(app, pilot)
        assert runner.section == SectionKey.UNSAFE_TODAY

        clock.current = datetime.combine(TODAY, time(8, 4, 30))
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the sign-off form")
        assert "Signed off by you, Jess Armitage, now." in form_text(app)
        minutes_screen = await save_sign_off(app, pilot)
        assert minutes_screen.meeting_id == meeting_id
        assert shown(app, "#minutes-state").startswith("SIGNED OFF: read-only.")

    signed = one(demo, "SELECT * FROM meeting WHERE id = ?", meeting_id)
    assert (signed["state"], signed["signed_off_by"]) == ("signed off", jess)
    assert signed["signed_off_at"] == "2026-11-22T08:04:30"
    assert signed["minutes"] and signed["chain_head"]

    decision = one(demo, "SELECT * FROM decision WHERE meeting_id = ?", meeting_id)
    assert (decision["text"], decision["rationale"], decision["owner_id"]) == (
        "Pair staff on the Eastfield estate",
        "Two lone-working incidents this month",
        person_id(demo, "Yusuf Demir"),
    )
    assert decision["section"] == SectionKey.ATTENDANCE

    action = one(demo, "SELECT * FROM action WHERE meeting_id = ?", meeting_id)
    assert (action["title"], action["source"], action["owner_id"]) == (
        ACTION_TITLE,
        "meeting decision",
        person_id(demo, "Kelly Ridgway"),
    )
    assert (action["due_date"], action["status"], action["entry_id"]) == (FRIDAY, "open", None)

    marks = {
        row["person_id"]: row["status"]
        for row in demo.db.query("SELECT * FROM attendance WHERE meeting_id = ?", [meeting_id])
    }
    assert marks == {
        **dict.fromkeys(present, "present"),
        **dict.fromkeys(apologies, "apologies"),
    }

    minutes = minutes_for_export(demo, meeting_id)
    assert minutes == signed["minutes"]
    assert "- Decision: Pair staff on the Eastfield estate (owner Yusuf Demir)" in minutes
    assert "1. **Pair staff on the Eastfield estate**\n   - Owner: Yusuf Demir" in minutes
    assert "   - Rationale: Two lone-working incidents this month" in minutes
    assert (
        f"- {ACTION_TITLE} — owner Kelly Ridgway, due 27/11/2026, open (meeting decision)"
        in minutes
    )
    assert "- Present (4): Jess Armitage (Shift lead)" in minutes
    apologised = scalar(demo, "SELECT name FROM person WHERE id = ?", apologies[0])
    assert f"- Apologies (1): {apologised} (" in minutes
    assert "- Signed off: 22/11/2026 08:04:30 by Jess Armitage" in minutes
    assert "- Duration: 4:30 against a 5-minute timebox (within it)" in minutes
    assert f"- Audit chain head at sign-off: {signed['chain_head']}" in minutes
    assert check_database(demo.conn).ok


# --- 2. an action needs an owner and a due date -------------------------------------------


async def test_an_action_without_an_owner_or_a_due_date_is_refused(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        meeting_id = runner.meeting_id
        before = audit_count(demo)
        title = "Ring the fleet contractor"

        # No owner (a due date given): refused beside the owner, the cursor put there.
        await pilot.press("a")
        await fill(app, pilot, *title, "enter", "enter", *"fri", "ctrl+s")
        await until(app, pilot, lambda: error(app, "owner") != "", "the owner's refusal")
        assert isinstance(app.screen, FormScreen)  # the form stays open
        assert error(app, "owner") == "owner: type part of a name"
        assert (error(app, "title"), error(app, "due_date")) == ("", "")
        assert (typed(app, "title"), typed(app, "owner"), typed(app, "due_date")) == (
            title,
            "",
            "fri",
        )
        assert form(app).focused is form(app).query_one("#field-owner", Input)

        # An owner, no due date: refused beside the due date; the title is still there.
        await pilot.press(*"kelly", "enter", "ctrl+u", "ctrl+s")
        await until(app, pilot, lambda: error(app, "due_date") != "", "the due date's refusal")
        assert isinstance(app.screen, FormScreen)
        assert error(app, "owner") == ""
        assert error(app, "due_date").startswith("due date: give a date")
        assert (typed(app, "title"), typed(app, "owner"), typed(app, "due_date")) == (
            title,
            "kelly",
            "",
        )
        assert audit_count(demo) == before  # no refusal wrote anything

        # escape asks before throwing the typed text away: esc again goes back to it,
        # as it was; d throws it away and closes the form, saving nothing.
        await pilot.press("escape")
        assert isinstance(app.screen, DiscardTyped)
        await pilot.press("escape")
        assert isinstance(app.screen, FormScreen) and typed(app, "title") == title
        await pilot.press("escape", "d")
        runner = await in_room(app, pilot)
        assert runner.meeting_id == meeting_id

    assert audit_count(demo) == before
    assert scalar(demo, "SELECT count(*) FROM action WHERE title = ?", title) == 0
    assert scalar(demo, "SELECT count(*) FROM action WHERE meeting_id = ?", meeting_id) == 0


async def test_sign_off_is_refused_in_words_to_whoever_may_not_sign_it(demo: Store) -> None:
    """The form does not ask who signs: it is the signed-in person (Helen Marsden), who
    may only once she is the chair or marked present; a meeting nobody is marked present
    at is not signed off. Each refusal names who may, and nothing is written."""
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        meeting_id = runner.meeting_id
        before = audit_count(demo)

        async def refused() -> str:
            await pilot.press("s")
            await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "sign-off")
            assert "Signed off by you, Helen Marsden, now." in form_text(app)
            assert not form(app).query(Input)  # nobody to choose
            await pilot.press("enter")  # a form with nothing to type saves on enter
            await until(app, pilot, lambda: error(app, "form") != "", "the refusal")
            said = error(app, "form")
            await pilot.press("escape")
            await in_room(app, pilot)
            return said

        assert await refused() == (
            "sign off: nobody is marked present at this meeting; mark who attended (key p in "
            "Attendance), then the chair or someone present signs it off"
        )
        assert await mark(app, pilot, "p") == [person_id(demo, "Jess Armitage")]
        marked = audit_count(demo)
        assert await refused() == (
            "sign off: only the chair (Jess Armitage) or someone marked present may sign off; "
            "you (Helen Marsden) are not marked present"
        )
        (next_one,) = await mark(app, pilot, "p")  # the next on the list
        name = scalar(demo, "SELECT name FROM person WHERE id = ?", next_one)
        assert await refused() == (
            f"sign off: only the chair (Jess Armitage) or someone marked present ({name}) may "
            "sign off; you (Helen Marsden) are not marked present"
        )
        assert scalar(demo, "SELECT state FROM meeting WHERE id = ?", meeting_id) == "in progress"
        assert audit_count(demo) == marked + 1  # the second mark, and nothing else

        # Marked present (she came in late), she signs it off herself.
        await pilot.press("plus")
        await fill(app, pilot, *"helen", "enter", "ctrl+s")
        await in_room(app, pilot)
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "sign-off")
        await save_sign_off(app, pilot)
    signed = one(demo, "SELECT * FROM meeting WHERE id = ?", meeting_id)
    assert (signed["state"], signed["signed_off_by"]) == (
        "signed off",
        person_id(demo, "Helen Marsden"),
    )
    assert before < audit_count(demo)


# --- 3. a waiting-list huddle: breaches without escalation ---------------------------------


async def test_a_waiting_list_huddle_escalates_a_breach_and_minutes_the_rest(
    demo: Store,
) -> None:
    kofi = person_id(demo, "Kofi Mensah")  # the huddle's chair, signed in
    app = make_app(acting_as(demo, kofi), FixedClock(TODAY, at=time(10, 0)))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, HUDDLE)
        meeting_id = runner.meeting_id
        assert one(demo, "SELECT * FROM meeting WHERE id = ?", meeting_id)["chair_id"] == kofi
        assert await mark(app, pilot, "p") == [kofi]  # the chair, listed first, is here
        runner = await next_section(app, pilot)
        assert runner.section == SectionKey.TIERS
        runner = await next_section(app, pilot)
        assert runner.section == SectionKey.BREACHES

        unescalated = breaches_without_escalation(demo, TODAY)
        count = len(unescalated)
        assert count > 1
        assert runner.view.without_escalation == tuple(unescalated)
        assert f"{count} WITHOUT ESCALATION: sign-off will list them by name" in shown(
            app, "#facts"
        )
        assert f"{count} BREACHES WITHOUT ESCALATION" in shown(app, "#side")

        # Sign-off warns, naming them; escape leaves the meeting open.
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the sign-off form")
        warning = form_text(app)
        assert f"WARNING: {count} breaches have no escalation" in warning
        assert unescalated[0] in warning
        await pilot.press("escape")
        runner = await in_room(app, pilot)
        assert scalar(demo, "SELECT state FROM meeting WHERE id = ?", meeting_id) == "in progress"

        # The cursor to a breach flagged without escalation; enter, e, an owner, ctrl+s.
        entries = runner.query_one(EntryList)
        assert entries.has_focus
        rows = entries.loaded()
        flagged = next(n for n, line in enumerate(rows) if line.without_escalation)
        for _ in range(flagged):
            await pilot.press("down")
        entry = entries.current()
        assert entry is not None and entry.without_escalation
        escalated_name = f"{entry.initials} · {entry.local_id} · "
        assert any(name.startswith(escalated_name) for name in unescalated)

        await pilot.press("enter")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, EntryDetailScreen) and app.screen.detail is not None,
            "the entry",
        )
        assert app.screen.entry_id == entry.id
        assert "NO ESCALATION" in shown(app, "#summary")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the escalation form")
        assert form(app).form_title == "Escalate"
        await pilot.press("tab")  # from the rung (the first) to the owner
        assert form(app).focused is form(app).query_one("#field-owner", Input)
        await pilot.press("end", "ctrl+u", *"nadia")
        assert typed(app, "owner") == "nadia"
        await pilot.press("ctrl+s")
        await until(
            app,
            pilot,
            lambda: (
                isinstance(app.screen, EntryDetailScreen)
                and app.screen.detail is not None
                and app.screen.detail.escalations != []
            ),
            "the entry read again with its escalation",
        )
        assert "NO ESCALATION" not in shown(app, "#summary")
        await pilot.press("escape")
        runner = await in_room(app, pilot)
        assert runner.section == SectionKey.BREACHES

        escalation = one(
            demo, "SELECT * FROM action WHERE entry_id = ? AND source = 'breach'", entry.id
        )
        assert escalation["meeting_id"] == meeting_id
        assert escalation["owner_id"] == person_id(demo, "Nadia Bello")
        assert escalation["due_date"] is not None and escalation["status"] == "open"

        remaining = breaches_without_escalation(demo, TODAY)
        assert len(remaining) == count - 1
        assert not any(name.startswith(escalated_name) for name in remaining)
        assert len(runner.view.without_escalation) == count - 1
        assert f"{count - 1} WITHOUT ESCALATION" in shown(app, "#facts")
        assert f"{count - 1} BREACHES WITHOUT ESCALATION" in shown(app, "#side")

        # Signed off despite the warning: the minutes name the rest, not the escalated one.
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the sign-off form")
        assert f"WARNING: {count - 1} breaches have no escalation" in form_text(app)
        assert "Signed off by you, Kofi Mensah, now." in form_text(app)
        await save_sign_off(app, pilot)

    signed = one(demo, "SELECT * FROM meeting WHERE id = ?", meeting_id)
    assert signed["state"] == "signed off"
    minutes = minutes_for_export(demo, meeting_id)
    unescalated_part = minutes_part(minutes, "Breaches without escalation")
    assert unescalated_part.startswith(f"## Breaches without escalation ({count - 1})")
    for name in remaining:
        assert f"- {name}" in unescalated_part
        initials, local_id = name.split(" · ")[:2]
        assert f"- {initials} · {local_id} · " in unescalated_part
    assert escalated_name not in unescalated_part
    assert f"(breach) · entry {entry.local_id}" in minutes_part(minutes, "Actions")


async def test_the_breaches_list_is_read_again_after_an_escalation(demo: Store) -> None:
    """Back from escalating the highlighted breach, its row must stop saying NO ESCALATION,
    as the facts and the side panel already do."""
    app = make_app(demo, FixedClock(TODAY, at=time(10, 0)))
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, HUDDLE)
        await next_section(app, pilot)
        runner = await next_section(app, pilot)
        assert runner.section == SectionKey.BREACHES
        entries = runner.query_one(EntryList)
        flagged = next(n for n, line in enumerate(entries.loaded()) if line.without_escalation)
        for _ in range(flagged):
            await pilot.press("down")
        entry = entries.current()
        await pilot.press("enter")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, EntryDetailScreen) and app.screen.detail is not None,
            "the entry",
        )
        await pilot.press("e")
        await fill(app, pilot, "tab", "end", "ctrl+u", *"nadia", "ctrl+s")
        await until(
            app,
            pilot,
            lambda: (
                isinstance(app.screen, EntryDetailScreen)
                and app.screen.detail is not None
                and app.screen.detail.escalations != []
            ),
            "the escalation saved",
        )
        await pilot.press("escape")
        runner = await in_room(app, pilot)
        assert (
            scalar(
                demo,
                "SELECT count(*) FROM action WHERE entry_id = ? AND source = 'breach'",
                entry.id,
            )
            == 1
        )
        assert f"{len(runner.view.without_escalation)} BREACHES WITHOUT" in shown(app, "#side")

        def row_escalated() -> bool:
            row = next(line for line in entries.loaded() if line.id == entry.id)
            drawn = "".join(cell for cell, _style in entries.cells(row))
            return not row.without_escalation and "NO ESCALATION" not in drawn

        await until(app, pilot, row_escalated, "the row to show the escalation", timeout=3)


# --- 4. a meeting survives the process being killed ----------------------------------------


async def killed_mid_brief(db_path: str) -> None:
    """Run in a child process: start the brief, mark attendance, move to the third section,
    record a decision, say "recorded", then wait to be killed."""
    import asyncio

    store = open_store(Path(db_path), "Helen Marsden")
    app = make_app(store, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, BRIEF)
        await mark(app, pilot, "p", "p", "x")
        await next_section(app, pilot)
        runner = await next_section(app, pilot)
        assert runner.section == SectionKey.HIGH_RISK
        await record_decision(
            app, pilot, "Visit the tier 1 breaches first", "They waited longest", "yusuf"
        )
        print("recorded", flush=True)
        await asyncio.sleep(120)


CHILD = (
    "import asyncio, sys\n"
    "from tests.test_meeting_room import killed_mid_brief\n"
    "asyncio.run(killed_mid_brief(sys.argv[1]))\n"
)


def run_until_recorded(db_path: Path, log: Path, timeout: float = 30.0) -> None:
    """The child, killed with SIGKILL as soon as it says it has recorded the decision."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("w") as errors:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db_path)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        said = ""
        try:
            with selectors.DefaultSelector() as waiting:
                waiting.register(child.stdout, selectors.EVENT_READ)
                deadline = wall.monotonic() + timeout
                while "recorded" not in said:
                    left = deadline - wall.monotonic()
                    if left <= 0 or child.poll() is not None:
                        break
                    if waiting.select(left):
                        line = child.stdout.readline()
                        if not line and child.poll() is not None:
                            break
                        said += line
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            child.stdout.close()
    assert "recorded" in said, f"the child never recorded: {said!r}\n{log.read_text()}"
    assert child.returncode == -signal.SIGKILL


async def test_a_brief_survives_the_process_being_killed(tmp_path: Path) -> None:
    db_path = tmp_path / "killed.db"
    seeded = open_store(db_path, "Helen Marsden")
    seed_demo(seeded, TODAY)
    seeded.close()

    run_until_recorded(db_path, tmp_path / "child-stderr.txt")

    store = open_store(db_path, "Helen Marsden")
    try:
        meeting = one(
            store, "SELECT * FROM meeting WHERE series = ? AND held_on = ?", BRIEF, "2026-11-22"
        )
        assert (meeting["state"], meeting["section"]) == ("in progress", "high-risk patients")
        app = make_app(store, FixedClock(TODAY, at=time(8, 3)))
        async with app.run_test(size=SIZE) as pilot:
            screen = await meetings_screen(app, pilot)
            first = screen.query_one(SeriesList).loaded()[0]
            assert (first.series, first.open_meeting_id) == (BRIEF, meeting["id"])
            drawn = "".join(cell for cell, _ in screen.query_one(SeriesList).cells(first))
            assert "IN PROGRESS since 08:00 (⏎ resumes" in drawn  # ")" is cut off
            assert screen.query_one(SeriesList).has_focus

            await pilot.press("enter")
            runner = await in_room(app, pilot)
            assert runner.meeting_id == meeting["id"]
            assert runner.section == SectionKey.HIGH_RISK
            assert shown(app, "#section-title").startswith("3. High-risk patients")
            assert "DECISION: Visit the tier 1 breaches first — owner Yusuf Demir" in shown(
                app, "#recorded-here"
            )
            assert (runner.view.present, runner.view.apologies) == (2, 1)
            assert shown(app, "#timer") == "2:00 left"  # 3 minutes of its 5 since 08:00

        assert scalar(store, "SELECT count(*) FROM meeting WHERE series = ?", BRIEF) == 5
        decision = one(store, "SELECT * FROM decision WHERE meeting_id = ?", meeting["id"])
        assert (decision["text"], decision["section"]) == (
            "Visit the tier 1 breaches first",
            "high-risk patients",
        )
        assert decision["entry_id"] is not None  # the high-risk row the cursor was on
        assert (
            scalar(store, "SELECT count(*) FROM attendance WHERE meeting_id = ?", meeting["id"])
            == 3
        )
        report = check_database(store.conn)
        assert report.ok, report.lines()
    finally:
        store.close()


# --- 5. leaving asks; a signed-off meeting takes only addenda ------------------------------


async def test_leaving_asks_and_signed_off_minutes_take_only_addenda(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        meeting_id = runner.meeting_id
        assert app.room_meeting_id == meeting_id
        # Helen Marsden, signed in, is there (added to the attendance), so she may sign off.
        await pilot.press("plus")
        await fill(app, pilot, *"helen", "enter", "ctrl+s")
        await in_room(app, pilot)

        # escape asks; escape again stays.
        await pilot.press("escape")
        await until(app, pilot, lambda: isinstance(app.screen, LeaveMeeting), "the question")
        await pilot.press("escape")
        runner = await in_room(app, pilot)
        assert runner.meeting_id == meeting_id

        # escape, k: left, still in progress; enter resumes the same meeting.
        await pilot.press("escape")
        await until(app, pilot, lambda: isinstance(app.screen, LeaveMeeting), "the question")
        await pilot.press("k")
        screen = await meetings_screen(app, pilot)
        assert scalar(demo, "SELECT state FROM meeting WHERE id = ?", meeting_id) == "in progress"
        assert screen.query_one(SeriesList).loaded()[0].open_meeting_id == meeting_id
        await pilot.press("enter")
        runner = await in_room(app, pilot)
        assert runner.meeting_id == meeting_id
        assert scalar(demo, "SELECT count(*) FROM meeting WHERE series = ?", BRIEF) == 5

        # escape, s: signed off from the question.
        await pilot.press("escape")
        await until(app, pilot, lambda: isinstance(app.screen, LeaveMeeting), "the question")
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the sign-off form")
        await save_sign_off(app, pilot)
        assert scalar(demo, "SELECT state FROM meeting WHERE id = ?", meeting_id) == "signed off"

        # Back to the log: tab, enter opens today's signed-off minutes, read-only.
        await pilot.press("escape")
        screen = await meetings_screen(app, pilot)
        await pilot.press("tab")
        log = screen.query_one(MeetingLog)
        assert log.has_focus
        assert log.current().id == meeting_id  # the latest first
        await pilot.press("enter")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, MinutesScreen) and app.screen.meeting is not None,
            "the minutes",
        )
        assert app.screen.meeting_id == meeting_id
        assert shown(app, "#minutes-state").startswith("SIGNED OFF: read-only.")
        signed_minutes = one(demo, "SELECT minutes FROM meeting WHERE id = ?", meeting_id)[
            "minutes"
        ]
        assert shown(app, "#minutes") == signed_minutes

        # d (and r) record nothing: there is no meeting in progress.
        before = audit_count(demo)
        for key, what in (("d", "A decision"), ("r", "A risk or concern")):
            app.clear_notifications()
            await pilot.press(key)
            await until(app, pilot, lambda: bool(notified(app)), "a notification")
            assert isinstance(app.screen, MinutesScreen)  # no form opened
            [(title, message)] = notified(app)
            assert title == "No meeting in progress"
            assert message.startswith(what) and "press 3 to start or resume one" in message
        assert audit_count(demo) == before
        assert scalar(demo, "SELECT count(*) FROM decision WHERE meeting_id = ?", meeting_id) == 0

        # n: an addendum, written by whoever is signed in, follows the signed minutes.
        await pilot.press("n")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the addendum form")
        assert app.screen.note.endswith("written by you, Helen Marsden, now.")
        await pilot.press(*"Kelly Ridgway also attended", "enter")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, MinutesScreen) and "Addenda" in shown(app, "#minutes"),
            "the minutes with the addendum",
        )
        on_screen = shown(app, "#minutes")

    addendum = one(demo, "SELECT * FROM addendum WHERE meeting_id = ?", meeting_id)
    assert (addendum["text"], addendum["author_id"]) == (
        "Kelly Ridgway also attended",
        person_id(demo, "Helen Marsden"),
    )
    assert addendum["written_at"].startswith("2026-11-22T08:00")
    exported = minutes_for_export(demo, meeting_id)
    assert exported == on_screen
    assert exported.startswith(signed_minutes)  # the signed minutes stand as they were
    assert exported[len(signed_minutes) :] == (
        "\n## Addenda (after sign-off)\n\n"
        "- 2026-11-22 08:00 by Helen Marsden: Kelly Ridgway also attended\n"
    )
    assert one(demo, "SELECT minutes FROM meeting WHERE id = ?", meeting_id)["minutes"] == (
        signed_minutes
    )
    assert check_database(demo.conn).ok


async def test_a_meeting_left_open_is_no_longer_the_one_in_the_room(demo: Store) -> None:
    """Left open (k) on the day after it started: `d` has no meeting to record into."""
    clock = MovingClock(datetime.combine(TODAY, EIGHT))
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        meeting_id = runner.meeting_id
        clock.advance(days=1)  # still open the next morning: not "today's meeting"
        await pilot.press("escape")
        await until(app, pilot, lambda: isinstance(app.screen, LeaveMeeting), "the question")
        await pilot.press("k")
        await meetings_screen(app, pilot)
        before = audit_count(demo)
        await pilot.press("d")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, FormScreen) or bool(notified(app)),
            "a form or a notification",
        )
        if isinstance(app.screen, FormScreen):
            opened = form_text(app)
            await pilot.press("escape")
            raise AssertionError(f"d opened a decision form for the meeting left: {opened!r}")
        assert ("No meeting in progress") in [title for title, _ in notified(app)]
        assert app.room_meeting_id is None
    assert audit_count(demo) == before
    assert scalar(demo, "SELECT state FROM meeting WHERE id = ?", meeting_id) == "in progress"
