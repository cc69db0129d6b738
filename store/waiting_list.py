"""The waiting list a page at a time: counts and pages for a WaitingQuery.

Every query is an index range over the open entries, so the list opens, pages and
filters as fast with a million entries as with a hundred. Nothing here loads a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from huddle import rules
from huddle.models import RiskTier
from huddle.waiting_query import SortBy, WaitingQuery
from store import records
from store.connection import Store
from store.provider_names import provider_names

ESCALATED = "EXISTS (SELECT 1 FROM action AS a WHERE a.entry_id = e.id AND a.source = 'breach')"

# Who the safety brief calls high risk: tier 1, breached or breaching today, a safeguarding
# flag, or an interim contact overdue.
HIGH_RISK = "e.tier = 1 OR e.breach_date <= :as_at OR e.safeguarding = 1 OR e.contact_due < :as_at"

_ORDER = {
    SortBy.DAYS_TO_BREACH: "e.breach_date, e.id",
    SortBy.DAYS_WAITED: "e.referral_date, e.id",
    # Tier 1 has no interim contact (it must be seen): its NULLs sort first, on purpose.
    SortBy.CONTACT_DUE: "e.contact_due, e.id",
    SortBy.TIER: "e.tier, e.breach_date, e.id",
}


@dataclass(frozen=True)
class EntryLine:
    """One row of the list, with what the rules say about it as at the query's date."""

    id: int
    version: int
    local_id: str | None
    nhs_number: str | None
    initials: str
    tier: int
    tier_name: str
    referral_date: date
    breach_date: date | None
    """None while a pause has stopped the clock: it cannot breach until the pause ends."""
    contact_due: date | None
    case_owner_id: int | None
    case_owner: str | None
    provider_id: int
    provider: str
    provider_short: str
    """The name a narrow column shows, none alike (store.provider_names); `provider` whole."""
    safeguarding: bool
    escalated: bool
    paused: bool
    not_in_extract: bool
    as_at: date
    owner_left: bool = False
    """The case owner has left the service: shown as OWNER LEFT until reassigned."""
    days_left_at_resume: int | None = None
    """A stopped clock's days left: it breaches this many days after the pause ends."""
    status: str = "waiting"
    closed_on: date | None = None
    has_outcome: bool = True
    held: bool = False
    """A change from a provider's extract waits for a person (A or K on the entry)."""

    @property
    def closed(self) -> bool:
        """Seen, discharged or removed: listed by a search or the closed filters only, and
        never breached or late any more."""
        return self.status != "waiting"

    @property
    def days_waited(self) -> int:
        # A closed entry waited until the day it closed.
        until = self.closed_on if self.closed and self.closed_on else self.as_at
        return rules.days_waited(self.referral_date, until)

    @property
    def days_to_breach(self) -> int | None:
        """None while the clock is stopped (see `days_left_at_resume`)."""
        if self.breach_date is None:
            return None
        return rules.days_to_breach(self.breach_date, self.as_at)

    @property
    def breached(self) -> bool:
        return (
            not self.closed
            and self.breach_date is not None
            and rules.is_breached(self.breach_date, self.as_at)
        )

    @property
    def contact_overdue(self) -> bool:
        return not self.closed and rules.is_contact_overdue(self.contact_due, self.as_at)

    @property
    def without_escalation(self) -> bool:
        return self.breached and rules.is_breached_without_escalation(
            self.breach_date, self.as_at, self.escalated
        )


