"""One waiting-list entry in full: what it is now, its contacts and escalations, and its
history from the audit trail (every change, by whom, when and why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle.models import ActionSource, Person, RiskTier, WaitingEntry
from store import records
from store.connection import Store
from store.errors import NotFound
from store.held_changes import HeldLine, open_held
from store.history import HistoryLine, audit_trail, changes, shown
from store.people import everyone

# The audit trail's column names in the words the huddle uses; columns not named here
# (stored derivations such as contact_due, and `version`) are left out of the history.
_WORDS = {
    "tier": "tier",
    "referral_date": "referral date",
    "breach_date": "breach date",
    "breach_standing": "breach stands from",
    "last_interim_contact": "last interim contact",
    "case_owner_id": "case owner",
    "provider_id": "provider",
    "status": "status",
    "outcome": "outcome",
    "paused_since": "clock paused since",
    "pause_reason": "pause reason",
    "paused_days": "days paused",
    "clock_resumed_on": "clock resumed on",
    "last_reviewed_on": "reviewed",
    "safeguarding": "safeguarding",
    "nhs_number": "NHS number",
    "local_id": "local id",
    "initials": "initials",
    "not_in_extract_since": "not in the extract since",
}


@dataclass(frozen=True)
class ContactLine:
    contact_on: date
    kind: str
    outcome: str
    made_by: str


@dataclass(frozen=True)
class EscalationLine:
    title: str
    rung: str | None
    owner: str
    due_date: date
    status: str


@dataclass(frozen=True)
class EntryDetail:
    entry: WaitingEntry
    tiers: dict[int, RiskTier]
    provider: str
    case_owner: str | None
    breach_date: date | None
    """As stored: the rules' answer, including pauses and a breach that stands; None while
    a pause has stopped the clock."""
    days_left_at_resume: int | None
    """While the clock is stopped: it breaches this many days after the pause ends."""
    contact_due: date | None
    escalated: bool
    """Has a breach escalation action (open or closed), as the list and the counts say."""
    not_in_extract_since: date | None
    contacts: list[ContactLine]
    escalations: list[EscalationLine]
    history: list[HistoryLine]
    staff: list[Person]
    """Everyone an owner or a contact can be, for the entry's forms."""
    held: tuple[HeldLine, ...] = ()
    """Changes a provider's extract asked for, held for a person to accept or keep."""

    @property
    def tier(self) -> RiskTier:
        return self.tiers[self.entry.tier]

    @property
    def case_owner_left(self) -> bool:
        """The case owner has left the service: OWNER LEFT until someone else is given it."""
        return any(p.id == self.entry.case_owner_id and not p.active for p in self.staff)


def entry_detail(store: Store, entry_id: int) -> EntryDetail:
    with store.reading():
        rows = list(store.db.query("SELECT * FROM waiting_entry WHERE id = ?", [entry_id]))
        if not rows:
            raise NotFound("waiting_entry", entry_id)
        row = rows[0]
        entry = WaitingEntry.model_validate(row)
        tiers = records.risk_tiers(store)
        breach_on = records.stored_breach(row["breach_date"])
        staff = everyone(store)
        names = {person.id: person.name for person in staff}
        providers = {p["id"]: p["name"] for p in store.db.query("SELECT id, name FROM provider")}
        return EntryDetail(
            entry=entry,
            tiers=tiers,
            provider=providers[entry.provider_id],
            case_owner=names.get(entry.case_owner_id),
            breach_date=breach_on,
            days_left_at_resume=(
                records.days_left_at_resume(
                    entry.referral_date, tiers[entry.tier], entry.paused_days, entry.paused_since
                )
                if breach_on is None and entry.paused_since is not None
                else None
            ),
            contact_due=_date(row["contact_due"]),
            escalated=bool(
                store.conn.execute(
                    "SELECT 1 FROM action WHERE entry_id = ? AND source = ?",
                    (entry_id, ActionSource.BREACH),
                ).fetchone()
            ),
            not_in_extract_since=_date(row["not_in_extract_since"]),
            contacts=[
                ContactLine(date.fromisoformat(c[0]), c[1], c[2], names.get(c[3], "?"))
                for c in store.conn.execute(
                    "SELECT contact_on, kind, outcome, made_by FROM interim_contact "
                    "WHERE entry_id = ? ORDER BY contact_on DESC, id DESC",
                    (entry_id,),
                )
            ],
            escalations=[
                EscalationLine(a[0], a[1], names.get(a[2], "?"), date.fromisoformat(a[3]), a[4])
                for a in store.conn.execute(
                    "SELECT title, rung, owner_id, due_date, status FROM action "
                    "WHERE entry_id = ? ORDER BY id DESC",
                    (entry_id,),
                )
            ],
            history=_history(store, entry_id, names, providers),
            staff=staff,
            held=tuple(open_held(store, entry_id)),
        )


def _in_force(row: dict) -> dict:
    """The row with a stopped clock's breach date said as none (shown as —), not as the
    far date it is stored as."""
    if row.get("breach_date") == records.CLOCK_STOPPED:
        return {**row, "breach_date": None}
    return row


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _history(
    store: Store, entry_id: int, names: dict[int, str], providers: dict[int, str]
) -> list[HistoryLine]:
    """The entry's audit rows and those of its contacts and actions, oldest first (the
    audit index on table and row answers each part)."""

    def describe(table: str, operation: str, before: dict, after: dict) -> str:
        if table == "interim_contact":
            return f"interim contact ({after.get('kind')}) on {shown('contact_on', after, names)}"
        if table == "action":
            kind = "escalation" if after.get("source") == ActionSource.BREACH else "action"
            if operation == "insert":
                return f"{kind} opened: {after.get('title')}, owner {names.get(after['owner_id'])}"
            return f"{kind} {after.get('status', operation)}: {after.get('title')}"
        if operation == "insert":
            return "added to the waiting list"
        return changes(_in_force(before), _in_force(after), _WORDS, names, providers)

    return audit_trail(
        store,
        """(table_name = 'waiting_entry' AND row_id = :entry)
           OR (table_name = 'interim_contact' AND row_id IN
                (SELECT id FROM interim_contact WHERE entry_id = :entry))
           OR (table_name = 'action' AND row_id IN
                (SELECT id FROM action WHERE entry_id = :entry))""",
        {"entry": entry_id},
        describe,
    )
