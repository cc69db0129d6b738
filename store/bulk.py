"""Loading many rows at once (the demo at a whole system's scale, large imports)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from store.connection import BULK_CACHE_KIB, CACHE_KIB, Transaction


@contextmanager
def indexes_rebuilt_after(txn: Transaction, table: str) -> Iterator[None]:
    """Drop `table`'s secondary indexes for a bulk load and build each once at the end.

    Building an index once over a million rows is several times cheaper than keeping it
    sorted row by row, more so with a large page cache for its sort, which is given back
    after. Both happen inside the caller's transaction, so a failure rolls the indexes
    back with the rows: the schema is never left without them.
    """
    indexes = txn.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for name, _sql in indexes:
        txn.conn.execute(f"DROP INDEX [{name}]")
    txn.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
        for _name, sql in indexes:
            txn.conn.execute(sql)
    finally:
        txn.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


@contextmanager
def cyclic_collector_paused() -> Iterator[None]:
    """A bulk load makes millions of short-lived objects with no reference cycles, which
    reference counting frees as it goes; the cyclic collector only re-walks them (a third
    of a million-entry demo, half the checking of a 100,000-row import). The pause is
    process-wide, so it is kept to the bulk work and always undone."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
