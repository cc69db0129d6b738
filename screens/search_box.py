"""The search box of a list: opened by `/`, searches on enter, closes on escape, and
gives the keyboard back to the list either way."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input


class SearchBox(Input):
    BINDINGS = [
        Binding(
            "escape",
            "close",
            "Close search",
            show=False,
            id="search-close",
            tooltip="Close the search box without searching",
        ),
    ]
    DEFAULT_CSS = "SearchBox { display: none; }"

    @dataclass
    class Searched(Message):
        text: str

    def __init__(self, placeholder: str, returns_to: Widget) -> None:
        super().__init__(placeholder=placeholder, id="search")
        self.returns_to = returns_to

    def open(self, current: str) -> None:
        self.display = True
        self.value = current
        self.focus()

    @on(Input.Submitted)
    def _searched(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_close()
        self.post_message(self.Searched(event.value.strip()))

    def action_close(self) -> None:
        self.display = False
        self.returns_to.focus()
