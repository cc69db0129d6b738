"""Closed entries and the reconciliation can be worked: found by a filter or a search,
reopened with a reason, given the outcome they lack, and the entries an extract no longer
lists confirmed a marked set at a time, each its own audited write."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Static

from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.waiting_query import WaitingQuery
from screens.entry_detail import EntryDetailScreen
from screens.entry_list import EntryList
from screens.form import FormScreen
from screens.not_in_extract import confirm_form
from screens.waiting_list import WaitingListScreen
from store import Store, entry_changes
from store.queries import status_summary
from store.reconciliation import reconciliation
from store.waiting_list import count_entries, page_of_entries
from tests.conftest import TODAY, settle

SIZE = (160, 50)


def lines(store: Store, **flags: object) -> list:
    query = WaitingQuery(as_at=TODAY, **flags)
    return page_of_entries(store, query, 0, count_entries(store, query))


def row(store: Store, entry_id: int) -> dict:
    return next(iter(store.db.query("SELECT * FROM waiting_entry WHERE id = ?", [entry_id])))


def audit_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


# --- finding them -----------------------------------------------------------------------------


def test_closed_entries_are_found_by_their_filters_and_by_a_search(demo: Store) -> None:
    closed = lines(demo, closed=True)
    assert closed and all(line.closed for line in closed)
    assert not any(line.breached or line.contact_overdue for line in closed)
    without = lines(demo, closed_without_outcome=True)
    assert {line.id for line in without} == {
        line.id for line in reconciliation(demo, TODAY, shown=50).closed_without_outcome.lines
    }
    one = closed[0]
    found = lines(demo, search=one.local_id)
    assert [line.id for line in found] == [one.id]
    # A filter only a waiting entry can match still lists only waiting ones.
    assert one.id not in {line.id for line in lines(demo, search=one.local_id, breached=True)}
    assert all(not line.closed for line in lines(demo))  # the list itself: those waiting


def test_entries_with_no_case_owner_have_a_filter(demo: Store) -> None:
    unowned = lines(demo, no_owner=True)
    assert len(unowned) == reconciliation(demo, TODAY).no_case_owner.count
    assert all(line.case_owner is None for line in unowned)


# --- working them ------------------------------------------------------------------------------


def test_a_closed_entry_is_reopened_with_a_reason_and_its_breach_stands(demo: Store) -> None:
    one = lines(demo, closed=True)[0]
    waiting = status_summary(demo, TODAY).waiting.total
    with pytest.raises(ValueError, match="reason"):
        entry_changes.reopen_entry(demo, one.id, one.version, reason=" ", today=TODAY)
    entry_changes.reopen_entry(demo, one.id, one.version, reason="closed in error", today=TODAY)
    after = row(demo, one.id)
    assert (after["status"], after["closed_on"], after["outcome"]) == ("waiting", None, None)
    assert status_summary(demo, TODAY).waiting.total == waiting + 1
    with pytest.raises(ValueError, match="has not been closed"):
        entry_changes.reopen_entry(demo, one.id, after["version"], reason="again", today=TODAY)


def test_an_outcome_is_added_only_to_an_entry_closed_without_one(demo: Store) -> None:
    one = lines(demo, closed_without_outcome=True)[0]
    entry_changes.record_outcome(
        demo, one.id, one.version, outcome="seen in clinic 02/07", today=TODAY
    )
    assert row(demo, one.id)["outcome"] == "seen in clinic 02/07"
    with pytest.raises(ValueError, match="one already"):
        entry_changes.record_outcome(
            demo, one.id, one.version + 1, outcome="something else", today=TODAY
        )


async def test_x_on_a_closed_entry_records_the_outcome_it_lacks(demo: Store) -> None:
    before = len(lines(demo, closed_without_outcome=True))
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("C", "C")  # closed, then closed without an outcome
        await settle(app, pilot)
        assert app.screen.query_one(EntryList).total == before
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDetailScreen)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await pilot.press("tab", *"seen in clinic", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDetailScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, WaitingListScreen)
        assert app.screen.query_one(EntryList).total == before - 1


async def test_a_marked_set_not_in_the_extract_is_confirmed_in_one_step(demo: Store) -> None:
    missing = lines(demo, not_in_extract=True)
    assert len(missing) >= 2
    before = audit_count(demo)
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("E")
        await settle(app, pilot)
        entries = app.screen.query_one(EntryList)
        assert entries.total == len(missing)
        await pilot.press("space", "space")  # marks the first two, moving down each time
        assert set(entries.marked) == {line.id for line in missing[:2]}
        await pilot.press("X")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "Confirm 2 not in the provider's extract" in str(
            form.query_one(".form-title").render()
        )
        # Confirm as: the last choice, keep on the list; then the reason.
        await pilot.press("space", "end", "enter", "tab", *"extract fault", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, WaitingListScreen)
        assert entries.total == len(missing) - 2
        assert not entries.marked
        said = str(app.screen.query_one("#showing", Static).render())
        assert "not in the latest extract" in said
    for line in missing[:2]:
        stored = row(demo, line.id)
        assert (stored["status"], stored["not_in_extract_since"]) == ("waiting", None)
    reasons = [
        reason
        for (reason,) in demo.conn.execute(
            "SELECT reason FROM audit WHERE id > ? ORDER BY id", (before,)
        )
    ]
    assert reasons == ["still waiting, though not in the provider's extract: extract fault"] * 2


def test_a_closed_entry_in_a_marked_set_is_refused_and_the_others_done(
    demo: Store,
) -> None:
    missing = lines(demo, not_in_extract=True)[:2]
    first = missing[0]
    entry_changes.close_entry(
        demo,
        first.id,
        first.version,
        status="seen",
        reason="seen",
        today=TODAY,
        on=date(2026, 11, 21),
    )
    form = confirm_form(demo, missing, TODAY)
    summary = form.save({"what": "close: discharged", "text": "discharged", "on": "22/11/2026"})
    assert summary.startswith("close: discharged: 1 of 2 entries")
    assert "closed (seen)" in summary
