"""What an action is linked to: the thing the cursor was on when it was recorded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """In words (`label`) and by id. An empty link is an action added by hand."""

    label: str = ""
    entry_id: int | None = None
    meeting_id: int | None = None
    query_id: int | None = None
    risk_id: int | None = None
    """A go-live risk: the action is one of its mitigations."""

    def __bool__(self) -> bool:
        ids = (self.entry_id, self.meeting_id, self.query_id, self.risk_id)
        return any(i is not None for i in ids)
