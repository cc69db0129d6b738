"""The lists at 80x24 (issue 23): the waiting list's escalation column whole, the meetings
log's header on one line, each list's header scrolling sideways with its rows, and the
meeting runner showing its section, countdown and list with the agenda rail folded into
a line that takes no focus."""

from __future__ import annotations

import re
from datetime import date

from textual.errors import NoWidget
from textual.widget import Widget
from textual.widgets import DataTable, Static

from huddle.app import make_app
from huddle.clock import FixedClock
from screens.entry_list import EntryList
from screens.meetings import MeetingLog, MeetingsScreen
from screens.paged_list import ListHeader, PagedList
from screens.runner import RunnerScreen
from screens.waiting_list import WaitingListScreen
from store import Store
from tests.conftest import settle

SMALLEST = (80, 24)


def drawn_rows(listed: PagedList) -> list[str]:
    """The rows as the screen shows them, cut at the list's visible width."""
    visible = listed.scrollable_content_region.width
    return [
        listed.render_line(y).text[:visible]
        for y in range(min(len(listed.loaded()), listed.scrollable_content_region.height))
    ]


def titles(header: ListHeader) -> str:
    return str(header.render())[: header.content_region.width]


def shown(widget: Widget) -> bool:
    """On screen: displayed, as every container around it is, and what the screen shows at
    its top left corner (not scrolled out of sight or drawn over)."""
    if not all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget)):
        return False
    if widget.region.area == 0:
        return False
    try:
        under, _ = widget.screen.get_widget_at(*widget.region.offset)
    except NoWidget:  # beyond the screen's edge
        return False
    return under is widget or widget in under.ancestors


async def test_at_80_columns_the_waiting_list_shows_each_breach_without_escalation_whole(
    demo: Store, today: date
) -> None:
    app = make_app(demo, FixedClock(today))
    async with app.run_test(size=SMALLEST) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, WaitingListScreen)
        entries = screen.query_one(EntryList)
        rows = [row for row in drawn_rows(entries) if "BREACHED" in row]
        assert rows and any("NO ESCALATION" in row for row in rows)
        assert not any("NO ESC" in row and "NO ESCALATION" not in row for row in rows)
        header = screen.query_one("#columns", ListHeader)
        assert "Escalation" in titles(header)
        assert titles(header).index("Escalation") == rows[0].index(
            next(word for word in ("NO ESCALATION", "escalated") if word in rows[0])
        )
        # The band's last column, the breaches without escalation by tier, is whole too.
        band = screen.query_one("#band", DataTable)
        assert band.virtual_size.width <= band.content_region.width
        assert str(band.get_cell_at((0, 5))).endswith("NO ESCALATION")

        # Scrolled sideways, the header moves with the rows: its titles stay over them.
        for _ in range(12):
            await pilot.press("right")
        await settle(app, pilot)
        assert entries.scroll_x == 12
        moved = drawn_rows(entries)[0]
        assert titles(header).index("Escalation") == moved.index(
            next(word for word in ("NO ESCALATION", "escalated") if word in moved)
        )


async def test_at_80_columns_the_meetings_log_header_is_one_line_over_its_columns(
    demo: Store, today: date
) -> None:
    app = make_app(demo, FixedClock(today))
    async with app.run_test(size=SMALLEST) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MeetingsScreen)
        log = screen.query_one(MeetingLog)
        header = next(h for h in screen.query(ListHeader) if h.region.y == log.region.y - 1)
        assert header.region.height == 1
        line = titles(header)
        for title in ("Date", "Series", "State", "Recorded"):
            assert title in line
        rows = drawn_rows(log)
        assert rows and all("signed off" in row or "OPEN" in row for row in rows)
        recorded = line.index("Recorded")
        assert all(
            re.fullmatch(r"\d+ decisions?, \d+ actions?", row[recorded:].strip()) for row in rows
        )


async def test_at_80x24_the_runner_shows_section_countdown_and_list_and_no_hidden_focus(
    demo: Store, today: date
) -> None:
    app = make_app(demo, FixedClock(today))
    async with app.run_test(size=SMALLEST) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        for _ in range(2):  # to 3. High-risk patients: the waiting list's rows
            await pilot.press("right_square_bracket")
            await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RunnerScreen)
        assert "left" in str(screen.query_one("#timer", Static).render())
        assert shown(screen.query_one("#timer"))
        assert "High-risk patients" in str(screen.query_one("#section-title", Static).render())
        # Tab only ever lands on something the user can see.
        assert screen.focus_chain
        assert all(shown(widget) for widget in screen.focus_chain)
        # The rail gives way to one line, the breaches without escalation first.
        assert not shown(screen.query_one("#rail"))
        rail_line = screen.query_one("#rail-line", Static)
        assert shown(rail_line)
        assert str(rail_line.render()).split(" · ")[0].endswith("BREACHES WITHOUT ESCALATION")
        entries = screen.query_one(EntryList)
        assert shown(entries) and entries.has_focus
        assert any("NO ESCALATION" in row for row in drawn_rows(entries))
