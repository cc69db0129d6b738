"""A small form in a dialog, for recording something in the room.

The form never loses what was typed: when saving is refused, the reason is shown beside
the field it names (or under the form) and the dialog stays open with every value as it
was. `save` receives the typed values and either returns the result or raises one of the
store's REFUSALS (ValueError, StaleVersion…) whose message starts with the field's label,
as the store's errors do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Input, Label, Select, Static

from huddle.links import Capture
from huddle.printable import unseen, unseen_words
from screens.discard import DiscardTyped
from screens.markup import escape
from store.errors import REFUSALS

T = TypeVar("T")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: Literal["text", "choice"] = "text"
    value: str = ""
    placeholder: str = ""
    choices: tuple[str, ...] = ()
    """For a choice: the options, the first chosen unless `value` names another."""
    suggestions: tuple[str, ...] = ()
    """For text: completions offered as the user types (e.g. people's names)."""


class FormScreen(ModalScreen[T | None], Generic[T]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form-save", tooltip="Save and close"),
        Binding(
            "escape", "cancel", "Cancel", id="form-cancel", tooltip="Close without saving anything"
        ),
        # A form with nothing to type (a sign-off as the signed-in person) saves on enter,
        # as a form's last field does; a field's own enter comes first.
        Binding("enter", "enter_saves", show=False),
        # What the record belongs to (a form given a Capture): each link removable.
        Binding("ctrl+o", "toggle_meeting", "Meeting", id="form-meeting"),
        Binding("ctrl+l", "toggle_about", "Link", id="form-link"),
    ]
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form {
        width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    FormScreen #form-heading { dock: top; height: auto; background: $panel; }
    FormScreen .form-title { text-style: bold; margin-bottom: 1; width: 100%; }
    FormScreen .form-label { margin-top: 1; }
    FormScreen .form-error { color: $error; text-style: bold; height: auto; display: none; }
    FormScreen .form-hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(
        self,
        title: str,
        fields: Iterable[FormField],
        save: Callable[[dict[str, str]], T],
        note: str = "",
        capture: Capture | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = tuple(fields)
        self.save = save
        self.note = note
        self.capture = capture
        """What the record belongs to, shown and changed here; `save` reads it."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form", can_focus=False):
            # A title or note names the service's own records (a metric, a person, a
            # query): their text, never markup that could restyle or break the form.
            # Docked: the title and note stay in view while the fields scroll under them.
            with Vertical(id="form-heading"):
                yield Label(self.form_title, classes="form-title", markup=False)
                if self.note:
                    yield Static(self.note, id="form-note", markup=False)
            if self.capture is not None:
                yield Static(self._capture_words(), id="capture", markup=False)
            for spec in self.fields:
                yield Label(spec.label, classes="form-label")
                yield self._widget(spec)
                yield Static("", id=f"error-{spec.name}", classes="form-error")
            yield Static("", id="error-form", classes="form-error")
            yield Static(
                "enter moves to the next field and saves on the last · space opens a "
                "choice · ctrl+s saves · escape closes without saving"
                if any(spec.kind == "choice" for spec in self.fields)
                else "enter moves to the next field and saves on the last · ctrl+s saves · "
                "escape closes without saving"
                if self.fields
                else "enter or ctrl+s saves · escape closes without saving",
                classes="form-hint",
            )
        yield Footer(compact=True)

    def _widget(self, spec: FormField) -> Input | Select[str]:
        if spec.kind == "choice":
            return Select(
                # A choice can be the service's own words (a tier's name, a risk's text):
                # shown as written, never read as markup.
                [(escape(choice), choice) for choice in spec.choices],
                allow_blank=False,
                value=spec.value or spec.choices[0],
                id=f"field-{spec.name}",
            )
        suggester = (
            SuggestFromList(spec.suggestions, case_sensitive=False) if spec.suggestions else None
        )
        return Input(
            spec.value, placeholder=spec.placeholder, suggester=suggester, id=f"field-{spec.name}"
        )

    def values(self) -> dict[str, str]:
        """What was typed; refused, naming the field, if it holds a control or format
        character (a terminal escape or a bidi override pasted from another program),
        which would reach the record and every screen and report that shows it."""
        typed = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            value = str(widget.value)
            if (character := unseen(value)) is not None:
                raise ValueError(f"{spec.label}: {unseen_words(character)}")
            typed[spec.name] = value
        return typed

    def take_key(self, key: events.Key) -> bool:
        """Enter, taken as the app receives it (HuddleApp.on_event) rather than when the
        field gets round to it: the focus moves to the next field at once, so what is
        typed straight after lands there however fast it comes; on the last field the keys
        after it wait until the form is saved (or refused), then go where the screen then
        sends them. A choice's enter moves on too (space or down opens its list)."""
        focused = self.focused
        if key.key != "enter" or not self.fields:
            return False
        fields = [self.query_one(f"#field-{spec.name}") for spec in self.fields]
        if focused not in fields or (isinstance(focused, Select) and focused.expanded):
            return False
        position = fields.index(focused)
        if position < len(fields) - 1:
            self.set_focus(fields[position + 1])
            return True
        self.app.hold_keys()
        # Saved once the keys typed before this enter have reached the field.
        focused.call_later(self._save_then_release)
        return True

    def _save_then_release(self) -> None:
        try:
            self.action_save()
        finally:
            self.app.release_keys()

    def action_save(self) -> None:
        self.clear_refusals()
        try:
            result = self.save(self.values())
        except REFUSALS as error:
            self._show_refusal(str(error))
            return
        self.dismiss(result)

    def clear_refusals(self) -> None:
        for error in self.query(".form-error").results(Static):
            error.update("")
            error.display = False

    def _show_refusal(self, message: str) -> None:
        # Pydantic lists its errors on several lines; the first names the field.
        lowered = message.lower()
        for spec in self.fields:
            if lowered.startswith((spec.label.lower(), spec.name.replace("_", " "))):
                self._say(f"#error-{spec.name}", message)
                self.query_one(f"#field-{spec.name}").focus()
                return
        self._say("#error-form", message)

    def _say(self, where: str, message: str) -> None:
        """An error takes room only while it is said, so a form fits a small terminal."""
        error = self.query_one(where, Static)
        error.update(escape(message))
        error.display = True

    def _capture_words(self) -> str:
        assert self.capture is not None
        return "\n".join(self.capture.lines("ctrl+o", "ctrl+l"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_meeting":
            return self.capture is not None and self.capture.meeting_id is not None
        if action == "toggle_about":
            return self.capture is not None and bool(self.capture.about)
        return True

    def action_toggle_meeting(self) -> None:
        if self.capture is not None and self.capture.toggle_meeting():
            self.query_one("#capture", Static).update(self._capture_words())

    def action_toggle_about(self) -> None:
        if self.capture is not None and self.capture.toggle_about():
            self.query_one("#capture", Static).update(self._capture_words())

    def action_enter_saves(self) -> None:
        if not self.fields:
            self.action_save()

    def action_cancel(self) -> None:
        """Closed at once when nothing was typed; otherwise asked first: a slip of escape
        in the room must not throw away a decision half written."""
        if not self.typed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardTyped(), answered)

    def typed(self) -> bool:
        """Whether any text field holds something other than what it opened with."""
        return any(
            str(self.query_one(f"#field-{spec.name}").value) != spec.value
            for spec in self.fields
            if spec.kind == "text"
        )
