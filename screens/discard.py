"""Closing a form that holds typed text: throw it away, or go back to it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


class DiscardTyped(ModalScreen[bool]):
    """True: throw away what was typed; False (escape, n): back to the form, as it was."""

    BINDINGS = [
        Binding("d,y", "answer(True)", "Throw it away", id="discard-yes"),
        Binding("escape,n", "answer(False)", "Keep typing", id="discard-no"),
    ]
    DEFAULT_CSS = """
    DiscardTyped { align: center middle; }
    DiscardTyped > Vertical {
        width: 64; max-width: 96%; height: auto; border: thick $warning; background: $panel;
        padding: 1 2;
    }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "[b]Throw away what you typed?[/b]\n\n"
                "d  throw it away: nothing is saved\n"
                "esc  back to the form, as you left it"
            )
        yield Footer(compact=True)

    def action_answer(self, discard: bool) -> None:
        self.dismiss(discard)
