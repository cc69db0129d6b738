"""Actions a page at a time: counts, pages and the rows of an export for an ActionQuery.

Nothing here loads the table: each page is its ids first (LIMIT/OFFSET over the query),
then only those rows joined. At ten thousand actions opening the screen and every view
take milliseconds (docs/benchmarks.md); at a hundred thousand the search and the sort by
owner read the whole table (about 4x the time at ten). The overdue count of Today and
`huddle status` is `count_actions` of the overdue view: one definition, one number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from huddle import rules
from huddle.action_query import CLOSED_RECENTLY_DAYS, ActionQuery, ActionSort, ActionView
from huddle.dates import uk
from huddle.models import ActionSource, ActionStatus, Person
from huddle.query_flow import tally
from store.connection import Store, Transaction
from store.oversight_reads import ON_AGENDA_OF
from store.people import everyone
from store.query_list import live_queries

OVERDUE = "a.status != 'closed' AND a.due_date < :as_at"
_NOT_CLOSED = "a.status != 'closed'"
# A closed action whose check that the change held is due, and not yet recorded.
_REVIEW_DUE = "(a.status = 'closed' AND a.reviewed_on IS NULL AND a.review_on <= :as_at)"

_VIEWS = {
    ActionView.OPEN: f"({_NOT_CLOSED} OR {_REVIEW_DUE})",
    ActionView.OVERDUE: OVERDUE,
    ActionView.THIS_WEEK: f"{_NOT_CLOSED} AND a.due_date >= :as_at AND a.due_date < :week_end",
    ActionView.CLOSED_RECENTLY: "a.closed_on >= :closed_since AND a.status = 'closed'",
    ActionView.EVERY: "1",
    ActionView.DUE_NOW: f"{_NOT_CLOSED} AND a.due_date <= :as_at",
}

# The earlier meetings of a meeting's series: their open actions, and the ones closed since
# the last of them, are carried into it.
_CARRIED = """a.meeting_id IN (
    SELECT m.id FROM meeting AS m JOIN meeting AS this ON this.id = :carried_into
    WHERE m.series = this.series AND m.id != this.id AND m.held_on <= this.held_on)
AND (a.status != 'closed' OR a.closed_on >= (
    SELECT max(m.held_on) FROM meeting AS m JOIN meeting AS this ON this.id = :carried_into
    WHERE m.series = this.series AND m.id != this.id AND m.held_on <= this.held_on))"""

# The escalations of the fired triggers on a meeting's agenda.
_TRIGGERED = f"a.id IN (SELECT action_id FROM trigger_firing WHERE id IN ({ON_AGENDA_OF}))"

_ORDER = {
    ActionSort.DUE: "a.due_date, a.id",
    ActionSort.OWNER: "o.name, a.due_date, a.id",
    ActionSort.AGE: "a.created_on, a.id",
}


@dataclass(frozen=True)
class ActionLine:
    """One action as listed, with what the rules say about it as at the query's date."""

    id: int
    version: int
    title: str
    owner_id: int
    owner: str
    status: ActionStatus
    source: ActionSource
    due_date: date
    first_due_date: date | None
    due_moves: int
    created_on: date
    closed_on: date | None
    review_on: date | None
    reviewed_on: date | None
    reopened_count: int
    entry_id: int | None
    meeting_id: int | None
    query_id: int | None
    linked_to: str
    """What it came from, in words: the entry's local id, the meeting, the query."""
    as_at: date
    evidence: str | None = None
    """What shows it done (a closed action's note); None while it is not closed."""
    evidence_link: str | None = None
    owner_left: bool = False
    """The owner has left the service: shown as OWNER LEFT until reassigned."""

    @property
    def closed(self) -> bool:
        return self.status == ActionStatus.CLOSED

    @property
    def overdue(self) -> bool:
        return rules.is_action_overdue(self.closed, self.due_date, self.as_at)

    @property
    def days_to_due(self) -> int:
        return rules.days_until(self.due_date, self.as_at)

    @property
    def age_days(self) -> int:
        return rules.days_until(self.as_at, self.created_on)

    @property
    def review_scheduled(self) -> bool:
        """Closed, with a check that the change held set for a date and not yet recorded."""
        return self.closed and self.review_on is not None and self.reviewed_on is None

    @property
    def review_due(self) -> bool:
        """A scheduled review whose date has come (the open view lists these)."""
        return self.review_scheduled and self.review_on is not None and self.review_on <= self.as_at


def _where(query: ActionQuery) -> tuple[str, dict]:
    as_at = query.as_at
    params: dict = {
        "as_at": as_at.isoformat(),
        "week_end": (as_at + timedelta(days=7)).isoformat(),
        "closed_since": (as_at - timedelta(days=CLOSED_RECENTLY_DAYS)).isoformat(),
    }
    clauses = [_VIEWS[query.view]]
    if query.owner_id is not None:
        clauses.append("a.owner_id = :owner_id")
        params["owner_id"] = query.owner_id
    if query.source is not None:
        clauses.append("a.source = :source")
        params["source"] = query.source.value
    if query.status is not None:
        clauses.append("a.status = :status")
        params["status"] = query.status.value
    if query.query_id is not None:
        clauses.append("a.query_id = :query_id")
        params["query_id"] = query.query_id
    if query.meeting_id is not None:
        clauses.append("a.meeting_id = :meeting_id")
        params["meeting_id"] = query.meeting_id
    if query.carried_into is not None:
        clauses.append(_CARRIED)
        params["carried_into"] = query.carried_into
    if query.triggered_for is not None:
        clauses.append(_TRIGGERED)
        params["triggered_for"] = query.triggered_for
    if search := query.search.strip():
        clauses.append("a.title LIKE :search ESCAPE '\\'")
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["search"] = f"%{escaped}%"
    return " AND ".join(clauses), params


