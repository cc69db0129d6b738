"""CSV that is safe to open in a spreadsheet, written to files only their owner can read.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` as a formula, and some
also act on a leading tab, carriage return or line feed; some treat the full-width forms
(＝ ＋ － ＠) the same way. A value that came from a person or a file (a referral source,
a local id, an NHS extract's cell) could therefore run as a formula on the machine of
whoever opens the export. `neutralise` prefixes such a text cell with a single quote, so
the spreadsheet shows it as text. Every CSV huddle writes (exports and the rejects file of
an import) goes through `SafeCsvWriter`.

Numbers huddle computes itself (days waited, days to breach, which is negative once an
entry has breached) are written as numbers: they are not text from anyone, and a quote
would turn them into text that no longer sorts or sums.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

# Leading characters that make a spreadsheet cell active.
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

Cell = str | int | None


def is_dangerous(text: str) -> bool:
    return text.startswith(DANGEROUS_FIRST)


def neutralise(value: Cell) -> Cell:
    """The cell as it is safe to write: text starting with an active character gets a
    leading single quote; numbers huddle computed, and None (an empty cell), pass as they are."""
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


class SafeCsvWriter:
    """A csv.writer whose every text cell is neutralised."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Cell]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Cell]]) -> None:
        for row in rows:
            self.writerow(row)


class OutputExists(FileExistsError):
    pass


def create_private(path: Path) -> IO[str]:
    """Open a new file for CSV text, readable and writable by its owner only (0600).

    Never overwrites: an existing file (perhaps the database itself, or last week's
    evidence) is refused by name.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise OutputExists(f"{path} already exists: huddle never overwrites a file") from None
    except OSError as error:
        raise OSError(f"cannot create {path}: {error.strerror or error}") from None
    return os.fdopen(fd, "w", encoding="utf-8", newline="")
