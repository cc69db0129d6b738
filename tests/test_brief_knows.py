"""The brief knows its people and its own facts: who is on call but not here, the shift's
capacity as last entered, what changed since last time by name (and opened from there,
the countdown still in view), and the sign-off's time as saved. Pilot on the demo."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.widgets import Input, OptionList, Static

from huddle.agenda import SectionKey
from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.models import AttendanceStatus
from screens.entry_detail import EntryDetailScreen
from screens.form import FormScreen
from screens.runner import RunnerScreen
from screens.since_last import SinceLastScreen
from store import Store, meetings
from store.room import room_view
from tests.acting import acting_as
from tests.test_meeting_room import (
    BRIEF,
    EIGHT,
    SIZE,
    TODAY,
    MovingClock,
    form,
    form_text,
    in_room,
    mark,
    next_section,
    person_id,
    save_sign_off,
    start,
    until,
)


async def test_the_routes_flag_who_is_on_call_but_not_here(demo: Store) -> None:
    """Clinical on call sent apologies; operational is not marked; nobody is entered for
    safeguarding: each said in words on the routes section."""
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
    meeting_id = runner.meeting_id
    keane = person_id(demo, "Dr Martin Keane")
    meetings.set_on_call(demo, day=TODAY, route="clinical", person_id=keane, contact="")
    meetings.mark_attendance(demo, meeting_id, keane, AttendanceStatus.APOLOGIES)
    demo.conn.execute("BEGIN")
    demo.conn.execute("DELETE FROM on_call WHERE route = 'safeguarding'")  # nobody entered
    demo.conn.execute("COMMIT")
    facts = room_view(demo, meeting_id, SectionKey.ROUTES, TODAY).facts
    said = {line.split(":")[0]: line for line in facts}
    assert said["Clinical"] == (
        "Clinical: Dr Martin Keane — SENT APOLOGIES: check they can be reached, or name cover (o)"
    )
    assert said["Operational"].endswith("— NOT MARKED PRESENT: check they can be reached")
    assert said["Safeguarding"] == "Safeguarding: NOBODY ON CALL entered today (o names someone)"
    # Marked present, the flag goes.
    jess = person_id(demo, "Jess Armitage")
    meetings.mark_attendance(demo, meeting_id, jess, AttendanceStatus.PRESENT)
    facts = room_view(demo, meeting_id, SectionKey.ROUTES, TODAY).facts
    operational = next(line for line in facts if line.startswith("Operational"))
    assert operational == "Operational: Jess Armitage, 07700 900412"


async def test_capacity_opens_with_the_figures_last_entered_for_the_shift(demo: Store) -> None:
    """The demo entered the early shift this morning; the late shift two and four days
    ago. The form opens on the brief's own shift (early) with this morning's figures, and
    the late shift brings its latest, to confirm as they stand."""
    for days_ago, planned, on_shift in ((2, 5, 4), (4, 6, 6)):
        meetings.set_capacity(
            demo,
            day=TODAY - timedelta(days=days_ago),
            shift="late",
            planned=planned,
            on_shift=on_shift,
            flags="bank nurse" if days_ago == 2 else "",
        )
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        for _ in range(3):
            runner = await next_section(app, pilot)
        assert runner.section == SectionKey.CAPACITY
        await pilot.press("c")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the capacity form")
        shown = form(app)

        def values() -> list[str]:
            return [
                shown.query_one(f"#field-{n}", Input).value
                for n in ("planned", "on_shift", "flags")
            ]

        assert values() == [
            "7",
            "6",
            "One car off the road until Tuesday; one paramedic on sick leave",
        ]
        assert "Last entered for the early shift on 22/11/2026: 7 planned, 6 on shift" in (
            form_text(app)
        )
        await pilot.press("space", "down", "enter")  # the late shift
        await pilot.pause()
        assert values() == ["5", "4", "bank nurse"]
        assert "Last entered for the late shift on 20/11/2026: 5 planned, 4 on shift" in (
            form_text(app)
        )
        await pilot.press("ctrl+s")
        await in_room(app, pilot)
    row = demo.conn.execute(
        "SELECT planned, on_shift, flags FROM shift_capacity WHERE day = ? AND shift = 'late'",
        (TODAY.isoformat(),),
    ).fetchone()
    assert row == (5, 4, "bank nurse")


async def test_a_shift_with_nothing_entered_opens_blank(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, BRIEF)
        for _ in range(3):
            await next_section(app, pilot)
        await pilot.press("c")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the capacity form")
        await pilot.press("space", "down", "down", "enter")  # the night shift
        await pilot.pause()
        assert [
            form(app).query_one(f"#field-{n}", Input).value for n in ("planned", "on_shift")
        ] == ["", ""]
        assert "Nothing entered yet for the night shift." in form_text(app)


async def test_since_last_lists_by_name_and_opens_with_the_countdown_in_view(
    demo: Store,
) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        since = runner.view.since_last
        assert since.breaches, "the demo has breaches since the brief last met"
        side = str(runner.query_one("#side", Static).render())
        assert f"New breaches: {len(since.breaches)} ({since.breaches[0].short}" in side
        await pilot.press("l")
        await until(app, pilot, lambda: isinstance(app.screen, SinceLastScreen), "the list")
        listed = app.screen.query_one(OptionList)
        words = [str(listed.get_option_at_index(n).prompt) for n in range(listed.option_count)]
        assert f"NEW BREACHES: {len(since.breaches)}" in words
        assert f"NEWLY OVERDUE ACTIONS: {len(since.overdue)}" in words
        for item in (*since.breaches, *since.overdue):
            assert f"  {item.words}" in words
        # The first breach is highlighted (its heading above cannot be).
        await pilot.press("enter")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, EntryDetailScreen) and app.screen.detail is not None,
            "the entry",
        )
        assert app.screen.entry_id == since.breaches[0].id
        strip = app.screen.query_one(".room-countdown", Static)
        assert strip.display
        assert str(strip.render()).startswith(f"IN THE MEETING: {BRIEF} · ")
        await pilot.press("escape", "escape")
        await in_room(app, pilot)


async def test_the_countdown_is_not_shown_outside_the_meeting(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, BRIEF)
        await pilot.press("2")
        await pilot.pause()
        assert not app.screen.query_one(".room-countdown", Static).display


async def test_sign_off_is_timed_when_saved_not_when_opened(demo: Store) -> None:
    clock = MovingClock(datetime.combine(TODAY, EIGHT))
    jess = person_id(demo, "Jess Armitage")
    app = make_app(acting_as(demo, jess), clock)
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        await mark(app, pilot, "p")
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the sign-off")
        clock.advance(minutes=3)  # the chair reads the warning first
        await save_sign_off(app, pilot)
    signed = demo.conn.execute(
        "SELECT signed_off_at FROM meeting WHERE id = ?", (runner.meeting_id,)
    ).fetchone()[0]
    assert signed == "2026-11-22T08:03:00"
    assert isinstance(runner, RunnerScreen)