def _where(query: WaitingQuery) -> tuple[str, dict]:
    as_at = query.as_at.isoformat()
    week_end = (query.as_at + timedelta(days=7)).isoformat()
    clauses = ["e.status = 'waiting'" if query.waiting_only else "1"]
    params: dict = {"as_at": as_at, "week_end": week_end}
    if query.closed:
        clauses.append("e.status IN ('seen', 'discharged', 'removed')")
    if query.closed_without_outcome:
        # The terms of the reconciliation's partial index (m008), so SQLite reads it.
        clauses.append("e.status != 'waiting' AND coalesce(trim(e.outcome), '') = ''")
    if not query.waiting_only and query.asks_about_waiting:
        # `+` keeps the planner on a search's own indexes rather than the status index.
        clauses.append("+e.status = 'waiting'")
    if query.tier is not None:
        clauses.append("e.tier = :tier")
        params["tier"] = query.tier
    if query.breached or query.without_escalation:
        clauses.append("e.breach_date < :as_at")
    if query.without_escalation:
        clauses.append(f"NOT {ESCALATED}")
    if query.due_this_week:
        clauses.append("e.breach_date >= :as_at AND e.breach_date < :week_end")
    if query.contact_overdue:
        clauses.append("e.contact_due < :as_at")
    if query.safeguarding:
        clauses.append("e.safeguarding = 1")
    if query.high_risk:
        clauses.append(f"({HIGH_RISK})")
    if query.not_in_extract:
        clauses.append("e.not_in_extract_since IS NOT NULL")
    if query.held:
        # Few held changes: their entries, through the index on held_change's state.
        clauses.append("e.id IN (SELECT entry_id FROM held_change WHERE state = 'open')")
    if query.no_owner:
        clauses.append("e.case_owner_id IS NULL")
    if query.owner_id is not None:
        clauses.append("e.case_owner_id = :owner_id")
        params["owner_id"] = query.owner_id
    if query.provider_id is not None:
        clauses.append("e.provider_id = :provider_id")
        params["provider_id"] = query.provider_id
    if search := query.search.strip().upper():
        # Prefix ranges and upper(initials), so three indexes answer the search, which
        # finds closed entries too (WaitingQuery.waiting_only).
        digits = search.replace(" ", "")
        clauses.append(
            "((e.nhs_number >= :digits AND e.nhs_number < :digits || ':')"
            " OR (e.local_id >= :search AND e.local_id < :search || '~')"
            " OR upper(e.initials) = :search)"
        )
        params.update(digits=digits, search=search)
    return " AND ".join(clauses), params


def count_entries(store: Store, query: WaitingQuery) -> int:
    where, params = _where(query)
    return store.db.execute(
        f"SELECT count(*) FROM waiting_entry AS e WHERE {where}", params
    ).fetchone()[0]


def page_of_entries(store: Store, query: WaitingQuery, offset: int, limit: int) -> list[EntryLine]:
    where, params = _where(query)
    order = _ORDER[query.sort]
    # The page's ids come from the index alone; only those rows are joined and checked for
    # an escalation. Skipping rows this way is cheap, so the last page costs like the first.
    rows = store.db.execute(
        f"""
        WITH page AS (
            SELECT e.id FROM waiting_entry AS e WHERE {where}
            ORDER BY {order} LIMIT :limit OFFSET :offset
        )
        SELECT e.id, e.version, e.local_id, e.nhs_number, e.initials, e.tier, t.name,
               e.referral_date, e.breach_date, e.contact_due, e.case_owner_id, p.name,
               e.provider_id, v.name, e.safeguarding,
               {ESCALATED}, e.paused_since, e.not_in_extract_since IS NOT NULL,
               p.inactive_since IS NOT NULL, e.paused_days, t.max_safe_wait_days,
               e.status, e.closed_on, coalesce(trim(e.outcome), '') != '',
               EXISTS (SELECT 1 FROM held_change AS h WHERE h.entry_id = e.id
                       AND h.state = 'open')
        FROM page JOIN waiting_entry AS e ON e.id = page.id
        JOIN risk_tier AS t ON t.number = e.tier
        JOIN provider AS v ON v.id = e.provider_id
        LEFT JOIN person AS p ON p.id = e.case_owner_id
        ORDER BY {order}
        """,
        {**params, "limit": limit, "offset": offset},
    ).fetchall()
    # Read after the page: a provider is never deleted, so every one on it is named.
    providers = provider_names(store.conn)
    return [_line(row, query.as_at, providers) for row in rows]


def _line(row: tuple, as_at: date, providers: dict[int, str]) -> EntryLine:
    referral = date.fromisoformat(row[7])
    breach_on = records.stored_breach(row[8])
    paused_since = date.fromisoformat(row[16]) if row[16] else None
    days_left = None
    if breach_on is None and paused_since is not None:
        # The tier as read in the same statement as the entry, so the two agree.
        tier = RiskTier(number=row[5], name=row[6], max_safe_wait_days=row[20])
        days_left = records.days_left_at_resume(referral, tier, row[19], paused_since)
    return EntryLine(
        id=row[0],
        version=row[1],
        local_id=row[2],
        nhs_number=row[3],
        initials=row[4],
        tier=row[5],
        tier_name=row[6],
        referral_date=referral,
        breach_date=breach_on,
        contact_due=date.fromisoformat(row[9]) if row[9] else None,
        case_owner_id=row[10],
        case_owner=row[11],
        provider_id=row[12],
        provider=row[13],
        provider_short=providers[row[12]],
        safeguarding=bool(row[14]),
        escalated=bool(row[15]),
        paused=paused_since is not None,
        not_in_extract=bool(row[17]),
        as_at=as_at,
        owner_left=bool(row[18]),
        days_left_at_resume=days_left,
        status=row[21],
        closed_on=date.fromisoformat(row[22]) if row[22] else None,
        has_outcome=bool(row[23]),
        held=bool(row[24]),
    )
