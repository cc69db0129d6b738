"""One action: where it stands, what shows it done, where it came from (one key opens
that), and its history. Every step of its life is one key from here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from huddle import rules
from huddle.commands import Command
from huddle.dates import long_uk, uk
from huddle.links import Link
from huddle.models import ActionStatus
from huddle.people import match_person
from screens.action_form import WHEN, due, optional_date
from screens.base import history_text
from screens.detail import DetailScreen
from screens.entry_detail import EntryDetailScreen
from screens.firing import FiringScreen
from screens.form import FormField, FormScreen
from screens.keys import bindings
from screens.markup import escape
from store import actions
from store.action_detail import ActionDetail, action_detail, saved_since
from store.bank_holidays import added_bank_holidays
from store.errors import REFUSALS, StaleVersion
from store.history import HistoryLine

if TYPE_CHECKING:
    from store import Store

ACTION_COMMANDS = (
    Command("action-start", "p", "p", "start", "In progress", "Mark the action in progress"),
    Command(
        "action-close",
        "x",
        "x",
        "close_action",
        "Close",
        "Close with evidence (a note, and a link or file path if there is one)",
    ),
    Command(
        "action-reopen", "u", "u", "reopen", "Reopen", "Open a closed action again (with a reason)"
    ),
    Command("action-move", "m", "m", "move_due", "Move due", "Change the due date (with a reason)"),
    Command("action-owner", "o", "o", "change_owner", "Owner", "Give the action to someone else"),
    Command(
        "action-review",
        "v",
        "v",
        "review",
        "Review",
        "Record the check that the change held (if it did not, the action reopens)",
    ),
    Command(
        "action-source",
        "g",
        "g",
        "go_to_source",
        "Go to source",
        "Open what this action came from: the entry, the meeting, the query or the firing",
    ),
)
CHANGES = frozenset(command.action for command in ACTION_COMMANDS) - {"go_to_source"}


class ActionDetailScreen(DetailScreen[ActionDetail]):
    WHAT = "this action"
    SCREEN_COMMANDS = ACTION_COMMANDS
    BINDINGS = [
        *bindings(ACTION_COMMANDS),
        Binding("escape", "back", "Back", id="action-back", tooltip="Back", key_display="esc"),
    ]
    DEFAULT_CSS = """
    ActionDetailScreen #action { padding: 0 1; }
    ActionDetailScreen .part { margin-bottom: 1; }
    """

    def __init__(self, action_id: int) -> None:
        super().__init__()
        self.action_id = action_id

    def compose_body(self) -> Iterable:
        with VerticalScroll(id="action"):
            yield Static(f"Action, as at {long_uk(self.app.clock.today())}", id="as-at")
            yield Static("Reading the action…", id="summary", classes="part")
            yield Static("", id="history", classes="part")

    def read(self, store: Store) -> ActionDetail:
        return action_detail(store, self.action_id)

    def show(self, detail: ActionDetail) -> None:
        self.query_one("#summary", Static).update(summary(detail, self.app.clock.today()))
        self.query_one("#history", Static).update(history_text(detail.history))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A change shows disabled until the action is read, and where it does not apply
        (reopen an open action, review one with no review scheduled)."""
        if action not in CHANGES:
            return True
        if self.detail is None:
            return None
        stored = self.detail.action
        closed = stored.status == ActionStatus.CLOSED
        applies = {
            "start": stored.status == ActionStatus.OPEN,
            "reopen": closed,
            "review": closed and stored.review_on is not None and stored.reviewed_on is None,
        }.get(action, not closed)
        return True if applies else None

    def cursor_link(self) -> Link:
        """A follow-up action shares this one's source."""
        return self.detail.source if self.detail else Link()

    # --- the changes ---------------------------------------------------------------------

    def _form(
        self,
        title: str,
        fields: Iterable[FormField],
        change: Callable[[dict[str, str], int], object],
        note: str = "",
    ) -> None:
        """A form whose save applies `change` to the action at the version last read. If
        someone else saved it meanwhile, the form says what they changed beside what was
        typed (kept), and reads the action again, so saving again applies it to theirs."""

        def save(typed: dict[str, str]) -> object:
            seen = self.read_detail.action.version
            try:
                return change(typed, seen)
            except StaleVersion as stale:
                self.load()
                theirs = saved_since(self.app.store, self.action_id, seen)
                raise ValueError(changed_meanwhile(theirs)) from stale

        self.app.push_screen(FormScreen(title, fields, save, note=note))

    def _names(self) -> tuple[str, ...]:
        return tuple(person.name for person in self.read_detail.staff)

    def action_start(self) -> None:
        try:
            actions.start(self.app.store, self.action_id, self.read_detail.action.version)
        except REFUSALS as error:
            self.notify(str(error), severity="error")
        self.load()

    def action_close_action(self) -> None:
        today = self.app.clock.today()
        read = self.read_detail

        def change(typed: dict[str, str], version: int) -> object:
            return actions.close(
                self.app.store,
                self.action_id,
                version,
                evidence=typed["evidence"],
                link=typed["link"],
                review_on=optional_date(typed["review_on"], today, "review on"),
                today=today,
            )

        self._form(
            f"Close: {read.action.title}",
            [
                FormField("evidence", "Evidence", placeholder="what shows it is done"),
                FormField("link", "Link or file path", placeholder="optional"),
                FormField(
                    "review_on", "Review on", placeholder="optional: when to check the change held"
                ),
            ],
            change,
            note=f"Closed by you, {self.app.store.actor}, today.",
        )

    def action_reopen(self) -> None:
        today = self.app.clock.today()
        read = self.read_detail

        def change(typed: dict[str, str], version: int) -> object:
            return actions.reopen(
                self.app.store,
                self.action_id,
                version,
                reason=typed["reason"],
                due_date=optional_date(typed["due_date"], today, "new due date", self._holidays()),
                today=today,
            )

        self._form(
            f"Reopen: {read.action.title}",
            [
                FormField("reason", "Reason", placeholder="why it is not done after all"),
                FormField("due_date", "New due date", placeholder=f"optional: {WHEN}"),
            ],
            change,
        )

    def _holidays(self) -> frozenset[date]:
        return added_bank_holidays(self.app.store)

    def action_move_due(self) -> None:
        today = self.app.clock.today()
        read = self.read_detail

        def change(typed: dict[str, str], version: int) -> object:
            return actions.move_due_date(
                self.app.store,
                self.action_id,
                version,
                due_date=due(typed["due_date"], today, "new due date", self._holidays()),
                reason=typed["reason"],
                today=today,
            )

        self._form(
            f"Move the due date ({uk(read.action.due_date)}): {read.action.title}",
            [
                FormField("due_date", "New due date", placeholder=WHEN),
                FormField("reason", "Reason", placeholder="why it moves"),
            ],
            change,
        )

    def action_change_owner(self) -> None:
        read = self.read_detail

        def change(typed: dict[str, str], version: int) -> object:
            return actions.change_owner(
                self.app.store,
                self.action_id,
                version,
                owner_id=match_person(read.staff, typed["owner"], "owner").id,
                reason=typed["reason"],
            )

        self._form(
            f"Change the owner ({read.owner}): {read.action.title}",
            [
                FormField("owner", "Owner", suggestions=self._names()),
                FormField("reason", "Reason", placeholder="e.g. handed over at the huddle"),
            ],
            change,
        )

    def action_review(self) -> None:
        today = self.app.clock.today()
        read = self.read_detail

        def change(typed: dict[str, str], version: int) -> object:
            return actions.record_review(
                self.app.store,
                self.action_id,
                version,
                held=typed["held"] == HELD,
                note=typed["note"],
                due_date=optional_date(typed["due_date"], today, "new due date", self._holidays()),
                today=today,
            )

        self._form(
            f"Review: {read.action.title}",
            [
                FormField("held", "Did the change hold?", "choice", choices=(HELD, NOT_HELD)),
                FormField("note", "What the review found", placeholder="what was checked, seen"),
                FormField(
                    "due_date", "New due date", placeholder=f"if it reopens, optionally: {WHEN}"
                ),
            ],
            change,
        )

    def action_go_to_source(self) -> None:
        source = self.detail.source if self.detail else Link()
        if self.detail is not None and self.detail.firing is not None:
            self.app.push_screen(FiringScreen(self.detail.firing, self.app.clock.today()))
        elif source.entry_id is not None:
            self.app.push_screen(EntryDetailScreen(source.entry_id))
        elif source.query_id is not None:
            from screens.queries import QueryDetailScreen  # it opens its steps: a cycle

            self.app.push_screen(QueryDetailScreen(source.query_id))
        elif source.meeting_id is not None:
            self.notify(f"From the {source.label}", title="Meeting")
        else:
            self.notify("This action was added by hand: it has no source to open")


