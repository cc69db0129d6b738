"""Text at the boundary. On its way in, a field holding a character no one means to type
(a terminal escape, a bidi override, a line break) is refused. On its way to a terminal,
every character that is not printable is shown as '?', so that nothing in a record can
drive the terminal or hide what follows."""

from __future__ import annotations

import unicodedata

# Control and format characters (terminal escapes, bidi overrides, zero-width marks), and
# the line and paragraph separators: nothing a person means to type into one field.
UNSEEN = frozenset({"Cc", "Cf", "Zl", "Zp"})


def printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


def printable_lines(text: str) -> str:
    """`printable` line by line for a document shown on a terminal (minutes, a CSV
    export), each line's own end kept (a line feed, or the carriage return and line feed
    CSV ends its rows with) and tabs kept, which move the cursor on but hide nothing. Any
    other line break, or a carriage return, is shown as '?'."""
    shown = []
    for line in text.splitlines(keepends=True):
        end = "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else ""
        body = line.removesuffix(end).split("\t")
        shown.append("\t".join(printable(part) for part in body) + end)
    return "".join(shown)


def is_unseen(character: str) -> bool:
    return unicodedata.category(character) in UNSEEN


def unseen(text: str) -> str | None:
    """The first character of `text` that has no business in a field, if any."""
    return next((c for c in text if is_unseen(c)), None)


def unseen_words(character: str) -> str:
    return (
        f"remove the unseen character U+{ord(character):04X} (pasted from another program, "
        "or a line break inside the field?)"
    )
