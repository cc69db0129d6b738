"""CSV that is safe to open in a spreadsheet (the files themselves: huddle.private_files).

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` as a formula, and some
also act on a leading tab, carriage return or line feed. Other forms of those four may be
read the same way, or become them where text is normalised on the way in: full-width
(＝ ＋ － ＠), small (﹦ ﹢ ﹣ ﹫), super- and subscript (⁼ ⁺ ₌ ₊) and the like; in all,
every character whose compatibility form (Unicode NFKC) starts with one of the four, and
the minus sign − with its own forms, which some spreadsheets take as a minus. A value
that came from a person or a file (a referral source, a local id, an NHS extract's cell)
could therefore run as a formula on the machine of whoever opens the export.
`neutralise` prefixes such a text cell with a single quote, so the spreadsheet shows it
as text, and the original follows the quote unchanged. A cell whose first character after
any leading whitespace is one of them counts too: spreadsheets read ' =1+1' as text, but
an import that trims spaces (LibreOffice's option, a later TRIM) makes it a formula again,
and a quote costs nothing. Every CSV huddle writes (exports and the rejects file of an
import) goes through `SafeCsvWriter`.

Numbers huddle computes itself (days waited, days to breach, which is negative once an
entry has breached) are written as numbers: they are not text from anyone, and a quote
would turn them into text that no longer sorts or sums.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

# Every character whose NFKC form starts with = + - @ or the minus sign −: the ASCII four,
# super- and subscripts (⁺ ⁻ ⁼ ₊ ₋ ₌), − itself, ⩵ and ⩶ (== and ===), the Hebrew
# alternative plus, and the small and full-width forms. Listed, not worked out at import
# (that would normalise a million code points); tests/test_csv_safety.py checks the list
# against every code point.
FORMULA_STARTS = frozenset(
    "+-=@\u207a\u207b\u207c\u208a\u208b\u208c\u2212\u2a75\u2a76\ufb29"
    "\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20"
)
# Active as the very first character, before any trimming.
LINE_STARTS = ("\t", "\r", "\n")
# Leading characters that make a spreadsheet cell active.
DANGEROUS_FIRST = (*sorted(FORMULA_STARTS), *LINE_STARTS)

Cell = str | int | None


def is_dangerous(text: str) -> bool:
    """Whether `text` starts with a tab or a line break, or, after any leading whitespace,
    with one of FORMULA_STARTS."""
    if text.startswith(LINE_STARTS):
        return True
    first = text[:1]
    if first.isspace():  # rare, so most cells are judged without copying them
        first = text.lstrip()[:1]
    return first in FORMULA_STARTS


def neutralise(value: Cell) -> Cell:
    """The cell as it is safe to write: text that is_dangerous gets a leading single quote;
    numbers huddle computed, and None (an empty cell), pass as they are."""
    if isinstance(value, str) and is_dangerous(value):
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
