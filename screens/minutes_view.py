"""A meeting's minutes, read-only: the signed minutes with any addenda, or the draft of a
meeting still open. `w` writes them to a Markdown file (in a browser tab of `huddle serve`,
hands them to the browser as a download); `n` adds an addendum to signed-off
minutes (the only change a signed-off meeting takes)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from huddle.commands import Command
from huddle.models import Meeting, MeetingState
from huddle.private_files import write_private
from screens.base import HuddleScreen, read_and_post
from screens.form import FormField, FormScreen
from screens.keys import bindings
from screens.meeting_forms import addendum_form
from screens.messages import LoadFailed
from store.connection import Store
from store.meeting_reads import meeting_row
from store.minutes import minutes_for_export

MINUTES_COMMANDS = (
    Command("minutes-write", "w", "w", "write", "Write file", "Write the minutes as Markdown"),
    Command(
        "minutes-addendum", "n", "n", "addendum", "Addendum", "Add a correction after sign-off"
    ),
    Command("minutes-back", "escape", "esc", "back", "Back", "Back to where you were"),
)


@dataclass
class MinutesLoaded(Message):
    meeting: Meeting
    text: str


def minutes_folder(store: Store) -> Path:
    return store.path.parent / "minutes"


def minutes_stem(meeting: Meeting) -> str:
    """The minutes' file name without its suffix: date and series."""
    slug = re.sub(r"[^a-z0-9]+", "-", meeting.series.lower()).strip("-")
    return f"{meeting.held_on.isoformat()}-{slug}"


def minutes_file(store: Store, meeting: Meeting) -> Path:
    """Beside the database, in `minutes/`, named by date and series, with a number after
    it once minutes of that meeting were written there before: a written file is never
    replaced, so the draft written during the meeting and the signed minutes both stay."""
    stem = minutes_stem(meeting)
    path = minutes_folder(store) / f"{stem}.md"
    copy = 2
    while path.exists():
        path = minutes_folder(store) / f"{stem}-{copy}.md"
        copy += 1
    return path


def write_minutes(store: Store, path: Path, text: str) -> None:
    """A new owner-only file (minutes name patients), never over one already there. Only
    the minutes folder beside the database is made if missing: a folder in a mistyped
    path is refused rather than made somewhere no one will look."""
    try:
        if path.parent == minutes_folder(store):
            path.parent.mkdir(mode=0o700, exist_ok=True)
        write_private(path, lambda stream: stream.write(text))
    except OSError as error:
        # A folder, a name too long, no permission, a file already there: said beside
        # the field, with what was typed kept, rather than ending the app.
        raise ValueError(f"file: {error}; give another file name") from None


class MinutesScreen(HuddleScreen):
    SCREEN_COMMANDS = MINUTES_COMMANDS
    BINDINGS = bindings(MINUTES_COMMANDS)
    DEFAULT_CSS = """
    MinutesScreen #minutes-state { padding: 0 1; margin-bottom: 1; }
    MinutesScreen #minutes { padding: 0 2; }
    """

    def __init__(self, meeting_id: int) -> None:
        super().__init__()
        self.meeting_id = meeting_id
        self.meeting: Meeting | None = None
        self.text = ""

    def compose_body(self) -> Iterable:
        yield Static(id="minutes-state")
        with VerticalScroll(id="minutes-scroll"):
            yield Static("reading…", id="minutes", markup=False)

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        meeting_id = self.meeting_id

        def read(store: Store) -> MinutesLoaded:
            return MinutesLoaded(
                meeting_row(store, meeting_id), minutes_for_export(store, meeting_id)
            )

        read_and_post(self, read, lambda loaded: loaded)

    @on(MinutesLoaded)
    def _show(self, message: MinutesLoaded) -> None:
        self.meeting, self.text = message.meeting, message.text
        signed = message.meeting.state == MeetingState.SIGNED_OFF
        self.query_one("#minutes-state", Static).update(
            "[b]SIGNED OFF: read-only.[/b] Corrections are addenda (n)."
            if signed
            else "[b]DRAFT:[/b] the meeting is still open; sign-off renders the final minutes."
        )
        self.query_one("#minutes", Static).update(message.text)
        self.refresh_bindings()

    @on(LoadFailed)
    def _failed(self, message: LoadFailed) -> None:
        self.query_one("#minutes", Static).update(f"Could not read the minutes: {message.reason}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "addendum":
            return self.meeting is not None and self.meeting.state == MeetingState.SIGNED_OFF
        if action == "write":
            return self.meeting is not None
        return True

    def action_write(self) -> None:
        meeting, store = self.meeting, self.app.store
        if meeting is None:
            return
        if self.app.session.served:
            # The person is at a browser, perhaps on another computer: the server's disk
            # is neither theirs to write to nor somewhere they could open the file.
            self.app.deliver_text(
                io.StringIO(minutes_for_export(store, self.meeting_id)),
                save_filename=f"{minutes_stem(meeting)}.md",
                mime_type="text/markdown",
            )
            self.notify("Sent to your browser as a download.", title="Minutes")
            return

        def save(typed: dict[str, str]) -> Path:
            path = Path(typed["path"].strip()).expanduser()
            if not typed["path"].strip():
                raise ValueError("file: give a path for the Markdown file")
            write_minutes(store, path, minutes_for_export(store, self.meeting_id))
            return path

        def written(path: Path | None) -> None:
            if path is not None:
                self.notify(str(path), title="Minutes written")

        form = FormScreen(
            "Write the minutes (Markdown)",
            [FormField("path", "File", value=str(minutes_file(store, meeting)))],
            save,
        )
        self.app.push_screen(form, written)

    def action_addendum(self) -> None:
        if self.meeting is None:
            return
        store = self.app.store
        form = addendum_form(store, self.meeting, self.app.clock.now())
        self.app.push_screen(form, lambda saved: self.load())

    def action_back(self) -> None:
        self.dismiss()
