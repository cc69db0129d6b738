"""Typed reads and writes: pydantic models in, pydantic models out, every write audited."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from huddle import rules
from huddle.models import (
    DEFAULT_RISK_TIERS,
    Action,
    Addendum,
    Attendance,
    CohortMember,
    CommissionerQuery,
    Decision,
    Deliverable,
    EarlyLifeCheck,
    GoLiveRisk,
    HeldChange,
    InterimContact,
    LadderRung,
    Meeting,
    Metric,
    MetricReview,
    MobilisationProgramme,
    Observation,
    OnCall,
    Person,
    Provider,
    QueryReview,
    RagRating,
    Record,
    Risk,
    RiskClosure,
    RiskTier,
    Series,
    Service,
    ShiftCapacity,
    Supervisor,
    Training,
    TriggerFiring,
    TriggerRule,
    WaitingEntry,
    Workstream,
)
from store.connection import Store, Transaction
from store.errors import NotFound

R = TypeVar("R", bound=Record)

TABLES: dict[type[Record], str] = {
    Service: "service",
    Provider: "provider",
    Person: "person",
    RiskTier: "risk_tier",
    WaitingEntry: "waiting_entry",
    Meeting: "meeting",
    Series: "series",
    Attendance: "attendance",
    Decision: "decision",
    Action: "action",
    InterimContact: "interim_contact",
    CommissionerQuery: "commissioner_query",
    MobilisationProgramme: "mobilisation_programme",
    Risk: "risk",
    RiskClosure: "risk_closure",
    Addendum: "addendum",
    OnCall: "on_call",
    ShiftCapacity: "shift_capacity",
    Workstream: "workstream",
    Deliverable: "deliverable",
    RagRating: "rag_rating",
    Training: "training",
    Supervisor: "supervisor",
    CohortMember: "cohort_member",
    GoLiveRisk: "go_live_risk",
    EarlyLifeCheck: "early_life_check",
    Metric: "metric",
    Observation: "observation",
    TriggerRule: "trigger_rule",
    TriggerFiring: "trigger_firing",
    LadderRung: "ladder_rung",
    HeldChange: "held_change",
    QueryReview: "commissioner_query_review",
    MetricReview: "metric_review",
}


def table_of(record_type: type[Record]) -> str:
    return TABLES[record_type]


def risk_tiers(source: Store | Transaction) -> dict[int, RiskTier]:
    """The service's tiers, read through a store or inside an open write."""
    cursor = source.conn.execute("SELECT * FROM risk_tier ORDER BY number")
    names = [c[0] for c in cursor.description]
    rows = (dict(zip(names, values, strict=True)) for values in cursor.fetchall())
    return {row["number"]: RiskTier.model_validate(row) for row in rows}


# The stored `breach_date` of an entry whose clock a pause has stopped (no breach date in
# force): the calendar's last day, later than any date huddle works with, so every count and
# list that asks `breach_date < :as_at` (or for the week ahead) leaves it out as the rules
# do, through the same indexes, without knowing about pauses; and it sorts last by breach.
CLOCK_STOPPED = date.max.isoformat()


def stored_breach(value: str) -> date | None:
    """The breach date in force from a stored `breach_date`: None while the clock is
    stopped by a pause."""
    return None if value == CLOCK_STOPPED else date.fromisoformat(value)


def entry_row(entry: WaitingEntry, tiers: dict[int, RiskTier]) -> dict:
    """The stored row, with the breach date and contact due worked out by the rules."""
    tier = tiers.get(entry.tier)
    if tier is None:
        known = ", ".join(str(n) for n in sorted(tiers))
        raise ValueError(f"tier {entry.tier} is not one of the service's tiers ({known})")
    row = entry.model_dump(mode="json", exclude={"id", "version"})
    breach_on = rules.breach_date(
        entry.referral_date, tier, entry.paused_days, entry.breach_standing
    )
    in_force = rules.breach_in_force(breach_on, entry.paused_since, entry.breach_standing)
    row["breach_date"] = in_force.isoformat() if in_force else CLOCK_STOPPED
    due = rules.interim_contact_due(entry.referral_date, entry.last_interim_contact, tier)
    row["contact_due"] = due.isoformat() if due else None
    return row


