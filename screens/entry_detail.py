"""One waiting-list entry: where it stands, what was done about it, and its full history.
Every change the huddle makes to an entry is one key from here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from huddle import rules
from huddle.commands import Command
from huddle.dates import long_uk, parse_when, uk
from huddle.links import Capture, Link
from huddle.models import (
    RUNG_WORKING_DAYS,
    ContactKind,
    EntryStatus,
    EscalationRung,
    Person,
)
from huddle.nhs_number import spaced
from huddle.oversight import due_on
from huddle.people import match_person
from screens.base import history_text
from screens.detail import DetailScreen
from screens.form import FormField, FormScreen
from screens.keys import bindings
from screens.markup import escape
from store import entry_changes, held_changes
from store.bank_holidays import added_bank_holidays
from store.entry_detail import EntryDetail, entry_detail
from store.errors import REFUSALS

if TYPE_CHECKING:
    from store import Store

ENTRY_COMMANDS = (
    Command("entry-contact", "l", "l", "log_contact", "Log contact", "Record an interim contact"),
    Command("entry-escalate", "e", "e", "escalate", "Escalate", "Open an escalation action"),
    Command("entry-tier", "t", "t", "retier", "Re-tier", "Move to another tier (with a reason)"),
    Command("entry-pause", "p", "p", "pause", "Pause/resume", "Pause or resume the clock (reason)"),
    Command("entry-owner", "o", "o", "change_owner", "Owner", "Change the case owner"),
    Command("entry-reviewed", "v", "v", "reviewed", "Reviewed", "Mark reviewed in today's huddle"),
    Command(
        "entry-accept",
        "A",
        "A",
        "resolve_held(True)",
        "Accept",
        "Accept a change the provider's extract asked for and huddle held (with a reason)",
    ),
    Command(
        "entry-keep",
        "K",
        "K",
        "resolve_held(False)",
        "Keep ours",
        "Keep huddle's value against a change the extract asked for (with a reason)",
    ),
    Command(
        "entry-close",
        "x",
        "x",
        "close_entry",
        "Close",
        "Take off the list: seen, discharged or removed (with a reason); on a closed entry, "
        "record its outcome or reopen it",
    ),
)


CHANGES = frozenset(command.action for command in ENTRY_COMMANDS)


class EntryDetailScreen(DetailScreen[EntryDetail]):
    WHAT = "this entry"
    SCREEN_COMMANDS = ENTRY_COMMANDS
    BINDINGS = [
        *bindings(ENTRY_COMMANDS),
        Binding(
            "escape",
            "back",
            "Back",
            id="entry-back",
            tooltip="Back to where you came from",
            key_display="esc",
        ),
    ]
    DEFAULT_CSS = """
    EntryDetailScreen #entry { padding: 0 1; }
    EntryDetailScreen .part { margin-bottom: 1; }
    EntryDetailScreen .alarm { color: $error; text-style: bold; }
    """

    def __init__(self, entry_id: int) -> None:
        super().__init__()
        self.entry_id = entry_id

    def compose_body(self) -> Iterable:
        with VerticalScroll(id="entry"):
            yield Static(f"Waiting-list entry, as at {long_uk(self.app.clock.today())}", id="as-at")
            yield Static("Reading the entry…", id="summary", classes="part")
            yield Static("", id="held", classes="part")
            yield Static("", id="escalations", classes="part")
            yield Static("", id="contacts", classes="part")
            yield Static("", id="history", classes="part")

    def read(self, store: Store) -> EntryDetail:
        return entry_detail(store, self.entry_id)

    def show(self, detail: EntryDetail) -> None:
        today = self.app.clock.today()
        self.query_one("#summary", Static).update(_summary(detail, today))
        held = self.query_one("#held", Static)
        held.update(_held(detail))
        held.display = bool(detail.held)
        self.query_one("#escalations", Static).update(_escalations(detail))
        self.query_one("#contacts", Static).update(_contacts(detail))
        self.query_one("#history", Static).update(history_text(detail.history))

    def cursor_link(self) -> Link:
        if self.detail is None:
            return Link()
        entry = self.detail.entry
        return Link(
            f"waiting-list entry {entry.local_id or entry.nhs_number}", entry_id=self.entry_id
        )

    # --- the changes ---------------------------------------------------------------------

    def _form(
        self,
        title: str,
        fields: Iterable[FormField],
        save: Callable[[dict[str, str]], object],
        capture: Capture | None = None,
    ) -> None:
        """A form for the entry as last read; the entry is read again when it closes."""
        self.app.push_screen(FormScreen(title, fields, save, capture=capture))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A change needs the entry as read (its version, its staff list): until then the
        # keys show disabled.
        if action in CHANGES and self.detail is None:
            return None
        return True

    @property
    def _version(self) -> int:
        return self.read_detail.entry.version

    def _meeting_id(self) -> int | None:
        """The meeting this screen was opened from, which a review is recorded in."""
        capture, _ = self.app.capture()
        return capture.link().meeting_id

    def _people(self) -> list[Person]:
        return self.read_detail.staff

    def _who(self) -> tuple[str, ...]:
        return tuple(person.name for person in self._people())

    def action_log_contact(self) -> None:
        today = self.app.clock.today()
        me = next((p.name for p in self._people() if p.name == self.app.store.actor), "")

        def save(typed: dict[str, str]) -> object:
            return entry_changes.log_contact(
                self.app.store,
                self.entry_id,
                self._version,
                kind=ContactKind(typed["kind"]),
                outcome=typed["outcome"],
                made_by=match_person(self._people(), typed["made_by"], "made by").id,
                contact_on=parse_when(typed["contact_on"], today, "contact date"),
                today=today,
            )

        self._form(
            "Log an interim contact",
            [
                FormField("kind", "Type", "choice", choices=tuple(ContactKind)),
                FormField("contact_on", "Contact date", value=uk(today)),
                FormField("made_by", "Made by", value=me, suggestions=self._who()),
                FormField("outcome", "Outcome", placeholder="what was said, what happens next"),
            ],
            save,
        )

    def action_escalate(self) -> None:
        today = self.app.clock.today()
        owner = self.read_detail.case_owner
        # In the meeting it was opened from, shown and removable; or the one in progress,
        # offered.
        capture, _ = self.app.capture()

        def save(typed: dict[str, str]) -> object:
            rung = EscalationRung(typed["rung"])
            extra = added_bank_holidays(self.app.store)
            due = (
                parse_when(typed["due_date"], today, "due date", extra)
                if typed["due_date"].strip()
                else due_on(rung, today, extra)
            )
            return entry_changes.escalate(
                self.app.store,
                self.entry_id,
                rung=rung,
                owner_id=match_person(self._people(), typed["owner"], "owner").id,
                due_date=due,
                today=today,
                title=typed["title"],
                meeting_id=capture.link().meeting_id,
            )

        timeframes = "/".join(str(days) for days in RUNG_WORKING_DAYS.values())
        self._form(
            "Escalate",
            [
                FormField("rung", "Rung", "choice", choices=tuple(EscalationRung)),
                FormField("owner", "Owner", value=owner or "", suggestions=self._who()),
                FormField(
                    "due_date",
                    "Due date",
                    placeholder=f"blank: {timeframes} working days by rung; or fri, "
                    "+3d calendar, +3wd working",
                ),
                FormField("title", "Title", placeholder="blank: Escalation (rung) for this entry"),
            ],
            save,
            capture,
        )

    def action_retier(self) -> None:
        today = self.app.clock.today()
        tiers = self.read_detail.tiers
        labels = tuple(f"{n} {tier.name}" for n, tier in tiers.items())
        current = self.read_detail.entry.tier

        def save(typed: dict[str, str]) -> object:
            return entry_changes.retier(
                self.app.store,
                self.entry_id,
                self._version,
                tier=int(typed["tier"].split()[0]),
                reason=typed["reason"],
                today=today,
            )

        self._form(
            "Re-tier (the referral date stands; a breach that has happened stands)",
            [
                FormField(
                    "tier",
                    "Tier",
                    "choice",
                    value=next((label for label in labels if label.startswith(f"{current} ")), ""),
                    choices=labels,
                ),
                FormField("reason", "Reason", placeholder="e.g. clinical review of new symptoms"),
            ],
            save,
        )

    def action_pause(self) -> None:
        today = self.app.clock.today()
        paused = self.read_detail.entry.paused_since is not None
        change = entry_changes.resume_clock if paused else entry_changes.pause_clock
        # The day it happened, which may be before the day it is recorded.
        field, label = ("resumed_on", "Resume date") if paused else ("paused_on", "Pause date")

        def save(typed: dict[str, str]) -> object:
            return change(
                self.app.store,
                self.entry_id,
                self._version,
                reason=typed["reason"],
                today=today,
                on=parse_when(typed[field], today, label.lower()),
            )

        self._form(
            "Resume the clock" if paused else "Pause the clock (patient-initiated)",
            [FormField("reason", "Reason"), FormField(field, label, value=uk(today))],
            save,
        )

    def action_resolve_held(self, accept: bool) -> None:
        held = self.read_detail.held
        if not held:
            self.app.notify("Nothing from the provider's extract is held for this entry.")
            return
        today = self.app.clock.today()
        which = {f"{n}. {line.describe()}": line for n, line in enumerate(held, 1)}

        def save(typed: dict[str, str]) -> object:
            line = which[typed["which"]] if len(held) > 1 else held[0]
            return held_changes.resolve(
                self.app.store,
                line.id,
                line.version,
                accept=accept,
                reason=typed["reason"],
                today=today,
            )

        verb = "Accept the extract's value" if accept else "Keep huddle's value"
        fields = [
            FormField(
                "reason",
                "Reason",
                placeholder="why, for the audit trail (e.g. confirmed with the provider)",
            )
        ]
        if len(held) > 1:
            fields.insert(0, FormField("which", "Held change", "choice", choices=tuple(which)))
        title = verb if len(held) > 1 else f"{verb}: {held[0].describe()}"
        self._form(title, fields, save)

    def action_change_owner(self) -> None:
        today = self.app.clock.today()

        def save(typed: dict[str, str]) -> object:
            return entry_changes.change_case_owner(
                self.app.store,
                self.entry_id,
                self._version,
                owner_id=match_person(self._people(), typed["owner"], "case owner").id,
                reason=typed["reason"],
                today=today,
            )

        self._form(
            "Change the case owner",
            [
                FormField("owner", "Case owner", suggestions=self._who()),
                FormField("reason", "Reason", placeholder="optional, e.g. caseload rebalanced"),
            ],
            save,
        )

    def action_close_entry(self) -> None:
        if self.read_detail.entry.status != EntryStatus.WAITING:
            self._closed_form()
            return
        today = self.app.clock.today()

        def save(typed: dict[str, str]) -> object:
            return entry_changes.close_entry(
                self.app.store,
                self.entry_id,
                self._version,
                status=EntryStatus(typed["status"]),
                reason=typed["reason"],
                today=today,
                on=parse_when(typed["closed_on"], today, "close date"),
            )

        self._form(
            "Close the entry (it stays on record with its history)",
            [
                FormField("status", "Status", "choice", choices=entry_changes.CLOSED_STATUSES),
                FormField("reason", "Reason", placeholder="the outcome, e.g. seen in clinic"),
                FormField("closed_on", "Close date", value=uk(today)),
            ],
            save,
        )

    def _closed_form(self) -> None:
        """On a closed entry, `x` records the outcome it lacks, or reopens it."""
        today = self.app.clock.today()
        entry = self.read_detail.entry
        record, reopen = "record its outcome", "reopen it (back on the waiting list)"
        lacks = not (entry.outcome or "").strip()

        def save(typed: dict[str, str]) -> object:
            if typed["what"] == record:
                return entry_changes.record_outcome(
                    self.app.store, self.entry_id, self._version, outcome=typed["text"], today=today
                )
            return entry_changes.reopen_entry(
                self.app.store, self.entry_id, self._version, reason=typed["text"], today=today
            )

        self._form(
            f"This entry was closed ({entry.status}): record its outcome, or reopen it",
            [
                FormField(
                    "what",
                    "Do",
                    "choice",
                    value=record if lacks else reopen,
                    choices=(record, reopen) if lacks else (reopen,),
                ),
                FormField("text", "Outcome or reason", placeholder="e.g. seen in clinic 02/12"),
            ],
            save,
        )

    def action_reviewed(self) -> None:
        today = self.app.clock.today()
        try:
            entry_changes.mark_reviewed(
                self.app.store,
                self.entry_id,
                self._version,
                today=today,
                meeting_id=self._meeting_id(),
            )
        except REFUSALS as error:
            self.notify(str(error), severity="error")
        else:
            self.notify(f"Marked reviewed at the huddle of {uk(today)}")
        self.load()


# --- what is shown ---------------------------------------------------------------------


def _summary(detail: EntryDetail, today: date) -> str:
    entry, tier = detail.entry, detail.tier
    closed = entry.status != EntryStatus.WAITING
    if closed and entry.closed_on:
        today = entry.closed_on  # a closed entry stopped waiting then: judged as it closed
    who = f"[b]{escape(entry.local_id or '—')}[/b]  NHS number {spaced(entry.nhs_number)}"
    lines = [
        f"{who}  {escape(entry.initials)}  — tier {tier.number} {escape(tier.name)}"
        f"  — {entry.status.upper()}",
        f"Referred {uk(entry.referral_date)}"
        f" ({escape(entry.referral_source or 'source not given')}),"
        f" waited {rules.days_waited(entry.referral_date, today)} days",
    ]
    lines.append(_breach_line(detail, today))
    if tier.interim_contact_days is None:
        lines.append("Interim contact: none (tier 1 must be seen)")
    else:
        due = detail.contact_due
        late = " — [b]LATE[/b]" if rules.is_contact_overdue(due, today) and not closed else ""
        last = uk(entry.last_interim_contact) if entry.last_interim_contact else "none yet"
        lines.append(
            f"Interim contact every {tier.interim_contact_days} days: last {last}, "
            f"next due {uk(due) if due else '—'}{late}"
        )
    owner = escape(detail.case_owner) if detail.case_owner else "[b]NO CASE OWNER[/b]"
    if detail.case_owner_left:
        owner = f"[b]OWNER LEFT[/b]: {owner} has left the service; o gives it a new owner"
    lines.append(f"Case owner {owner}  — provider {escape(detail.provider)}")
    if entry.safeguarding:
        lines.append("[b]SAFEGUARDING[/b] flag")
    if entry.paused_since:
        lines.append(
            f"[b]CLOCK PAUSED[/b] since {uk(entry.paused_since)}: "
            f"{escape(entry.pause_reason or '')}"
        )
    if entry.paused_days:
        ended = f" (the last ended {uk(entry.clock_resumed_on)})" if entry.clock_resumed_on else ""
        lines.append(f"Earlier pauses: {entry.paused_days} days added to the breach date{ended}")
    if entry.last_reviewed_on:
        lines.append(f"Reviewed at the huddle of {uk(entry.last_reviewed_on)}")
    if detail.not_in_extract_since:
        lines.append(
            f"[b]NOT IN THE PROVIDER'S EXTRACT[/b] since {uk(detail.not_in_extract_since)}: "
            "confirm at the huddle"
        )
    if closed:
        on = uk(entry.closed_on) if entry.closed_on else "date not recorded"
        lines.append(
            f"Closed {on}: {escape(entry.outcome or 'NO OUTCOME RECORDED')} — x records its "
            "outcome or reopens it"
        )
    return "\n".join(lines)


def _breach_line(detail: EntryDetail, today: date) -> str:
    wait = f"Maximum safe wait {detail.tier.max_safe_wait_days} days: "
    breach_on = detail.breach_date
    if breach_on is None:
        return (
            f"{wait}clock paused: {detail.days_left_at_resume} days left at resume"
            " (no breach date while paused)"
        )
    days = rules.days_to_breach(breach_on, today)
    if detail.entry.status != EntryStatus.WAITING:
        # `today` is the day it closed (_summary): how it stood when it left the list.
        state = (
            f"it had breached {-days} days before it closed"
            if rules.is_breached(breach_on, today)
            else "it closed before its breach date"
        )
    elif rules.is_breached(breach_on, today):
        state = f"[b]BREACHED[/b] {-days} days ago"
        if not detail.escalated:
            state += " — [b]NO ESCALATION[/b]"
    else:
        state = f"breaches in {days} days"
    if detail.entry.breach_standing:
        state += " (the breach stands through a later re-tier or pause)"
    elif detail.entry.paused_since and rules.is_breached(breach_on, today):
        state += " (breached before the pause: it stands)"
    return f"{wait}breach date {uk(breach_on)}, {state}"


def _escalations(detail: EntryDetail) -> str:
    if not detail.escalations:
        return "[b]Escalations[/b]\n  none"
    lines = ["[b]Escalations[/b]"]
    for e in detail.escalations:
        rung = f"{e.rung}, " if e.rung else ""
        lines.append(
            f"  {escape(e.title)} — {rung}owner {escape(e.owner)}, due {uk(e.due_date)}, {e.status}"
        )
    return "\n".join(lines)


def _contacts(detail: EntryDetail) -> str:
    if not detail.contacts:
        return "[b]Interim contacts[/b]\n  none recorded in huddle"
    lines = ["[b]Interim contacts[/b]"]
    for c in detail.contacts:
        lines.append(f"  {uk(c.contact_on)} {c.kind} by {escape(c.made_by)}: {escape(c.outcome)}")
    return "\n".join(lines)


def _held(detail: EntryDetail) -> Text:
    """What the provider's extract asked for that waits for a person, as plain text: the
    values come from a file."""
    lines = [
        f"HELD FROM THE PROVIDER'S EXTRACT ({len(detail.held)}): A accepts the extract's "
        "value, K keeps huddle's, each with a reason"
    ]
    lines += [
        f"  {line.describe()} — held {uk(line.held_on)}, {line.source}" for line in detail.held
    ]
    return Text("\n".join(lines), style="bold")
