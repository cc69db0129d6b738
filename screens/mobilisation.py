"""Key 5: are we safe to go live? The countdown and a verdict that follows stated rules;
each workstream's RAG with its trend and dated rationale; the deliverables of the one
highlighted; the standing list "what could make go-live unsafe?"; training and
supervision coverage; and the readiness over the last meetings as a chart.

A RAG is rated (`g`), never just set: the form needs why, and the rating is recorded in
the mobilisation meeting in progress or against the date. `r` raises a go-live risk and
`a` on a risk adds a mitigation action. After go-live the head turns to the early-life
checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from huddle.commands import Command
from huddle.links import Link
from huddle.models import Meeting, MeetingKind, TrainingState
from huddle.readiness import Verdict, countdown, percent
from screens.base import HuddleScreen, read_and_post
from screens.keys import bindings
from screens.markup import escape
from screens.messages import LoadFailed
from screens.mobilisation_forms import (
    deliverable_form,
    evidence_form,
    rag_form,
    review_risk_form,
    training_form,
)
from screens.mobilisation_lists import (
    DeliverableList,
    ProgrammeQuery,
    RiskList,
    TrainingList,
    TrainingQuery,
    WorkstreamList,
)
from screens.paged_list import ListHeader, PagedList
from screens.readiness_chart import chart
from store.connection import Store
from store.mobilisation_reads import (
    Rating,
    count_deliverables,
    count_risks,
    ratings,
)
from store.mobilisation_view import MobilisationView, mobilisation_view
from store.people import everyone

MOBILISATION_COMMANDS = (
    Command(
        "mob-rate",
        "g",
        "g",
        "rate",
        "RAG…",
        "Rate the highlighted workstream or deliverable: R, A or G, and why (required)",
    ),
    Command(
        "mob-open",
        "enter",
        "⏎",
        "open_row",
        "History/review",
        "A workstream's or deliverable's RAG history with dates and why; review a risk",
    ),
    Command("mob-evidence", "e", "e", "evidence", "Evidence", "Record a deliverable's evidence"),
    Command(
        "mob-new-deliverable",
        "n",
        "n",
        "new_deliverable",
        "New deliverable",
        "Add a deliverable to the highlighted workstream",
    ),
    Command(
        "mob-training",
        "t",
        "t",
        "training",
        "Training matrix",
        "Staff by critical competency: booked, completed, signed off; supervisors",
    ),
    Command("mob-refresh", "f5", "F5", "refresh", "Refresh", "Read the dashboard again"),
)


@dataclass
class DashboardLoaded(Message):
    view: MobilisationView | None
    totals: tuple[int, int]
    """Workstreams and open go-live risks."""


@dataclass
class DeliverablesCounted(Message):
    query: ProgrammeQuery
    name: str
    total: int


@dataclass
class HistoryRead(Message):
    ratings: list[Rating]


class MobilisationScreen(HuddleScreen):
    SCREEN_COMMANDS = MOBILISATION_COMMANDS
    BINDINGS = bindings(MOBILISATION_COMMANDS)
    CSS_PATH = "mobilisation.tcss"
    AUTO_FOCUS = ""  # on_screen_resume focuses the workstreams without scrolling to them

    def __init__(self) -> None:
        super().__init__()
        self.view: MobilisationView | None = None
        self.revision = 0
        self.chart_width = 0

    def compose_body(self) -> Iterable:
        with Page(id="mobilisation"):
            yield Static("Reading the mobilisation programme…", id="mob-head")
            yield Static(id="verdict")
            yield Static(id="early-life")
            # Each list's column header names it; its keys are in the footer.
            workstreams = WorkstreamList(id="workstreams", fitted=True)
            deliverables = DeliverableList(id="deliverables", fitted=True)
            risks = RiskList(id="risks", fitted=True)
            yield workstreams.column_titles(classes="list-header")
            yield workstreams
            yield deliverables.column_titles(id="deliverables-header", classes="list-header")
            yield deliverables
            yield risks.column_titles(classes="list-header")
            yield risks
            with Horizontal(id="mob-bottom"):
                yield Static(id="workforce")
                yield Static(id="chart")

    def on_mount(self) -> None:
        self.watch(self.query_one(WorkstreamList), "cursor", self._workstream_moved, init=False)

    def on_resize(self) -> None:
        self._lay_out_bottom()

    def _lay_out_bottom(self) -> None:
        """The chart beside training where both fit whole, else under it: wrapped, its
        rows of letters would no longer line up under their dates."""
        room = self.size.width - 3  # the page's padding and scrollbar
        beside = WORKFORCE_WIDTH + 2 + self.chart_width <= room
        self.query_one("#mob-bottom").set_class(not beside, "stacked")

    def on_screen_resume(self) -> None:
        self.load()
        if not any(widget.has_focus for widget in self.query(PagedList)):
            # Not scrolled to: on a short terminal the countdown and verdict come first.
            self.query_one(WorkstreamList).focus(scroll_visible=False)

    # --- reading -------------------------------------------------------------------------

    def _query(self, workstream_id: int | None = None) -> ProgrammeQuery | None:
        if self.view is None:
            return None
        return ProgrammeQuery(
            self.view.programme.id, self.app.clock.today(), self.revision, workstream_id
        )

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="mobilisation", exit_on_error=False)
    def load(self) -> None:
        today = self.app.clock.today()

        def read(store: Store) -> DashboardLoaded:
            view = mobilisation_view(store, today)
            if view is None:
                return DashboardLoaded(None, (0, 0))
            return DashboardLoaded(
                view, (len(view.workstreams), count_risks(store, view.programme.id))
            )

        read_and_post(self, read, lambda message: message)

    @on(LoadFailed)
    def _failed(self, message: LoadFailed) -> None:
        self.query_one("#mob-head", Static).update(
            f"[b]Could not read the mobilisation programme:[/b] {escape(message.reason)}"
        )

    @on(DashboardLoaded)
    def _loaded(self, message: DashboardLoaded) -> None:
        self.view = view = message.view
        if view is None:
            self.query_one("#mob-head", Static).update(
                "No mobilisation programme in this database. `huddle demo` shows one six weeks"
                " before go-live."
            )
            return
        self.revision += 1
        workstreams, risks = message.totals
        self.query_one("#mob-head", Static).update(_head(view))
        verdict = self.query_one("#verdict", Static)
        verdict.update(_verdict(view))
        verdict.set_class(view.readiness.verdict == Verdict.NOT_READY, "not-ready")
        self.query_one("#early-life", Static).update(_early_life(view))
        self.query_one(WorkstreamList).show(self._query(), workstreams)
        self.query_one(RiskList).show(self._query(), risks)
        self.query_one("#workforce", Static).update(_workforce(view))
        drawn = chart(view)
        self.chart_width = max(Text.from_markup(line).cell_len for line in drawn.splitlines())
        self.query_one("#chart", Static).update(drawn)
        self._lay_out_bottom()
        self._workstream_moved()
        self.refresh_bindings()  # g, e, n and t wait for the programme to be read

    def _workstream_moved(self) -> None:
        # By position in the view, so it does not wait for the list's rows to be read.
        cursor = self.query_one(WorkstreamList).cursor
        if self.view is None or cursor >= len(self.view.workstreams):
            return
        workstream_id, name = self.view.workstreams[cursor]
        query = self._query(workstream_id)
        if query is not None:
            self._count_deliverables(query, name)

    @work(thread=True, exclusive=True, group="mobilisation-deliverables", exit_on_error=False)
    def _count_deliverables(self, query: ProgrammeQuery, name: str) -> None:
        def read(store: Store) -> int:
            return count_deliverables(store, query.programme_id, query.workstream_id)

        read_and_post(self, read, lambda total: DeliverablesCounted(query, name, total))

    @on(DeliverablesCounted)
    def _deliverables_counted(self, message: DeliverablesCounted) -> None:
        title = f"Deliverables of {message.name} ({message.total})"
        self.query_one("#deliverables-header", ListHeader).retitle("Deliverable", title)
        self.query_one(DeliverableList).show(message.query, message.total)

    # --- keys ----------------------------------------------------------------------------

    def _focused(self) -> PagedList | None:
        focused = self.focused
        return focused if isinstance(focused, PagedList) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rate", "open_row", "evidence", "new_deliverable", "training"):
            return self.view is not None
        return True

    def cursor_link(self) -> Link:
        risk = self.query_one(RiskList).current()
        if self.query_one(RiskList).has_focus and risk is not None:
            return Link(f"go-live risk: {risk.text}", risk_id=risk.id)
        return Link()

    def _mobilisation_meeting(self) -> Meeting | None:
        meeting = self.app.meeting_in_room()
        return meeting if meeting and meeting.kind == MeetingKind.MOBILISATION else None

    def _after_form(self, saved: object) -> None:
        if saved is not None:
            self.notify("Saved, with its audit row", title="Recorded")
            self.load()

    def _list_in_hand(self) -> bool:
        """Whether a list has focus: with the page itself focused (to scroll it on a short
        terminal) the highlighted rows may be off screen, so g, ⏎, e and n do not act."""
        if self._focused() is None:
            self.notify("Tab to a list first: g, ⏎, e and n act on its highlighted row")
            return False
        return True

    def action_rate(self) -> None:
        workstream = self.query_one(WorkstreamList).current()
        deliverable = self.query_one(DeliverableList).current()
        if workstream is None or not self._list_in_hand():
            return
        if not self.query_one(DeliverableList).has_focus:
            deliverable = None
        form = rag_form(
            self.app.store,
            self.app.clock.today(),
            workstream,
            deliverable,
            self._mobilisation_meeting(),
            everyone(self.app.store),
        )
        self.app.push_screen(form, self._after_form)

    def action_open_row(self) -> None:
        focused = self._focused()
        workstream = self.query_one(WorkstreamList).current()
        if not self._list_in_hand():
            return
        if isinstance(focused, RiskList):
            risk = focused.current()
            if risk is not None:
                form = review_risk_form(self.app.store, self.app.clock.today(), risk)
                self.app.push_screen(form, self._after_form)
            return
        if workstream is None:
            return
        deliverable = focused.current() if isinstance(focused, DeliverableList) else None
        title = deliverable.title if deliverable else workstream.name
        self.app.push_screen(
            RagHistoryScreen(title, workstream.id, deliverable.id if deliverable else None)
        )

    def action_evidence(self) -> None:
        deliverable = self.query_one(DeliverableList).current()
        if not self._list_in_hand():
            return
        if deliverable is None:
            self.notify("Highlight a deliverable first (tab moves to the list)")
            return
        form = evidence_form(self.app.store, self.app.clock.today(), deliverable)
        self.app.push_screen(form, self._after_form)

    def action_new_deliverable(self) -> None:
        workstream = self.query_one(WorkstreamList).current()
        if workstream is not None and self._list_in_hand():
            form = deliverable_form(
                self.app.store, self.app.clock.today(), workstream, everyone(self.app.store)
            )
            self.app.push_screen(form, self._after_form)

    def action_training(self) -> None:
        if self.view is not None:
            self.app.push_screen(TrainingScreen(self.view))


def _head(view: MobilisationView) -> str:
    go_live = view.programme.go_live
    return (
        f"[b]{escape(view.programme.name)}[/b] · go-live {go_live:%a %d/%m/%Y} · "
        f"[b]{countdown(go_live, view.as_at)}[/b] · as at {view.as_at:%d/%m/%Y}"
    )


def _verdict(view: MobilisationView) -> str:
    readiness = view.readiness
    if view.as_at >= view.programme.go_live:
        still = ", ".join(readiness.blockers) or "none"
        return f"[b]EARLY LIFE[/b] · blocking rules still failing: {escape(still)}"
    reasons = readiness.blockers or readiness.conditions
    because = f": {escape(', '.join(reasons))}" if reasons else ": every rule is met"
    return f"[b]{readiness.verdict}[/b]{because}"


def _early_life(view: MobilisationView) -> str:
    if not view.checks:
        return "After go-live: no checks scheduled"
    parts = []
    for check in view.checks:
        if check.status == "closed":
            state = f"done {check.closed_on:%d/%m}" if check.closed_on else "done"
        elif check.due_date < view.as_at:
            state = "OVERDUE"
        else:
            state = check.status
        parts.append(f"week {check.week} {check.due_date:%d/%m/%y} {state}")
    live = view.as_at >= view.programme.go_live
    lead = "Early-life audits" if live else "Audits after go-live"
    owner = view.checks[0].owner
    return f"{lead} ({escape(owner)}): " + " · ".join(parts)


WORKFORCE_WIDTH = 60
"""The training table's width, and so the panel's (mobilisation.tcss)."""


def _workforce(view: MobilisationView) -> str:
    high_risk = view.coverage[0].high_risk if view.coverage else 0
    lines = [
        f"[b]Training[/b] ({view.cohort} people, {high_risk} on high-risk tasks)",
        f"{'Competency':<18}{'booked':>8}{'completed':>11}{'signed off':>12}{'high-risk':>11}",
    ]
    for cell in view.coverage:
        name = cell.competency.value.split(" (")[0].capitalize()
        lines.append(
            f"{name:<18}{percent(cell.booked, cell.cohort):>7}%"
            f"{percent(cell.completed, cell.cohort):>10}%"
            f"{percent(cell.signed_off, cell.cohort):>11}%"
            f"{cell.high_risk_signed_off:>6}/{cell.high_risk:<3}"
        )
    lines.append(
        f"[b]Supervision[/b] {view.supervised} of {view.cohort} named "
        f"({percent(view.supervised, view.cohort)}%); supervisees/capacity:"
    )
    # Over capacity first, so it is read first.
    ordered = sorted(view.supervisors, key=lambda s: not s.over_capacity)
    supervisors = [
        f"{s.name} {s.supervisees}/{s.capacity}{' OVER' if s.over_capacity else ''}"
        for s in ordered
    ]
    lines.extend(escape(line) for line in _packed(supervisors, WORKFORCE_WIDTH))
    if not supervisors:
        lines.append("no supervisors named")
    return "\n".join(lines)


def _packed(entries: list[str], width: int) -> list[str]:
    """Entries joined by " · " into lines of at most `width`, a line breaking only between
    entries: a wrapped name never loses its figures to the next line."""
    lines: list[str] = []
    for entry in entries:
        if lines and len(lines[-1]) + 3 + len(entry) <= width:
            lines[-1] += f" · {entry}"
        else:
            lines.append(entry)
    return lines


class Page(VerticalScroll):
    """The dashboard, scrolling when the terminal is too small for all of it. It takes
    focus (tab, then up/down/page keys scroll it) only when there is something to scroll
    to: training, supervision and the chart on an 80x24 terminal."""

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0


class RagHistoryScreen(ModalScreen[None]):
    """Every rating of one workstream or deliverable, newest first, with date and why."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="history-close", tooltip="Back to the dashboard")
    ]
    DEFAULT_CSS = """
    RagHistoryScreen { align: center middle; }
    RagHistoryScreen > VerticalScroll {
        width: 110; max-width: 100%; height: auto; max-height: 90%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    """
    SHOWN = 200

    def __init__(self, title: str, workstream_id: int, deliverable_id: int | None) -> None:
        super().__init__()
        self.history_title = title
        self.workstream_id = workstream_id
        self.deliverable_id = deliverable_id

    def compose(self) -> Iterable:
        with VerticalScroll():
            yield Static(f"[b]RAG history: {escape(self.history_title)}[/b]")
            yield Static("Reading…", id="history")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        today = self.app.clock.today()

        def read(store: Store) -> list[Rating]:
            return ratings(
                store,
                self.workstream_id,
                today,
                deliverable_id=self.deliverable_id,
                limit=self.SHOWN,
            )

        read_and_post(self, read, HistoryRead)

    @on(HistoryRead)
    def _read(self, message: HistoryRead) -> None:
        lines = [
            f"{r.rated_on:%d/%m/%Y}  [b]{r.rag.letter}[/b] {r.rag.value:<6} "
            f"{escape(r.rationale)}\n            rated by {escape(r.rated_by)}"
            f"{' in ' + escape(r.meeting) if r.meeting else ' between meetings'}"
            for r in message.ratings
        ]
        self.query_one("#history", Static).update(
            "\n".join(lines) or "Never rated: g on the dashboard rates it, with why."
        )


