"""Messages that store workers post back to the screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from huddle.summary import StatusSummary
from huddle.waiting_query import WaitingQuery
from store.entry_detail import EntryDetail
from store.waiting_list import EntryLine


@dataclass
class SummaryLoaded(Message):
    """The since-last-huddle counts, read off the UI thread."""

    summary: StatusSummary


@dataclass
class LoadFailed(Message):
    """A store read failed; `reason` is shown to the user."""

    reason: str


@dataclass
class EntriesCounted(Message):
    """How many entries the current query matches."""

    query: WaitingQuery
    total: int


@dataclass
class EntryPageLoaded(Message):
    """A window of the waiting list, read off the UI thread."""

    query: WaitingQuery
    offset: int
    lines: list[EntryLine]


@dataclass
class EntryDetailLoaded(Message):
    """One entry in full, read off the UI thread."""

    detail: EntryDetail
