"""The mouse, as someone new to huddle would use it: a click on a list row highlights it, a
click on the highlighted row or a double click opens it as enter does, and the line of
app-wide keys runs a key when clicked. The demo at 22/11/2026, real app, real SQLite."""

from __future__ import annotations

from textual.widgets import Static

from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from huddle.waiting_query import WaitingQuery
from screens.action_detail import ActionDetailScreen
from screens.action_list import ActionList
from screens.actions import ActionsScreen
from screens.base import AppKeys
from screens.entry_detail import EntryDetailScreen
from screens.entry_list import EntryList
from screens.oversight import OversightScreen
from screens.oversight_lists import EscalationList, MetricList
from screens.waiting_list import WaitingListScreen
from store import Store
from store.waiting_list import page_of_entries
from tests.test_meeting_room import SIZE, TODAY, list_ready, until


def entry_at(store: Store, row: int) -> int:
    """The id of the entry the waiting list shows on `row` (from 0), as the store orders it."""
    return page_of_entries(store, WaitingQuery(as_at=TODAY), row, 1)[0].id


async def open_screen(app: HuddleApp, pilot, key: str, screen_type: type, listed: type) -> None:
    await pilot.press(key)

    def ready() -> bool:
        screen = app.screen
        return isinstance(screen, screen_type) and list_ready(screen.query_one(listed))

    await until(app, pilot, ready, f"{screen_type.__name__} and its list")


def at_row(row: int) -> dict:
    """Where a click lands on a list's `row` (the lists have no border: row 0 is line 0)."""
    return {"offset": (4, row)}


async def click(app: HuddleApp, pilot, selector: str, row: int, times: int = 1) -> None:
    assert await pilot.click(selector, times=times, **at_row(row))
    await until(app, pilot, lambda: True, "the click to be handled")


async def test_a_click_highlights_a_row_and_a_second_click_opens_it(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "2", WaitingListScreen, EntryList)
        entries = app.screen.query_one(EntryList)
        assert entries.cursor == 0
        await click(app, pilot, "#entries", 2)
        assert entries.cursor == 2
        assert entries.current() is not None and entries.current().id == entry_at(demo, 2)
        assert isinstance(app.screen, WaitingListScreen), "a first click only highlights"
        await click(app, pilot, "#entries", 2)
        assert isinstance(app.screen, EntryDetailScreen)
        assert app.screen.entry_id == entry_at(demo, 2)


async def test_a_double_click_opens_a_row_once(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "2", WaitingListScreen, EntryList)
        waiting = app.screen
        depth = len(app.screen_stack)
        await click(app, pilot, "#entries", 4, times=2)
        assert isinstance(app.screen, EntryDetailScreen)
        assert app.screen.entry_id == entry_at(demo, 4)
        assert len(app.screen_stack) == depth + 1
        await pilot.press("escape")
        await until(app, pilot, lambda: app.screen is waiting, "back to the waiting list")
        # On the row already highlighted the first click opens it; the second does not
        # open it again.
        await click(app, pilot, "#entries", 4, times=2)
        assert isinstance(app.screen, EntryDetailScreen)
        assert app.screen.entry_id == entry_at(demo, 4)
        assert len(app.screen_stack) == depth + 1


async def test_a_click_below_the_last_row_does_nothing(demo: Store) -> None:
    target = page_of_entries(demo, WaitingQuery(as_at=TODAY), 40, 1)[0]
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "2", WaitingListScreen, EntryList)
        entries = app.screen.query_one(EntryList)
        await pilot.press("slash", *(target.local_id or ""), "enter")
        await until(app, pilot, lambda: entries.total == 1, "the search to find one entry")
        await click(app, pilot, "#entries", 3)
        assert entries.cursor == 0
        assert entries.current() is not None and entries.current().id == target.id
        assert isinstance(app.screen, WaitingListScreen)


async def test_the_same_on_the_actions_list(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "4", ActionsScreen, ActionList)
        actions = app.screen.query_one(ActionList)
        third = actions.loaded()[2].id
        await click(app, pilot, "#action-list", 2)
        assert actions.current() is not None and actions.current().id == third
        assert isinstance(app.screen, ActionsScreen)
        await click(app, pilot, "#action-list", 2)
        assert isinstance(app.screen, ActionDetailScreen)
        assert app.screen.action_id == third


async def test_a_click_moves_what_follows_the_cursor_and_opens_only_a_row_seen_highlighted(
    demo: Store,
) -> None:
    """On Oversight the metric's detail follows the cursor; the escalation log, not focused,
    shows no highlight, so a click on its first row highlights it rather than opening."""
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "6", OversightScreen, MetricList)
        screen = app.screen
        assert isinstance(screen, OversightScreen)
        metrics = screen.query_one(MetricList)
        second = metrics.loaded()[1].metric.name
        await click(app, pilot, "#metrics", 1)
        await until(
            app,
            pilot,
            lambda: screen.highlighted is not None and screen.highlighted.metric.name == second,
            "the metric's detail to follow the click",
        )
        assert second in str(screen.query_one("#metric-detail", Static).render())
        # enter opens the log's escalation, not a metric: clicks on a metric only highlight.
        await click(app, pilot, "#metrics", 1, times=2)
        await click(app, pilot, "#metrics", 1)
        assert app.screen is screen, "a click on a metric opened an escalation"
        log = screen.query_one(EscalationList)
        await until(app, pilot, lambda: list_ready(log) and log.total > 0, "the escalation log")
        assert not log.has_focus and log.cursor == 0
        await click(app, pilot, "#escalations", 0)
        assert log.has_focus
        assert app.screen is screen, "the row was not shown highlighted: the click shows it"
        await click(app, pilot, "#escalations", 0)
        assert isinstance(app.screen, ActionDetailScreen)
        assert app.screen.action_id == log.loaded()[0].id


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


async def test_the_scrollbar_still_scrolls_and_moves_no_cursor(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "2", WaitingListScreen, EntryList)
        entries = app.screen.query_one(EntryList)
        assert entries.scroll_y == 0
        # The track near the foot of the scrollbar, below its thumb.
        bar = entries.vertical_scrollbar
        assert await pilot.click(bar, offset=(0, bar.size.height - 2))
        await until(app, pilot, lambda: entries.scroll_y > 0, "the list to scroll")
        assert entries.cursor == 0
        assert isinstance(app.screen, WaitingListScreen)
