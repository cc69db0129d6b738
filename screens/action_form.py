"""The form that records an action: a title, an owner picked by typing part of a name, a
due date as people say it (today, tomorrow, fri, +3d calendar days, +3wd working days,
14/12), and an optional review."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from huddle.dates import parse_when
from huddle.links import Capture
from huddle.models import Action, ActionSource, Person
from huddle.people import match_person
from screens.form import FormField, FormScreen
from store import actions
from store.bank_holidays import added_bank_holidays
from store.connection import Store

WHEN = "today, fri, +3d calendar, +3wd working days, 14/12/2026"
"""A date field's placeholder: it says which days `+` counts."""


def due(typed: str, today: date, field: str, extra: Collection[date] = ()) -> date:
    """`extra`: the set-up's own bank holidays (store.bank_holidays), for `+3wd`."""
    if not typed.strip():
        raise ValueError(f"{field}: give a date ({WHEN})")
    return parse_when(typed, today, field, extra)


def optional_date(typed: str, today: date, field: str, extra: Collection[date] = ()) -> date | None:
    return parse_when(typed, today, field, extra) if typed.strip() else None


def new_action_form(
    store: Store, today: date, capture: Capture, staff: Sequence[Person]
) -> FormScreen[Action]:
    """An action; `capture` says which meeting it is in and what it is linked to, both
    shown and changeable on the form (a query's steps belong to the query alone)."""
    extra = added_bank_holidays(store)

    def save(typed: dict[str, str]) -> Action:
        owner_id = match_person(staff, typed["owner"], "owner").id
        due_date = due(typed["due_date"], today, "due date", extra)
        link = capture.link()
        return actions.add_action(
            store,
            title=typed["title"],
            owner_id=owner_id,
            due_date=due_date,
            review_on=optional_date(typed["review_on"], today, "review on", extra),
            today=today,
            entry_id=link.entry_id,
            meeting_id=link.meeting_id,
            query_id=link.query_id,
            risk_id=link.risk_id,
            source=ActionSource.MEETING if link.meeting_id is not None else ActionSource.BY_HAND,
        )

    return FormScreen(
        "New action" if not capture.about.query_id else "New step of the commissioner query",
        [
            FormField("title", "Title", placeholder="what is to be done"),
            FormField(
                "owner",
                "Owner",
                placeholder="type part of a name",
                suggestions=tuple(p.name for p in staff),
            ),
            FormField("due_date", "Due date", placeholder=WHEN),
            FormField("review_on", "Review on", placeholder="optional: when to check it held"),
        ],
        save,
        capture=capture,
    )
