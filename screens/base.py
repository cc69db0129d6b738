"""What every huddle screen shares: the header, the safety banners and the footer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from huddle.agenda import TimerPhase
from huddle.commands import GLOBAL_COMMANDS, Command
from huddle.dates import long_uk
from huddle.links import Link
from screens.markup import escape
from screens.messages import LoadFailed

if TYPE_CHECKING:
    from store import Store
    from store.history import HistoryLine

T = TypeVar("T")


class AppKeys(Static):
    """The keys that work on every screen, with the command palette's. A click on a key
    or its title runs what the key runs (through the app's `check_action`, as the key)."""

    def on_mount(self) -> None:
        # Drawn as before, not as links (a link's colour would cover the key's own).
        self.auto_links = False
        # The keys in force: the person's own where their settings moved one.
        key_of = self.app.key_of  # type: ignore[attr-defined]
        keys = [(key_of(c), c.short_title, c.action) for c in GLOBAL_COMMANDS]
        keys.append(("^p", "palette", "command_palette"))
        # Two spaces between keys; below about 130 columns the line wraps onto two. The
        # spaces after a key are part of its click, so the line is drawn as before.
        self.update(
            "".join(
                f"[@click=app.{action}][b $footer-key-foreground]{escape(key)}[/] "
                f"{escape(title)}{'  ' if position < len(keys) - 1 else ''}[/]"
                for position, (key, title, action) in enumerate(keys)
            )
        )


class RoomCountdown(Static):
    """On a screen opened from the meeting runner (an entry, an action, the minutes): the
    meeting and its countdown, so the time left stays in view. Hidden elsewhere, and on
    the runner itself, which shows its own."""

    def on_mount(self) -> None:
        self.display = False
        self.set_interval(1.0, self.tick)
        self.tick()

    def tick(self) -> None:
        stack = self.app.screen_stack
        here = self.screen
        below = stack[: stack.index(here)] if here in stack else []
        runner = next((s for s in reversed(below) if hasattr(s, "countdown")), None)
        shown = runner.countdown() if runner is not None else None
        self.display = shown is not None
        if shown is None:
            return
        series, timer = shown
        self.update(f"IN THE MEETING: {escape(series)} · {timer.words} · esc goes back")
        for phase in TimerPhase:
            self.set_class(phase == timer.phase, f"timer-{phase.name.lower().replace('_', '-')}")


class HuddleScreen(Screen[None]):
    """A top-level screen. Subclasses give `compose_body` and their own `SCREEN_COMMANDS`."""

    SCREEN_COMMANDS: tuple[Command, ...] = ()
    """This screen's own commands, shown in the footer, the palette and help."""

    def compose(self) -> ComposeResult:
        yield Header()
        if self.app.is_demo:
            yield Static(
                "DEMO — a fictional service with invented patients, not real records",
                classes="banner demo-banner",
            )
        if self.app.location_warning:
            yield Static(
                f"NETWORK SHARE — {self.app.location_warning}", classes="banner share-banner"
            )
        if self.app.clock.overridden:
            yield Static(
                f"CLOCK OVERRIDDEN — huddle is treating today as "
                f"{long_uk(self.app.clock.today())} (HUDDLE_TODAY)",
                classes="banner clock-banner",
            )
        if self.app.write_refusal:
            yield Static(
                f"NOTHING CAN BE SAVED — {self.app.write_refusal}",
                classes="banner refusal-banner",
                markup=False,
            )
        yield RoomCountdown(classes="banner room-countdown")
        yield from self.compose_body()
        # Two lines at the bottom: the same app-wide keys on every screen, and under them
        # this screen's own keys, which then fit on one line even on the busiest screen.
        with Vertical(id="keys"):
            yield AppKeys()
            yield Footer(compact=True, show_command_palette=False)

    def compose_body(self) -> Iterable:
        raise NotImplementedError

    def cursor_link(self) -> Link:
        """What an action recorded here (`a`) is linked to: what the cursor is on."""
        return Link()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A store read that failed is said on screen (by the screen's LoadFailed handler),
        never swallowed."""
        if event.state == WorkerState.ERROR:
            self.post_message(LoadFailed(str(event.worker.error)))


def read_and_post(
    widget: MessagePump, read: Callable[[Store], T], answer: Callable[[T], Message]
) -> None:
    """In a thread worker: run `read` on the thread's own connection and post its answer,
    unless the worker was cancelled meanwhile (a newer question replaced it). A read that
    fails ends the worker in error, which the screen shows (`HuddleScreen._worker_failed`)."""
    with widget.app.store.in_this_thread() as store:
        result = read(store)
    if not get_current_worker().is_cancelled:
        widget.post_message(answer(result))


def history_text(history: Iterable[HistoryLine]) -> str:
    """A record's history from the audit trail, oldest first: who, when, what, why."""
    lines = ["[b]History[/b] (from the audit trail: who, when, what, why)"]
    for h in history:
        lines.append(
            f"  {h.at:%d/%m/%Y %H:%M} {escape(h.actor)}: {escape(h.what)} — {escape(h.reason)}"
        )
    return "\n".join(lines)
