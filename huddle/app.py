"""The terminal app: modes for the top-level screens, global keys, palette, help.

Built by `make_app(store, clock)` so tests hand it a temporary database and a fixed date.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.screen import Screen

from huddle.clock import Clock
from huddle.commands import GLOBAL_COMMANDS
from huddle.dates import uk
from huddle.models import Action
from screens.action_form import new_action_form
from screens.actions import ActionsScreen
from screens.base import HuddleScreen
from screens.form import FormScreen
from screens.help import HelpScreen
from screens.keys import bindings
from screens.today import TodayScreen
from screens.waiting_list import WaitingListScreen
from store import Store
from store.people import everyone
from store.records import service

GLOBAL_ACTIONS = frozenset(c.action.partition("(")[0] for c in GLOBAL_COMMANDS)


class HuddleApp(App[None]):
    CSS_PATH = "app.tcss"
    MODES = {"today": TodayScreen, "waiting": WaitingListScreen, "actions": ActionsScreen}
    DEFAULT_MODE = "today"
    # Shown on every screen in the line of app-wide keys (screens.base.AppKeys), which
    # leaves the footer to the screen's own keys.
    BINDINGS = bindings(GLOBAL_COMMANDS, show=False)

    def __init__(self, store: Store, clock: Clock, service_name: str, is_demo: bool) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.is_demo = is_demo
        self.title = f"huddle — {service_name or 'new service'}{' — DEMO' if is_demo else ''}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a form is open its typed text is not saved yet: none of huddle's app-wide
        # keys may take the user away from it (escape closes it, ctrl+s saves it).
        return not (action in GLOBAL_ACTIONS and isinstance(self.screen, FormScreen))

    def action_new_action(self) -> None:
        screen = self.screen
        if not isinstance(screen, HuddleScreen):
            return
        link = screen.cursor_link()

        def recorded(action: Action | None) -> None:
            if action is not None:
                self.notify(
                    f"{action.title} — due {uk(action.due_date)}",
                    title="Action recorded",
                )

        form = new_action_form(self.store, self.clock.today(), link, everyone(self.store))
        self.push_screen(form, recorded)

    def action_help(self) -> None:
        screen_commands = getattr(self.screen, "SCREEN_COMMANDS", ())
        self.push_screen(HelpScreen(screen_commands, str(self.store.path)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        own = screen.SCREEN_COMMANDS if isinstance(screen, HuddleScreen) else ()
        for command in (*GLOBAL_COMMANDS, *own):
            if command.in_palette:
                target = self if command in GLOBAL_COMMANDS else screen
                yield SystemCommand(
                    command.title, command.help, partial(target.run_action, command.action)
                )


def make_app(store: Store, clock: Clock) -> HuddleApp:
    found = service(store)
    return HuddleApp(
        store,
        clock,
        service_name=found.name if found else "",
        is_demo=bool(found and found.is_demo),
    )
