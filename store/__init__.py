"""SQLite persistence for huddle: migrations, the audited write path, queries, checks."""

from store.connection import Store, Transaction, open_store
from store.errors import NotFound, StaleVersion, StoreError

__all__ = ["NotFound", "StaleVersion", "Store", "StoreError", "Transaction", "open_store"]
