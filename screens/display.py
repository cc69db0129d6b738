"""A display session: the meeting room's wall screen, signed in as a read-only person or
account (`app.session.read_only`).

It shows Today, and the meeting in progress while there is one, following the section the
chair is on; it reads afresh with the app's freshness check and offers no key that could
record anything (the store refuses writes for it too: this is what is offered, that is
what holds).
"""

from __future__ import annotations

from textual.app import App

from screens.base import AppKeys
from screens.runner import RunnerScreen
from screens.today import TodayScreen
from store.meeting_reads import running_meeting

DISPLAY_LINE = (
    "DISPLAY — read-only: Today, and the meeting in progress while there is one; "
    "nothing can be recorded here"
)

# What the app still does for a display: leave (q ends the tab's session) and show Today.
# Everything else, the command palette included, is not offered.
DISPLAY_ACTIONS = frozenset({"quit", "focus_next", "focus_previous"})


def display_allows(action: str, parameters: tuple[object, ...]) -> bool:
    return action in DISPLAY_ACTIONS or (action == "switch_mode" and parameters == ("today",))


class DisplayRunnerScreen(RunnerScreen):
    """The meeting in progress as the room sees it: no keys, the chair's section."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return False

    def on_mount(self) -> None:
        # (RunnerScreen's on_mount runs too: Textual calls each class's handler.)
        self.query_one(AppKeys).update(DISPLAY_LINE)

    def load(self) -> None:  # type: ignore[override]
        # No section of its own: the meeting's, as the chair last moved it, each time.
        self.section = None
        super().load()


def follow_the_room(app: App) -> None:
    """Called at each freshness check of a display session: the meeting in progress when
    there is one, else Today, and the key line saying what this screen is."""
    store, today = app.store, app.clock.today()  # type: ignore[attr-defined]
    meeting = running_meeting(store, today)
    screen = app.screen
    if isinstance(screen, DisplayRunnerScreen):
        if meeting is None or meeting.id != screen.meeting_id:
            app.pop_screen()
            return
    elif app.current_mode != "today":
        app.switch_mode("today")
        return
    elif meeting is not None and isinstance(screen, TodayScreen):
        app.push_screen(DisplayRunnerScreen(meeting.id))
        return
    for keys in screen.query(AppKeys):
        if str(keys.content) != DISPLAY_LINE:
            keys.update(DISPLAY_LINE)
