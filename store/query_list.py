"""Commissioner queries a page at a time, and one query in full with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle import rules
from huddle.models import CommissionerQuery, Person, QueryStatus
from huddle.query_flow import Standing, standing
from store import records
from store.bank_holidays import added_bank_holidays
from store.connection import Store, Transaction
from store.history import HistoryLine, audit_trail, changes
from store.people import everyone


@dataclass(frozen=True)
class QueryFilter:
    as_at: date
    answered: bool = False
    """Also the closed queries (returns, records and lived experience aligned)."""
    extra_holidays: frozenset[date] = frozenset()
    """The set-up's own bank holidays, for "response due" (store.bank_holidays)."""


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
    next_review_on: date | None = None
    aligned_on: date | None = None
    extra_holidays: frozenset[date] = frozenset()

    @property
    def days_to_deadline(self) -> int:
        return rules.days_until(self.deadline, self.as_at)

    @property
    def standing(self) -> Standing:
        return standing(
            self.status,
            self.deadline,
            self.as_at,
            response_sent_on=self.response_sent_on,
            next_review_on=self.next_review_on,
            aligned_on=self.aligned_on,
            extra=self.extra_holidays,
        )


def _where(shown: QueryFilter) -> str:
    return "1" if shown.answered else "q.status != 'closed'"


def count_queries(store: Store, shown: QueryFilter) -> int:
    return store.db.execute(
        f"SELECT count(*) FROM commissioner_query AS q WHERE {_where(shown)}"
    ).fetchone()[0]


_LINES = """
SELECT q.id, q.received_on, q.asked_by, q.matter, q.data_period, q.deadline, p.name,
       q.status, q.response_sent_on,
       (SELECT count(*) FROM action AS a WHERE a.query_id = q.id AND a.status != 'closed'),
       (SELECT count(*) FROM action AS a WHERE a.query_id = q.id),
       q.next_review_on, q.aligned_on
FROM commissioner_query AS q JOIN person AS p ON p.id = q.owner_id
WHERE {where}
ORDER BY q.status = 'closed', q.status != 'open',
         CASE WHEN q.status = 'open' THEN q.deadline ELSE coalesce(q.next_review_on, '')
         END, q.id
"""


def _line(row: tuple, as_at: date, extra: frozenset[date]) -> QueryLine:
    return QueryLine(
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
        as_at=as_at,
        next_review_on=date.fromisoformat(row[11]) if row[11] else None,
        aligned_on=date.fromisoformat(row[12]) if row[12] else None,
        extra_holidays=extra,
    )


def page_of_queries(store: Store, shown: QueryFilter, offset: int, limit: int) -> list[QueryLine]:
    """Open queries first, the nearest deadline first; then those under review, the
    nearest review first; then (when asked) the closed ones."""
    rows = store.db.execute(
        _LINES.format(where=_where(shown)) + " LIMIT ? OFFSET ?", (limit, offset)
    ).fetchall()
    return [_line(row, shown.as_at, shown.extra_holidays) for row in rows]


def live_queries(source: Store | Transaction, as_at: date) -> list[QueryLine]:
    """Every query not closed (open, responded, under review), in the list's order: for
    `huddle status` and the contract review's agenda. Queries are few (tens a year)."""
    rows = source.conn.execute(_LINES.format(where=_where(QueryFilter(as_at)))).fetchall()
    extra = added_bank_holidays(source)
    return [_line(row, as_at, extra) for row in rows]


def agenda_lines(source: Store | Transaction, as_at: date) -> tuple[str, ...]:
    """The contract review's "Commissioner queries" section: every query open or under
    review, each with where it stands in words, OVERDUE ones counted first."""
    lines = live_queries(source, as_at)
    if not lines:
        return ("No commissioner query is open or under review",)
    said = [(line, line.standing) for line in lines]
    late = sum(1 for _, standing in said if standing.state.alarm)
    reviewing = sum(1 for line, _ in said if line.status != QueryStatus.OPEN)
    head = (
        f"{len(lines)} commissioner {'query' if len(lines) == 1 else 'queries'}: "
        f"{len(lines) - reviewing} awaiting a response, {reviewing} under review"
        + (f" ({late} OVERDUE)" if late else "")
    )
    return (
        head,
        *(
            f"{standing.words} — {line.matter} (asked by {line.asked_by}, owner {line.owner})"
            for line, standing in said
        ),
    )


_WORDS = {
    "matter": "matter",
    "deadline": "response deadline",
    "owner_id": "owner",
    "status": "status",
    "response_sent_on": "response sent",
    "response_evidence": "evidence",
    "response_link": "evidence link",
    "closed_by": "closed by",
    "responded_by": "response recorded by",
    "next_review_on": "next monthly review",
    "aligned_on": "aligned on",
    "aligned_evidence": "alignment evidence",
    "aligned_link": "alignment evidence link",
}


@dataclass(frozen=True)
class ReviewLine:
    reviewed_on: date
    note: str
    reviewed_by: str
    next_review_on: date


@dataclass(frozen=True)
class QueryDetail:
    query: CommissionerQuery
    owner: str
    closed_by: str | None
    history: list[HistoryLine]
    staff: list[Person]
    responded_by: str | None = None
    reviews: tuple[ReviewLine, ...] = ()
    """Its monthly reviews, the latest first."""
    extra_holidays: frozenset[date] = frozenset()

    def standing(self, today: date) -> Standing:
        query = self.query
        return standing(
            query.status,
            query.deadline,
            today,
            response_sent_on=query.response_sent_on,
            next_review_on=query.next_review_on,
            aligned_on=query.aligned_on,
            extra=self.extra_holidays,
        )


def _reviews(store: Store, query_id: int) -> tuple[ReviewLine, ...]:
    rows = store.conn.execute(
        "SELECT r.reviewed_on, r.note, p.name, r.next_review_on "
        "FROM commissioner_query_review AS r JOIN person AS p ON p.id = r.reviewed_by "
        "WHERE r.query_id = ? ORDER BY r.reviewed_on DESC, r.id DESC",
        (query_id,),
    ).fetchall()
    return tuple(
        ReviewLine(date.fromisoformat(on), note, by, date.fromisoformat(next_on))
        for on, note, by, next_on in rows
    )


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
            responded_by=names.get(query.responded_by) if query.responded_by else None,
            reviews=_reviews(store, query_id),
            extra_holidays=added_bank_holidays(store),
        )
