"""A record's own words in Markdown (minutes, reports), never Markdown's structure.

Minutes are read months later as evidence, so text someone typed, or a provider's extract
carried in, must not be able to make a heading, a list item, a link, an HTML comment or
a line of its own in them. Every character that could start such a thing is escaped
(Markdown's backslash escapes, so the words read the same once rendered), and a line
break inside a field is shown as ↵ within its own item.
"""

from __future__ import annotations

import re
import unicodedata

# Every line break Markdown, or a reader's editor, would start a new line at.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# Emphasis, code, links and images, HTML and entities, strikethrough, headings, tables.
_STRUCTURE = re.compile(r"([\\`*_\[\]<>&~#|!])")
# A list marker at the start of a field, which lands at the start of a list item in the
# minutes ("- " + "- item" is a list inside the item; "1. item" an ordered one): "-", "+",
# or the "." or ")" after a number.
_LIST_MARKER = re.compile(r"^(\s*\d*)([-+.)])")

LINE_BREAK_SHOWN = " ↵ "


def md(text: object) -> str:
    """`text` as the words it is, inside a line of Markdown. A control or format character
    (a terminal escape, a bidi override) is shown by its code, e.g. \\x1b, not passed on."""
    one_line = _LINE_BREAKS.sub(LINE_BREAK_SHOWN, str(text))
    shown = "".join(_visible(c) for c in one_line)
    return _LIST_MARKER.sub(r"\1\\\2", _STRUCTURE.sub(r"\\\1", shown))


def _visible(c: str) -> str:
    if unicodedata.category(c) not in ("Cc", "Cf"):
        return c
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
