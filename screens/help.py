"""The `?` help screen: keys, commands and where the database lives, from the same lists
that drive the bindings and the palette."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from huddle.commands import GLOBAL_COMMANDS, Command

# What `huddle --help` lists; the terminal app is the product, these make it scriptable.
COMMAND_LINE = (
    ("huddle", "open the app on the database"),
    ("huddle demo [--size N] [--no-open]", "seed a demo service, then open it"),
    ("huddle status [--json] [--as-at DATE]", "the counts Today shows, and the reconciliation"),
    ("huddle check", "integrity check and audit chain"),
    ("huddle backup DEST", "a consistent, checked copy"),
    ("huddle user password NAME", "set or reset the password NAME signs in with"),
    ("huddle import waiting-list FILE.csv", "check and import an extract, all-or-nothing"),
    ("huddle export minutes MEETING [--out FILE]", "one meeting's minutes as Markdown"),
    ("huddle export waiting-list [--out FILE]", "the waiting list as injection-safe CSV"),
    ("huddle export actions [--owner NAME] [--status S]", "the actions as injection-safe CSV"),
)


def _grid(rows: Iterable[tuple[str, str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for first, second in rows:
        grid.add_row(first, second)
    return grid


def _keys(
    commands: Iterable[Command], key_of: Callable[[Command], str], *extra: tuple[str, str]
) -> Table:
    return _grid([*((key_of(c), f"{c.title} — {c.help}") for c in commands), *extra])


def _heading(words: str) -> Text:
    return Text(f"\n{words}", style="bold underline")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding(
            "escape,question_mark,q",
            "dismiss",
            "Close help",
            id="help-close",
            tooltip="Back to the screen you were on",
        ),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 2 1 2;
    }
    """

    def __init__(
        self,
        screen_commands: tuple[Command, ...],
        database: str,
        key_of: Callable[[Command], str],
    ) -> None:
        super().__init__()
        self.screen_commands = screen_commands
        self.database = database
        self.key_of = key_of
        """The key each command has now (the person's own, where they moved it)."""

    def compose(self) -> ComposeResult:
        parts: list[RenderableType] = [
            _heading("Keys everywhere"),
            _keys(
                GLOBAL_COMMANDS,
                self.key_of,
                ("ctrl+p", "Command palette — every command, by name"),
            ),
        ]
        if self.screen_commands:
            parts += [_heading("Keys on this screen"), _keys(self.screen_commands, self.key_of)]
        parts += [
            _heading("Commands (each takes --db PATH and --user NAME)"),
            _grid(COMMAND_LINE),
            _heading("Database"),
            Text(self.database),
            Text("\nPress escape to close."),
        ]
        with VerticalScroll():
            yield Static(Group(*parts))
