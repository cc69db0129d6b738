"""A record's text inside a screen's Textual markup: the one path by which a screen puts
what someone typed, or a file carried in, between its own tags.

Control and format characters never reach the terminal whichever way text is drawn
(huddle.app.UnseenFilter); this is about markup alone.
"""

from __future__ import annotations


def escape(text: object) -> str:
    r"""`text` as it reads, inside Textual markup.

    Every '[' is escaped, not only one that opens a complete tag as textual.markup.escape
    does: a lone '[' (a name cut to fit, "Ward [") swallows the screen's own tag after it,
    and "[b]" + "Ward [" + "[/b]" is a markup error that ends the app. A backslash at the
    end is followed by a space, or it would escape the screen's next tag. Textual reads a
    backslash before '[' as the escape and every other backslash as itself, so nothing
    else changes.
    """
    shown = str(text).replace("[", "\\[")
    return f"{shown} " if shown.endswith("\\") else shown
