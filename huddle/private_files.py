"""New files for what huddle writes out (exports, rejects files, minutes): readable and
writable by their owner only, since they can hold patients' details, and never over a
file already there, which could be the database itself or last week's evidence."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")


class OutputExists(FileExistsError):
    pass


def create_private(path: Path) -> IO[str]:
    """Open a new file for text, readable and writable by its owner only (0600).

    Never overwrites: an existing file is refused by name.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise OutputExists(f"{path} already exists: huddle never overwrites a file") from None
    except OSError as error:
        raise OSError(f"cannot create {path}: {error.strerror or error}") from None
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def write_private(path: Path, write: Callable[[IO[str]], T]) -> T:
    """Write a new owner-only file whole, or leave none: a file cut short (a full disk,
    an interrupted export) is removed rather than left looking complete."""
    stream = create_private(path)
    try:
        with stream:
            return write(stream)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
