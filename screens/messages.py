"""Messages that store workers post back to the screens."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from textual.message import Message

from huddle.models import Meeting
from huddle.summary import StatusSummary
from store.action_list import ActionCounts
from store.room import RoomView


@dataclass
class SummaryLoaded(Message):
    """The since-last-huddle counts, read off the UI thread."""

    summary: StatusSummary
    in_progress: Meeting | None = None
    """Today's meeting in progress, if any."""


@dataclass
class LoadFailed(Message):
    """A store read failed; `reason` is shown to the user."""

    reason: str


@dataclass
class Counted(Message):
    """How many rows a paged list's query matches."""

    query: Hashable
    total: int


@dataclass
class PageLoaded(Message):
    """A window of a paged list's rows for `query`, read off the UI thread."""

    query: Hashable
    offset: int
    lines: list


@dataclass
class ActionTotals(Message):
    """The Actions screen's headline counts and the staff list, read off the UI thread."""

    totals: ActionCounts


@dataclass
class DetailLoaded(Message):
    """One record in full (an entry, an action, a query), read off the UI thread."""

    detail: object


@dataclass
class RoomLoaded(Message):
    """What the meeting runner shows, and how many rows its section's list has."""

    view: RoomView
    total: int
    query: Hashable | None
