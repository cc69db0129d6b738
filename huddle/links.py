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


@dataclass
class Capture:
    """What a decision, action or risk being recorded belongs to, shown on its form and
    changed there before it is saved: the meeting in the room (chosen at once only in that
    meeting's runner) and the entry, action, query or risk the cursor was on (`about`,
    chosen at once, and removable: a general decision in a list section is about nothing).
    """

    meeting_label: str = ""
    """The meeting that could hold it ("" when none is in progress)."""
    meeting_id: int | None = None
    in_meeting: bool = False
    about: Link = Link()
    """The row the cursor was on, with no meeting of its own."""
    linked: bool = True

    def link(self) -> Link:
        """The link as chosen: the row if kept, and the meeting if chosen."""
        row = self.about if self.linked else Link()
        meeting_id = self.meeting_id if self.in_meeting else None
        label = row.label if row else (self.meeting_label if meeting_id is not None else "")
        return Link(label, row.entry_id, meeting_id, row.query_id, row.risk_id)

    def toggle_meeting(self) -> bool:
        """Into or out of the meeting; False when there is no meeting to choose."""
        if self.meeting_id is None:
            return False
        self.in_meeting = not self.in_meeting
        return True

    def toggle_about(self) -> bool:
        if not self.about:
            return False
        self.linked = not self.linked
        return True

    def lines(self, meeting_key: str, about_key: str) -> list[str]:
        """In words, with the key that changes each."""
        lines = []
        if self.meeting_id is not None:
            lines.append(
                f"In the meeting: {self.meeting_label} · {meeting_key} takes it out"
                if self.in_meeting
                else f"Not in a meeting · {meeting_key} records it in {self.meeting_label}"
            )
        else:
            lines.append("Not in a meeting (none is in progress)")
        if self.about:
            lines.append(
                f"About: {self.about.label} · {about_key} unlinks it"
                if self.linked
                else f"About nothing in particular · {about_key} links {self.about.label}"
            )
        return lines
