"""The append-only, SHA-256 hash-chained audit trail.

Every insert, update and delete writes one audit row in the same transaction as the
change. Each row's hash covers its own fields and the previous row's hash, so editing,
removing or reordering any row breaks the chain from that row on; `verify_chain` names
the first row that does not match.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

GENESIS = "0" * 64
# `verify_chain` tells its caller this often how far it has got.
VERIFIED_EVERY = 10_000

AUDIT_COLUMNS = (
    "id",
    "at",
    "actor",
    "table_name",
    "row_id",
    "operation",
    "before",
    "after",
    "reason",
    "prev_hash",
    "hash",
    "via",
)


@dataclass(frozen=True)
class AuditEvent:
    """One change to be recorded, before it is chained."""

    table_name: str
    row_id: int
    operation: str  # insert | update | delete
    before: dict | None
    after: dict | None
    reason: str


# One encoder for every row: json.dumps with arguments builds a new one per call, which
# is a measurable share of a million-row load.
_ROW_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
_PAYLOAD_ENCODER = json.JSONEncoder(separators=(",", ":"))


def to_json(row: dict | None) -> str | None:
    return None if row is None else _ROW_ENCODER.encode(row)


def chain_hash(
    prev_hash: str,
    at: str,
    actor: str,
    table_name: str,
    row_id: int,
    operation: str,
    before: str | None,
    after: str | None,
    reason: str,
    via: str | None = None,
) -> str:
    """`via` (how the actor came to act) is hashed only when there is one: the rows written
    before it existed, which have none, keep the hashes they were chained with."""
    fields = [prev_hash, at, actor, table_name, row_id, operation, before, after, reason]
    payload = _PAYLOAD_ENCODER.encode(fields if via is None else [*fields, via])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain_head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last audit row's id and hash (0 and the genesis hash for an empty trail)."""
    row = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (row[0], row[1])


def append(
    conn: sqlite3.Connection,
    actor: str,
    at: str,
    events: Iterable[AuditEvent],
    via: str | None = None,
) -> None:
    """Chain and insert audit rows. The caller holds the write transaction.

    `via`: how `actor` came to be acting ("login jess", "password", "--user"); None only
    for the upgrade's own rows, some written before the column exists."""
    last_id, prev = chain_head(conn)
    rows = []
    for offset, event in enumerate(events, start=1):
        before, after = to_json(event.before), to_json(event.after)
        digest = chain_hash(
            prev,
            at,
            actor,
            event.table_name,
            event.row_id,
            event.operation,
            before,
            after,
            event.reason,
            via,
        )
        rows.append(
            (
                last_id + offset,
                at,
                actor,
                event.table_name,
                event.row_id,
                event.operation,
                before,
                after,
                event.reason,
                prev,
                digest,
                *(() if via is None else (via,)),
            )
        )
        prev = digest
    columns = AUDIT_COLUMNS if via is not None else AUDIT_COLUMNS[:-1]
    conn.executemany(
        f"INSERT INTO audit ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        rows,
    )


@dataclass(frozen=True)
class ChainFault:
    audit_id: int
    table_name: str
    row_id: int
    problem: str

    def __str__(self) -> str:
        return (
            f"audit chain broken at audit row {self.audit_id} "
            f"(table {self.table_name}, row {self.row_id}): {self.problem}"
        )


def _audit_rows(conn: sqlite3.Connection) -> Iterator[tuple]:
    # A backup taken before `via` existed is checked as it is, never upgraded first.
    has_via = any(row[1] == "via" for row in conn.execute("PRAGMA table_info(audit)"))
    columns = ", ".join(AUDIT_COLUMNS if has_via else (*AUDIT_COLUMNS[:-1], "NULL"))
    cursor = conn.execute(f"SELECT {columns} FROM audit ORDER BY id")
    while batch := cursor.fetchmany(10_000):
        yield from batch


def verify_chain(
    conn: sqlite3.Connection, verified: Callable[[int], None] | None = None
) -> tuple[int, ChainFault | None]:
    """Recompute every hash. Returns (rows checked, first fault or None); `verified` hears
    the rows checked so far every VERIFIED_EVERY rows."""
    prev, expected_id, checked = GENESIS, 1, 0
    for (
        audit_id,
        at,
        actor,
        table_name,
        row_id,
        operation,
        before,
        after,
        reason,
        prev_hash,
        digest,
        via,
    ) in _audit_rows(conn):
        checked += 1
        if audit_id != expected_id:
            return checked, ChainFault(
                audit_id, table_name, row_id, f"row {expected_id} is missing"
            )
        if prev_hash != prev:
            return checked, ChainFault(
                audit_id, table_name, row_id, "previous-hash link does not match"
            )
        recomputed = chain_hash(
            prev_hash, at, actor, table_name, row_id, operation, before, after, reason, via
        )
        if recomputed != digest:
            return checked, ChainFault(
                audit_id, table_name, row_id, "contents do not match their hash"
            )
        prev, expected_id = digest, expected_id + 1
        if verified is not None and checked % VERIFIED_EVERY == 0:
            verified(checked)
    return checked, None
