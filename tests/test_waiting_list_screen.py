"""The waiting-list screen driven with the keyboard, checked against the store's counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from textual.widgets import DataTable

from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from huddle.waiting_query import SortBy, WaitingQuery
from screens.entry_list import EntryList
from screens.waiting_list import WaitingListScreen, month_end
from store import Store
from store.queries import status_summary
from store.waiting_list import _where, count_entries, page_of_entries
from tests.conftest import settle

TODAY = date(2026, 11, 22)
SIZE = (160, 40)


async def open_list(app: HuddleApp, pilot) -> tuple[WaitingListScreen, EntryList]:
    await pilot.press("2")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, WaitingListScreen)
    return screen, screen.query_one(EntryList)


async def test_opens_breached_first_with_the_status_counts(demo: Store) -> None:
    summary = status_summary(demo, TODAY)
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen, entries = await open_list(app, pilot)
        assert entries.total == summary.waiting.total
        band = screen.query_one("#band", DataTable)
        for number, tier in summary.waiting.by_tier.items():
            row = band.get_row(band.coordinate_to_cell_key((number - 1, 0)).row_key)
            assert row[1:5] == [
                f"{tier.waiting:,}",
                f"{tier.breached:,}",
                f"{tier.due_this_week:,}",
                f"{tier.contact_overdue:,}",
            ]
        first = entries.current()
        assert first is not None and first.breached
        breached = [line.breached for line in entries.loaded()]
        assert breached == sorted(breached, reverse=True)  # every breach before any other


async def test_filters_agree_with_the_store(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        _, entries = await open_list(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        without = status_summary(demo, TODAY).waiting.breached_without_escalation
        assert entries.total == without > 0
        assert all(line.without_escalation for line in entries.loaded())
        await pilot.press("x", "t", "t")  # clear, then tier 1, then tier 2
        await settle(app, pilot)
        assert entries.total == status_summary(demo, TODAY).waiting.by_tier[2].waiting
        assert {line.tier for line in entries.loaded()} == {2}


async def test_a_filter_never_hides_a_breach_from_the_counts(demo: Store) -> None:
    """Whatever the list shows, the as-at line and the band still count every breach."""
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_list(app, pilot)
        await pilot.press("g")  # safeguarding only
        await settle(app, pilot)
        breached = status_summary(demo, TODAY).waiting.breached
        assert f"{breached:,} breached" in str(screen.query_one("#as-at").render())


async def test_search_finds_by_local_id(demo: Store) -> None:
    target = page_of_entries(demo, WaitingQuery(as_at=TODAY), 40, 1)[0]
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        _, entries = await open_list(app, pilot)
        await pilot.press("slash", *target.local_id, "enter")
        await settle(app, pilot)
        assert entries.total == 1
        assert entries.current() == target


async def test_month_end_projection_counts_more_breaches(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await open_list(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert screen.waiting_query.as_at == date(2026, 11, 30)
        text = str(screen.query_one("#as-at").render())
        assert "PROJECTED" in text
        later = status_summary(demo, date(2026, 11, 30)).waiting.breached
        assert later > status_summary(demo, TODAY).waiting.breached
        assert f"{later:,} breached" in text


async def test_paging_reads_further_rows(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        _, entries = await open_list(app, pilot)
        await pilot.press("pagedown", "pagedown", "end")
        await settle(app, pilot)
        assert entries.cursor == entries.total - 1
        last = page_of_entries(demo, WaitingQuery(as_at=TODAY), entries.total - 1, 1)[0]
        assert entries.current() == last


def test_every_sort_returns_every_entry_once(demo: Store) -> None:
    query = WaitingQuery(as_at=TODAY)
    total = count_entries(demo, query)
    for sort in SortBy:
        ids = [line.id for line in page_of_entries(demo, replace(query, sort=sort), 0, total)]
        assert len(ids) == len(set(ids)) == total


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2026, 11, 22), date(2026, 11, 30)),
        (date(2028, 2, 3), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 12, 31)),
        (date(2027, 2, 1), date(2027, 2, 28)),
    ],
)
def test_month_end(day: date, end: date) -> None:
    assert month_end(day) == end


SEARCHED = "MULTI-INDEX OR"  # each part of the search by its own index


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (WaitingQuery(as_at=TODAY, search="NB-00012"), SEARCHED),
        (WaitingQuery(as_at=TODAY, search="999 123"), SEARCHED),
        (WaitingQuery(as_at=TODAY, search="ab"), SEARCHED),
        (WaitingQuery(as_at=TODAY, safeguarding=True), "waiting_entry_safeguarding"),
    ],
    ids=["local id", "NHS number", "initials", "safeguarding"],
)
def test_search_and_safeguarding_never_read_every_waiting_entry(
    demo: Store, query: WaitingQuery, index: str
) -> None:
    """At a million entries, reading every waiting entry costs a second: each of these
    must be answered by an index of its own, not by the status index alone."""
    where, params = _where(query)
    plan = " / ".join(
        row[3]
        for row in demo.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT count(*) FROM waiting_entry AS e WHERE {where}", params
        )
    )
    assert "SCAN" not in plan and index in plan, plan
    found = count_entries(demo, query)
    assert found == len(page_of_entries(demo, query, 0, found + 1))
