"""What changed since the series last met, by name: the new breaches and the newly overdue
actions, each opened with enter (the entry or the action, with the meeting's countdown
still in view)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from screens.action_detail import ActionDetailScreen
from screens.entry_detail import EntryDetailScreen
from store.briefing import SinceItem, SinceLast


class SinceLastScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Back", id="since-back", tooltip="Back to the meeting"),
    ]
    DEFAULT_CSS = """
    SinceLastScreen { align: center middle; }
    SinceLastScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    SinceLastScreen OptionList { height: auto; max-height: 30; }
    """

    def __init__(self, since: SinceLast) -> None:
        super().__init__()
        self.since = since
        self.items: list[SinceItem] = [*since.breaches, *since.overdue]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.since.lines[0], markup=False)
            options: list[Option] = []
            for heading, items in (
                ("NEW BREACHES", self.since.breaches),
                ("NEWLY OVERDUE ACTIONS", self.since.overdue),
            ):
                options.append(Option(f"{heading}: {len(items)}", disabled=True))
                options += [
                    Option(f"  {item.words}", id=str(self.items.index(item))) for item in items
                ]
            # Text as it is stored (initials, titles): never markup.
            yield OptionList(*options, markup=False)
            yield Static("enter opens the highlighted one · esc back to the meeting")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        listed = self.query_one(OptionList)
        first = next((n for n, o in enumerate(listed.options) if not o.disabled), None)
        listed.highlighted = first

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        item = self.items[int(event.option.id)]
        if item.kind == "entry":
            self.app.push_screen(EntryDetailScreen(item.id))
        else:
            self.app.push_screen(ActionDetailScreen(item.id))
