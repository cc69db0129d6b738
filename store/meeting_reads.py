"""Reading meetings: one meeting, the last of its series, the one running today, who is
invited. Works through a store or inside an open write (sign-off renders the minutes in
the transaction that locks the meeting)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle.models import AttendanceStatus, Meeting, MeetingState, ShiftCapacity
from store.connection import Store, Transaction
from store.errors import NotFound


def _one(source: Store | Transaction, sql: str, params: tuple) -> Meeting | None:
    cursor = source.conn.execute(sql, params)
    values = cursor.fetchone()
    if values is None:
        return None
    return Meeting.model_validate(
        dict(zip([c[0] for c in cursor.description], values, strict=True))
    )


def meeting_row(source: Store | Transaction, meeting_id: int) -> Meeting:
    found = _one(source, "SELECT * FROM meeting WHERE id = ?", (meeting_id,))
    if found is None:
        raise NotFound("meeting", meeting_id)
    return found


def previous_meeting(source: Store | Transaction, current: Meeting) -> Meeting | None:
    """The last meeting of the same series before this one."""
    return _one(
        source,
        "SELECT * FROM meeting WHERE series = ? AND id != ? AND held_on <= ? "
        "ORDER BY held_on DESC, id DESC LIMIT 1",
        (current.series, current.id, current.held_on.isoformat()),
    )


def running_meeting(store: Store, today: date) -> Meeting | None:
    """Today's meeting in progress (the one started last, if several): what `d`, `a` and
    `r` on any screen are recorded in."""
    return _one(
        store,
        "SELECT * FROM meeting WHERE state = ? AND held_on = ? "
        "ORDER BY started_at DESC, id DESC LIMIT 1",
        (MeetingState.IN_PROGRESS, today.isoformat()),
    )


@dataclass(frozen=True)
class AttendanceLine:
    person_id: int
    name: str
    role: str
    status: AttendanceStatus | None
    """None: invited, not yet marked."""


def attendance(source: Store | Transaction, current: Meeting) -> list[AttendanceLine]:
    """Everyone invited: the chair, the series' invitees, whoever was at the series' last
    meeting, and anyone marked in this one; in the order of the last meeting, then the
    invitees. People who have left are not invited, unless already marked in this one."""
    before = previous_meeting(source, current)
    rows = source.conn.execute(
        """
        WITH invited AS (
            SELECT CAST(j.value AS INTEGER) AS person_id, j.key AS position
            FROM series AS s, json_each(s.invitees) AS j WHERE s.name = :series
        )
        SELECT p.id, p.name, p.role, mine.status
        FROM person AS p
        LEFT JOIN attendance AS mine ON mine.person_id = p.id AND mine.meeting_id = :this
        LEFT JOIN attendance AS last ON last.person_id = p.id AND last.meeting_id = :last
        LEFT JOIN invited ON invited.person_id = p.id
        WHERE mine.id IS NOT NULL OR (
            p.inactive_since IS NULL
            AND (last.id IS NOT NULL OR invited.person_id IS NOT NULL OR p.id = :chair)
        )
        ORDER BY p.id != :chair, last.id IS NULL, last.id, invited.position IS NULL,
                 invited.position, mine.id
        """,
        {
            "this": current.id,
            "last": before.id if before else None,
            "chair": current.chair_id,
            "series": current.series,
        },
    ).fetchall()
    return [
        AttendanceLine(pid, name, role, AttendanceStatus(status) if status else None)
        for pid, name, role, status in rows
    ]


def last_capacity(store: Store, as_at: date) -> dict[str, ShiftCapacity]:
    """Each shift's capacity as last entered on or before `as_at`: the capacity form opens
    with it, to confirm or change, rather than blank every brief."""
    rows = store.db.query(
        """
        SELECT * FROM shift_capacity AS c
        WHERE c.day <= :as_at AND c.id = (
            SELECT s.id FROM shift_capacity AS s WHERE s.shift = c.shift AND s.day <= :as_at
            ORDER BY s.day DESC, s.id DESC LIMIT 1
        )
        """,
        {"as_at": as_at.isoformat()},
    )
    return {row["shift"]: ShiftCapacity.model_validate(row) for row in rows}


@dataclass(frozen=True)
class CarriedRisk:
    """A risk raised at an earlier meeting of the series and not closed before this one."""

    id: int
    text: str
    owner: str
    raised_on: date
    closed_here: str | None
    """Why it was closed at this meeting; None while it stays open."""


def carried_risks(source: Store | Transaction, current: Meeting) -> list[CarriedRisk]:
    """The risks carried into `current`, like actions: raised at the series' earlier
    meetings, open, or closed at this one (said so), oldest first."""
    rows = source.conn.execute(
        """
        SELECT r.id, r.text, p.name, r.raised_on, c.reason
        FROM risk AS r
        JOIN meeting AS m ON m.id = r.meeting_id
        JOIN person AS p ON p.id = r.owner_id
        LEFT JOIN risk_closure AS c ON c.risk_id = r.id
        WHERE m.series = :series AND m.id != :this AND m.held_on <= :held_on
          AND (c.id IS NULL OR c.meeting_id = :this)
        ORDER BY r.raised_on, r.id
        """,
        {"series": current.series, "this": current.id, "held_on": current.held_on.isoformat()},
    ).fetchall()
    return [
        CarriedRisk(risk_id, text, owner, date.fromisoformat(raised), reason)
        for risk_id, text, owner, raised, reason in rows
    ]
