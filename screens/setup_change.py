"""How the Set-up screen changes anything: the way a service file does. The current set-up
is read as a document, edited, checked whole, planned (a tier change's effect on breaches
measured by a rehearsal) and applied as one audited write, all on a worker thread with a
connection of its own, since a tier change re-dates every entry waiting in the tier.

A change names the versions of the rows its form was opened on: if another terminal has
saved one since, it is refused (StaleVersion) and nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import ModalScreen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from huddle.commands import Command
from huddle.service_file import ServiceFileError, validated
from huddle.setup_edits import Document
from screens.form import FormField, FormScreen
from screens.keys import bindings
from screens.markup import escape
from store.connection import Store
from store.errors import REFUSALS
from store.setup import SetupPlan, apply_plan, current_setup, plan_setup

SOURCE = "the Set-up screen"


@dataclass(frozen=True)
class Change:
    """What a form or a key asks of the set-up."""

    edit: Callable[[Document], None]
    """Edits the current set-up's document; raises ValueError naming a field it refuses."""
    expected: Mapping[tuple[str, int], int] = field(default_factory=dict)
    """(table, id) -> the version the form was opened on."""
    source: str = SOURCE
    """Said in the plan and, as "set-up from …", in every audit row it writes."""
    confirm: bool = False
    """Show the plan and apply it only when the user says so."""
    said: str = "what saving does"
    """The title over the plan, when it is shown."""


def planned(store: Store, change: Change, today: date) -> SetupPlan:
    """The plan of `change` against what the database holds now."""
    before = current_setup(store)
    document = before.model_dump()
    change.edit(document)
    setup = validated(document, change.source)
    plan = plan_setup(store, setup, today, change.source, expected=dict(change.expected))
    # The document and the plan are read one after the other: had another terminal saved
    # a row in between, the plan would quietly put that row back as this document has it.
    if current_setup(store) != before:
        raise ValueError(
            "the set-up was changed in another terminal while this was checked: save again"
        )
    return plan


@dataclass
class Planned(Message):
    """A change planned and not yet applied: empty, or waiting to be confirmed."""

    plan: SetupPlan
    change: Change


@dataclass
class Applied(Message):
    plan: SetupPlan


@dataclass
class Refused(Message):
    """Nothing was written, and why (the store's REFUSALS)."""

    error: Exception


def plan_and_post(widget: MessagePump, change: Change, today: date) -> None:
    """In a thread worker: plan `change`, and apply it at once unless it is empty or
    waits to be confirmed. Posts Planned, Applied or Refused to `widget`."""
    try:
        with widget.app.store.in_this_thread() as store:
            plan = planned(store, change, today)
            if plan.empty or change.confirm:
                widget.post_message(Planned(plan, change))
                return
            apply_plan(store, plan, today)
    except REFUSALS as error:
        widget.post_message(Refused(error))
        return
    widget.post_message(Applied(plan))


def apply_and_post(widget: MessagePump, plan: SetupPlan, today: date) -> None:
    """In a thread worker: apply a confirmed plan; a row saved meanwhile by another
    terminal refuses the whole write (StaleVersion)."""
    try:
        with widget.app.store.in_this_thread() as store:
            apply_plan(store, plan, today)
    except REFUSALS as error:
        widget.post_message(Refused(error))
        return
    widget.post_message(Applied(plan))


def saved_words(plan: SetupPlan) -> str:
    """What was written, a step a line."""
    return "\n".join(f"{step.verb} {step.text}" for step in plan.steps)


CONFIRM_COMMANDS = (
    Command(
        "setup-apply", "y", "y", "answer(True)", "Apply", "Write these changes, with their audit"
    ),
    Command(
        "setup-not-apply",
        "n,escape",
        "n/esc",
        "answer(False)",
        "Do not apply",
        "Write nothing, and go back",
    ),
)


