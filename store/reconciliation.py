"""The weekly reconciliation, read from one snapshot: duplicates across providers, entries
with no case owner, missing outcomes, and long-wait outliers.

Every query is a range over an index (migration m008 adds those it needs), so the counts
stay quick at a million entries. Only duplicates read a whole index: finding the same NHS
number at two providers means looking at every waiting NHS number once.

Like `huddle status`, the as-at date projects today's list: who is waiting now, and how
long they will have waited by then.
"""

from __future__ import annotations

import heapq
import sqlite3
from dataclasses import replace
from datetime import date, timedelta

from huddle import rules
from huddle.reconciliation import (
    OUTLIER_FACTOR,
    Finding,
    Reconciliation,
    ReconciliationLine,
)
from store.connection import Store
from store.held_changes import open_count, open_held
from store.records import risk_tiers

# Each WHERE below repeats, term for term, the WHERE of its partial index in m008: SQLite
# uses a partial index only for a query whose WHERE contains the index's own terms.
# NHS numbers waiting more than once, then of those the ones at more than one provider:
# counting rows per number is cheaper than comparing providers for every number, and
# this is the one check that reads a whole index (a third quicker at a million entries).
_DUPLICATED_NUMBERS = """
SELECT repeated.nhs_number FROM (
    SELECT nhs_number FROM waiting_entry
    WHERE status = 'waiting' AND nhs_number IS NOT NULL
    GROUP BY nhs_number HAVING count(*) > 1
) AS repeated
WHERE (
    SELECT min(provider_id) < max(provider_id) FROM waiting_entry
    WHERE status = 'waiting' AND nhs_number IS NOT NULL AND nhs_number = repeated.nhs_number
)
"""
_WAITING_WITH_NUMBER = (
    "SELECT id FROM waiting_entry WHERE status = 'waiting' AND nhs_number IS NOT NULL "
    "AND nhs_number = ? ORDER BY id"
)
_NO_CASE_OWNER = "FROM waiting_entry WHERE case_owner_id IS NULL AND status = 'waiting'"
_CLOSED_WITHOUT_OUTCOME = (
    "FROM waiting_entry WHERE status != 'waiting' AND coalesce(trim(outcome), '') = ''"
)
_NOT_IN_EXTRACT = "FROM waiting_entry WHERE status = 'waiting' AND not_in_extract_since IS NOT NULL"
_WAITING_SINCE = (
    "FROM waiting_entry WHERE status = 'waiting' AND tier = :tier AND referral_date < :before"
)

_LINES = """
SELECT e.id, e.local_id, e.nhs_number, e.initials, e.tier, t.name AS tier_name,
       t.max_safe_wait_days, v.name AS provider, p.name AS case_owner, e.referral_date,
       e.status, e.closed_on, e.not_in_extract_since
FROM waiting_entry AS e JOIN provider AS v ON v.id = e.provider_id
LEFT JOIN risk_tier AS t ON t.number = e.tier
LEFT JOIN person AS p ON p.id = e.case_owner_id
WHERE e.id IN ({marks})
"""


def reconciliation(store: Store, as_at: date, shown: int = 10) -> Reconciliation:
    """The four checks as at `as_at`, each with its count and its first `shown` lines."""
    with store.reading():
        return read_reconciliation(store, as_at, shown)


def read_reconciliation(store: Store, as_at: date, shown: int) -> Reconciliation:
    """As `reconciliation`, inside a read the caller has already begun (`store.reading`)."""
    conn = store.conn
    return Reconciliation(
        as_at=as_at,
        duplicates=_duplicates(conn, as_at, shown),
        no_case_owner=_finding(conn, as_at, _NO_CASE_OWNER, "breach_date, id", shown),
        closed_without_outcome=_finding(
            conn, as_at, _CLOSED_WITHOUT_OUTCOME, "closed_on, id", shown
        ),
        not_in_extract=_finding(conn, as_at, _NOT_IN_EXTRACT, "not_in_extract_since, id", shown),
        long_wait_outliers=_long_wait_outliers(store, as_at, shown),
        held_changes=_held(store, as_at, shown),
    )