def days_left_at_resume(
    referral_date: date, tier: RiskTier, paused_days: int, paused_since: date
) -> int:
    """The days a stopped clock has left (breach_date is CLOCK_STOPPED, so no standing
    breach): the running breach date, counted from the pause's start."""
    return rules.days_left_at_resume(
        rules.breach_date(referral_date, tier, paused_days), paused_since
    )


def redated_row(stored: dict, entry: WaitingEntry, tiers: dict[int, RiskTier], today: date) -> dict:
    """The row for `entry` replacing the `stored` row: if the entry has breached and the
    change would move its breach date later (or stop its clock), the breach date it had
    stands."""
    row = entry_row(entry, tiers)
    standing = rules.kept_breach(
        stored_breach(stored["breach_date"]),
        entry.breach_standing,
        stored_breach(row["breach_date"]),
        today,
    )
    if standing == entry.breach_standing:
        return row
    return entry_row(entry.model_copy(update={"breach_standing": standing}), tiers)


def to_row(record: Record, tiers: dict[int, RiskTier] | None = None) -> dict:
    if isinstance(record, WaitingEntry):
        if tiers is None:
            raise ValueError("a waiting-list entry needs the risk tiers to be stored")
        return entry_row(record, tiers)
    return record.model_dump(mode="json", exclude={"id", "version"})


def insert(txn: Transaction, record: R, tiers: dict[int, RiskTier] | None = None) -> R:
    """Insert inside an open write; returns the record with its id."""
    new_id = txn.insert(table_of(type(record)), to_row(record, tiers))
    return record.model_copy(update={"id": new_id, "version": 1})


def insert_many(
    txn: Transaction, records: list[R], tiers: dict[int, RiskTier] | None = None
) -> list[int]:
    """Bulk insert of one kind of record inside an open write (one audit row each)."""
    if not records:
        return []
    return txn.insert_many(table_of(type(records[0])), [to_row(r, tiers) for r in records])


def checked_changes(record_type: type[R], stored: dict, changes: dict) -> dict:
    """`changes` to a stored row as they are stored (ISO dates, plain text), once the whole
    record with them applied has been validated, so a refused change writes nothing."""
    row = record_type.model_validate({**stored, **changes}).model_dump(mode="json")
    return {column: row[column] for column in changes}


def _tiers_for(store: Store, record: Record) -> dict[int, RiskTier] | None:
    return risk_tiers(store) if isinstance(record, WaitingEntry) else None


def add(store: Store, record: R, reason: str) -> R:
    """Insert one record in its own audited transaction."""
    record = type(record).model_validate(record.model_dump())
    with store.write(reason) as txn:
        return insert(txn, record, _tiers_for(store, record))


