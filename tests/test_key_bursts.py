"""Keys as a fast typist sends them: each one posted to the app 20 to 50 ms after the one
before, without waiting for the app to finish with it (Pilot's `press` waits), so a key
arrives while the list is still being read again or the form has not yet moved on. Every
key must land on what the screen showed when it was pressed, in order."""

from __future__ import annotations

import asyncio

import pytest
from textual import events
from textual.keys import _character_to_key

from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from screens.form import FormScreen
from screens.runner import AttendanceList, RunnerScreen
from store import Store
from tests.test_meeting_room import (
    BRIEF,
    EIGHT,
    SIZE,
    TODAY,
    in_room,
    next_section,
    person_id,
    room,
    start,
    until,
)

_CHARACTERS = {"enter": "\r", "space": " ", "tab": "\t"}


async def burst(app: HuddleApp, keys: list[str], gap: float) -> None:
    """Each key posted as the terminal would, `gap` seconds after the one before."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_character_to_key(key), key))
        else:
            app.post_message(events.Key(key, _CHARACTERS.get(key)))
        await asyncio.sleep(gap)


# 50 ms as a quick typist; 0 as keys pasted, or a slow machine that reads them in a clump.
GAPS = [pytest.param(0.05, id="50ms"), pytest.param(0.0, id="at-once")]


@pytest.mark.parametrize("gap", GAPS)
async def test_ten_attendance_marks_land_on_ten_people_in_turn(demo: Store, gap: float) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    marks = "ppxppxppxp"
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        listed = runner.query_one(AttendanceList)
        people = [line.person_id for line in listed.loaded()]
        assert len(people) >= len(marks), "the brief invites at least ten people"
        await burst(app, list(marks), gap)
        await until(
            app,
            pilot,
            lambda: (
                demo.conn.execute(
                    "SELECT count(*) FROM attendance WHERE meeting_id = ?", (runner.meeting_id,)
                ).fetchone()[0]
                == len(marks)
            ),
            "ten marks stored",
        )
        await in_room(app, pilot)
        # Then the cursor stands on the next person, or stays on the last.
        assert listed.current().person_id == people[min(len(marks), len(people) - 1)]
    stored = dict(
        demo.conn.execute(
            "SELECT person_id, status FROM attendance WHERE meeting_id = ?",
            (runner.meeting_id,),
        ).fetchall()
    )
    expected = {
        person: "present" if key == "p" else "apologies"
        for person, key in zip(people, marks, strict=False)
    }
    assert stored == expected
    # In the order pressed: each audit row marks the next person.
    audited = [
        row[0]
        for row in demo.conn.execute(
            "SELECT json_extract(after, '$.person_id') FROM audit "
            "WHERE table_name = 'attendance' ORDER BY id"
        )
    ]
    assert audited[-len(marks) :] == people[: len(marks)]


@pytest.mark.parametrize("gap", GAPS)
async def test_a_decision_typed_in_one_burst_fills_each_field_in_turn(
    demo: Store, gap: float
) -> None:
    """`d`, text ⏎ rationale ⏎ owner ⏎, then `]` at once: the text after `d` lands in
    the form `d` opens (not the list under it), each part in its own field, the decision
    saved on the last ⏎, and the `]` after it moves the agenda on."""
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        first = runner.section
        keys = [
            "d",
            *"Close bay 3",
            "enter",
            *"no staff",
            "enter",
            *"jess",
            "enter",
            "right_square_bracket",
        ]
        await burst(app, keys, gap)
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, RunnerScreen) and room(app).section != first,
            "the decision saved and the agenda moved on",
        )
    text, rationale, owner = demo.conn.execute(
        "SELECT text, rationale, owner_id FROM decision ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert (text, rationale) == ("Close bay 3", "no staff")
    assert owner == person_id(demo, "Jess Armitage")


@pytest.mark.parametrize("gap", GAPS)
async def test_two_enters_move_two_fields(demo: Store, gap: float) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, BRIEF)
        await pilot.press("d")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the decision form")
        await burst(app, ["x", "enter", "enter", *"kelly"], gap)
        await pilot.pause(0.1)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert [form.query_one(f"#field-{name}").value for name in ("text", "rationale")] == [
            "x",
            "",
        ]
        assert form.query_one("#field-owner").value == "kelly"


async def test_a_visitor_added_with_plus_is_saved_on_enter(demo: Store) -> None:
    """`+`, part of a name, ⏎ on the status as shown (present): saved, as every form's
    last ⏎ saves; a choice's list opens with space, not ⏎."""
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        await pilot.press("plus")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the visitor form")
        await burst(app, [*"rachel dun", "enter", "enter"], 0.03)
        await until(app, pilot, lambda: isinstance(app.screen, RunnerScreen), "the form saved")
        await in_room(app, pilot)
    status = demo.conn.execute(
        "SELECT status FROM attendance WHERE meeting_id = ? AND person_id = ?",
        (runner.meeting_id, person_id(demo, "Rachel Dunmore")),
    ).fetchone()
    assert status == ("present",)


async def test_keys_after_a_refused_save_stay_in_the_form(demo: Store) -> None:
    """The last ⏎ is refused (no owner matches): the keys typed after it land in the
    form, not on the screen beneath."""
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        await next_section(app, pilot)
        await pilot.press("d")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the decision form")
        await burst(app, [*"Hold", "enter", "enter", *"zzq", "enter", *"!"], 0.0)
        form = app.screen
        assert isinstance(form, FormScreen)
        # The "!" waits for the save's refusal, then goes to the field it put the cursor in
        # (on a busy machine that takes a moment: waited for, not timed).
        await until(
            app, pilot, lambda: form.query_one("#field-owner").value == "zzq!", "the held key"
        )
        assert app.screen is form
        assert runner.section is not None
