"""The mouse, as someone new to huddle would use it: the line of app-wide keys runs a key
when clicked. The demo at 22/11/2026, real app, real SQLite."""

from __future__ import annotations

from huddle.app import make_app
from huddle.clock import FixedClock
from screens.actions import ActionsScreen
from screens.base import AppKeys
from store import Store
from tests.test_meeting_room import SIZE, TODAY, until


async def test_a_click_on_the_key_line_runs_the_key(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await until(app, pilot, lambda: bool(app.screen.query(AppKeys)), "the Today screen")
        keys = app.screen.query_one(AppKeys)
        words = str(keys.render())
        assert keys.size.height == 1  # one line at this width: a word's place is its offset
        # Past the padding, on the title rather than the key itself.
        assert await pilot.click(AppKeys, offset=(1 + words.index("4 Actions") + 3, 0))
        await until(app, pilot, lambda: isinstance(app.screen, ActionsScreen), "Actions")