def update(store: Store, record: R, reason: str) -> R:
    """Save `record` over the stored row it was read from.

    `record.version` is the version that was read: if someone else saved in between, this
    raises StaleVersion and changes nothing. The whole record is validated again first
    (a `model_copy(update=...)` skips validation), and the stored row is validated before
    commit, so a refused save never leaves anything behind.
    """
    if record.id is None:
        raise ValueError("only a stored record can be updated")
    if isinstance(record, RiskTier):
        raise ValueError("a risk tier changes through update_risk_tier, which re-dates its entries")
    if isinstance(record, WaitingEntry):
        raise ValueError(
            "a waiting-list entry changes through store.entry_changes, which keeps a breach"
            " that has happened standing"
        )
    if isinstance(record, Action | CommissionerQuery):
        raise ValueError(
            "an action or commissioner query changes through store.actions or"
            " store.commissioner_queries, which keep its evidence and history"
        )
    if isinstance(record, Meeting | Attendance | Decision | Risk | RiskClosure | Addendum):
        raise ValueError(
            "a meeting and what is recorded in it change through store.meetings, which"
            " refuses every change once the meeting is signed off"
        )
    if isinstance(record, QueryReview):
        raise ValueError(
            "a monthly review of a commissioner query stands as recorded: record the next"
            " one (store.commissioner_queries.record_review)"
        )
    if isinstance(record, RagRating):
        raise ValueError(
            "a RAG rating stands as recorded: record a new one, with its rationale"
            " (store.mobilisation.rate)"
        )
    record = type(record).model_validate(record.model_dump())
    with store.write(reason) as txn:
        row = to_row(record, _tiers_for(store, record))
        after = txn.update(table_of(type(record)), record.id, row, record.version)
        return type(record).model_validate(after)


def get(store: Store, record_type: type[R], row_id: int) -> R:
    table = table_of(record_type)
    rows = list(store.db.query(f"SELECT * FROM [{table}] WHERE id = ?", [row_id]))
    if not rows:
        raise NotFound(table, row_id)
    return record_type.model_validate(rows[0])


def service(store: Store) -> Service | None:
    rows = list(store.db.query("SELECT * FROM service ORDER BY id LIMIT 1"))
    return Service.model_validate(rows[0]) if rows else None


def ensure_default_tiers(store: Store) -> None:
    """A new service starts with the default tiers of the design; it can change them."""
    if store.db.execute("SELECT 1 FROM risk_tier LIMIT 1").fetchone():
        return
    with store.write("default risk tiers for a new service") as txn:
        insert_many(txn, list(DEFAULT_RISK_TIERS))


def update_risk_tier(
    store: Store, tier: RiskTier, reason: str, today: date
) -> tuple[RiskTier, int]:
    """Change a tier's safe wait or contact cadence and re-date the entries waiting in it.

    Breach dates are stored for speed, so a changed safe wait must rewrite them in the same
    transaction, or a shortened wait would hide breaches; a lengthened one never clears a
    breach that has happened (`redated_row`). Returns the saved tier and how many entries
    changed (each change audited).
    """
    if tier.id is None:
        raise ValueError("only a stored tier can be changed")
    tier = RiskTier.model_validate(tier.model_dump())
    with store.write(reason) as txn:
        return retier(txn, tier, reason, today)


def retier(txn: Transaction, tier: RiskTier, reason: str, today: date) -> tuple[RiskTier, int]:
    """`update_risk_tier` inside an open write (the service file's set-up is one write)."""
    assert tier.id is not None
    stored_number = txn.conn.execute(
        "SELECT number FROM risk_tier WHERE id = ?", (tier.id,)
    ).fetchone()
    if stored_number and stored_number[0] != tier.number:
        raise ValueError("a tier's number cannot change: entries are filed under it")
    saved = RiskTier.model_validate(txn.update("risk_tier", tier.id, to_row(tier), tier.version))
    tiers = {**risk_tiers(txn), saved.number: saved}
    # Only the entries still waiting: a closed entry's dates are a record of what happened.
    cursor = txn.conn.execute(
        "SELECT * FROM waiting_entry WHERE tier = ? AND status = 'waiting'", (saved.number,)
    )
    names = [c[0] for c in cursor.description]
    changed = 0
    for values in cursor.fetchall():
        stored = dict(zip(names, values, strict=True))
        row = redated_row(stored, WaitingEntry.model_validate(stored), tiers, today)
        changes = {c: row[c] for c in ("breach_date", "contact_due", "breach_standing")}
        if any(stored[c] != value for c, value in changes.items()):
            txn.update(
                "waiting_entry",
                stored["id"],
                changes,
                stored["version"],
                reason=f"{reason} (tier {saved.number} re-dated)",
            )
            changed += 1
    return saved, changed