def _held(store: Store, as_at: date, shown: int) -> Finding:
    """Open held changes, oldest first, each on the line of its entry."""
    count = open_count(store.conn)
    if not count or shown <= 0:
        return Finding(count)
    held = open_held(store, limit=shown)
    entries = _lines(store.conn, as_at, [line.entry_id for line in held])
    return Finding(
        count,
        tuple(
            replace(entry, held=line.describe()) for entry, line in zip(entries, held, strict=True)
        ),
    )


def _finding(conn: sqlite3.Connection, as_at: date, where: str, order: str, shown: int) -> Finding:
    count = conn.execute(f"SELECT count(*) {where}").fetchone()[0]
    if not count or shown <= 0:
        return Finding(count)
    ids = [row[0] for row in conn.execute(f"SELECT id {where} ORDER BY {order} LIMIT ?", (shown,))]
    return Finding(count, _lines(conn, as_at, ids))


def _duplicates(conn: sqlite3.Connection, as_at: date, shown: int) -> Finding:
    # One pass both counts and finds the first: the whole index is read either way, and a
    # second pass would double the cost. The few found are put in order here rather than
    # by SQLite, which would sort them in a temporary table.
    numbers = [row[0] for row in conn.execute(_DUPLICATED_NUMBERS)]
    lines = []
    for number in heapq.nsmallest(shown, numbers):
        ids = [row[0] for row in conn.execute(_WAITING_WITH_NUMBER, (number,))]
        entries = _lines(conn, as_at, ids)
        # One line per person: their first entry, naming every provider holding them.
        providers = tuple(sorted({entry.provider for entry in entries}))
        lines.append(replace(entries[0], providers=providers))
    return Finding(len(numbers), tuple(lines))


def _long_wait_outliers(store: Store, as_at: date, shown: int) -> Finding:
    """Waiting more than twice the tier's safe wait: one index range per tier, the most
    urgent tier's longest waits first."""
    conn, count, ids = store.conn, 0, []
    for number, tier in sorted(risk_tiers(store).items()):
        limit = as_at - timedelta(days=OUTLIER_FACTOR * tier.max_safe_wait_days)
        params = {"tier": number, "before": limit.isoformat()}
        count += conn.execute(f"SELECT count(*) {_WAITING_SINCE}", params).fetchone()[0]
        if len(ids) < shown:
            ids += [
                row[0]
                for row in conn.execute(
                    f"SELECT id {_WAITING_SINCE} ORDER BY referral_date, id LIMIT :limit",
                    {**params, "limit": shown - len(ids)},
                )
            ]
    return Finding(count, _lines(conn, as_at, ids))


def _lines(conn: sqlite3.Connection, as_at: date, ids: list[int]) -> tuple[ReconciliationLine, ...]:
    """The lines for `ids`, in the order given."""
    if not ids:
        return ()
    cursor = conn.execute(_LINES.format(marks=", ".join("?" * len(ids))), ids)
    names = [column[0] for column in cursor.description]
    rows = (dict(zip(names, values, strict=True)) for values in cursor.fetchall())
    by_id = {row["id"]: _line(row, as_at) for row in rows}
    return tuple(by_id[entry_id] for entry_id in ids)


def _line(row: dict, as_at: date) -> ReconciliationLine:
    referral_date = date.fromisoformat(row["referral_date"])
    closed_on = date.fromisoformat(row["closed_on"]) if row["closed_on"] else None
    since = row["not_in_extract_since"]
    # A closed entry waited until it closed; one still waiting, until the as-at date.
    waited_to = closed_on if row["status"] != "waiting" and closed_on else as_at
    return ReconciliationLine(
        id=row["id"],
        local_id=row["local_id"],
        nhs_number=row["nhs_number"],
        initials=row["initials"],
        tier=row["tier"],
        tier_name=row["tier_name"] or "",
        max_safe_wait_days=row["max_safe_wait_days"],
        provider=row["provider"],
        case_owner=row["case_owner"],
        referral_date=referral_date,
        days_waited=rules.days_waited(referral_date, waited_to),
        status=row["status"],
        closed_on=closed_on,
        not_in_extract_since=date.fromisoformat(since) if since else None,
    )
