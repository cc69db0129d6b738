"""Leaving a meeting still in progress: keep it open, sign it off, or stay."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from screens.markup import escape


class LeaveMeeting(ModalScreen[str | None]):
    """Answers "keep" (leave it open: it resumes where it was), "sign", or None (stay)."""

    BINDINGS = [
        Binding("k", "choose('keep')", "Keep open", id="leave-keep", tooltip="Leave it open"),
        Binding("s", "choose('sign')", "Sign off", id="leave-sign", tooltip="Sign it off now"),
        Binding("escape", "choose(None)", "Stay", id="leave-stay", tooltip="Back to the meeting"),
    ]
    DEFAULT_CSS = """
    LeaveMeeting { align: center middle; }
    LeaveMeeting > Vertical {
        width: 70; height: auto; border: thick $warning; background: $panel; padding: 1 2;
    }
    """

    def __init__(self, series: str) -> None:
        super().__init__()
        self.series = series

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"[b]{escape(self.series)}[/b] is still in progress.\n\n"
                "k  keep it open and leave: everything recorded is saved, and it resumes "
                "where it was (3, then enter)\n"
                "s  sign it off now\n"
                "esc  stay in the meeting"
            )
        yield Footer(compact=True)

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