def _order(query: ActionQuery) -> str:
    if query.view == ActionView.CLOSED_RECENTLY and query.sort == ActionSort.DUE:
        return "a.closed_on DESC, a.id DESC"  # the most recently closed first
    return _ORDER[query.sort]


def count_actions(source: Store | Transaction, query: ActionQuery) -> int:
    where, params = _where(query)
    return source.conn.execute(
        f"SELECT count(*) FROM action AS a WHERE {where}", params
    ).fetchone()[0]


_LINE = """
SELECT a.id, a.version, a.title, a.owner_id, o.name, a.status, a.source, a.due_date,
       a.first_due_date, a.due_moves, a.created_on, a.closed_on, a.review_on, a.reviewed_on,
       coalesce(a.reopened_count, 0), a.entry_id, a.meeting_id, a.query_id,
       coalesce(e.local_id, e.nhs_number), m.series, m.held_on, q.matter,
       a.evidence, a.evidence_link, g.text, o.inactive_since IS NOT NULL
FROM action AS a
JOIN person AS o ON o.id = a.owner_id
LEFT JOIN waiting_entry AS e ON e.id = a.entry_id
LEFT JOIN meeting AS m ON m.id = a.meeting_id
LEFT JOIN commissioner_query AS q ON q.id = a.query_id
LEFT JOIN go_live_risk AS g ON g.id = a.risk_id
"""


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _linked_to(
    entry: str | None,
    series: str | None,
    held_on: str | None,
    matter: str | None,
    risk: str | None,
) -> str:
    if matter:
        return f"query: {matter}"
    if risk:
        return f"go-live risk: {risk}"
    if entry:
        return f"entry {entry}"
    if series and held_on:
        return f"{uk(date.fromisoformat(held_on))} {series}"  # the date survives a narrow column
    return ""


def _line(row: tuple, as_at: date) -> ActionLine:
    return ActionLine(
        id=row[0],
        version=row[1],
        title=row[2],
        owner_id=row[3],
        owner=row[4],
        status=ActionStatus(row[5]),
        source=ActionSource(row[6]),
        due_date=date.fromisoformat(row[7]),
        first_due_date=_date(row[8]),
        due_moves=row[9],
        created_on=date.fromisoformat(row[10]),
        closed_on=_date(row[11]),
        review_on=_date(row[12]),
        reviewed_on=_date(row[13]),
        reopened_count=row[14],
        entry_id=row[15],
        meeting_id=row[16],
        query_id=row[17],
        linked_to=_linked_to(row[18], row[19], row[20], row[21], row[24]),
        as_at=as_at,
        evidence=row[22],
        evidence_link=row[23],
        owner_left=bool(row[25]),
    )


def page_of_actions(store: Store, query: ActionQuery, offset: int, limit: int) -> list[ActionLine]:
    where, params = _where(query)
    order = _order(query)
    # The page's ids first (an index range), then only those rows are joined.
    rows = store.db.execute(
        f"""
        WITH page AS (
            SELECT a.id FROM action AS a JOIN person AS o ON o.id = a.owner_id
            WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset
        )
        {_LINE} JOIN page ON page.id = a.id ORDER BY {order}
        """,
        {**params, "limit": limit, "offset": offset},
    ).fetchall()
    return [_line(row, query.as_at) for row in rows]


def each_action(source: Store | Transaction, query: ActionQuery) -> Iterator[ActionLine]:
    """Every action the query matches, in its order, read a row at a time (the export, and
    the actions of the minutes, rendered inside the write that signs a meeting off)."""
    where, params = _where(query)
    cursor = source.conn.execute(f"{_LINE} WHERE {where} ORDER BY {_order(query)}", params)
    for row in cursor:
        yield _line(row, query.as_at)


@dataclass(frozen=True)
class ActionCounts:
    """The Actions screen's headline, from one snapshot."""

    as_at: date
    open: int
    overdue: int
    this_week: int
    review_due: int
    staff: list[Person]
    queries: str = ""
    """The commissioner queries not closed, counted by status in words."""


def action_counts(store: Store, as_at: date) -> ActionCounts:
    with store.reading():
        counted = {
            view: count_actions(store, ActionQuery(as_at, view=view))
            for view in (ActionView.OVERDUE, ActionView.THIS_WEEK)
        }
        where, params = _where(ActionQuery(as_at))
        still_open, review_due = store.db.execute(
            f"SELECT coalesce(sum({_NOT_CLOSED}), 0), coalesce(sum({_REVIEW_DUE}), 0) "
            f"FROM action AS a WHERE {where}",
            params,
        ).fetchone()
        return ActionCounts(
            as_at=as_at,
            open=still_open,
            overdue=counted[ActionView.OVERDUE],
            this_week=counted[ActionView.THIS_WEEK],
            review_due=review_due,
            staff=everyone(store),
            queries=tally(line.standing.state for line in live_queries(store, as_at)),
        )
