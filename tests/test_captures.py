"""What a decision, action or risk belongs to is explicit: the form shows the meeting and
the row it is about, each removable before saving; a record is in a meeting only when made
from that meeting's runner (or a screen opened from it), or when the user chooses it; a
commissioner query's steps are the query's alone. Driven with Pilot on the demo."""

from __future__ import annotations

from huddle.agenda import SectionKey
from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from screens.actions import ActionsScreen
from screens.entry_list import EntryList
from screens.form import FormScreen
from screens.queries import QueriesScreen, QueryList
from screens.runner import RunnerScreen
from screens.today import TodayScreen
from store import Store
from store.minutes import minutes_for_export
from tests.test_meeting_room import (
    BRIEF,
    EIGHT,
    SIZE,
    TODAY,
    error,
    fill,
    form_text,
    in_room,
    list_ready,
    next_section,
    room,
    start,
    until,
)


async def to_high_risk(app: HuddleApp, pilot) -> RunnerScreen:
    """The brief started, at its third section, High-risk patients: a list of entries."""
    await start(app, pilot, BRIEF)
    await next_section(app, pilot)
    runner = await next_section(app, pilot)
    assert runner.section == SectionKey.HIGH_RISK
    return runner


def last_decision(store: Store) -> dict:
    return next(iter(store.db.query("SELECT * FROM decision ORDER BY id DESC LIMIT 1")))


async def test_a_general_decision_in_a_list_section_is_about_no_entry(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await to_high_risk(app, pilot)
        highlighted = runner.query_one(EntryList).current()
        await pilot.press("d")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the decision form")
        who = highlighted.local_id or highlighted.nhs_number
        assert f"About: waiting-list entry {who} · ctrl+l unlinks it" in form_text(app)
        await pilot.press("ctrl+l")
        assert "About nothing in particular · ctrl+l links" in form_text(app)
        await fill(app, pilot, *"Pause new referrals", "enter", *"two nurses off", "enter")
        await pilot.press(*"jess", "enter")
        await in_room(app, pilot)
    decision = last_decision(demo)
    assert decision["text"] == "Pause new referrals"
    assert decision["entry_id"] is None
    assert decision["meeting_id"] == runner.meeting_id
    minutes = minutes_for_export(demo, runner.meeting_id)
    assert "Pause new referrals" in minutes
    assert "Entries discussed" not in minutes


async def test_a_decision_about_the_highlighted_entry_keeps_its_link(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await to_high_risk(app, pilot)
        highlighted = runner.query_one(EntryList).current()
        await pilot.press("d")
        await fill(app, pilot, *"Visit today", "enter", *"tier 1, no contact", "enter")
        await pilot.press(*"jess", "enter")
        await in_room(app, pilot)
    decision = last_decision(demo)
    assert (decision["entry_id"], decision["meeting_id"]) == (highlighted.id, runner.meeting_id)
    minutes = minutes_for_export(demo, runner.meeting_id)
    assert "Entries discussed: " in minutes


async def test_a_decision_elsewhere_is_in_the_meeting_only_when_chosen(demo: Store) -> None:
    """From Today, with the brief in progress: Today says so, the form offers the brief
    and refuses to save until ctrl+o chooses it; m goes back into the brief."""
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        await pilot.press("1")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, TodayScreen) and app.screen.in_progress is not None,
            "Today to say a meeting is in progress",
        )
        said = str(app.screen.query_one("#in-progress").render())
        assert f"MEETING IN PROGRESS: {BRIEF} (safety brief), since 08:00 · m resumes it" in said
        await pilot.press("d")
        await fill(app, pilot, *"Cover the late shift", "enter", *"sickness", "enter")
        await pilot.press(*"jess", "enter")
        await pilot.pause()
        assert error(app, "form").startswith("meeting: a decision is recorded in a meeting")
        assert f"Not in a meeting · ctrl+o records it in {BRIEF}" in form_text(app)
        await pilot.press("ctrl+o", "ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, TodayScreen), "the decision saved")
        await pilot.press("m")
        await in_room(app, pilot)
        assert room(app).meeting_id == runner.meeting_id
    decision = last_decision(demo)
    assert (decision["text"], decision["meeting_id"]) == ("Cover the late shift", runner.meeting_id)


async def test_an_action_elsewhere_is_not_in_the_meeting_in_progress(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, BRIEF)
        await pilot.press("4")
        await until(app, pilot, lambda: isinstance(app.screen, ActionsScreen), "Actions")
        await pilot.press("a")
        await fill(
            app, pilot, *"Order dressings", "enter", *"kelly", "enter", *"fri", "enter", "enter"
        )
        await until(app, pilot, lambda: isinstance(app.screen, ActionsScreen), "the action saved")
    action = next(iter(demo.db.query("SELECT * FROM action ORDER BY id DESC LIMIT 1")))
    assert (action["title"], action["meeting_id"], action["source"]) == (
        "Order dressings",
        None,
        "added by hand",
    )


async def test_a_query_step_added_during_a_brief_belongs_to_the_query(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, BRIEF)
        await pilot.press("4")
        await until(app, pilot, lambda: isinstance(app.screen, ActionsScreen), "Actions")
        await pilot.press("k")
        await until(
            app,
            pilot,
            lambda: (
                isinstance(app.screen, QueriesScreen)
                and list_ready(app.screen.query_one(QueryList))
            ),
            "the queries",
        )
        query = app.screen.query_one(QueryList).current()
        await pilot.press("a")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the step form")
        text = form_text(app)
        assert "New step of the commissioner query" in text
        assert f"Not in a meeting · ctrl+o records it in {BRIEF}" in text
        assert f"About: commissioner query: {query.matter}" in text
        await pilot.press(*"Pull the extract", "enter", *"sana", "enter", *"+2d", "enter", "enter")
        await until(app, pilot, lambda: isinstance(app.screen, QueriesScreen), "the step saved")
    step = next(iter(demo.db.query("SELECT * FROM action ORDER BY id DESC LIMIT 1")))
    assert (step["title"], step["query_id"], step["meeting_id"]) == (
        "Pull the extract",
        query.id,
        None,
    )
    assert "Pull the extract" not in minutes_for_export(demo, runner.meeting_id)
