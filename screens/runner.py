"""The meeting runner: one agenda section at a time with what the service already knows,
a countdown that never blocks typing, attendance in one key per person, and everything
recorded saved the moment it is entered.

`d` (decision), `a` (action) and `r` (risk) are the app's keys: on this screen they record
into this meeting, about the highlighted entry or action where there is one; the form
shows both, and either can be removed there (a general decision taken in a list section
is about nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from rich.style import Style
from textual import on, work
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from huddle.action_query import ActionQuery, ActionView
from huddle.agenda import (
    SectionKey,
    Timer,
    TimerPhase,
    agenda,
    section_after,
    section_of,
    timer,
)
from huddle.commands import Command
from huddle.links import Link
from huddle.models import AttendanceStatus, Meeting, MeetingState
from huddle.waiting_query import WaitingQuery
from screens.action_detail import ActionDetailScreen
from screens.action_list import ActionList
from screens.base import HuddleScreen, read_and_post
from screens.entry_detail import EntryDetailScreen
from screens.entry_list import EntryList
from screens.form import FormScreen
from screens.keys import bindings
from screens.leave import LeaveMeeting
from screens.markup import escape
from screens.meeting_forms import (
    attendee_form,
    capacity_form,
    close_risk_form,
    on_call_form,
    sign_off_form,
)
from screens.messages import LoadFailed, RoomLoaded
from screens.minutes_view import MinutesScreen
from screens.mobilisation import RagHistoryScreen
from screens.mobilisation_forms import rag_form, review_risk_form
from screens.mobilisation_lists import ProgrammeQuery, RiskList, WorkstreamList
from screens.paged_list import Cells, ListHeader, PagedList, fitted
from screens.since_last import SinceLastScreen
from store import meetings
from store.action_list import count_actions
from store.briefing import SinceLast
from store.connection import Store
from store.errors import REFUSALS
from store.meeting_reads import AttendanceLine, attendance, meeting_row
from store.mobilisation_reads import count_risks, count_workstreams
from store.room import RoomView, room_view
from store.waiting_list import count_entries

RUNNER_COMMANDS = (
    Command("room-next", "right_square_bracket", "]", "move(1)", "Next", "The next agenda section"),
    Command(
        "room-previous", "left_square_bracket", "[", "move(-1)", "Back", "The previous section"
    ),
    Command("room-present", "p", "p", "mark('present')", "Present", "Mark present, next person"),
    Command(
        "room-apologies", "x", "x", "mark('apologies')", "Apologies", "Mark apologies, next person"
    ),
    Command("room-add", "plus", "+", "add_attendee", "Add person", "Someone not on the list"),
    Command("room-on-call", "o", "o", "on_call", "On call", "Enter who is on call for a route"),
    Command("room-capacity", "c", "c", "capacity", "Capacity", "Enter staff planned and on shift"),
    Command(
        "room-close-risk",
        "k",
        "k",
        "close_risk",
        "Close risk",
        "Close a risk carried forward from an earlier meeting, with why",
    ),
    Command("room-rate", "g", "g", "rate", "RAG…", "Rate the highlighted workstream, with why"),
    Command(
        "room-open",
        "enter",
        "⏎",
        "open_row",
        "Open",
        "Open the highlighted entry or action; a workstream's RAG history; review a go-live risk",
    ),
    Command(
        "room-since",
        "l",
        "l",
        "since_last",
        "Since last",
        "The new breaches and newly overdue actions since the series last met, to open",
    ),
    Command("room-minutes", "m", "m", "minutes", "Minutes", "The minutes so far (a draft)"),
    Command("room-sign-off", "s", "s", "sign_off", "Sign off", "Sign off and lock the meeting"),
    Command("room-leave", "escape", "esc", "leave", "Leave", "Leave (asks: keep it open?)"),
)

_SECTION_KEYS = {
    "mark": {SectionKey.ATTENDANCE},
    "add_attendee": {SectionKey.ATTENDANCE},
    "on_call": {SectionKey.ROUTES},
    "capacity": {SectionKey.CAPACITY},
    "close_risk": {SectionKey.CARRIED},
    "rate": {SectionKey.WORKSTREAMS},
}
_ACTION_SECTIONS = (SectionKey.SAFETY_ACTIONS, SectionKey.CARRIED, SectionKey.TRIGGERS)
_PROGRAMME_LISTS = {SectionKey.WORKSTREAMS: WorkstreamList, SectionKey.UNSAFE_GO_LIVE: RiskList}

_ENTRY_QUERIES = {
    SectionKey.HIGH_RISK: {"high_risk": True},
    SectionKey.BREACHES: {"breached": True},
    SectionKey.THIS_WEEK: {"due_this_week": True},
    SectionKey.CONTACTS: {"contact_overdue": True},
    SectionKey.NOT_IN_EXTRACT: {"not_in_extract": True},
    SectionKey.HELD: {"held": True},
}


@dataclass(frozen=True)
class AttendanceQuery:
    meeting_id: int
    revision: int
    """Bumped after each mark, so the list is read again."""


_MARKS = {
    AttendanceStatus.PRESENT: ("present", Style()),
    AttendanceStatus.APOLOGIES: ("APOLOGIES", Style(color="yellow")),
    None: ("— not yet marked", Style(dim=True)),
}


class AttendanceList(PagedList[AttendanceQuery, AttendanceLine]):
    COLUMNS = (("Attendance", 18), ("Name", 26), ("Role", 34))

    def read_page(
        self, store: Store, query: AttendanceQuery, offset: int, limit: int
    ) -> list[AttendanceLine]:
        return attendance(store, meeting_row(store, query.meeting_id))[offset : offset + limit]

    def cells(self, line: AttendanceLine) -> Cells:
        words, style = _MARKS[line.status]
        return fitted((words, line.name, line.role), self.COLUMNS, style)

    def same_rows(self, shown: AttendanceQuery, query: AttendanceQuery) -> bool:
        # A mark changes a row's status, never the order (by name): the next mark, pressed
        # before the list is read again, lands on the next person shown.
        return shown.meeting_id == query.meeting_id


class RunnerScreen(HuddleScreen):
    SCREEN_COMMANDS = RUNNER_COMMANDS
    BINDINGS = bindings(RUNNER_COMMANDS)
    CSS_PATH = "runner.tcss"

    def __init__(self, meeting_id: int) -> None:
        super().__init__()
        self.meeting_id = meeting_id
        self.view: RoomView | None = None
        self.section: SectionKey | None = None
        self.revision = 0

    def compose_body(self) -> Iterable:
        with Horizontal(id="room-head"):
            yield Static(id="room-title")
            yield Static(id="timer")
        with Horizontal(id="room"):
            with Vertical(id="rail"):
                yield Static(id="agenda")
                yield Static(id="side")
            with Vertical(id="section"):
                yield Static(id="section-title")
                yield Static(id="rail-line")
                yield Static(id="facts")
                for listed in (
                    AttendanceList(id="attendance-list"),
                    EntryList(id="entry-list"),
                    ActionList(id="action-list"),
                    WorkstreamList(id="workstream-list"),
                    RiskList(id="risk-list"),
                ):
                    yield listed.column_titles(id=f"{listed.id}-header", classes="list-header")
                    yield listed
                yield Static(id="recorded-here")

    def on_mount(self) -> None:
        for widget in self.query(PagedList):
            widget.display = False
        for heading in self.query(ListHeader):
            heading.display = False
        self.set_interval(1.0, self._tick)

    def on_screen_resume(self) -> None:
        if self.app.screen is not self:
            return  # left meanwhile (the leave question's "keep open" dismissed it)
        self.app.room_meeting_id = self.meeting_id
        self.load()

    # --- reading -------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.app.clock.today()

    def _list(self) -> PagedList | None:
        key = self.section
        if key == SectionKey.ATTENDANCE:
            return self.query_one(AttendanceList)
        if key in _ENTRY_QUERIES:
            return self.query_one(EntryList)
        if key in _ACTION_SECTIONS:
            return self.query_one(ActionList)
        if key in _PROGRAMME_LISTS and self.view is not None and self.view.programme_id:
            return self.query_one(_PROGRAMME_LISTS[key])
        return None

    def _list_query(self, key: SectionKey, programme_id: int | None) -> object | None:
        if key == SectionKey.ATTENDANCE:
            return AttendanceQuery(self.meeting_id, self.revision)
        if key in _ENTRY_QUERIES:
            return WaitingQuery(self.today, **_ENTRY_QUERIES[key])
        if key == SectionKey.SAFETY_ACTIONS:
            return ActionQuery(self.today, view=ActionView.DUE_NOW)
        if key == SectionKey.CARRIED:
            return ActionQuery(self.today, view=ActionView.EVERY, carried_into=self.meeting_id)
        if key == SectionKey.TRIGGERS:
            return ActionQuery(self.today, view=ActionView.EVERY, triggered_for=self.meeting_id)
        if key in _PROGRAMME_LISTS and programme_id is not None:
            return ProgrammeQuery(programme_id, self.today, self.revision)
        return None

    @work(thread=True, exclusive=True, group="room", exit_on_error=False)
    def load(self) -> None:
        section, today, meeting_id = self.section, self.today, self.meeting_id

        def read(store: Store) -> tuple[RoomView, int, object | None]:
            view = room_view(store, meeting_id, section or "", today)
            query = self._list_query(view.section, view.programme_id)
            if isinstance(query, ProgrammeQuery):
                count = (
                    count_risks if view.section == SectionKey.UNSAFE_GO_LIVE else count_workstreams
                )
                total = count(store, query.programme_id)
            elif isinstance(query, WaitingQuery):
                total = count_entries(store, query)
            elif isinstance(query, ActionQuery):
                total = count_actions(store, query)
            elif isinstance(query, AttendanceQuery):
                total = view.invited
            else:
                total = 0
            return view, total, query

        read_and_post(self, read, lambda answer: RoomLoaded(*answer))

    @on(LoadFailed)
    def _failed(self, message: LoadFailed) -> None:
        self.query_one("#facts", Static).update(
            f"[b]Could not read the meeting:[/b] {escape(message.reason)}"
        )

    @on(RoomLoaded)
    def _loaded(self, message: RoomLoaded) -> None:
        view, total, query = message.view, message.total, message.query
        self.view, self.section = view, view.section
        meeting = view.meeting
        if meeting.state == MeetingState.SIGNED_OFF:
            self.app.room_meeting_id = None
        self.query_one("#room-title", Static).update(_title(meeting))
        self.query_one("#agenda", Static).update(_agenda(view))
        current = section_of(meeting.kind, view.section)
        number = agenda(meeting.kind).index(current) + 1
        self.query_one("#section-title", Static).update(
            f"[b]{number}. {escape(current.title)}[/b]\n{escape(current.prompt)}"
        )
        self.query_one("#facts", Static).update("\n".join(escape(f) for f in view.facts))
        self.query_one("#side", Static).update(_side(view))
        self.query_one("#rail-line", Static).update(_rail_line(view, number))
        here = [r for r in view.recorded if r.section == view.section and r.kind != "action"]
        self.query_one("#recorded-here", Static).update(
            "\n".join(f"{r.kind.upper()}: {escape(r.words)}" for r in here)
        )
        shown = self._list()
        for widget in self.query(PagedList):
            widget.display = widget is shown
            self.query_one(f"#{widget.id}-header", ListHeader).display = widget is shown
        if shown is not None:
            # Read afresh: what was done meanwhile (an escalation, a closed action) shows.
            shown.show(query, total)
            if not shown.has_focus:
                shown.focus()
        self._tick()
        self.refresh_bindings()

    def countdown(self) -> tuple[str, Timer] | None:
        """The meeting's series and its countdown now; None before it is read or once it
        is signed off. Screens opened from here show it too (screens.base.RoomCountdown)."""
        meeting = self.view.meeting if self.view else None
        if meeting is None or meeting.started_at is None:
            return None
        if meeting.state == MeetingState.SIGNED_OFF:
            return None
        now = self.app.clock.now()
        return meeting.series, timer(meeting.started_at, now, meeting.timebox_minutes)

    def _tick(self) -> None:
        meeting = self.view.meeting if self.view else None
        widget = self.query_one("#timer", Static)
        if meeting is not None and meeting.state == MeetingState.SIGNED_OFF:
            widget.update(f"SIGNED OFF {meeting.signed_off_at:%H:%M}")
            return
        countdown = self.countdown()
        if countdown is None:
            return
        shown = countdown[1]
        widget.update(shown.words)
        for phase in TimerPhase:
            widget.set_class(phase == shown.phase, f"timer-{phase.name.lower().replace('_', '-')}")

    # --- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_risk" and self.section == SectionKey.CARRIED:
            still_open = self.view is not None and any(
                risk.closed_here is None for risk in self.view.carried_risks
            )
            return True if still_open else None  # shown, dimmed, when none is open
        if action in _SECTION_KEYS:
            return self.section in _SECTION_KEYS[action]
        if action == "open_row":
            return self.section in _ENTRY_QUERIES or self.section in (
                *_ACTION_SECTIONS,
                *_PROGRAMME_LISTS,
            )
        return True

    def cursor_link(self) -> Link:
        """The highlighted row; the meeting itself is the app's to add (HuddleApp._capture)."""
        shown = self._list()
        line = shown.current() if shown is not None else None
        if isinstance(shown, EntryList) and line is not None:
            who = line.local_id or line.nhs_number
            return Link(f"waiting-list entry {who}", entry_id=line.id)
        if isinstance(shown, ActionList) and line is not None and line.entry_id is not None:
            return Link(line.linked_to, entry_id=line.entry_id)
        if isinstance(shown, RiskList) and line is not None:
            return Link(f"go-live risk: {line.text}", risk_id=line.id)
        return Link()

    def _refused(self, doing: Callable[[], object]) -> bool:
        try:
            doing()
        except REFUSALS as error:
            self.notify(str(error), severity="error", title="Not saved")
            return True
        return False

    def action_move(self, step: int) -> None:
        if self.view is None:
            return
        target = section_after(self.view.meeting.kind, self.view.section, step)
        if target.key == self.view.section:
            return
        if not self._refused(lambda: meetings.move_to(self.app.store, self.meeting_id, target.key)):
            self.section = target.key
            self.load()

    def action_mark(self, status: str) -> None:
        shown = self.query_one(AttendanceList)
        line = shown.current()
        if line is None:
            return
        mark = AttendanceStatus(status)
        store = self.app.store
        if self._refused(
            lambda: meetings.mark_attendance(store, self.meeting_id, line.person_id, mark)
        ):
            return
        self.revision += 1
        shown.action_move(1)
        self.load()

    def _form_then_load(self, form: FormScreen) -> None:
        def saved(_: object) -> None:
            self.revision += 1
            self.load()

        self.app.push_screen(form, saved)

    def action_add_attendee(self) -> None:
        if self.view is not None:
            self.revision += 1
            self._form_then_load(attendee_form(self.app.store, self.view.meeting, self.view.staff))

    def action_on_call(self) -> None:
        if self.view is not None:
            self._form_then_load(on_call_form(self.app.store, self.today, self.view.staff))

    def action_capacity(self) -> None:
        series = self.view.meeting.series if self.view is not None else ""
        self._form_then_load(capacity_form(self.app.store, self.today, series))

    def action_close_risk(self) -> None:
        view = self.view
        if view is not None and any(risk.closed_here is None for risk in view.carried_risks):
            form = close_risk_form(self.app.store, view.meeting, self.today, view.carried_risks)
            self._form_then_load(form)

    def action_open_row(self) -> None:
        shown = self._list()
        line = shown.current() if shown is not None else None
        if isinstance(shown, EntryList) and line is not None:
            self.app.push_screen(EntryDetailScreen(line.id))
        elif isinstance(shown, ActionList) and line is not None:
            self.app.push_screen(ActionDetailScreen(line.id))
        elif isinstance(shown, WorkstreamList) and line is not None:
            self.app.push_screen(RagHistoryScreen(line.name, line.id, None))
        elif isinstance(shown, RiskList) and line is not None:
            self._form_then_load(review_risk_form(self.app.store, self.today, line))

    def action_rate(self) -> None:
        workstream = self.query_one(WorkstreamList).current()
        if workstream is not None and self.view is not None:
            form = rag_form(
                self.app.store, self.today, workstream, None, self.view.meeting, self.view.staff
            )
            self._form_then_load(form)

    def action_since_last(self) -> None:
        if self.view is not None:
            self.app.push_screen(SinceLastScreen(self.view.since_last))

    def action_minutes(self) -> None:
        self.app.push_screen(MinutesScreen(self.meeting_id))

    def action_sign_off(self) -> None:
        view = self.view
        if view is None:
            return

        def signed(meeting: Meeting | None) -> None:
            if meeting is None:
                return
            self.app.room_meeting_id = None
            self.notify("Signed off: the meeting is locked; corrections are addenda")
            self.app.switch_screen(MinutesScreen(self.meeting_id))

        form = sign_off_form(
            self.app.store, view.meeting, self.app.clock.now, view.without_escalation
        )
        self.app.push_screen(form, signed)

    def action_leave(self) -> None:
        def chosen(choice: str | None) -> None:
            if choice == "keep":
                self.app.room_meeting_id = None
                self.dismiss()
            elif choice == "sign":
                self.action_sign_off()

        if self.view is None or self.view.meeting.state == MeetingState.SIGNED_OFF:
            self.dismiss()
            return
        self.app.push_screen(LeaveMeeting(self.view.meeting.series), chosen)


