"""escape on a form: at once when nothing was typed; asked first when something was, so a
slip in the room does not throw away a decision half written."""

from __future__ import annotations

from huddle.app import make_app
from huddle.clock import FixedClock
from screens.discard import DiscardTyped
from screens.form import FormField, FormScreen
from store import Store
from tests.conftest import TODAY


def a_form() -> FormScreen[dict[str, str]]:
    return FormScreen("A decision", [FormField("text", "Decision", value="")], lambda typed: typed)


async def test_escape_closes_an_untouched_form_and_asks_about_typed_text(store: Store) -> None:
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=(100, 30)) as pilot:
        closed: list[object] = []
        app.push_screen(a_form(), closed.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen) and closed == [None]

        app.push_screen(a_form(), closed.append)
        await pilot.pause()
        await pilot.press(*"Hold the discharge")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DiscardTyped)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert app.screen.values() == {"text": "Hold the discharge"}
        await pilot.press("escape", "d")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen | DiscardTyped)
        assert closed == [None, None]
