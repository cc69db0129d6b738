"""A consistent copy of a live database, checked before it is called a backup."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from store import driver
from store.check import CheckReport, Progress, check_database
from store.connection import BUSY_TIMEOUT_MS, Store, create_owner_only
from store.errors import StoreError, is_damage

# A backup told to `progress` copies this many pages (4 KiB each) a step: a few hundred
# steps for a large file, each too short to hold up anyone writing.
PAGES_A_STEP = 1_000


def backup(store: Store, destination: Path, progress: Progress | None = None) -> CheckReport:
    """Copy with SQLite's online backup API (safe during writes), then check the copy.

    Refuses to overwrite: a backup that silently replaced an older one could destroy the
    only good copy. `progress` hears the pages copied, then the copy's check.
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
    # Keyed like the store, so the copy is encrypted with the same key.
    target = driver.connect(destination)
    try:
        _copy(store, target, progress)
        # A single file with no -wal beside it is what people copy and restore.
        target.execute("PRAGMA journal_mode = DELETE")
        report = check_database(target, progress)
    except driver.DatabaseError as error:
        target.close()
        destination.unlink(missing_ok=True)
        raise StoreError(store.path, f"cannot be copied ({error}); run huddle check") from None
    target.close()
    if not report.ok:
        # A copy that fails its check must never be mistaken for a good backup.
        destination.unlink(missing_ok=True)
    return report


def _copy(store: Store, target: sqlite3.Connection, progress: Progress | None) -> None:
    """All at once, or a step at a time when someone is told how far it has got. The steps
    are read from one snapshot (a read transaction held throughout): otherwise a write
    between two steps would start the copy again from its first page, and a busy service
    could keep it from ever finishing."""
    if progress is None:
        store.conn.backup(target)
        return

    def copied(_status: int, remaining: int, pages: int) -> None:
        progress("pages copied", pages - remaining, pages)

    with store.reading():
        # BEGIN alone takes no snapshot: the first read does.
        store.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        store.conn.backup(target, pages=PAGES_A_STEP, progress=copied)


@dataclass(frozen=True)
class Restored:
    """What `restore` did: where the replaced database was kept, and the check of the
    database as restored."""

    kept: Path | None
    report: CheckReport


def _checked_backup(source: Path) -> sqlite3.Connection:
    """The backup, opened read-only, once it has passed the whole check."""
    if not source.is_file():
        raise StoreError(source, "there is no backup file there")
    conn = driver.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    report = check_database(conn)
    if not report.ok:
        conn.close()
        # A backup made with another key fails exactly as a damaged one does.
        key_hint = (
            f" (or {driver.KEY_VARIABLE} is not the key it was made with)" if driver.key() else ""
        )
        raise StoreError(
            source, f"the backup fails its check{key_hint}: " + "; ".join(report.lines())
        )
    return conn


def _keep_replaced(database: Path, stamp: str) -> Path | None:
    """Copy the database about to be replaced (with its write-ahead log, as the files are,
    since it may be damaged) beside it, so that restoring never destroys anything."""
    if not database.exists():
        return None
    kept = database.with_name(f"{database.name}.replaced-{stamp}")
    if kept.exists():
        raise StoreError(kept, "it already exists; wait a second and restore again")
    for suffix in ("", "-wal"):
        part = Path(f"{database}{suffix}")
        if part.exists():
            shutil.copyfile(part, f"{kept}{suffix}")
            os.chmod(f"{kept}{suffix}", 0o600)
    return kept


def _replace_files(source: Path, database: Path) -> None:
    """A database SQLite cannot write into (damaged) is replaced as files."""
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    copy = database.with_name(f"{database.name}.restoring")
    shutil.copyfile(source, copy)
    os.chmod(copy, 0o600)
    os.replace(copy, database)


def restore(source: Path, database: Path, stamp: str) -> Restored:
    """Bring back a backup as the database at `database`.

    The backup must pass the whole check first. The database it replaces is kept beside
    it as DATABASE.replaced-STAMP. The copy is made with SQLite's backup API into the live
    file, one transaction, so a terminal still open on it sees the restored records (and
    the records written after the backup are gone from it, kept only in the replaced copy).
    """
    source, database = source.expanduser(), database.expanduser()
    backup_conn = _checked_backup(source)
    try:
        kept = _keep_replaced(database, stamp)
        create_owner_only(database)
        try:
            target = driver.connect(database, timeout=BUSY_TIMEOUT_MS / 1000)
            backup_conn.backup(target)
            target.close()
        except driver.DatabaseError as error:
            if not is_damage(error):
                raise StoreError(database, f"cannot be restored into ({error})") from None
            _replace_files(source, database)
    finally:
        backup_conn.close()
    restored = driver.connect(database)
    try:
        return Restored(kept, check_database(restored))
    finally:
        restored.close()
