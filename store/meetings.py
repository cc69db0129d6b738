"""Meetings as other screens need them."""

from __future__ import annotations

from datetime import date

from huddle.models import MeetingKind, MeetingState
from store.connection import Store


def open_huddle_on(store: Store, day: date) -> int | None:
    """The waiting-list huddle held on `day` that is not yet signed off, if there is one:
    an entry marked reviewed today is linked to it."""
    row = store.conn.execute(
        "SELECT id FROM meeting WHERE kind = ? AND held_on = ? AND state != ? "
        "ORDER BY id DESC LIMIT 1",
        (MeetingKind.WAITING_LIST_HUDDLE, day.isoformat(), MeetingState.SIGNED_OFF),
    ).fetchone()
    return row[0] if row else None
