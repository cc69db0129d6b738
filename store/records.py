"""Typed reads and writes: pydantic models in, pydantic models out, every write audited."""

from __future__ import annotations

from typing import TypeVar

from huddle import rules
from huddle.models import (
    DEFAULT_RISK_TIERS,
    Action,
    Attendance,
    Decision,
    Meeting,
    MobilisationProgramme,
    Person,
    Provider,
    Record,
    RiskTier,
    Service,
    WaitingEntry,
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
    Attendance: "attendance",
    Decision: "decision",
    Action: "action",
    MobilisationProgramme: "mobilisation_programme",
}


def table_of(record_type: type[Record]) -> str:
    return TABLES[record_type]


def risk_tiers(store: Store) -> dict[int, RiskTier]:
    rows = store.db.query("SELECT * FROM risk_tier ORDER BY number")
    return {row["number"]: RiskTier.model_validate(row) for row in rows}


def entry_row(entry: WaitingEntry, tiers: dict[int, RiskTier]) -> dict:
    """The stored row, with the breach date and contact due worked out by the rules."""
    tier = tiers.get(entry.tier)
    if tier is None:
        known = ", ".join(str(n) for n in sorted(tiers))
        raise ValueError(f"tier {entry.tier} is not one of the service's tiers ({known})")
    row = entry.model_dump(mode="json", exclude={"id", "version"})
    row["breach_date"] = rules.breach_date(entry.referral_date, tier).isoformat()
    due = rules.interim_contact_due(entry.referral_date, entry.last_interim_contact, tier)
    row["contact_due"] = due.isoformat() if due else None
    return row


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


def add(store: Store, record: R, reason: str) -> R:
    """Insert one record in its own audited transaction."""
    tiers = risk_tiers(store) if isinstance(record, WaitingEntry) else None
    with store.write(reason) as txn:
        return insert(txn, record, tiers)


def update(store: Store, record: R, reason: str) -> R:
    """Save `record` over the stored row it was read from.

    `record.version` is the version that was read: if someone else saved in between, this
    raises StaleVersion and changes nothing.
    """
    if record.id is None:
        raise ValueError("only a stored record can be updated")
    tiers = risk_tiers(store) if isinstance(record, WaitingEntry) else None
    with store.write(reason) as txn:
        after = txn.update(table_of(type(record)), record.id, to_row(record, tiers), record.version)
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


def programme(store: Store) -> MobilisationProgramme | None:
    rows = list(store.db.query("SELECT * FROM mobilisation_programme ORDER BY id LIMIT 1"))
    return MobilisationProgramme.model_validate(rows[0]) if rows else None


def ensure_default_tiers(store: Store) -> None:
    """A new service starts with the default tiers of the design; it can change them."""
    if store.db.execute("SELECT 1 FROM risk_tier LIMIT 1").fetchone():
        return
    with store.write("default risk tiers for a new service") as txn:
        insert_many(txn, list(DEFAULT_RISK_TIERS))