def _title(meeting: Meeting) -> str:
    return (
        f"[b]{escape(meeting.series)}[/b] · {meeting.kind} · {meeting.held_on:%a %d/%m/%Y} · "
        f"started {meeting.started_at:%H:%M} · {meeting.state.upper()}"
        if meeting.started_at
        else f"[b]{escape(meeting.series)}[/b] · {meeting.kind}"
    )


def _agenda(view: RoomView) -> str:
    lines = ["[b]Agenda[/b]  (\\[ and ] move)"]
    for number, section in enumerate(agenda(view.meeting.kind), 1):
        marker = "▶" if section.key == view.section else " "
        fired = section.key == SectionKey.TRIGGERS and view.triggers
        count = f" ({view.triggers})" if fired else ""
        lines.append(f"{marker} {number}. {escape(section.title)}{count}")
    lines += [
        "",
        "[b]Attendance[/b]",
        f"present {view.present} · apologies {view.apologies}",
        f"not yet marked {view.invited - view.present - view.apologies}",
    ]
    return "\n".join(lines)


def _rail_line(view: RoomView, number: int) -> str:
    """The agenda rail in a line, for a screen too narrow for the rail beside the list
    (below 140 columns)."""
    without = len(view.without_escalation)
    alarm = f"[b]{without} BREACHES WITHOUT ESCALATION[/b] · " if without else ""
    return (
        f"{alarm}Section {number} of {len(agenda(view.meeting.kind))} (\\[ and ] move) · "
        f"present {view.present} · apologies {view.apologies} · "
        f"recorded {view.decisions} decisions, {view.actions} actions, {view.risks} risks · "
        "l since last meeting"
    )


