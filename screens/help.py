"""The `?` help screen: keys, commands and where the database lives, from the same lists
that drive the bindings and the palette."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from huddle.commands import GLOBAL_COMMANDS, Command

# What `huddle --help` lists; the terminal app is the product, these make it scriptable.
COMMAND_LINE = (
    ("huddle", "open the app on the database"),
    ("huddle demo [--size N] [--no-open]", "seed a demo service, then open it"),
    ("huddle status [--json] [--as-at DATE]", "the counts Today shows"),
    ("huddle check", "integrity check and audit chain"),
    ("huddle backup DEST", "a consistent, checked copy"),
)


def _key_lines(commands: tuple[Command, ...]) -> list[str]:
    return [f"  [b]{c.key_display:>6}[/b]  {c.title} — {c.help}" for c in commands]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        ("escape,question_mark,q", "dismiss", "Close help"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; height: 80%; border: round $primary; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, screen_commands: tuple[Command, ...], database: str) -> None:
        super().__init__()
        self.screen_commands = screen_commands
        self.database = database

    def compose(self) -> ComposeResult:
        lines = [
            "[b]Keys everywhere[/b]",
            *_key_lines(GLOBAL_COMMANDS),
            "  [b]ctrl+p[/b]  Command palette — every command, by name",
        ]
        if self.screen_commands:
            lines += ["", "[b]Keys on this screen[/b]", *_key_lines(self.screen_commands)]
        lines += ["", "[b]Commands[/b] (each takes --db PATH and --user NAME)"]
        lines += [f"  {usage} — {what}" for usage, what in COMMAND_LINE]
        lines += ["", "[b]Database[/b]", f"  {self.database}", "", "Press escape to close."]
        with VerticalScroll():
            yield Static("\n".join(lines), markup=True)