class ConfirmPlan(ModalScreen[bool]):
    """The plan in words (each change, and a tier change's effect on breaches), applied
    only on `y`."""

    BINDINGS = bindings(CONFIRM_COMMANDS)
    DEFAULT_CSS = """
    ConfirmPlan { align: center middle; }
    ConfirmPlan > VerticalScroll {
        width: 100; max-width: 96%; height: auto; max-height: 80%;
        border: thick $warning; background: $panel; padding: 0 1;
    }
    ConfirmPlan .confirm-title { text-style: bold; margin-bottom: 1; }
    ConfirmPlan .confirm-ask { text-style: bold; margin-top: 1; }
    """

    def __init__(self, title: str, lines: Iterable[str]) -> None:
        super().__init__()
        self.title_words = title
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Static(escape(self.title_words), classes="confirm-title")
            yield Static(escape("\n".join(self.lines)), id="plan")
            yield Static(
                "Apply these changes? y applies them (one write, audited); n or escape "
                "writes nothing.",
                classes="confirm-ask",
            )
        yield Footer(compact=True)

    def action_answer(self, apply: bool) -> None:
        self.dismiss(apply)


class SetupForm(FormScreen[SetupPlan]):
    """A form whose save is a Change: checked, planned and applied off the UI thread.
    Refused, it stays open with what was typed, each of the service file's problems
    beside the field it names (by the problem's key); a change to confirm shows its plan
    over the form, and the form closes only once it is applied."""

    def __init__(
        self,
        title: str,
        fields: Iterable[FormField],
        change: Callable[[dict[str, str]], Change],
        note: str = "",
        field_of: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(title, fields, change, note)
        self.field_of = {"was": "name", **(field_of or {})}
        """A service-file key -> the form field it was typed in, where their names differ."""
        self.busy = False

    def on_mount(self) -> None:
        status = Static("", id="setup-status", classes="form-hint")
        status.display = False
        self.query_one("#form").mount(status)

    def _status(self, words: str) -> None:
        status = self.query_one("#setup-status", Static)
        status.update(escape(words))
        status.display = bool(words)

    def action_save(self) -> None:
        if self.busy:
            return
        self.clear_refusals()
        try:
            change = self.save(self.values())
        except REFUSALS as error:
            self._show_refusal(str(error))
            return
        self.busy = True
        self._status("Checking the change against the database…")
        self._plan(change, self.app.clock.today())

    def action_cancel(self) -> None:
        # A save under way finishes (a thread is not stopped halfway): say so, and stay.
        if self.busy:
            self._status("Still checking or saving: a moment, then escape closes the form.")
            return
        super().action_cancel()

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup-save")
    def _plan(self, change: Change, today: date) -> None:
        plan_and_post(self, change, today)

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup-save")
    def _apply(self, plan: SetupPlan, today: date) -> None:
        apply_and_post(self, plan, today)

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        message.stop()
        plan = message.plan
        if plan.empty:
            self._done("")
            self._say("#error-form", "Nothing to save: the database already holds this.")
            return
        self._status("Waiting for y (apply) or n (write nothing)…")
        self.app.push_screen(
            ConfirmPlan(f"{self.form_title}: {message.change.said}", plan.lines()),
            lambda apply: self._confirmed(plan, bool(apply)),
        )

    def _confirmed(self, plan: SetupPlan, apply: bool) -> None:
        if not apply:
            self._done("Not applied: nothing was written. Change the values, or escape.")
            return
        self._status("Saving…")
        self._apply(plan, self.app.clock.today())

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        message.stop()
        self.busy = False
        self.dismiss(message.plan)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        message.stop()
        self._done("")
        if isinstance(message.error, ServiceFileError):
            self._show_problems(message.error)
        else:
            self._show_refusal(str(message.error))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._done("")
            self._say("#error-form", f"Could not save: {event.worker.error}")

    def _done(self, words: str) -> None:
        self.busy = False
        self._status(words)

    def _show_problems(self, error: ServiceFileError) -> None:
        """Each problem beside the field its key was typed in; the rest under the form."""
        names = [spec.name for spec in self.fields]
        said: dict[str, list[str]] = {}
        for problem in error.problems:
            key = next((part for part in reversed(problem.loc) if isinstance(part, str)), "")
            name = self.field_of.get(key, key)
            where, words = (name, problem.message) if name in names else ("form", str(problem))
            said.setdefault(where, [])
            if words not in said[where]:
                said[where].append(words)
        for where, messages in said.items():
            self._say(f"#error-{where}", "; ".join(messages))
        first = next((name for name in names if name in said), None)
        if first is not None:
            self.query_one(f"#field-{first}").focus()
