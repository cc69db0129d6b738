"""The meetings screen's lists: each series with its last meeting (start or resume), and
the log of meetings by date, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from huddle.models import MeetingKind, MeetingState
from store.connection import Store


@dataclass(frozen=True)
class SeriesQuery:
    revision: int = 0


@dataclass(frozen=True)
class SeriesLine:
    series: str
    kind: MeetingKind
    last_held: date | None
    """None: never held yet."""
    chair_id: int | None
    chair: str
    open_meeting_id: int | None
    """A meeting of the series not yet signed off: enter resumes it."""
    open_since: datetime | None
    chair_has_left: bool = False
    """The series' chair has left the service: a meeting starts with another chair."""


# One row per series the service runs (set up, or started from key 3), with its latest
# meeting, the one still open first; a database from before series were set up lists the
# series its meetings name instead. The open meeting's series sorts first, then safety
# briefs (key 3's own), then by name.
_SERIES = """
WITH latest AS (
    SELECT m.*, row_number() OVER (
        PARTITION BY m.series ORDER BY m.state = 'signed off', m.held_on DESC, m.id DESC
    ) AS turn
    FROM meeting AS m
),
listed AS (
    SELECT s.name AS series, s.kind, l.held_on, s.chair_id, l.state, l.id, l.started_at
    FROM series AS s LEFT JOIN latest AS l ON l.series = s.name AND l.turn = 1
    WHERE s.inactive_since IS NULL
    UNION ALL
    SELECT l.series, l.kind, l.held_on, l.chair_id, l.state, l.id, l.started_at
    FROM latest AS l WHERE l.turn = 1 AND NOT EXISTS (SELECT 1 FROM series)
)
SELECT l.series, l.kind, l.held_on, l.chair_id, coalesce(p.name, ''),
       CASE WHEN l.state != 'signed off' THEN l.id END, l.started_at,
       p.inactive_since IS NOT NULL
FROM listed AS l LEFT JOIN person AS p ON p.id = l.chair_id
ORDER BY coalesce(l.state, '') = 'signed off', l.kind != 'safety brief', l.series
"""


def count_series(store: Store, query: SeriesQuery) -> int:
    return store.conn.execute(f"SELECT count(*) FROM ({_SERIES})").fetchone()[0]


def page_of_series(store: Store, query: SeriesQuery, offset: int, limit: int) -> list[SeriesLine]:
    rows = store.conn.execute(f"{_SERIES} LIMIT ? OFFSET ?", (limit, offset)).fetchall()
    return [
        SeriesLine(
            series=series,
            kind=MeetingKind(kind),
            last_held=date.fromisoformat(held_on) if held_on else None,
            chair_id=chair_id,
            chair=chair,
            open_meeting_id=open_id,
            open_since=datetime.fromisoformat(started) if open_id and started else None,
            chair_has_left=bool(left),
        )
        for series, kind, held_on, chair_id, chair, open_id, started, left in rows
    ]


@dataclass(frozen=True)
class LogQuery:
    revision: int = 0


@dataclass(frozen=True)
class MeetingLine:
    id: int
    held_on: date
    series: str
    kind: MeetingKind
    chair: str
    state: MeetingState
    decisions: int
    actions: int


def count_meetings(store: Store, query: LogQuery) -> int:
    return store.conn.execute("SELECT count(*) FROM meeting").fetchone()[0]


def page_of_meetings(store: Store, query: LogQuery, offset: int, limit: int) -> list[MeetingLine]:
    """The latest first; counts per meeting read for this page's rows only."""
    rows = store.conn.execute(
        """
        WITH page AS (
            SELECT id FROM meeting ORDER BY held_on DESC, id DESC LIMIT ? OFFSET ?
        )
        SELECT m.id, m.held_on, m.series, m.kind, coalesce(p.name, ''), m.state,
               (SELECT count(*) FROM decision AS d WHERE d.meeting_id = m.id),
               (SELECT count(*) FROM action AS a WHERE a.meeting_id = m.id)
        FROM page JOIN meeting AS m ON m.id = page.id
        LEFT JOIN person AS p ON p.id = m.chair_id
        ORDER BY m.held_on DESC, m.id DESC
        """,
        (limit, offset),
    ).fetchall()
    return [
        MeetingLine(
            id=row[0],
            held_on=date.fromisoformat(row[1]),
            series=row[2],
            kind=MeetingKind(row[3]),
            chair=row[4],
            state=MeetingState(row[5]),
            decisions=row[6],
            actions=row[7],
        )
        for row in rows
    ]
