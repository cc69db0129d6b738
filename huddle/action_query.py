"""What someone asked to see on the Actions screen (or in an export): a view, an owner, a
source, a search and a sort. Pure description, no SQL: `store.action_list` turns it into
a query, the screen builds it from keys, the export from its options.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from huddle.models import ActionSource, ActionStatus

CLOSED_RECENTLY_DAYS = 28


class ActionView(StrEnum):
    OPEN = "open"
    """Open and in progress, and closed ones whose review is due."""
    OVERDUE = "overdue"
    THIS_WEEK = "due within 7 days"
    CLOSED_RECENTLY = f"closed in the last {CLOSED_RECENTLY_DAYS} days"
    EVERY = "every action"
    DUE_NOW = "due today or overdue"
    """Not closed and due today or before: the safety brief's actions."""


class ActionSort(StrEnum):
    DUE = "due date"
    OWNER = "owner"
    AGE = "age (oldest first)"


SORT_CYCLE = tuple(ActionSort)
SOURCE_CYCLE: tuple[ActionSource | None, ...] = (*ActionSource, None)


@dataclass(frozen=True)
class ActionQuery:
    as_at: date
    view: ActionView = ActionView.OPEN
    owner_id: int | None = None
    source: ActionSource | None = None
    status: ActionStatus | None = None
    query_id: int | None = None
    """Only the steps of one commissioner query."""
    meeting_id: int | None = None
    """Only the actions recorded in one meeting."""
    carried_into: int | None = None
    """Only what the earlier meetings of this meeting's series left: their actions still
    open, and those closed since the last of them (the carried-forward agenda item)."""
    triggered_for: int | None = None
    """Only the escalations of the fired triggers on this meeting's agenda."""
    search: str = ""
    sort: ActionSort = ActionSort.DUE

    def with_view(self, view: ActionView) -> ActionQuery:
        """The view, or back to open actions when it is already the view."""
        return replace(self, view=ActionView.OPEN if self.view == view else view)

    def next_sort(self) -> ActionQuery:
        position = SORT_CYCLE.index(self.sort)
        return replace(self, sort=SORT_CYCLE[(position + 1) % len(SORT_CYCLE)])

    def next_source(self) -> ActionQuery:
        position = SOURCE_CYCLE.index(self.source)
        return replace(self, source=SOURCE_CYCLE[(position + 1) % len(SOURCE_CYCLE)])

    def describe(self, owner: str | None = None) -> str:
        """The view and filters in words, for the line above the list."""
        words = [
            self.view.value
            if self.view != ActionView.OPEN
            else "open actions and closed ones with a review due"
        ]
        if self.owner_id is not None:
            words.append(f"owned by {owner or 'one person'}")
        if self.source is not None:
            words.append(f"from {self.source.value}")
        if self.status is not None:
            words.append(f"status {self.status.value}")
        if self.search:
            words.append(f"title matching {self.search!r}")
        if self.meeting_id is not None:
            words.append("recorded in this meeting")
        if self.carried_into is not None:
            words.append("carried forward from earlier meetings of the series")
        if self.triggered_for is not None:
            words.append("escalations of the triggers fired for this series")
        return ", ".join(words)
