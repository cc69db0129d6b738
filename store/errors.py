"""What the store says when it cannot do what was asked, in words a user can act on."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """The database at `path` cannot be used, and why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot use database {path}: {reason}")
        self.path = path
        self.reason = reason


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
