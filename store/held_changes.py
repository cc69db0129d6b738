"""Held changes: what a provider's extract asked for that waits for a person.

An import stores them (`store.waiting_import`, by the rules of `huddle.extract_ownership`);
here a person reads them and resolves each, accepting the extract's value or keeping
huddle's, with a reason: one audited write that changes the entry (when accepted) and the
held change together. Open ones are few, and read through the index on their state.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from huddle.dates import uk
from huddle.extract_ownership import FIELD_WORDS, shown
from huddle.models import EntryStatus, HeldState
from store import entry_changes, records
from store.connection import Store, Transaction
from store.errors import NotFound

_OPEN = """
SELECT h.id, h.version, h.entry_id, h.field, h.extract_value, h.huddle_value, h.source,
       h.held_on, e.local_id, e.nhs_number, v.name AS provider
FROM held_change AS h JOIN waiting_entry AS e ON e.id = h.entry_id
JOIN provider AS v ON v.id = e.provider_id
WHERE h.state = 'open' {where}
ORDER BY h.held_on, h.id
"""


@dataclass(frozen=True)
class HeldLine:
    """One open held change, in words."""

    id: int
    version: int
    entry_id: int
    field: str
    what: str  # the field in words
    extract_says: str
    huddle_holds: str
    source: str
    held_on: date
    who: str
    provider: str

    def describe(self) -> str:
        if self.field == "status":
            return f"{self.what} (closed here as {self.huddle_holds})"
        return f"{self.what}: {self.extract_says} in the extract, {self.huddle_holds} here"


def open_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM held_change WHERE state = 'open'").fetchone()[0]


def open_held(
    source: Store | Transaction, entry_id: int | None = None, limit: int = 200
) -> list[HeldLine]:
    """The open held changes, oldest first: of one entry, or of all (the first `limit`).
    Through a store, or inside a read or write the caller has begun."""
    conn = source.conn
    where, params = ("AND h.entry_id = ?", [entry_id]) if entry_id is not None else ("", [])
    cursor = conn.execute(_OPEN.format(where=where) + " LIMIT ?", [*params, limit])
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    tiers = records.risk_tiers(source)
    owners = {
        json.loads(row[column])
        for row in rows
        if row["field"] == "case_owner_id"
        for column in ("extract_value", "huddle_value")
    } - {None}
    marks = ", ".join("?" * len(owners))
    people = dict(conn.execute(f"SELECT id, name FROM person WHERE id IN ({marks})", [*owners]))
    return [_line(row, people, tiers) for row in rows]


def _line(row: dict, people: dict[int, str], tiers: dict) -> HeldLine:
    name = row["field"]
    said, held = json.loads(row["extract_value"]), json.loads(row["huddle_value"])
    who = row["local_id"] or row["nhs_number"]
    return HeldLine(
        id=row["id"],
        version=row["version"],
        entry_id=row["entry_id"],
        field=name,
        what=FIELD_WORDS.get(name, name),
        extract_says=shown(name, said, people, tiers),
        huddle_holds=shown(name, held, people, tiers),
        source=row["source"],
        held_on=date.fromisoformat(row["held_on"]),
        who=f"local id {who}" if row["local_id"] else f"NHS {who}",
        provider=row["provider"],
    )


def resolve(
    store: Store,
    held_id: int,
    version: int,
    *,
    accept: bool,
    reason: str,
    today: date,
) -> None:
    """Accept the extract's value (the entry takes it, re-dated by the rules, so a breach
    that has happened still stands) or keep huddle's, with the person's reason: one write."""
    reason = reason.strip()
    if not reason:
        raise ValueError("reason: say why (it goes in the audit trail)")
    verb = "accepted" if accept else "kept huddle's value"
    with store.write(f"held change {verb}: {reason}") as txn:
        held = txn.row("held_change", held_id)
        if held is None:
            raise NotFound("held_change", held_id)
        if held["state"] != HeldState.OPEN:
            raise ValueError(f"this held change was resolved already ({held['state']})")
        if accept:
            _accept(txn, held, today, reason)
        state = HeldState.ACCEPTED if accept else HeldState.KEPT
        txn.update("held_change", held_id, state.resolved(today, reason), version)


def _accept(txn: Transaction, held: dict, today: date, reason: str) -> None:
    entry = txn.row("waiting_entry", held["entry_id"])
    if entry is None:
        raise NotFound("waiting_entry", held["entry_id"])
    if held["field"] == "status":
        if entry["status"] == EntryStatus.WAITING:
            raise ValueError("the entry is waiting again already: keep this held change")
        entry_changes.reopened(txn, entry, entry["version"], today, reason)
        return
    if entry["status"] != EntryStatus.WAITING:
        closed = f" on {uk(date.fromisoformat(entry['closed_on']))}" if entry["closed_on"] else ""
        raise ValueError(
            f"the entry was closed{closed}: keep this held change, or reopen the entry first"
        )
    changes = {held["field"]: json.loads(held["extract_value"])}
    if held["field"] == "tier":
        changes["tier_by_huddle"] = False  # a person gave the tier back to the extract
    entry_changes.changed(txn, entry, entry["version"], today, changes)
