"""Opening the database, and the one write path.

Every write goes through `Store.write()`: one `BEGIN IMMEDIATE` transaction in which each
insert, update and delete also appends its audit row, so a change and its evidence are
committed together or not at all. It is also where the clock guards every write (a clock
set back, or `HUDDLE_TODAY` on a real service's database: store.clock_guard).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from store import audit, clock_guard, driver
from store.errors import DAMAGED_ADVICE, NotFound, StaleVersion, StoreError, is_damage, unsaved
from store.schema import migrations

if TYPE_CHECKING:
    from huddle.clock import Clock

BUSY_TIMEOUT_MS = 10_000


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _as_stored(row: dict) -> dict:
    """Values as SQLite gives them back, so each audit row's `after` is exactly the stored
    row and `huddle check` can compare the two. A list or mapping is stored as JSON."""
    return {key: _stored_value(value) for key, value in row.items()}


def _stored_value(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


class Transaction:
    """The changes of one write, each recorded in the audit trail as it is made."""

    def __init__(
        self, conn: sqlite3.Connection, actor: str, at: str, reason: str, via: str | None = None
    ) -> None:
        self.conn = conn
        self.actor = actor
        self.at = at
        self.reason = reason
        self.via = via

    def _record(self, events: list[audit.AuditEvent]) -> None:
        # Written as each change is made, so even a million-row write holds no backlog.
        audit.append(self.conn, self.actor, self.at, events, self.via)

    def note(self, table: str, row_id: int, operation: str, said: dict) -> None:
        """The audit row of a change whose values must never be in the trail (a password's
        hash): `said` stands in for them, e.g. {"password": "set"}."""
        self._record([audit.AuditEvent(table, row_id, operation, None, said, self.reason)])

    def row(self, table: str, row_id: int) -> dict | None:
        cursor = self.conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", (row_id,))
        values = cursor.fetchone()
        if values is None:
            return None
        return dict(zip([c[0] for c in cursor.description], values, strict=True))

    def _last_id(self, table: str) -> int:
        """The highest id the table has ever used: a deleted row's id is never given again,
        so the audit trail never mixes two records under one id."""
        return self.conn.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM [{table}]), 0), coalesce("
            "(SELECT max(row_id) FROM audit WHERE table_name = ?), 0))",
            (table,),
        ).fetchone()[0]

    def insert(self, table: str, row: dict, reason: str | None = None) -> int:
        return self.insert_many(table, [row], reason)[0]

    def insert_many(self, table: str, rows: list[dict], reason: str | None = None) -> list[int]:
        """Insert rows (all with the same columns) and one audit row each."""
        if not rows:
            return []
        start = self._last_id(table)
        columns = ["id", *(c for c in rows[0] if c != "id"), "version"]
        if any(row.keys() != rows[0].keys() for row in rows):
            raise ValueError(f"rows for {table} must all have the same columns")
        stored = [
            {**_as_stored(row), "id": start + n, "version": 1} for n, row in enumerate(rows, 1)
        ]
        self.conn.executemany(
            f"INSERT INTO [{table}] ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            [tuple(row[c] for c in columns) for row in stored],
        )
        why = reason or self.reason
        self._record(
            [audit.AuditEvent(table, row["id"], "insert", None, row, why) for row in stored]
        )
        return [row["id"] for row in stored]

    def update(
        self,
        table: str,
        row_id: int,
        changes: dict,
        expected_version: int,
        reason: str | None = None,
    ) -> dict:
        """Apply `changes` if the row is still at `expected_version`; return the new row."""
        before = self.row(table, row_id)
        if before is None:
            raise NotFound(table, row_id)
        if before["version"] != expected_version:
            raise StaleVersion(table, row_id, expected_version, before["version"])
        after = {**before, **_as_stored(changes), "id": row_id, "version": expected_version + 1}
        assignments = ", ".join(f"[{c}] = ?" for c in after if c != "id")
        self.conn.execute(
            f"UPDATE [{table}] SET {assignments} WHERE id = ?",
            [*(v for c, v in after.items() if c != "id"), row_id],
        )
        self._record(
            [audit.AuditEvent(table, row_id, "update", before, after, reason or self.reason)]
        )
        return after

    def delete(self, table: str, row_id: int, reason: str | None = None) -> None:
        """Foreign keys refuse the delete of anything a governance record refers to."""
        before = self.row(table, row_id)
        if before is None:
            raise NotFound(table, row_id)
        self.conn.execute(f"DELETE FROM [{table}] WHERE id = ?", (row_id,))
        self._record(
            [audit.AuditEvent(table, row_id, "delete", before, None, reason or self.reason)]
        )


@dataclass
class Store:
    """An open huddle database, with the person whose changes it records."""

    path: Path
    db: Database
    actor: str
    """The person acting: their name as the set-up has it (huddle.identity decides who)."""
    now: Callable[[], str] = field(default=utc_now, repr=False)
    clock: Clock | None = field(default=None, repr=False)
    """Whose today every write is checked against and moves the latest date seen on to
    (set by `clock_guard.keep_to`); None checks nothing."""
    refused: str | None = None
    """Why every write is refused, in words (`HUDDLE_TODAY` on a real service's database)."""
    not_acting: str | None = None
    """Why this session may write nothing whatever the clock says, in words: nobody is
    signed in, or the person signed in is a display account (huddle.session)."""
    via: str = "unchecked"
    """How the actor came to be acting, written beside their name in every audit row:
    "login jess", "password", "--user", "HUDDLE_USER", "demo". "unchecked" only where no
    one's identity was asked for (a test's store, a file being checked)."""

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @contextmanager
    def write(self, reason: str) -> Iterator[Transaction]:
        """One IMMEDIATE transaction: the changes and their audit rows commit together."""
        if not reason.strip():
            raise ValueError("every change needs a reason for the audit trail")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self.conn, self.actor, self.now(), reason, self.via)
                # At the commit, so that a rehearsal rolled back (a dry run) is never refused.
                clock_guard.check_and_record(
                    self.conn, self.path, self.clock, self.not_acting or self.refused
                )
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except driver.OperationalError as error:
            # Busy past the wait, disk full, I/O: a refusal the user can act on, not a crash.
            if refusal := unsaved(self.path, error):
                raise refusal from error
            raise

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Several reads from one snapshot, so counts taken together agree with each other
        even while another process writes."""
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    @contextmanager
    def in_this_thread(self) -> Iterator[Store]:
        """The same file on a connection of this thread's own (sqlite connections belong to
        the thread that opened them), for one read, closed after.

        Its page cache is kept small: the screens run several such reads at once, and a
        large cache each would only hold copies of pages the operating system caches."""
        store = open_store(self.path, self.actor, migrate=False)
        store.clock, store.refused, store.via = self.clock, self.refused, self.via
        store.not_acting = self.not_acting
        try:
            store.db.execute(f"PRAGMA cache_size = -{WORKER_CACHE_KIB}")
            yield store
        finally:
            store.close()

    def close(self) -> None:
        self.db.close()


def data_version(store: Store) -> int:
    """A number that changes whenever another connection commits to the file (never for
    this connection's own writes): how an open screen learns that it is out of date."""
    return store.conn.execute("PRAGMA data_version").fetchone()[0]


def create_owner_only(path: Path) -> None:
    """Create the file 0600 before SQLite opens it; SQLite gives -wal and -shm the same mode."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _check_location(path: Path) -> None:
    if path.is_dir():
        raise StoreError(path, "it is a directory, not a database file")
    folder = path.parent
    if not folder.exists():
        raise StoreError(path, f"the folder {folder} does not exist")
    # The file is never opened here to look at its header: closing any descriptor of a
    # file drops every POSIX lock this process holds on it, including those of a
    # connection already open on it (a screen's), which lets another process write under
    # that connection's feet. SQLite itself says when a file is not a database.
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise StoreError(path, "the file is read-only or unreadable for this user")
    elif not os.access(folder, os.W_OK):
        raise StoreError(path, f"the folder {folder} is read-only")


# Page cache per connection. Every screen read is an index range, and the operating
# system keeps the file's pages cached between reads anyway, so 8 MiB reads a million
# entries as fast as 128 MiB did while the app's memory stays near its size at a hundred
# (measured at a million: status 0.25 s either way; peak memory 43 MB against 112 MB).
# Bulk loads raise it while they build indexes (store.bulk).
CACHE_KIB = 8 * 1024
BULK_CACHE_KIB = 128 * 1024
WORKER_CACHE_KIB = 2 * 1024


def _set_pragmas(db: Database, path: Path) -> None:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    # A minuted decision must survive a power cut: WAL with a full sync at every commit.
    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise StoreError(path, f"cannot use write-ahead logging (journal mode stayed {mode})")
    db.execute("PRAGMA synchronous = FULL")
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


def _refuse_foreign_database(db: Database, path: Path) -> None:
    """Never migrate into (and so alter) a SQLite file that some other program owns."""
    tables = set(db.table_names())
    if tables and not (migrations.migrations_table in tables and migrations.applied(db)):
        raise StoreError(path, "it is a SQLite database of another program, not huddle's")


def _migrate(db: Database) -> None:
    # Checking first keeps a start-up with nothing to do free of any write lock.
    if not migrations.pending(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db)
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


def _why_unusable(error: sqlite3.DatabaseError) -> str:
    if getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB":
        # SQLCipher gives a wrong key the same error as a damaged start of the file, and
        # someone who mistyped a key must never be told first to replace the file.
        if driver.key() is not None:
            return (
                f"the key is wrong ({driver.KEY_VARIABLE}), or the start of the file is "
                "damaged: check the key first; if you are sure of it, " + DAMAGED_ADVICE
            )
        return (
            "it is not a huddle (SQLite) database, it is encrypted and "
            f"{driver.KEY_VARIABLE} is not set, or its first page is damaged; if it is "
            f"encrypted, set {driver.KEY_VARIABLE} to its key; if it is huddle's and not "
            f"encrypted, {DAMAGED_ADVICE}"
        )
    return f"{error}; {DAMAGED_ADVICE}" if is_damage(error) else str(error)


def open_store(path: str | Path, actor: str, *, migrate: bool = True) -> Store:
    """Open (creating or upgrading) the database at `path`, recording changes as `actor`.

    Raises StoreError naming the path and the reason when it cannot be used.
    """
    path = Path(path).expanduser()
    _check_location(path)
    try:
        if migrate:
            create_owner_only(path)
        conn = driver.connect(path, isolation_level=None, check_same_thread=True)
    except OSError as error:
        raise StoreError(
            path, f"cannot create it in {path.parent} ({error.strerror or error})"
        ) from None
    except driver.Error as error:
        raise StoreError(path, str(error)) from None
    db = Database(conn)
    try:
        _refuse_foreign_database(db, path)
        _set_pragmas(db, path)
        if migrate:
            _migrate(db)
    except driver.DatabaseError as error:
        conn.close()
        raise StoreError(path, _why_unusable(error)) from None
    except StoreError:
        conn.close()
        raise
    return Store(path=path, db=db, actor=actor)
