"""Turn the command list into Textual bindings (each with an id and a tooltip)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding

from huddle.commands import Command


def bindings(commands: Iterable[Command], *, show: bool = True) -> list[Binding]:
    return [
        Binding(
            c.key,
            c.action,
            c.title,
            show=show and c.in_footer,
            key_display=c.key_display,
            id=c.id,
            tooltip=c.help,
        )
        for c in commands
    ]