HELD = "yes, it held"
NOT_HELD = "no: reopen the action"


def summary(detail: ActionDetail, today: date) -> str:
    action = detail.action
    owner = escape(detail.owner)
    if detail.owner_left and action.status != ActionStatus.CLOSED:
        owner = f"[b]OWNER LEFT[/b]: {owner} has left the service (o gives it a new owner)"
    lines = [f"[b]{escape(action.title)}[/b]", f"Owner {owner} — {action.status}"]
    days = rules.days_until(action.due_date, today)
    if action.status == ActionStatus.CLOSED:
        when = f"Due {uk(action.due_date)}"
    elif days < 0:
        when = f"Due {uk(action.due_date)}: [b]OVERDUE[/b] by {-days} days"
    else:
        when = f"Due {uk(action.due_date)} (in {days} days)"
    if action.due_moves:
        first = uk(action.first_due_date) if action.first_due_date else "?"
        times = "once" if action.due_moves == 1 else f"{action.due_moves} times"
        when += f" — first due {first}, moved {times}"
    lines.append(when)
    lines.append(
        f"From {action.source}"
        + (f": {escape(detail.source.label)}" if detail.source.label else " (added by hand)")
        + (f", {action.rung} rung" if action.rung else "")
        + f"; created {uk(action.created_on)}"
    )
    if detail.firing is not None:
        state = (
            f"cleared {uk(detail.firing.cleared_on)}" if detail.firing.cleared_on else "standing"
        )
        lines.append(f"[b]Fired:[/b] {escape(detail.firing.why)} ({state}; g opens the firing)")
    if action.reopened_count:
        times = "once" if action.reopened_count == 1 else f"{action.reopened_count} times"
        lines.append(f"[b]Reopened {times}[/b]")
    if action.status == ActionStatus.CLOSED:
        closed_on = uk(action.closed_on) if action.closed_on else "?"
        lines.append(
            f"Closed {closed_on} by {escape(detail.closed_by or '?')}: "
            f"{escape(action.evidence or '')}"
        )
        if action.evidence_link:
            lines.append(f"Evidence at {escape(action.evidence_link)}")
    if action.review_on and not action.reviewed_on:
        late = " — [b]REVIEW DUE[/b]" if action.review_on <= today else ""
        lines.append(f"Review that the change held on {uk(action.review_on)}{late}")
    if action.reviewed_on:
        lines.append(f"Reviewed {uk(action.reviewed_on)}: {escape(action.review_note or '')}")
    if detail.query is not None:
        query = detail.query
        lines.append(
            f"Step of the commissioner query from {escape(query.asked_by)} "
            f"(response due {uk(query.deadline)}, {query.status})"
        )
    return "\n".join(lines)


def changed_meanwhile(theirs: Iterable[HistoryLine]) -> str:
    said = "\n".join(f"  {h.at:%d/%m %H:%M} {h.actor}: {h.what} ({h.reason})" for h in theirs)
    return (
        "Someone else saved this action after you opened it, so nothing of yours was saved."
        f" They changed:\n{said}\nWhat you typed is kept: save again to apply it to their"
        " version, or escape to leave theirs."
    )
