"""Today: the since-last-huddle picture, with the same numbers as `huddle status`."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on, work
from textual.containers import Grid, VerticalScroll
from textual.widgets import DataTable, Static

from huddle.commands import Command
from huddle.dates import long_uk, uk
from huddle.models import Meeting
from huddle.summary import StatusSummary
from screens.base import HuddleScreen, read_and_post
from screens.keys import bindings
from screens.markup import escape
from screens.messages import LoadFailed, SummaryLoaded
from screens.runner import RunnerScreen
from store.connection import Store
from store.meeting_reads import running_meeting
from store.queries import status_summary

TODAY_COMMANDS = (
    Command(
        "today-refresh", "f5", "F5", "refresh", "Refresh", "Read the counts again from the database"
    ),
    Command(
        "today-resume",
        "m",
        "m",
        "resume",
        "Resume meeting",
        "Back into the meeting in progress, at its section",
    ),
)


TIER_COLUMNS = (("Tier", 20), ("Waiting", 9), ("Breached", 9), ("Interim contact overdue", 23))


class Tile(Static):
    """One count with its label; the label carries the meaning, colour only repeats it."""

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="tile")
        self.border_title = title

    def show(self, count: int, words: str, alarm: bool = False) -> None:
        self.update(f"[b]{count:,}[/b]\n{words}")
        self.set_class(alarm and count > 0, "alarm")


class FiredBox(VerticalScroll):
    """The fired triggers. Capped to a few lines on a small terminal, where it scrolls and
    says so; it takes focus only while there is more in it than it shows, so tab never
    stops on a box with nothing to scroll to."""

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0

    def watch_virtual_size(self) -> None:
        # Said on the box itself, as its lines come and go and the terminal is resized.
        hidden = self.virtual_size.height > self.size.height
        self.border_title = "more: tab here, then ↓ · key 6 lists them all" if hidden else ""

    def on_resize(self) -> None:
        self.watch_virtual_size()


class TodayScreen(HuddleScreen):
    CSS_PATH = "today.tcss"
    SCREEN_COMMANDS = TODAY_COMMANDS
    BINDINGS = bindings(TODAY_COMMANDS)

    def __init__(self) -> None:
        super().__init__()
        self.in_progress: Meeting | None = None
        """Today's meeting in progress, as last read."""

    def compose_body(self) -> Iterable:
        # Scrolls only when banners and a meeting in progress leave it too little room; it
        # never takes focus itself, but follows the focus down to the tier table.
        with VerticalScroll(id="today", can_focus=False):
            yield Static("Reading the waiting list…", id="as-at")
            yield Static(id="in-progress")
            with Grid(id="tiles"):
                yield Tile("Breached", id="breached")
                yield Tile("Not escalated", id="without-escalation")
                yield Tile("Contacts late", id="contact-overdue")
                yield Tile("Actions late", id="actions-overdue")
                yield Tile("Triggers", id="triggers")
                yield Tile("Go-live", id="go-live")
            with FiredBox(id="fired"):
                yield Static(id="fired-text")
            yield Static(id="reviews-due")
            yield Static(id="owner-left")
            yield DataTable(id="tiers", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#tiers", DataTable)
        # Widths fixed up front: left to fit the rows, they are worked out only when the
        # app is next idle, so the table could be drawn at its headings' widths first.
        for label, width in TIER_COLUMNS:
            table.add_column(label, width=width)

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="today")
    def load(self) -> None:
        today = self.app.clock.today()

        def read(store: Store) -> SummaryLoaded:
            return SummaryLoaded(
                status_summary(store, today, metrics=False), running_meeting(store, today)
            )

        read_and_post(self, read, lambda loaded: loaded)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resume":
            return True if self.in_progress is not None else None  # shown, dimmed
        return True

    async def action_resume(self) -> None:
        meeting = self.in_progress
        if meeting is None or meeting.id is None:
            return
        await self.app.switch_mode("meetings")
        screen = self.app.screen
        if not (isinstance(screen, RunnerScreen) and screen.meeting_id == meeting.id):
            await self.app.push_screen(RunnerScreen(meeting.id))

    def on_screen_resume(self) -> None:
        self.load()

    @on(LoadFailed)
    def _show_failure(self, message: LoadFailed) -> None:
        self.query_one("#as-at", Static).update(
            f"Could not read the database: {escape(message.reason)}. Press r to try again."
        )

    @on(SummaryLoaded)
    def _show_summary(self, message: SummaryLoaded) -> None:
        summary = message.summary
        self._show_in_progress(message.in_progress)
        waiting = summary.waiting
        self.query_one("#as-at", Static).update(
            f"As at {long_uk(summary.as_at)} — {waiting.total:,} waiting, "
            f"{summary.actions.open:,} actions open"
        )
        self.query_one("#breached", Tile).show(
            waiting.breached, "past their maximum safe wait", alarm=True
        )
        self.query_one("#without-escalation", Tile).show(
            waiting.breached_without_escalation, "BREACHED WITHOUT ESCALATION", alarm=True
        )
        self.query_one("#contact-overdue", Tile).show(
            waiting.contact_overdue, "interim contacts overdue", alarm=True
        )
        self.query_one("#actions-overdue", Tile).show(
            summary.actions.overdue, f"of {summary.actions.open:,} open actions", alarm=True
        )
        self._show_triggers(summary)
        self._show_go_live(summary)
        self._show_reviews_due(summary)
        owner_left = self.query_one("#owner-left", Static)
        owner_left.display = summary.owner_left.total > 0
        owner_left.update(
            f"[b]OWNER LEFT[/b]: {summary.owner_left.said()}, owned by people who have left; "
            "reassign them (4 Actions, 7 Set-up)"
        )
        # The counts first: focusing the tier table at start may have scrolled them away.
        self.query_one("#today", VerticalScroll).scroll_home(animate=False)
        table = self.query_one("#tiers", DataTable)
        table.clear()
        for number, tier in sorted(waiting.by_tier.items()):
            table.add_row(
                # Text, not markup: a tier's name is the service's own words.
                Text(f"{number} {tier.name}"),
                f"{tier.waiting:,}",
                f"{tier.breached:,}",
                f"{tier.contact_overdue:,}",
                key=str(number),
            )

    @on(DataTable.RowHighlighted, "#tiers")
    def _keep_tier_in_view(self, event: DataTable.RowHighlighted) -> None:
        """On a small terminal the tier table can start below the fold: a row moved to is
        brought into view. Not the first row, highlighted on every read, which would
        scroll the counts away."""
        if event.cursor_row > 0:
            event.data_table.scroll_visible(animate=False)

    def _show_in_progress(self, meeting: Meeting | None) -> None:
        """A meeting left running (someone went to another screen mid-brief) is said here,
        with the one key back into it: d, a and r elsewhere only offer it."""
        self.in_progress = meeting
        line = self.query_one("#in-progress", Static)
        line.display = meeting is not None
        if meeting is not None:
            since = f"since {meeting.started_at:%H:%M}" if meeting.started_at else "started"
            line.update(
                f"[b]MEETING IN PROGRESS[/b]: {escape(meeting.series)} ({meeting.kind}), "
                f"{since} · m resumes it"
            )
        self.refresh_bindings()

    def _show_triggers(self, summary: StatusSummary) -> None:
        triggers = summary.triggers
        self.query_one("#triggers", Tile).show(
            len(triggers.fired),
            f"fired; escalations: {triggers.escalations_open} open,"
            f" {triggers.escalations_overdue} overdue",
            alarm=True,
        )
        self.query_one("#fired", FiredBox).display = bool(triggers.fired)
        self.query_one("#fired-text", Static).update(
            "\n".join(
                f"[b]FIRED {t.fired_on:%d/%m}[/b] {escape(t.rule)} · escalation "
                f"{escape(t.escalation_owner or 'none')}, {t.rung} rung, due "
                f"{t.due:%d/%m} · on the agenda of {escape(t.agenda_series)}"
                if t.due
                else f"[b]FIRED {t.fired_on:%d/%m}[/b] {escape(t.rule)}"
                for t in triggers.fired
            )
        )

    def _show_reviews_due(self, summary: StatusSummary) -> None:
        """Only when there are any: the metrics whose review (of them and their rules, on
        their review cycle) is due, for key 6."""
        due = summary.reviews_due
        line = self.query_one("#reviews-due", Static)
        line.display = bool(due)
        count = f"{len(due)} metric review{'s' if len(due) != 1 else ''} due"
        line.update(f"[b]REVIEW DUE[/b]: {count} — key 6: {escape(', '.join(d.name for d in due))}")

    def _show_go_live(self, summary: StatusSummary) -> None:
        tile = self.query_one("#go-live", Tile)
        if summary.go_live is None:
            tile.update("no mobilisation\nprogramme")
            return
        days = summary.go_live.days_to_go
        when = f"in {days} days" if days > 0 else "TODAY" if days == 0 else f"{-days} days ago"
        programme = escape(summary.go_live.programme)
        tile.update(
            f"[b]{when}[/b]\n{summary.go_live.readiness}\n{uk(summary.go_live.date)} {programme}"
        )
