"""Text in the app is the record's own, never markup or terminal control: a decision typed
as markup is saved, said as typed, and the meeting goes on (it used to end the app
mid-meeting); a pasted terminal escape is refused beside its field; and an app that does
end on an error says so with its exit code."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from textual.app import App
from textual.widgets import Input, Static

from huddle.app import make_app
from huddle.cli import _run_app
from huddle.clock import FixedClock
from huddle.models import MeetingKind, Person, Provider, ProviderKind, Service
from screens.form import FormScreen
from screens.runner import RunnerScreen
from store import Store, records
from store.meetings import start_meeting
from tests.conftest import TODAY, settle

TYPED = "Hold [/] discharge [b]until[/b] 14:00"


def shift_lead(store: Store) -> Person:
    """A service of one: its provider and its shift lead, Jess Armitage."""
    with store.write("a service") as txn:
        records.insert(txn, Service(name="Prime"))
        provider = records.insert(txn, Provider(name="Prime", kind=ProviderKind.PRIME))
        return records.insert(
            txn, Person(name="Jess Armitage", role="Shift lead", provider_id=provider.id)
        )


async def test_a_decision_typed_as_markup_is_said_as_typed(store: Store) -> None:
    jess = shift_lead(store)
    meeting = start_meeting(
        store,
        series="Early shift brief",
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=jess.id,
        today=TODAY,
        now=datetime.combine(TODAY, time(8)),
    )
    app = make_app(store, FixedClock(TODAY, at=time(8, 1)))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(app, pilot)
        assert meeting.id is not None
        app.push_screen(RunnerScreen(meeting.id))
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#field-text").value = TYPED
        form.query_one("#field-owner").value = "Jess"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, RunnerScreen)
        await pilot.pause(0.2)
        said = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert any(TYPED in words for words in said), said
    saved = store.conn.execute("SELECT text FROM decision").fetchall()
    assert saved == [(TYPED,)]


def test_the_app_ends_non_zero_after_an_unhandled_error(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(App[None]):
        def on_mount(self) -> None:
            raise RuntimeError("a fault in a screen")

        def run(self, **options: object) -> None:  # type: ignore[override]
            super().run(headless=True)

    monkeypatch.setattr("huddle.app.make_app", lambda *args, **kwargs: Broken())
    assert _run_app(store, FixedClock(TODAY)) == 1


async def test_a_pasted_terminal_escape_is_refused_beside_its_field(store: Store) -> None:
    shift_lead(store)
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-title", Input).value = "Call back\x1b[2J"
        form.query_one("#field-owner", Input).value = "Jess"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        said = str(form.query_one("#error-title", Static).content)
        assert "remove the unseen character U+001B" in said
        assert form.query_one("#field-title", Input).value == "Call back\x1b[2J"
    assert store.conn.execute("SELECT count(*) FROM action").fetchone()[0] == 0
