"""A new database opens on "Set up your service": from nothing to the first brief, with
Textual's Pilot on a real file, as a new user would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.config import login_name
from huddle.service_file import is_login
from screens.form import FormScreen
from screens.runner import RunnerScreen
from store import Store, open_store
from store.meeting_reads import attendance, meeting_row
from store.records import ensure_default_tiers
from store.setup import needs_setting_up
from store.sign_in import acting_as
from tests.conftest import TODAY, settle
from tests.snapshot_app import drawn, in_utc  # noqa: F401 - in_utc is a fixture

SIZE = (100, 40)
TYPED = {
    "service": "Prime Rapid Response",
    "provider": "Prime Community Trust",
    "me": "Jess Armitage",
    "role": "Shift lead",
    "others": "Omar Haddad: On-call clinical lead; Priya Shah: Rapid response nurse",
    "series": "Early shift brief",
}


@pytest.fixture
def new_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A database as `huddle` leaves it on first opening: migrated, default tiers."""
    monkeypatch.chdir(tmp_path)
    opened = open_store(Path("new.db"), "jess")
    opened.now = lambda: f"{TODAY.isoformat()}T07:30:00+00:00"
    ensure_default_tiers(opened)
    yield opened
    opened.close()


def audit_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


async def fill(pilot, typed: dict[str, str]) -> None:
    screen = pilot.app.screen
    for name, value in typed.items():
        screen.query_one(f"#field-{name}", Input).value = value
    await pilot.pause()


async def test_first_run_to_the_first_brief(new_store: Store) -> None:
    assert needs_setting_up(new_store)
    app = make_app(new_store, FixedClock(TODAY), first_run=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.form_title == "Set up your service"
        await fill(pilot, TYPED)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, FormScreen)
        assert app.title == "huddle — Prime Rapid Response"
        # Whoever set it up is on the staff list now, and acts as that person.
        assert (app.store.actor, app.store.via) == ("Jess Armitage", "first set-up")
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RunnerScreen)
        meeting = meeting_row(new_store, app.screen.meeting_id)
        assert meeting.series == "Early shift brief"
        assert meeting.timebox_minutes == 5
        invited = [line.name for line in attendance(new_store, meeting)]
        assert invited == ["Jess Armitage", "Omar Haddad", "Priya Shah"]
    assert not needs_setting_up(new_store)
    reasons = {
        reason
        for (reason,) in new_store.conn.execute(
            "SELECT DISTINCT reason FROM audit WHERE table_name IN ('provider', 'person', 'series')"
        )
    }
    assert reasons == {"set-up from the first-run screen"}
    started = "SELECT DISTINCT actor FROM audit WHERE table_name = 'meeting'"
    assert new_store.conn.execute(started).fetchall() == [("Jess Armitage",)]
    # Known by this computer's login from now on: the next `huddle` acts as her unasked.
    login = login_name()
    assert login is not None and is_login(login)
    assert acting_as(new_store, None, "--user", login).name == "Jess Armitage"


async def test_a_refused_first_run_keeps_what_was_typed_and_writes_nothing(
    new_store: Store,
) -> None:
    before = audit_count(new_store)
    app = make_app(new_store, FixedClock(TODAY), first_run=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await fill(pilot, {**TYPED, "others": "Omar Haddad; Priya Shah: Nurse"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        error = str(app.screen.query_one("#error-others", Static).content)
        assert "Name: role" in error
        assert app.screen.query_one("#field-others", Input).value.startswith("Omar Haddad;")
        await fill(pilot, {**TYPED, "others": "Jess Armitage: Nurse"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "given twice" in str(app.screen.query_one("#error-others", Static).content)
    assert audit_count(new_store) == before
    assert needs_setting_up(new_store)


async def test_a_set_up_service_opens_on_today(new_store: Store) -> None:
    await test_first_run_to_the_first_brief(new_store)
    app = make_app(new_store, FixedClock(TODAY), first_run=needs_setting_up(new_store))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not isinstance(app.screen, FormScreen)


def test_the_first_run_screen_snapshot(snap_compare, new_store: Store) -> None:
    app = make_app(new_store, FixedClock(TODAY), first_run=True)

    async def typed(pilot) -> None:
        await settle(pilot.app, pilot)
        await fill(pilot, {"service": "Prime Rapid Response", "me": "Jess Armitage"})
        pilot.app.screen.query_one("#field-service", Input).focus()
        await drawn(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=typed)
