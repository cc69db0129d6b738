"""Commissioner queries a page at a time, and one query in full with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle import rules
from huddle.models import CommissionerQuery, Person, QueryStatus
from store import records
from store.connection import Store
from store.history import HistoryLine, audit_trail, changes
from store.people import everyone


@dataclass(frozen=True)
class QueryFilter:
    as_at: date
    answered: bool = False
    """Also the queries whose response has been sent."""


@dataclass(frozen=True)
class QueryLine:
    id: int
    received_on: date
    asked_by: str
    matter: str
    data_period: str
    deadline: date
    owner: str
    status: QueryStatus
    response_sent_on: date | None
    steps_open: int
    steps: int
    as_at: date

    @property
    def days_to_deadline(self) -> int:
        return rules.days_until(self.deadline, self.as_at)


def _where(shown: QueryFilter) -> str:
    return "1" if shown.answered else "q.status = 'open'"


def count_queries(store: Store, shown: QueryFilter) -> int:
    return store.db.execute(
        f"SELECT count(*) FROM commissioner_query AS q WHERE {_where(shown)}"
    ).fetchone()[0]


def page_of_queries(store: Store, shown: QueryFilter, offset: int, limit: int) -> list[QueryLine]:
    """Open queries first, the nearest deadline first."""
    rows = store.db.execute(
        f"""
        SELECT q.id, q.received_on, q.asked_by, q.matter, q.data_period, q.deadline, p.name,
               q.status, q.response_sent_on,
               (SELECT count(*) FROM action AS a WHERE a.query_id = q.id AND a.status != 'closed'),
               (SELECT count(*) FROM action AS a WHERE a.query_id = q.id)
        FROM commissioner_query AS q JOIN person AS p ON p.id = q.owner_id
        WHERE {_where(shown)}
        ORDER BY q.status = 'open' DESC, q.deadline, q.id LIMIT ? OFFSET ?
        """,
        (limit, offset),
    ).fetchall()
    return [
        QueryLine(
            id=row[0],
            received_on=date.fromisoformat(row[1]),
            asked_by=row[2],
            matter=row[3],
            data_period=row[4] or "",
            deadline=date.fromisoformat(row[5]),
            owner=row[6],
            status=QueryStatus(row[7]),
            response_sent_on=date.fromisoformat(row[8]) if row[8] else None,
            steps_open=row[9],
            steps=row[10],
            as_at=shown.as_at,
        )
        for row in rows
    ]


_WORDS = {
    "matter": "matter",
    "deadline": "response deadline",
    "owner_id": "owner",
    "status": "status",
    "response_sent_on": "response sent",
    "response_evidence": "evidence",
    "response_link": "evidence link",
    "closed_by": "closed by",
}


@dataclass(frozen=True)
class QueryDetail:
    query: CommissionerQuery
    owner: str
    closed_by: str | None
    history: list[HistoryLine]
    staff: list[Person]


def query_detail(store: Store, query_id: int) -> QueryDetail:
    with store.reading():
        query = records.get(store, CommissionerQuery, query_id)
        staff = everyone(store)
        names = {person.id: person.name for person in staff}
        return QueryDetail(
            query=query,
            owner=names.get(query.owner_id, "?"),
            closed_by=names.get(query.closed_by) if query.closed_by else None,
            history=audit_trail(
                store,
                "table_name = 'commissioner_query' AND row_id = :id",
                {"id": query_id},
                lambda _table, operation, before, after: (
                    f"logged: {after.get('matter')}, asked by {after.get('asked_by')}"
                    if operation == "insert"
                    else changes(before, after, _WORDS, names)
                ),
            ),
            staff=staff,
        )
