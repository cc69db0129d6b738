"""What the store says when it cannot do what was asked, in words a user can act on."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(Exception):
    """The database at `path` cannot be used, and why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot use database {path}: {reason}")
        self.path = path
        self.reason = reason


DAMAGED_ADVICE = (
    "do not write to it. `huddle check` names the damage; bring back the last good backup "
    "with `huddle restore BACKUP` (docs/reliability.md, Restoring) and keep this file for "
    "whoever investigates"
)


def is_damage(error: sqlite3.Error) -> bool:
    """The file itself is damaged (not merely busy, full or unreadable for a moment)."""
    return getattr(error, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


# What the database can refuse a write for that is no fault of huddle's, in words a user
# can act on (extended codes such as SQLITE_IOERR_WRITE share their primary code's words).
_UNSAVED_BECAUSE = {
    "SQLITE_FULL": "the disk is full; free some space and save again",
    "SQLITE_BUSY": "another terminal kept the database busy; save again in a moment",
    "SQLITE_LOCKED": "another terminal kept the database busy; save again in a moment",
    "SQLITE_READONLY": "the file has become read-only; check its permissions",
    "SQLITE_IOERR": "the disk or share could not be written; save again, then run huddle check",
    "SQLITE_CANTOPEN": "the file could not be opened; is the disk or share still there?",
}


def unsaved(path: Path, error: sqlite3.OperationalError) -> StoreError | None:
    """A write the database could not take (the disk is full, another terminal held it
    past the wait, the share went away) as a refusal: nothing of it was saved, and the
    form that asked keeps what was typed. None for anything else, which is a fault."""
    name = getattr(error, "sqlite_errorname", "")
    for code, why in _UNSAVED_BECAUSE.items():
        if name == code or name.startswith(f"{code}_"):
            return StoreError(path, f"nothing was saved: {why}")
    return None


class NotFound(LookupError):
    def __init__(self, table: str, row_id: int) -> None:
        super().__init__(f"no {table.replace('_', ' ')} with id {row_id}")
        self.table = table
        self.row_id = row_id


class StaleVersion(Exception):
    """Someone else saved this record after it was read; nothing was overwritten."""

    def __init__(self, table: str, row_id: int, expected: int, found: int) -> None:
        super().__init__(
            f"this {table.replace('_', ' ')} (id {row_id}) was changed by someone else "
            f"since you opened it (you had version {expected}, it is now version {found}); "
            "reload it and make your change again"
        )
        self.table = table
        self.row_id = row_id
        self.expected = expected
        self.found = found


# What a write can refuse with, each message in words the user can act on: screens show
# these beside the form; anything else is a fault and is not caught.
REFUSALS: tuple[type[Exception], ...] = (ValueError, NotFound, StaleVersion, StoreError)
