"""The engine of a writer process (benchmarks/workload.py): a store call chosen from what
the database holds, made, and acknowledged with what became of it (benchmarks/acks.py)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import count
from random import Random

from benchmarks.acks import AckLog, Shape, Written
from huddle.models import Record
from store import records
from store.connection import Store, utc_now
from store.errors import REFUSALS, StaleVersion


@dataclass(frozen=True)
class Planned:
    """A store call chosen from what the database holds now, and what it writes if it
    commits."""

    op: str
    shape: Shape
    run: Callable[[], list[Written]]


def locked(error: BaseException) -> bool:
    """The database was busy or locked: raised by SQLite, or a refusal caused by that."""
    while error is not None:
        if isinstance(error, sqlite3.OperationalError):
            name = getattr(error, "sqlite_errorname", "")
            return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(error)
        error = error.__cause__
    return False


def written(*saved: Record) -> list[Written]:
    return [Written(records.table_of(type(r)), r.id, r.version) for r in saved]


@dataclass(frozen=True)
class Contention:
    """The records every contending writer changes, and how they take turns at dates."""

    action_ids: list[int]
    entry_ids: list[int]
    writers: int
    think_s: float  # the longest pause between reading a record and saving a change to it


class Writer:
    """One writer: its store, its acknowledgements and its own random stream."""

    def __init__(
        self,
        store: Store,
        acks: AckLog,
        seed: int,
        today: date,
        index: int,
        contention: Contention | None = None,
    ) -> None:
        self.store = store
        self.acks = acks
        self.seed = seed
        self.rng = Random(seed)
        self.today = today
        self.index = index
        self.contention = contention
        self.series = f"Reliability huddle {index + 1}"
        self.started_at = datetime(today.year, today.month, today.day, 9)  # the huddle starts
        # The store asks for the time once per write, just after BEGIN IMMEDIATE: noting it
        # tells a harness the transaction had begun, and which audit rows are its.
        store.now = self._began
        self.people = [pid for (pid,) in store.conn.execute("SELECT id FROM person ORDER BY id")]
        (self.me,) = store.conn.execute(
            "SELECT id FROM person WHERE name = ?", (store.actor,)
        ).fetchone()
        """The writer as a person of the set-up (benchmarks.harness enrols it): it chairs
        its huddle, signs it off and closes actions, which only a person may."""
        self.providers = [p for (p,) in store.conn.execute("SELECT id FROM provider ORDER BY id")]
        self.serial = count(1)
        self.moves = count()

    def _began(self) -> str:
        at = utc_now()
        self.acks.began(at)
        return at

    def attempt(self, planned: Planned) -> None:
        """Call the store, then say what became of it. A stale version or a refusal is what
        the user would be told (screens show REFUSALS beside the form); the database being
        locked is counted apart, as a failure, whether it came raw or as a refusal."""
        self.acks.attempt(planned.op, planned.shape)
        try:
            rows = planned.run()
        except StaleVersion as error:
            self.acks.failed("conflict", str(error))
        except (*REFUSALS, sqlite3.OperationalError) as error:
            if locked(error):
                self.acks.failed("locked", str(error))
            elif isinstance(error, REFUSALS):
                self.acks.failed("refused", str(error))
            else:
                raise
        else:
            self.acks.committed(rows)

    def pick(self, table: str, columns: str, where: str, *params: object) -> tuple | None:
        """A row of `table` matching `where`, at random: the first from a random id on (or
        from the start), found by primary key. Reading every matching row to choose one
        made each write slower as the writers grew the waiting list. The + before a column
        in `where` keeps SQLite from using that column's index instead of the key."""
        top = self.store.conn.execute(f"SELECT max(id) FROM [{table}]").fetchone()[0] or 0
        sql = f"SELECT {columns} FROM [{table}] WHERE ({where}) AND id >= ? ORDER BY id LIMIT 1"
        for start in (self.rng.randint(0, top), 0):
            if found := self.store.conn.execute(sql, (*params, start)).fetchone():
                return found
        return None

    def person(self, other_than: int | None = None) -> int:
        return self.rng.choice([p for p in self.people if p != other_than])

    def marker(self) -> str:
        """Unique to this writer's run: a new entry's local id."""
        return f"REL-{self.seed}-{next(self.serial)}"


# (weight, operation), chosen by weight.
Operations = tuple[tuple[int, Callable[[Writer], Planned | None]], ...]


def rounds(limit: int | None) -> Iterator[int]:
    return count() if limit is None else iter(range(limit))


def run(w: Writer, operations: Operations, limit: int | None, pause_s: float = 0.0) -> None:
    """`limit` writes (for ever without one), each a weighted choice of `operations`, with
    a random pause of up to `pause_s` after each; an operation with nothing to work on (no
    open action to close) gives way to another."""
    weights = [weight for weight, _ in operations]
    chosen = [operation for _, operation in operations]
    harness = os.getppid()
    for _ in rounds(limit):
        if os.getppid() != harness:
            return  # the harness is gone: a writer must never outlive it
        planned = None
        while planned is None:
            planned = w.rng.choices(chosen, weights)[0](w)
        w.attempt(planned)
        if pause_s:
            time.sleep(w.rng.uniform(0, pause_s))
