"""People who leave: their names stay on every record, and what is open that they own is
shown as OWNER LEFT, in words, on every list and counted on Today, until reassigned. On
the demo service, deactivated through the set-up's own write path."""

from __future__ import annotations

from datetime import date

import pytest

from huddle.action_query import ActionQuery, ActionView
from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.people import match_person
from huddle.waiting_query import WaitingQuery
from screens.today import TodayScreen
from store import Store
from store.action_detail import action_detail
from store.action_list import page_of_actions
from store.entry_detail import entry_detail
from store.meeting_log import SeriesQuery, page_of_series
from store.mobilisation_reads import programme_of, workstream_lines
from store.oversight_reads import escalation_lines
from store.people import everyone
from store.queries import status_summary
from store.setup import apply_plan, current_setup, plan_setup
from store.waiting_list import page_of_entries
from tests.conftest import TODAY, settle

LEAVERS = ("Kofi Mensah", "Joanne Whitley", "Nadia Bello", "Sana Qureshi")


def leave(store: Store, today: date) -> None:
    setup = current_setup(store)
    people = [
        p.model_copy(update={"active": False}) if p.name in LEAVERS else p for p in setup.people
    ]
    apply_plan(
        store, plan_setup(store, setup.model_copy(update={"people": people}), today, "hr"), today
    )


def test_what_leavers_own_is_flagged_on_every_list(demo: Store) -> None:
    leave(demo, TODAY)
    summary = status_summary(demo, TODAY)
    left = summary.owner_left
    assert left.waiting_entries > 0 and left.actions > 0 and left.series == 1
    assert left.workstreams == 1  # Sana Qureshi leads one
    assert left.supervisees > 0  # Nadia Bello supervises

    entries = page_of_entries(demo, WaitingQuery(as_at=TODAY), 0, 10_000)
    flagged = {line.case_owner for line in entries if line.owner_left}
    assert flagged == {"Joanne Whitley", "Nadia Bello"}
    assert sum(line.owner_left for line in entries) == left.waiting_entries

    actions = page_of_actions(demo, ActionQuery(TODAY, view=ActionView.EVERY), 0, 10_000)
    open_flagged = [a for a in actions if a.owner_left and not a.closed]
    assert {a.owner for a in open_flagged} <= set(LEAVERS)
    assert len(open_flagged) == left.actions

    chairs = {line.series: line for line in page_of_series(demo, SeriesQuery(), 0, 50)}
    assert chairs["Waiting-list huddle — therapy"].chair_has_left

    owned = next(line for line in entries if line.owner_left)
    assert entry_detail(demo, owned.id).case_owner_left
    assert action_detail(demo, open_flagged[0].id).owner_left
    escalations = escalation_lines(demo, TODAY, 0, 10_000)
    assert {e.owner for e in escalations if e.owner_left} <= set(LEAVERS)
    assert any(e.owner_left for e in escalations)

    programme = programme_of(demo)
    assert programme is not None and programme.id is not None
    leads = workstream_lines(demo, programme.id, TODAY)
    assert [w.lead for w in leads if w.lead_left] == ["Sana Qureshi"]


def test_a_leaver_is_offered_in_no_picker(demo: Store) -> None:
    leave(demo, TODAY)
    staff = everyone(demo)
    with pytest.raises(ValueError, match="Kofi Mensah has left the service"):
        match_person(staff, "Kofi Mensah", "owner")
    with pytest.raises(ValueError, match="nobody's name contains 'Kofi'.*Set-up"):
        match_person(staff, "Kofi", "owner")
    assert match_person(staff, "Kofi", "--owner", include_left=True).name == "Kofi Mensah"


async def test_today_says_owner_left_in_words(demo: Store) -> None:
    leave(demo, TODAY)
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        shown = app.screen.query_one("#owner-left")
        assert shown.display
        words = str(shown.content)
        assert "OWNER LEFT" in words
        assert status_summary(demo, TODAY).owner_left.said() in words
