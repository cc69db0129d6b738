"""The Actions screen and the commissioner queries driven with the keyboard, as a
coordinator would in the huddle; each test then asserts on what the store holds."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from textual.widgets import Input, Static

from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from huddle.models import ActionSource
from screens.action_detail import ActionDetailScreen
from screens.action_list import ActionList
from screens.actions import ActionsScreen
from screens.entry_list import EntryList
from screens.form import FormScreen
from screens.queries import QueriesScreen, QueryDetailScreen, QueryList
from store import Store, actions, open_store
from store.queries import status_summary
from tests.conftest import settle

TODAY = date(2026, 11, 22)  # a Sunday: "fri" is 27/11/2026
SIZE = (160, 40)


def text(app: HuddleApp, selector: str) -> str:
    """What the widget shows, without its markup."""
    return str(app.screen.query_one(selector, Static).render())


def stored(store: Store, table: str, row_id: int) -> dict:
    return next(iter(store.db.query(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])))


def newest(store: Store, table: str) -> dict:
    return next(iter(store.db.query(f"SELECT * FROM [{table}] ORDER BY id DESC LIMIT 1")))


def audit_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def person_id(store: Store, name: str) -> int:
    return store.conn.execute("SELECT id FROM person WHERE name = ?", (name,)).fetchone()[0]


def row_text(actions_list: ActionList, action_id: int) -> str:
    """The row the list draws for one action (it must be among the rows read)."""
    line = next(line for line in actions_list.loaded() if line.id == action_id)
    return "".join(cell for cell, _style in actions_list.cells(line))


async def press(app: HuddleApp, pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(app, pilot)


async def open_actions(app: HuddleApp, pilot) -> ActionList:
    await press(app, pilot, "4")
    assert isinstance(app.screen, ActionsScreen)
    return app.screen.query_one(ActionList)


async def open_first_action(app: HuddleApp, pilot) -> int:
    """The Actions screen's late view, then its first action (the latest): its id."""
    listed = await open_actions(app, pilot)
    await press(app, pilot, "l")
    line = listed.current()
    assert line is not None and not line.closed
    await press(app, pilot, "enter")
    assert isinstance(app.screen, ActionDetailScreen)
    assert app.screen.detail is not None
    return line.id


def form(app: HuddleApp) -> FormScreen:
    screen = app.screen
    assert isinstance(screen, FormScreen), f"expected a form open, found {screen!r}"
    return screen


def form_text(app: HuddleApp) -> str:
    return "\n".join(str(shown.render()) for shown in form(app).query(Static))


def typed(app: HuddleApp, field: str) -> str:
    return form(app).query_one(f"#field-{field}", Input).value


def error(app: HuddleApp, field: str) -> str:
    return str(form(app).query_one(f"#error-{field}", Static).render())


# --- recording an action ---------------------------------------------------------------