class TrainingScreen(HuddleScreen):
    """The training matrix: everyone in the mobilising workforce by critical competency."""

    SCREEN_COMMANDS = (
        Command("training-booked", "b", "b", "mark('booked')", "Booked", "Training booked"),
        Command("training-completed", "c", "c", "mark('completed')", "Completed", "Training done"),
        Command(
            "training-signed-off",
            "s",
            "s",
            "mark('competency signed off')",
            "Signed off",
            "Competency signed off by you, an assessor of it named in set-up (not the trainee)",
        ),
        Command("training-close", "escape", "esc", "close", "Back", "Back to the dashboard"),
    )
    BINDINGS = bindings(SCREEN_COMMANDS)
    # Below 35 rows the coverage summary would leave the matrix three rows: it gives way
    # to a line saying where it is (the dashboard shows it too).
    DEFAULT_CSS = """
    TrainingScreen .list-title { padding: 0 1; margin-top: 1; }
    TrainingScreen .list-header { text-style: bold; background: $panel; padding: 0 1; }
    TrainingScreen TrainingList { padding: 0 1; }
    TrainingScreen #coverage-elsewhere { display: none; padding: 0 1; }
    TrainingScreen.-short #coverage { display: none; }
    TrainingScreen.-short #coverage-elsewhere { display: block; }
    TrainingScreen.-short .list-title { margin-top: 0; }
    """

    def __init__(self, view: MobilisationView) -> None:
        super().__init__()
        self.view = view
        self.revision = 0

    def compose_body(self) -> Iterable:
        yield Static(
            "[b]Training matrix[/b]: only a competency SIGNED OFF by a named person (their"
            " initials follow) counts for high-risk tasks; booked is not trained",
            classes="list-title",
        )
        yield Static(_workforce(self.view), id="coverage", classes="list-title")
        yield Static(
            "Coverage by competency and supervision: esc, then on key 5 below the go-live"
            " risks (a taller terminal shows it here)",
            id="coverage-elsewhere",
        )
        matrix = TrainingList(id="training")
        yield matrix.column_titles(classes="list-header")
        yield matrix

    def on_mount(self) -> None:
        matrix = self.query_one(TrainingList)
        matrix.show(TrainingQuery(self.view.as_at, 0), self.view.cohort)
        matrix.focus()

    def action_mark(self, state: str) -> None:
        person = self.query_one(TrainingList).current()
        if person is None:
            return
        form = training_form(self.app.store, self.app.clock.today(), person, TrainingState(state))
        self.app.push_screen(form, self._marked)

    def _marked(self, saved: object) -> None:
        if saved is not None:
            self.notify("Saved, with its audit row", title="Training recorded")
            self.reload()

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def reload(self) -> None:
        today = self.app.clock.today()
        read_and_post(
            self,
            lambda store: mobilisation_view(store, today),
            lambda view: DashboardLoaded(view, (0, 0)),
        )

    @on(DashboardLoaded)
    def _reloaded(self, message: DashboardLoaded) -> None:
        if message.view is None:
            return
        self.view = message.view
        self.revision += 1
        self.query_one("#coverage", Static).update(_workforce(self.view))
        self.query_one(TrainingList).show(
            TrainingQuery(self.view.as_at, self.revision), self.view.cohort
        )

    def action_close(self) -> None:
        self.dismiss()
