"""Text from a record, a file or a form on its way to a terminal: every character that is
not printable (a terminal escape, a bidi override, a line break where one line is meant)
shown as '?', so that nothing in a record can drive the terminal or hide what follows."""

from __future__ import annotations


def printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)
