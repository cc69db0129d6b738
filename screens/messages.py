"""Messages that store workers post back to the screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from huddle.summary import StatusSummary


@dataclass
class SummaryLoaded(Message):
    """The since-last-huddle counts, read off the UI thread."""

    summary: StatusSummary


@dataclass
class LoadFailed(Message):
    """A store read failed; `reason` is shown to the user."""

    reason: str