SINCE_NAMED = 2
"""How many new breaches are named beside the agenda (l lists them all)."""


def _since(since: SinceLast) -> list[str]:
    """What changed, with the first new breaches named: "New breaches: 17 (SJ NB-000161,
    PK NB-000281, …)". Every one, and each overdue action, is listed (and opened) with l."""
    lines = [escape(line) for line in since.lines]
    at = next((n for n, line in enumerate(lines) if line.startswith("New breaches")), None)
    if since.breaches and at is not None:
        named = ", ".join(escape(item.short) for item in since.breaches[:SINCE_NAMED])
        lines[at] += f" ({named}{', …' if len(since.breaches) > SINCE_NAMED else ''})"
    return lines


def _side(view: RoomView) -> str:
    lines = []
    if view.without_escalation:
        # First, so no list above can push it out of sight.
        lines += [f"[b]{len(view.without_escalation)} BREACHES WITHOUT ESCALATION[/b]", ""]
    lines += ["[b]Since last meeting[/b] (l lists them)", *_since(view.since_last), ""]
    lines.append(
        f"[b]Recorded[/b] {view.decisions} decisions · {view.actions} actions · {view.risks} risks"
    )
    lines += [f"{r.kind[0].upper()} {escape(r.words)}" for r in view.recorded]
    lines += ["", "d decision · a action · r risk"]
    return "\n".join(lines)
