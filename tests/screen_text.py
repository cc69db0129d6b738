"""What the terminal shows, read back as a person would: each row's text, and each row's
cells with their background, from the same render the app sends to the terminal."""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.app import App

_CURSOR_MOVE = re.compile(r"\x1b\[\d+;\d+H")


def screen_rows(app: App) -> list[list[Segment]]:
    """The screen as the terminal gets it, each line cut to the terminal's width, with the
    app's line filters applied (NO_COLOR's monochrome among them)."""
    width, height = app.size
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
    )
    lines = Segment.split_and_crop_lines(console.render(update), width, pad=False)
    rows = []
    for line in lines:
        # The update moves the cursor to each line's start and ends it: not things shown.
        shown = [
            s for s in line if not (s.control or s.text == "\n" or _CURSOR_MOVE.fullmatch(s.text))
        ]
        for line_filter in app._filters:
            shown = line_filter.apply(shown, app.styles.background)
        rows.append(shown)
    return rows[:height]


def screen_text(app: App) -> str:
    return "\n".join("".join(s.text for s in row).rstrip() for row in screen_rows(app))


def dark_rows(app: App) -> list[str]:
    """The rows whose cells are mostly on a dark (or no) background, by their text."""

    def dark(style: Style | None) -> bool:
        background = style.bgcolor if style else None
        if background is None:
            return True
        red, green, blue = background.get_truecolor()
        return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255 < 0.3

    width = app.size.width
    return [
        "".join(s.text for s in row).strip()
        for row in screen_rows(app)
        if sum(s.cell_length for s in row if dark(s.style)) > width // 2
    ]