async def test_an_action_from_the_waiting_list_is_linked_to_the_entry(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await press(app, pilot, "2", "down")
        entry = app.screen.query_one(EntryList).current()
        assert entry is not None
        # Everything from the cursor on the entry to the action saved: `a`, the title, a
        # part of the owner's name, "fri" for the due date, enter between fields, ctrl+s.
        title = "Ring the GP"
        keys = ["a", *title, "enter", *"megan", "enter", *"fri", "ctrl+s"]
        await pilot.press(keys[0])
        await pilot.pause()
        assert f"About: waiting-list entry {entry.local_id} · ctrl+l unlinks it" in form_text(app)
        await pilot.press(*keys[1:])
        await settle(app, pilot)
        assert not isinstance(app.screen, FormScreen)
        # 4 keys besides the words: a, enter, enter, ctrl+s; 11 + 5 + 3 typed.
        assert len(keys) == 4 + len(title) + len("megan") + len("fri") == 23, (
            "keystrokes to record one action with an owner and a due date"
        )

    action = newest(demo, "action")
    assert (action["title"], action["entry_id"], action["source"]) == (
        title,
        entry.id,
        ActionSource.BY_HAND.value,
    )
    assert action["owner_id"] == person_id(demo, "Megan Price")
    assert action["due_date"] == "2026-11-27"
    assert (action["status"], action["query_id"], action["meeting_id"]) == ("open", None, None)
    audit = newest(demo, "audit")
    assert (audit["table_name"], audit["row_id"], audit["actor"]) == (
        "action",
        action["id"],
        "Helen Marsden",
    )


async def test_an_action_from_the_actions_screen_is_added_by_hand(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        listed = await open_actions(app, pilot)
        before = listed.total
        await pilot.press("a")
        await pilot.pause()
        assert "Not in a meeting (none is in progress)" in form_text(app)
        assert "About" not in form_text(app)
        await pilot.press(*"Book the room", "enter", *"marsden", "enter", *"+3d", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ActionsScreen)
        assert listed.total == before + 1  # the list is read again on return

    action = newest(demo, "action")
    assert action["title"] == "Book the room"
    assert (action["entry_id"], action["meeting_id"], action["query_id"]) == (None, None, None)
    assert action["source"] == ActionSource.BY_HAND.value
    assert action["owner_id"] == person_id(demo, "Helen Marsden")
    assert action["due_date"] == "2026-11-25"


async def test_refusals_are_shown_beside_the_field_and_keep_what_was_typed(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_actions(app, pilot)
        before = audit_count(demo)
        await pilot.press("a")
        await pilot.pause()

        # No owner.
        await pilot.press(*"Chase the referrer", "enter", "enter", *"fri", "ctrl+s")
        await pilot.pause()
        assert "owner" in error(app, "owner")
        assert error(app, "due_date") == ""
        assert (typed(app, "title"), typed(app, "owner"), typed(app, "due_date")) == (
            "Chase the referrer",
            "",
            "fri",
        )

        # An owner who is not a person in the service (the refusal put the cursor there).
        assert form(app).focused is form(app).query_one("#field-owner", Input)
        await pilot.press(*"zebedee", "ctrl+s")
        await pilot.pause()
        assert "nobody's name contains 'zebedee'" in error(app, "owner")
        assert typed(app, "owner") == "zebedee"
        assert typed(app, "title") == "Chase the referrer"

        # A real owner, no due date.
        await pilot.press("ctrl+u", *"megan", "enter", "ctrl+u", "ctrl+s")
        await pilot.pause()
        assert error(app, "owner") == ""
        assert "due date: give a date" in error(app, "due_date")
        assert typed(app, "owner") == "megan"

        # A due date already passed (yesterday).
        await pilot.press(*"21/11/2026", "ctrl+s")
        await pilot.pause()
        assert "21/11/2026 has already passed" in error(app, "due_date")
        assert (typed(app, "title"), typed(app, "owner"), typed(app, "due_date")) == (
            "Chase the referrer",
            "megan",
            "21/11/2026",
        )
        assert audit_count(demo) == before  # nothing written by any refusal

        await pilot.press("escape", "d")
        await settle(app, pilot)
        assert isinstance(app.screen, ActionsScreen)
    assert audit_count(demo) == before
    assert demo.conn.execute(
        "SELECT count(*) FROM action WHERE title = 'Chase the referrer'"
    ).fetchone() == (0,)


# --- an action's life ----------------------------------------------------------------------


async def test_close_with_evidence_then_reopen(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        action_id = await open_first_action(app, pilot)
        before = audit_count(demo)

        await pilot.press("x")
        await pilot.pause()
        # Closed by the signed-in person: nobody is chosen in the form.
        assert "Closed by you, Helen Marsden, today." in form_text(app)
        assert not form(app).query("#field-closed_by")
        await pilot.press("ctrl+s")  # no evidence
        await pilot.pause()
        assert "evidence: say what shows it is done" in error(app, "evidence")
        assert audit_count(demo) == before
        assert stored(demo, "action", action_id)["status"] != "closed"

        await pilot.press(*"audit done", "enter", *"S:\\audits\\nov.xlsx", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ActionDetailScreen)
        assert "Closed 22/11/2026 by Helen Marsden: audit done" in text(app, "#summary")
        closed = stored(demo, "action", action_id)
        assert (closed["status"], closed["evidence"], closed["evidence_link"]) == (
            "closed",
            "audit done",
            "S:\\audits\\nov.xlsx",
        )
        assert closed["closed_by"] == person_id(demo, "Helen Marsden")
        assert closed["closed_on"] == "2026-11-22"

        await pilot.press("u")
        await pilot.pause()
        await pilot.press(*"notes still missing", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ActionDetailScreen)
        assert "Reopened once" in text(app, "#summary")

    reopened = stored(demo, "action", action_id)
    assert (reopened["status"], reopened["reopened_count"]) == ("open", 1)
    assert (reopened["evidence"], reopened["closed_by"]) == (None, None)
    assert newest(demo, "audit")["reason"] == "action reopened: notes still missing"


async def test_closing_by_someone_not_on_the_staff_list_is_refused_in_words(demo: Store) -> None:
    """Whoever closes is the person signed in; a session acting as nobody on the staff
    list (here the login 'jess', which set-up gives to no one) cannot close, and is told
    who may; nothing is written and the evidence typed stays."""
    nobody = replace(demo, actor="jess")
    app = make_app(nobody, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        action_id = await open_first_action(app, pilot)
        before = audit_count(demo)
        await pilot.press("x")
        await pilot.pause()
        assert "Closed by you, jess, today." in form_text(app)
        await pilot.press(*"audit done", "ctrl+s")
        await pilot.pause()
        assert error(app, "form") == (
            "closed by: only a person on the staff list may do this, and 'jess' is nobody on "
            "it; sign in as yourself (a person of the set-up)"
        )
        assert typed(app, "evidence") == "audit done"
    assert audit_count(demo) == before
    assert stored(demo, "action", action_id)["status"] != "closed"


async def test_moving_the_due_date_twice_shows_on_the_list(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        action_id = await open_first_action(app, pilot)
        first_due = stored(demo, "action", action_id)["due_date"]
        for when, reason in (("fri", "waiting on the audit"), ("+2w", "audit team off sick")):
            await pilot.press("m")
            await pilot.pause()
            await pilot.press(*when, "enter", *reason, "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ActionDetailScreen)
        assert "moved 2 times" in text(app, "#summary")
        await press(app, pilot, "escape", "l")  # back to the list, all open actions
        assert isinstance(app.screen, ActionsScreen)
        row = row_text(app.screen.query_one(ActionList), action_id)
        assert "06/12/2026 moved 2×" in row

    moved = stored(demo, "action", action_id)
    assert (moved["due_date"], moved["due_moves"]) == ("2026-12-06", 2)
    assert moved["first_due_date"] == first_due


# --- the views ---------------------------------------------------------------------------


def showing(app: HuddleApp) -> str:
    return text(app, "#showing")


async def test_views_mine_search_sort_and_clear(demo: Store) -> None:
    late = status_summary(demo, TODAY).actions.overdue
    assert late > 0
    helen = person_id(demo, "Helen Marsden")
    for title in ("Chair the Friday huddle", "Send the minutes"):
        actions.add_action(demo, title=title, owner_id=helen, due_date=TODAY, today=TODAY)
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await press(app, pilot, "1")
        assert text(app, "#actions-overdue").startswith(f"{late}\n")  # Today's "Actions late"

        listed = await open_actions(app, pilot)
        everything_open = listed.total
        overdue_in_headline = re.search(r"(\d+) OVERDUE", text(app, "#as-at"))
        assert overdue_in_headline is not None
        assert int(overdue_in_headline.group(1)) == late

        await press(app, pilot, "l")
        assert listed.total == late
        assert showing(app).startswith(f"Showing {late}: overdue")
        assert all(line.overdue for line in listed.loaded())
        await press(app, pilot, "l")  # again: all open
        assert listed.total == everything_open

        await press(app, pilot, "m")
        assert listed.total == 2
        assert {line.owner_id for line in listed.loaded()} == {helen}
        assert "owned by Helen Marsden" in showing(app)
        await press(app, pilot, "m")
        assert listed.total == everything_open

        await press(app, pilot, "slash", *"supervision rota", "enter")
        assert 0 < listed.total < everything_open
        assert all("supervision rota" in line.title.lower() for line in listed.loaded())
        assert "title matching 'supervision rota'" in showing(app)

        await press(app, pilot, "x")
        assert listed.total == everything_open
        assert showing(app).startswith(f"Showing {everything_open}: open actions")
        assert showing(app).endswith("sorted by due date")

        await press(app, pilot, "s")
        assert showing(app).endswith("sorted by owner")
        owners = [line.owner for line in listed.loaded()]
        assert owners == sorted(owners)
        await press(app, pilot, "s")
        assert showing(app).endswith("sorted by age (oldest first)")
        created = [line.created_on for line in listed.loaded()]
        assert created == sorted(created)
        await press(app, pilot, "s")
        assert showing(app).endswith("sorted by due date")
        due = [line.due_date for line in listed.loaded()]
        assert due == sorted(due)
        assert listed.total == everything_open


# --- a commissioner query --------------------------------------------------------------


async def test_a_commissioner_query_worked_through(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_actions(app, pilot)
        await press(app, pilot, "k")
        assert isinstance(app.screen, QueriesScreen)
        await pilot.press("n")
        await pilot.pause()
        assert typed(app, "received_on") == "today"
        deadline = form(app).query_one("#field-deadline", Input)
        assert "+3d calendar, +3wd working days" in deadline.placeholder
        await pilot.press(
            "enter",
            *"ICB quality team",
            "enter",
            *"Interim contacts for tier 1",
            "enter",
            *"November 2026",
            "enter",
            *"+5d",
            "enter",
            *"marsden",
            "enter",
        )
        await settle(app, pilot)
        assert isinstance(app.screen, QueriesScreen)
        logged = newest(demo, "commissioner_query")
        assert (logged["asked_by"], logged["matter"], logged["data_period"]) == (
            "ICB quality team",
            "Interim contacts for tier 1",
            "November 2026",
        )
        assert (logged["received_on"], logged["deadline"], logged["status"]) == (
            "2026-11-22",
            "2026-11-27",
            "open",
        )
        assert logged["owner_id"] == person_id(demo, "Helen Marsden")

        queries = app.screen.query_one(QueryList)
        position = [line.id for line in queries.loaded()].index(logged["id"])
        await press(app, pilot, *["down"] * position, "enter")
        assert isinstance(app.screen, QueryDetailScreen)
        assert app.screen.query_id == logged["id"]

        await pilot.press("a")
        await pilot.pause()
        assert form(app).form_title == "New step of the commissioner query"
        await pilot.press(*"Pull the tier 1 contacts", "enter", *"megan", "enter", *"wed")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, QueryDetailScreen)
        step = newest(demo, "action")
        assert (step["title"], step["source"], step["query_id"]) == (
            "Pull the tier 1 contacts",
            ActionSource.COMMISSIONER_QUERY.value,
            logged["id"],
        )

        # Logging made its standard steps, owned by its owner; with the one added, four.
        steps = demo.conn.execute(
            "SELECT query_step, due_date, owner_id FROM action WHERE query_id = ? "
            "AND query_step IS NOT NULL ORDER BY id",
            (logged["id"],),
        ).fetchall()
        marsden = person_id(demo, "Helen Marsden")
        assert steps == [
            ("review", "2026-11-24", marsden),
            ("verification", "2026-11-27", marsden),
            ("response", "2026-11-27", marsden),
        ]
        assert app.screen.query_one("#steps", ActionList).total == 4
        assert "Status: open: the response is due 27/11/2026, 5 days to go" in text(app, "#summary")

        # The response cannot be sent while a step is open: the message names them.
        before = audit_count(demo)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter", *"sent to the ICB", "ctrl+s")
        await pilot.pause()
        refusal = error(app, "form")
        assert "3 step(s) still open" in refusal
        assert "Pull the tier 1 contacts" in refusal
        assert "Send the response" not in refusal  # it closes with the response
        assert typed(app, "evidence") == "sent to the ICB"
        assert audit_count(demo) == before
        await press(app, pilot, "escape", "d")

        # Close the step from its own view, then back to the query.
        listed = app.screen.query_one("#steps", ActionList)
        position = [line.id for line in listed.loaded()].index(step["id"])
        await press(app, pilot, *["down"] * position, "enter")
        assert isinstance(app.screen, ActionDetailScreen)
        assert app.screen.action_id == step["id"]
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"contacts pulled", "ctrl+s")
        await settle(app, pilot)
        assert stored(demo, "action", step["id"])["status"] == "closed"
        await press(app, pilot, "escape")
        assert isinstance(app.screen, QueryDetailScreen)
        # The review and the verification, done by Helen at another terminal.
        helen = replace(demo, actor="Helen Marsden")
        for step_id, version in demo.conn.execute(
            "SELECT id, version FROM action WHERE query_id = ? AND query_step IN "
            "('review', 'verification')",
            (logged["id"],),
        ).fetchall():
            actions.close(helen, step_id, version, evidence="done and filed", today=TODAY)
        await press(app, pilot, "escape", "enter")
        assert isinstance(app.screen, QueryDetailScreen)

        # Not before the response: the monthly review and the alignment are not offered.
        assert app.screen.check_action("review", ()) is None
        assert app.screen.check_action("aligned", ()) is None
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter", *"sent to the ICB", "enter", *"S:\\ICB\\reply.pdf", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, QueryDetailScreen)
        summary = text(app, "#summary")
        assert "Response sent 22/11/2026, recorded by Helen Marsden" in summary
        assert "Status: under review: next monthly review 22/12/2026" in summary
        assert app.screen.check_action("respond", ()) is None

        # This month's review: what it found; the next is a month on.
        await pilot.press("v")
        await pilot.pause()
        assert typed(app, "reviewed_on") == "today"
        await pilot.press("enter", *"Audit 2 of 40 off; a family reports a missed call", "ctrl+s")
        await settle(app, pilot)
        summary = text(app, "#summary")
        assert "Reviewed 22/11/2026 by Helen Marsden: Audit 2 of 40 off" in summary
        assert "Status: under review: next monthly review 22/12/2026" in summary

        # Alignment refused without evidence, then recorded: closed.
        before = audit_count(demo)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "how returns, records and lived experience now agree" in error(app, "evidence")
        assert audit_count(demo) == before
        await pilot.press(*"second audit clean; families agree", "ctrl+s")  # at the field
        await settle(app, pilot)
        summary = text(app, "#summary")
        assert "Status: closed 22/11/2026" in summary
        assert "closed by Helen Marsden: second audit clean; families agree" in summary

    answered = stored(demo, "commissioner_query", logged["id"])
    assert answered["status"] == "closed"
    assert (answered["response_sent_on"], answered["response_evidence"]) == (
        "2026-11-22",
        "sent to the ICB",
    )
    assert answered["response_link"] == "S:\\ICB\\reply.pdf"
    assert answered["responded_by"] == answered["closed_by"] == marsden
    assert (answered["aligned_on"], answered["next_review_on"]) == ("2026-11-22", None)


# --- someone else got there first ------------------------------------------------------


async def test_closing_an_action_changed_elsewhere_is_refused(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        action_id = await open_first_action(app, pilot)
        version = stored(demo, "action", action_id)["version"]
        other = open_store(demo.path, "Someone Else")
        actions.move_due_date(
            other, action_id, version, due_date=TODAY, reason="agreed by phone", today=TODAY
        )
        other.close()
        before = audit_count(demo)

        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"done at the huddle", "ctrl+s")
        await pilot.pause()
        refusal = error(app, "form")
        assert "Someone else saved this action after you opened it" in refusal
        assert "Someone Else" in refusal and "agreed by phone" in refusal  # what they did
        assert typed(app, "evidence") == "done at the huddle"
        assert audit_count(demo) == before
        assert stored(demo, "action", action_id)["status"] != "closed"

        # The action was read again meanwhile: saving again applies it to their version.
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ActionDetailScreen)
        assert "Due 22/11/2026" in text(app, "#summary")  # their move shows
        assert "Closed 22/11/2026 by Helen Marsden: done at the huddle" in text(app, "#summary")

    after = stored(demo, "action", action_id)
    assert (after["status"], after["evidence"], after["due_date"]) == (
        "closed",
        "done at the huddle",
        "2026-11-22",
    )
    assert after["version"] == version + 2
