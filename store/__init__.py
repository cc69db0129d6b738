"""SQLite persistence for huddle: migrations, the audited write path, queries, checks.

The connection (and with it sqlite-utils) loads on first use, so a command that only
needs the error types, such as `huddle --help`, does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.errors import NotFound, StaleVersion, StoreError

if TYPE_CHECKING:
    from store.connection import Store, Transaction, open_store

__all__ = ["NotFound", "StaleVersion", "Store", "StoreError", "Transaction", "open_store"]


def __getattr__(name: str) -> object:
    if name in ("Store", "Transaction", "open_store"):
        from store import connection

        return getattr(connection, name)
    raise AttributeError(f"module 'store' has no attribute {name!r}")
