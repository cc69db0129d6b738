"""The waiting list as CSV: one row per waiting entry, with its breach and contact position
worked out as at a date, every text cell neutralised against spreadsheet formulas. An entry
whose clock a pause has stopped has no breach date (nor days to breach) in force: its
`clock_paused_since` says why.

Rows are read from SQLite in batches from one cursor, so a million-entry list is written
with the memory of a few thousand rows. The counts agree with `huddle status`: the same
stored breach and contact dates, and the same test for a documented escalation (an action
raised from the breach).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO

from huddle import rules
from huddle.csv_safety import SafeCsvWriter
from store.connection import Store
from store.records import stored_breach

COLUMNS = (
    "local_id",
    "nhs_number",
    "initials",
    "referral_date",
    "tier",
    "tier_name",
    "referral_source",
    "provider",
    "case_owner",
    "last_interim_contact",
    "safeguarding",
    "days_waited",
    "breach_date",
    "breached",
    "days_to_breach",
    "contact_due",
    "contact_overdue",
    "breached_without_escalation",
    "not_in_extract_since",
    "clock_paused_since",
)
BATCH = 5_000

# Most urgent first: by tier, then the earliest breach date. The (status, tier,
# breach_date, contact_due) index gives that order without sorting the whole list.
_WAITING = """
SELECT e.local_id, e.nhs_number, e.initials, e.referral_date, e.tier, t.name,
       e.referral_source, p.name, o.name, e.last_interim_contact, e.safeguarding,
       e.breach_date, e.contact_due, e.not_in_extract_since,
       EXISTS (SELECT 1 FROM action AS a WHERE a.entry_id = e.id AND a.source = 'breach'),
       e.paused_since
FROM waiting_entry AS e
JOIN provider AS p ON p.id = e.provider_id
LEFT JOIN person AS o ON o.id = e.case_owner_id
LEFT JOIN risk_tier AS t ON t.number = e.tier
WHERE e.status = 'waiting'
ORDER BY e.tier, e.breach_date, e.id
"""


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def waiting_rows(store: Store, as_at: date) -> Iterator[tuple]:
    """Each waiting entry as an export row, as at `as_at`, read a batch at a time."""
    cursor = store.conn.execute(_WAITING)
    try:
        while batch := cursor.fetchmany(BATCH):
            for row in batch:
                # The first ten columns go out as stored; the rest are worked out as at `as_at`.
                (
                    stored,
                    (
                        safeguarding,
                        breach_text,
                        contact_due_text,
                        not_in_extract_since,
                        has_escalation,
                        paused_since,
                    ),
                ) = row[:10], row[10:]
                referred = date.fromisoformat(stored[3])
                breach_on = stored_breach(breach_text)
                contact_due = date.fromisoformat(contact_due_text) if contact_due_text else None
                breached = breach_on is not None and rules.is_breached(breach_on, as_at)
                yield (
                    *stored,
                    _yes(safeguarding),
                    rules.days_waited(referred, as_at),
                    breach_on.isoformat() if breach_on else None,
                    _yes(breached),
                    rules.days_to_breach(breach_on, as_at) if breach_on else None,
                    contact_due_text,
                    _yes(rules.is_contact_overdue(contact_due, as_at)),
                    _yes(breached and not has_escalation),
                    not_in_extract_since,
                    paused_since,
                )
    finally:
        cursor.close()


def export_waiting_list(store: Store, as_at: date, out: IO[str]) -> int:
    """Write the header and every waiting entry to `out`; returns the number of entries."""
    writer = SafeCsvWriter(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in waiting_rows(store, as_at):
        writer.writerow(row)
        count += 1
    return count
