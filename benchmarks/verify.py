"""Checking a database against what its writers acknowledged (issue #8): the one place the
crash, concurrency and backup harnesses decide whether anything was lost or half written.

Each write's audit rows carry its writer's actor and the time the store stamped on its
transaction, which the writer noted as the transaction began (benchmarks/acks.py). So the
audit rows of one write are found together, and compared with what that write should
leave: all of it, or (if it never committed) none of it.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from benchmarks.acks import Attempt, Ledger, Shape, Written
from store.check import check_database

FAILED = ("conflict", "refused", "locked")
# Where a writer was when it was killed, as the crash figures name it.
BETWEEN_WRITES = "between writes"
BEFORE_BEGIN = "in a write, before its transaction began"
ROLLED_BACK = "inside a transaction (rolled back on reopening)"
UNACKNOWLEDGED = "after its commit, before the acknowledgement"


@dataclass(frozen=True)
class Findings:
    integrity: list[str]  # PRAGMA integrity_check
    half: list[str]  # audit chain or record faults, and writes present in part
    lost: list[str]  # acknowledged writes not there at their version
    checked: int  # acknowledged rows looked up
    whole: int  # writes of several rows found complete

    @property
    def corrupt(self) -> bool:
        return self.integrity != ["ok"]

    @property
    def ok(self) -> bool:
        return not (self.corrupt or self.half or self.lost)


def _groups(conn: sqlite3.Connection, actors: Iterable[str]) -> dict[tuple[str, str], Shape]:
    """Audit rows by writer and transaction time, counted by "table operation"."""
    found: dict[tuple[str, str], Shape] = defaultdict(dict)
    actors = sorted(set(actors))
    for start in range(0, len(actors), 500):
        chunk = actors[start : start + 500]
        cursor = conn.execute(
            "SELECT actor, at, table_name || ' ' || operation, count(*) FROM audit "
            f"WHERE actor IN ({', '.join('?' * len(chunk))}) GROUP BY actor, at, table_name, "
            "operation",
            chunk,
        )
        for actor, at, what, rows in cursor:
            found[actor, at][what] = rows
    return found


def _partial(ledger: Ledger, attempt: Attempt, found: Shape) -> str | None:
    """What is wrong with the rows one attempt left, if anything. Rows of a write that
    committed after a backup or a kill cut its acknowledgement short are fine; absent rows
    of an acknowledged write are for `_missing` to find."""
    if not found:
        return None
    if attempt.outcome in FAILED:
        return f"{ledger.actor}: {attempt.op} was {attempt.outcome} but wrote {found}"
    if found != attempt.shape:
        return f"{ledger.actor}: {attempt.op} at {attempt.at} left {found} of {attempt.shape}"
    return None


def _half_written(conn: sqlite3.Connection, ledgers: list[Ledger]) -> tuple[list[str], int]:
    """Writes present in part, and audit rows no attempt accounts for; and how many writes
    of several rows were found whole."""
    groups = _groups(conn, (ledger.actor for ledger in ledgers))
    problems, whole = [], 0
    for ledger in ledgers:
        for attempt in ledger.attempts:
            if attempt.at is None:
                continue
            found = groups.pop((ledger.actor, attempt.at), {})
            if problem := _partial(ledger, attempt, found):
                problems.append(problem)
            elif found and sum(found.values()) > 1:
                whole += 1
    problems.extend(
        f"{actor}: audit rows {shape} at {at} that no attempt began"
        for (actor, at), shape in groups.items()
    )
    return problems, whole


class _History:
    """The audited versions of each row looked up, read once per row."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rows: dict[tuple[str, int], set[tuple[str, str, int]]] = {}

    def has(self, row: Written, actor: str, at: str) -> bool:
        key = (row.table, row.row_id)
        if key not in self.rows:
            cursor = self.conn.execute(
                "SELECT actor, at, after FROM audit WHERE table_name = ? AND row_id = ?", key
            )
            self.rows[key] = {
                (who, when, json.loads(after)["version"])
                for who, when, after in cursor
                if after is not None
            }
        return (actor, at, row.version) in self.rows[key]

    def live_version(self, row: Written) -> int | None:
        found = self.conn.execute(
            f"SELECT version FROM [{row.table}] WHERE id = ?", (row.row_id,)
        ).fetchone()
        return None if found is None else found[0]


def _missing(conn: sqlite3.Connection, ledgers: list[Ledger]) -> tuple[list[str], int]:
    """Acknowledged rows whose audited change is gone, or whose row is behind the version
    it was acknowledged at."""
    history, problems, checked = _History(conn), [], 0
    for ledger in ledgers:
        for attempt in ledger.committed():
            for row in attempt.rows:
                checked += 1
                live = history.live_version(row)
                if live is None or live < row.version:
                    problems.append(f"{ledger.actor}: {attempt.op} {row} is at version {live}")
                elif not history.has(row, ledger.actor, attempt.at):
                    problems.append(f"{ledger.actor}: {attempt.op} {row} has no audit row")
    return problems, checked


def verify(
    conn: sqlite3.Connection,
    acknowledged: list[Ledger],
    attempted: list[Ledger] | None = None,
) -> Findings:
    """The file's own check (integrity, audit chain, every record against its last audit
    row), every write in `acknowledged` present, and every write in `attempted` (the same
    ledgers unless a later reading is given: a backup is checked against what was
    acknowledged before it began, and what was attempted by the time it ended) present
    whole or not at all."""
    report = check_database(conn)
    half = [str(fault) for fault in (report.chain_fault, report.row_fault) if fault is not None]
    partial, whole = _half_written(conn, acknowledged if attempted is None else attempted)
    lost, checked = _missing(conn, acknowledged)
    return Findings(report.integrity, half + partial, lost, checked, whole)


def killed_at(conn: sqlite3.Connection, ledger: Ledger) -> str:
    """Where in its work a killed writer was, told from its last acknowledgement and
    whether the transaction it had begun is in the database."""
    attempt = ledger.unfinished()
    if attempt is None:
        return BETWEEN_WRITES
    if attempt.at is None:
        return BEFORE_BEGIN
    landed = conn.execute(
        "SELECT 1 FROM audit WHERE actor = ? AND at = ? LIMIT 1", (ledger.actor, attempt.at)
    ).fetchone()
    return UNACKNOWLEDGED if landed else ROLLED_BACK


def lost_updates(
    conn: sqlite3.Connection, ledgers: list[Ledger], before: dict[tuple[str, int], int], since: int
) -> list[str]:
    """Rows changed by several writers at once: each must be at its version before plus one
    for every acknowledged change, each version acknowledged by exactly one writer, with one
    audited update per change after audit row `since`."""
    acknowledged: dict[tuple[str, int], list[int]] = defaultdict(list)
    for ledger in ledgers:
        for attempt in ledger.committed():
            for row in attempt.rows:
                acknowledged[row.table, row.row_id].append(row.version)
    problems = []
    for (table, row_id), version in before.items():
        saved = sorted(acknowledged[table, row_id])
        final = conn.execute(f"SELECT version FROM [{table}] WHERE id = ?", (row_id,)).fetchone()[0]
        updates = conn.execute(
            "SELECT count(*) FROM audit WHERE table_name = ? AND row_id = ? "
            "AND operation = 'update' AND id > ?",
            (table, row_id, since),
        ).fetchone()[0]
        if saved != list(range(version + 1, final + 1)) or updates != len(saved):
            problems.append(
                f"{table} {row_id}: version {version} -> {final} with {len(saved)} changes "
                f"acknowledged ({saved[:5]}...) and {updates} audited"
            )
    return problems
