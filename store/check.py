"""`huddle check`: is the file sound, is the audit trail whole and unaltered, and does every
record still match its last audited state?"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from store import driver
from store.audit import ChainFault, chain_head, verify_chain

# Told how far a check (or a backup) has got: what is counted, how many done, of how many.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RowFault:
    """A record that differs from what the audit trail says was last written to it."""

    table_name: str
    row_id: int
    problem: str

    def __str__(self) -> str:
        return f"{self.table_name} row {self.row_id}: {self.problem}"


@dataclass(frozen=True)
class CheckReport:
    integrity: list[str]
    audit_rows: int
    head_hash: str
    chain_fault: ChainFault | None
    row_fault: RowFault | None

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and self.chain_fault is None and self.row_fault is None

    def lines(self) -> list[str]:
        found = [
            "integrity_check: ok"
            if self.integrity == ["ok"]
            else f"integrity_check FAILED: {'; '.join(self.integrity[:5])}",
        ]
        if self.chain_fault is None:
            # The head lets a copy kept elsewhere (e.g. in signed-off minutes) show that no
            # rows were cut from the end.
            found.append(f"audit chain: ok ({self.audit_rows} rows, head {self.head_hash})")
        else:
            found.append(f"audit chain FAILED: {self.chain_fault}")
        if self.row_fault is None:
            found.append("records: ok (each matches its last audited change)")
        else:
            found.append(f"records FAILED: {self.row_fault}")
        return found


def _audited_tables(conn: sqlite3.Connection) -> list[str]:
    """Every editable table (they all carry a version)."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return [
        table
        for table in tables
        if any(column[1] == "version" for column in conn.execute(f"PRAGMA table_info([{table}])"))
    ]


def _stream(cursor: sqlite3.Cursor) -> Iterator[tuple]:
    while batch := cursor.fetchmany(10_000):
        yield from batch


def _live_rows(conn: sqlite3.Connection, table: str) -> Iterator[tuple[int, dict]]:
    cursor = conn.execute(f"SELECT * FROM [{table}] ORDER BY id")
    names = [column[0] for column in cursor.description]
    for values in _stream(cursor):
        row = dict(zip(names, values, strict=True))
        yield row["id"], row


def _matches(live: dict, audited_after: str | None) -> bool:
    """A column the audited state does not name (added by a later migration) must still be
    NULL: set outside huddle, it shows as a difference."""
    audited = json.loads(audited_after) if audited_after else {}
    return all(audited.get(column) == value for column, value in live.items()) and all(
        column in live for column in audited
    )


def _last_audited(conn: sqlite3.Connection, table: str) -> Iterator[tuple[int, str, str | None]]:
    cursor = conn.execute(
        "SELECT a.row_id, a.operation, a.after FROM audit AS a JOIN "
        "(SELECT max(id) AS id FROM audit WHERE table_name = ? GROUP BY row_id) AS last "
        "ON a.id = last.id ORDER BY a.row_id",
        (table,),
    )
    yield from _stream(cursor)


def _first_row_fault(conn: sqlite3.Connection, table: str) -> RowFault | None:
    """Walk the live rows and their last audit rows together, both in id order."""
    live = _live_rows(conn, table)
    audited = _last_audited(conn, table)
    row, record = next(live, None), next(audited, None)
    while row is not None or record is not None:
        if record is None or (row is not None and row[0] < record[0]):
            return RowFault(table, row[0], "not in the audit trail (written outside huddle)")
        if row is None or record[0] < row[0]:
            if record[1] != "delete":
                return RowFault(table, record[0], "missing, with no audited delete")
            record = next(audited, None)
            continue
        if record[1] == "delete":
            return RowFault(table, row[0], "present although its delete was audited")
        if not _matches(row[1], record[2]):
            return RowFault(table, row[0], "differs from its last audited change")
        row, record = next(live, None), next(audited, None)
    return None


def _untold(_what: str, _done: int, _total: int) -> None:
    """No one is listening."""


_MINUTES_HEAD = re.compile(r"audit row (\d+), SHA-256 ([0-9a-f]{64})")


def _minutes_head_fault(conn: sqlite3.Connection) -> ChainFault | None:
    """Each set of signed minutes names the audit chain's head when it was signed. A trail
    cut back to before that row (and so re-chained from an earlier head) still verifies on
    its own; against the minutes it does not."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meeting'").fetchone():
        return None
    signed = conn.execute(
        "SELECT id, series, held_on, chain_head FROM meeting WHERE chain_head IS NOT NULL "
        "ORDER BY id"
    )
    for meeting_id, series, held_on, head in _stream(signed):
        named = _MINUTES_HEAD.fullmatch(head)
        audit_id, digest = (int(named[1]), named[2]) if named else (0, "")
        found = conn.execute("SELECT hash FROM audit WHERE id = ?", (audit_id,)).fetchone()
        if found is None or found[0] != digest:
            return ChainFault(
                audit_id,
                "meeting",
                meeting_id,
                f"the minutes of {series} on {held_on} were signed at this row (hash "
                f"{digest[:12]}…), which the trail no longer holds as it was",
            )
    return None


def check_database(conn: sqlite3.Connection, progress: Progress | None = None) -> CheckReport:
    """Never raises on a damaged file: reporting the damage is the whole point.

    `progress` hears each part of the check in turn: the file's pages (all at once, as
    SQLite checks them in one statement), the audit rows verified, the tables whose
    records were matched to the trail."""
    tell = progress or _untold
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        tell("pages integrity-checked", 0, pages)
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        tell("pages integrity-checked", pages, pages)
    except driver.DatabaseError as error:
        integrity = [f"the file is damaged ({error})"]
    head_hash, row_fault = "", None
    try:
        audited = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        tell("audit rows verified", 0, audited)
        rows, fault = verify_chain(conn, lambda done: tell("audit rows verified", done, audited))
        tell("audit rows verified", rows, audited)
        fault = fault or _minutes_head_fault(conn)
        head_hash = chain_head(conn)[1]
        tables = _audited_tables(conn)
        for done, table in enumerate(tables):
            tell("tables' records checked", done, len(tables))
            if row_fault := _first_row_fault(conn, table):
                break
        else:
            tell("tables' records checked", len(tables), len(tables))
    except driver.DatabaseError as error:
        rows, fault = 0, ChainFault(0, "audit", 0, f"the audit trail cannot be read ({error})")
    return CheckReport(
        integrity=integrity,
        audit_rows=rows,
        head_hash=head_hash,
        chain_fault=fault,
        row_fault=row_fault,
    )
