"""A consistent copy of a live database, checked before it is called a backup."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from store.check import CheckReport, check_database
from store.connection import Store
from store.errors import StoreError


def backup(store: Store, destination: Path) -> CheckReport:
    """Copy with SQLite's online backup API (safe during writes), then check the copy.

    Refuses to overwrite: a backup that silently replaced an older one could destroy the
    only good copy.
    """
    destination = destination.expanduser()
    if destination.exists():
        raise StoreError(destination, "it already exists; choose a new file name")
    if not destination.parent.is_dir():
        raise StoreError(destination, f"the folder {destination.parent} does not exist")
    try:
        fd = os.open(destination, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as error:
        raise StoreError(destination, error.strerror or str(error)) from None
    os.close(fd)
    target = sqlite3.connect(destination)
    try:
        store.conn.backup(target)
        # A single file with no -wal beside it is what people copy and restore.
        target.execute("PRAGMA journal_mode = DELETE")
        report = check_database(target)
    except sqlite3.DatabaseError as error:
        target.close()
        destination.unlink(missing_ok=True)
        raise StoreError(store.path, f"cannot be copied ({error}); run huddle check") from None
    target.close()
    if not report.ok:
        # A copy that fails its check must never be mistaken for a good backup.
        destination.unlink(missing_ok=True)
    return report
