"""An entry opened from the waiting list and changed with the keyboard, as a coordinator
would in the huddle; each test then asserts on what the store holds."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from textual.widgets import Input, Select, Static

from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from huddle.models import ContactKind
from huddle.waiting_query import WaitingQuery
from screens.entry_detail import EntryDetailScreen
from screens.entry_list import EntryList
from screens.form import FormScreen
from store import Store, entry_changes, open_store
from store.queries import status_summary
from store.waiting_list import EntryLine, count_entries, page_of_entries
from tests.conftest import settle

TODAY = date(2026, 11, 22)
SIZE = (160, 40)


def text(app: HuddleApp, selector: str) -> str:
    """What the widget shows, without its markup."""
    return str(app.screen.query_one(selector, Static).render())


def stored(store: Store, table: str, row_id: int) -> dict:
    return next(iter(store.db.query(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])))


def last_audit(store: Store) -> dict:
    return next(iter(store.db.query("SELECT * FROM audit ORDER BY id DESC LIMIT 1")))


def audit_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


async def open_first(app: HuddleApp, pilot, *filter_keys: str) -> int:
    """Open the waiting list, apply filters, open the first entry; return its id."""
    await pilot.press("2")
    await settle(app, pilot)
    if filter_keys:
        await pilot.press(*filter_keys)
        await settle(app, pilot)
    line = app.screen.query_one(EntryList).current()
    assert line is not None
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, EntryDetailScreen)
    return line.id


async def test_escalating_a_breach_clears_breached_without_escalation(demo: Store) -> None:
    before = status_summary(demo, TODAY).waiting.breached_without_escalation
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        entry_id = await open_first(app, pilot, "n")
        assert "NO ESCALATION" in text(app, "#summary")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        # Rung: open the choice and take the second (clinical); owner: part of a name.
        await pilot.press("space", "down", "enter", "tab", "ctrl+u", *"megan", "tab", *"fri")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDetailScreen)
        assert "NO ESCALATION" not in text(app, "#summary")
        assert "clinical, owner Megan Price, due 27/11/2026, open" in text(app, "#escalations")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.query_one(EntryList).total == before - 1

    action = next(iter(demo.db.query("SELECT * FROM action ORDER BY id DESC LIMIT 1")))
    assert (action["entry_id"], action["source"], action["rung"]) == (
        entry_id,
        "breach",
        "clinical",
    )
    assert action["due_date"] == "2026-11-27"  # "fri" typed on Sunday 22 November
    owner = stored(demo, "person", action["owner_id"])
    assert owner["name"] == "Megan Price"
    audit = last_audit(demo)
    assert (audit["table_name"], audit["actor"], audit["reason"]) == (
        "action",
        "Helen Marsden",
        "clinical escalation",
    )
    assert status_summary(demo, TODAY).waiting.breached_without_escalation == before - 1


async def test_retiering_a_breach_down_keeps_it_breached(demo: Store) -> None:
    breached = status_summary(demo, TODAY).waiting.breached
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        # Tier 3 only (t pressed three times), breached only.
        entry_id = await open_first(app, pilot, "t", "t", "t", "b")
        was = stored(demo, "waiting_entry", entry_id)
        assert was["tier"] == 3
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("space", "down", "enter", "tab", *"GP review", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDetailScreen)
        assert "tier 4 Routine" in text(app, "#summary")
        assert "BREACHED" in text(app, "#summary")
        assert "re-tiered from 3 to 4: GP review" in text(app, "#history")

    now = stored(demo, "waiting_entry", entry_id)
    assert now["tier"] == 4
    assert now["referral_date"] == was["referral_date"]
    assert now["breach_date"] == was["breach_date"] == now["breach_standing"]
    assert status_summary(demo, TODAY).waiting.breached == breached
    assert entry_id in {line.id for line in _all_breached(demo)}
    audit = last_audit(demo)
    assert (audit["actor"], audit["reason"]) == (
        "Helen Marsden",
        "re-tiered from 3 to 4: GP review",
    )
    assert json.loads(audit["before"])["tier"] == 3


def _all_breached(store: Store) -> list[EntryLine]:
    query = WaitingQuery(as_at=TODAY, breached=True)
    return page_of_entries(store, query, 0, count_entries(store, query))


async def test_a_refused_form_keeps_what_was_typed(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        entry_id = await open_first(app, pilot)
        before = audit_count(demo)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("space", "down", "enter", "tab", "enter")  # no reason given
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)  # still open
        assert "reason" in str(form.query_one("#error-reason", Static).content)
        chosen = form.query_one("#field-tier", Select).value
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDetailScreen)
    assert chosen != f"{stored(demo, 'waiting_entry', entry_id)['tier']}"
    assert audit_count(demo) == before


async def test_contact_pause_review_and_close_from_the_keyboard(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    overdue = status_summary(demo, TODAY).waiting.contact_overdue
    async with app.run_test(size=SIZE) as pilot:
        entry_id = await open_first(app, pilot, "c")  # an overdue contact
        # Log contact: type phone (first), date today, made by (prefilled: the user).
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", *"well", "enter")
        await settle(app, pilot)
        contact = next(iter(demo.db.query("SELECT * FROM interim_contact")))
        assert (contact["entry_id"], contact["kind"], contact["contact_on"]) == (
            entry_id,
            ContactKind.PHONE.value,
            "2026-11-22",
        )
        assert stored(demo, "waiting_entry", entry_id)["last_interim_contact"] == "2026-11-22"
        assert "LATE" not in text(app, "#summary")

        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*"holiday", "enter", "enter")  # reason; the date (today) as given
        await settle(app, pilot)
        assert "CLOCK PAUSED since 22/11/2026: holiday" in text(app, "#summary")

        await pilot.press("v")
        await settle(app, pilot)
        assert stored(demo, "waiting_entry", entry_id)["last_reviewed_on"] == "2026-11-22"

        await pilot.press("x")
        await pilot.pause()
        await pilot.press("tab", *"seen", "enter", "enter")  # the close date (today) as given
        await settle(app, pilot)
        assert "Closed 22/11/2026: seen" in text(app, "#summary")
        await pilot.press("escape")
        await settle(app, pilot)
        # Still filtered to contacts overdue: this one is neither overdue nor waiting now.
        assert app.screen.query_one(EntryList).total == overdue - 1

    row = stored(demo, "waiting_entry", entry_id)
    assert (row["status"], row["outcome"], row["closed_on"]) == (
        "seen",
        "seen",
        "2026-11-22",
    )
    reasons = [
        a["reason"]
        for a in demo.db.query(
            "SELECT reason FROM audit WHERE table_name = 'waiting_entry' AND row_id = ?",
            [entry_id],
        )
    ]
    assert reasons[1:] == [
        "interim contact (phone): well",
        "clock paused: holiday",
        "reviewed at the huddle of 22/11/2026",
        "closed (seen): seen",
    ]


async def test_a_change_made_elsewhere_is_not_overwritten(demo: Store, tmp_path: Path) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        entry_id = await open_first(app, pilot)
        version = stored(demo, "waiting_entry", entry_id)["version"]
        other = open_store(demo.path, "another terminal")
        entry_changes.pause_clock(other, entry_id, version, reason="asked by phone", today=TODAY)
        other.close()
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*"megan", "tab", *"caseload", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "changed" in str(form.query_one("#error-form", Static).content)
        assert form.query_one("#field-owner", Input).value == "megan"
        await pilot.press("escape", "d")
        await settle(app, pilot)
        assert "CLOCK PAUSED" in text(app, "#summary")  # read again: the other change shows
    assert stored(demo, "waiting_entry", entry_id)["pause_reason"] == "asked by phone"
