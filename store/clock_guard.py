"""The latest date the database has seen, and the clock's guard on every write.

A breach that has happened stands: whether it has is judged against the latest date the
database has seen, never an earlier "today", so a clock set back (by mistake, or to make a
breach vanish before an import) clears nothing. That date is the one row of `latest_date`.
Every write through a store the app or a command opened (`keep_to`) is checked inside its
own transaction as it is about to commit (`Store.write` calls `check_and_record`): refused
while the clock's today is earlier than that date, else moving the date on to today. Reads
take the later of the two (`huddle.clock.judged`).

`HUDDLE_TODAY` is for demos and training: on a database that is not a demo every write is
refused while it is set, so a date chosen at will is never recorded as a service's
evidence. Reading, and `--as-at`, still work.

The row is huddle's bookkeeping, like the migrations table, not a record: it is written
only inside an audited write, and has no version and no audit rows of its own (each audit
row carries the time it was written). Reading it is one lookup by its key, however long
the audit trail grows.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from huddle.dates import uk
from store.errors import StoreError

if TYPE_CHECKING:
    from huddle.clock import Clock
    from store.connection import Store


def latest_seen(conn: sqlite3.Connection) -> date | None:
    """The latest date the database has seen: None for a new one."""
    row = conn.execute("SELECT seen_on FROM latest_date WHERE id = 1").fetchone()
    return None if row is None else date.fromisoformat(row[0])


def behind(today: date, seen: date | None) -> str | None:
    """Why nothing may be written on `today`, when the database has seen a later date."""
    if seen is None or today >= seen:
        return None
    return (
        "this computer's date is before the last change in the database: check the clock "
        f"(today here is {uk(today)}; the database last changed on {uk(seen)})"
    )


def training_only(clock: Clock, is_demo: bool) -> str | None:
    """Why nothing may be written: `HUDDLE_TODAY` is set and the database is not a demo."""
    if not clock.from_env or is_demo:
        return None
    return (
        f"HUDDLE_TODAY is set ({uk(clock.today())}) and this is not a demo database: "
        "HUDDLE_TODAY is for demos and training, so nothing can be saved with it; unset it "
        "to record (reading, and --as-at, still work)"
    )


def is_demo(conn: sqlite3.Connection) -> bool:
    """A new database, with no service yet, is not a demo: `huddle demo` makes one."""
    row = conn.execute("SELECT is_demo FROM service ORDER BY id LIMIT 1").fetchone()
    return bool(row and row[0])


def keep_to(store: Store, clock: Clock, *, making_demo: bool = False) -> None:
    """Guard every write through `store` by `clock` (the app and every command do this on
    opening; a store opened without it, by a test or a fixture that passes each call its
    date, neither checks nor records one). `making_demo`: `huddle demo` seeding a new demo,
    which `HUDDLE_TODAY` may date."""
    store.clock = clock
    store.refused = None if making_demo else training_only(clock, is_demo(store.conn))


def write_refusal(store: Store) -> str | None:
    """Why a write through `store` would be refused now, to say before any work is done
    (the app's banner, a command before it reads its file); `Store.write` refuses it in
    any case."""
    if store.not_acting is not None:
        return store.not_acting
    if store.refused is not None:
        return store.refused
    if store.clock is None:
        return None
    return behind(store.clock.today(), latest_seen(store.conn))


def check_and_record(
    conn: sqlite3.Connection, path: Path, clock: Clock | None, refused: str | None
) -> None:
    """Inside a write's transaction, as it is about to commit: refuse it (and so roll it
    back), or move the latest date seen on to the clock's today. Read and moved under the
    write lock, so two terminals' writes cannot cross."""
    if refused is not None:
        raise StoreError(path, f"nothing was saved: {refused}")
    if clock is None:
        return
    today, seen = clock.today(), latest_seen(conn)
    if why := behind(today, seen):
        raise StoreError(path, f"nothing was saved: {why}")
    if seen is None or today > seen:
        conn.execute(
            "INSERT INTO latest_date (id, seen_on) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET seen_on = excluded.seen_on",
            (today.isoformat(),),
        )
