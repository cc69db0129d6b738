"""Key 3: start or resume a meeting, and the log of past ones.

The series list comes first, the one with a meeting still open at the top, then the
safety briefs: `3` then `enter` starts today's brief with its usual chair. `n` starts one
with changes (another chair, a new series). The log opens any meeting read-only with its
minutes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from textual import on, work
from textual.widgets import Static

from huddle.commands import Command
from huddle.models import Meeting
from screens.base import HuddleScreen, read_and_post
from screens.keys import bindings
from screens.meeting_forms import start_form
from screens.messages import Counted, LoadFailed
from screens.minutes_view import MinutesScreen
from screens.paged_list import Cells, PagedList, fitted
from screens.runner import RunnerScreen
from store import meetings
from store.connection import Store
from store.errors import REFUSALS
from store.meeting_log import (
    LogQuery,
    MeetingLine,
    SeriesLine,
    SeriesQuery,
    count_meetings,
    count_series,
    page_of_meetings,
    page_of_series,
)
from store.people import everyone

MEETINGS_COMMANDS = (
    Command(
        "meetings-open",
        "enter",
        "⏎",
        "open_row",
        "Start/resume/open",
        "Start today's meeting of the series, resume one still open, or open past minutes",
    ),
    Command(
        "meetings-new",
        "n",
        "n",
        "start_with_changes",
        "Start…",
        "Start a meeting with another chair, or of a new series",
    ),
    Command("meetings-switch", "tab", "tab", "switch_list", "Series/log", "Series or the log"),
)


PLAIN = Style()


def _many(count: int, thing: str) -> str:
    return f"{count} {thing}{'' if count == 1 else 's'}"


class SeriesList(PagedList[SeriesQuery, SeriesLine]):
    COLUMNS = (("Series", 44), ("Kind", 20), ("Chair", 22), ("Now", 38))
    # Below 140 columns the series and whether one is in progress come whole, at 80 without
    # the chair (n's form names it).
    WIDTHS = {
        "-narrow": {"Series": 38, "Kind": 0, "Chair": 0, "Now": 35},
        "-laptop": {"Series": 36, "Kind": 0, "Now": 35},
    }

    def read_page(
        self, store: Store, query: SeriesQuery, offset: int, limit: int
    ) -> list[SeriesLine]:
        return page_of_series(store, query, offset, limit)

    def cells(self, line: SeriesLine) -> Cells:
        if line.open_meeting_id is not None:
            since = f" since {line.open_since:%H:%M}" if line.open_since else ""
            now = f"IN PROGRESS{since} (⏎ resumes)"
        elif line.last_held is None:
            now = "never held (⏎ starts)"
        else:
            now = f"last held {line.last_held:%d/%m/%Y} (⏎ starts)"
        chair = f"OWNER LEFT: {line.chair}" if line.chair_has_left else line.chair
        return fitted((line.series, line.kind, chair, now), self.COLUMNS, PLAIN)


class MeetingLog(PagedList[LogQuery, MeetingLine]):
    COLUMNS = (
        ("Date", 10),
        ("Series", 44),
        ("Kind", 20),
        ("Chair", 22),
        ("State", 12),
        ("Recorded", 24),
    )
    # Below 140 columns the date, series, state and what was recorded come whole, at 80
    # without the chair; the minutes say the rest.
    WIDTHS = {
        "-narrow": {"Series": 27, "Kind": 0, "Chair": 0, "Recorded": 22},
        "-laptop": {"Series": 30, "Kind": 0, "Chair": 16, "Recorded": 22},
    }

    def read_page(
        self, store: Store, query: LogQuery, offset: int, limit: int
    ) -> list[MeetingLine]:
        return page_of_meetings(store, query, offset, limit)

    def cells(self, line: MeetingLine) -> Cells:
        state = line.state.upper() if line.state != "signed off" else "signed off"
        recorded = f"{_many(line.decisions, 'decision')}, {_many(line.actions, 'action')}"
        values = (f"{line.held_on:%d/%m/%Y}", line.series, line.kind, line.chair, state, recorded)
        return fitted(values, self.COLUMNS, PLAIN)


class MeetingsScreen(HuddleScreen):
    SCREEN_COMMANDS = MEETINGS_COMMANDS
    BINDINGS = bindings(MEETINGS_COMMANDS)
    DEFAULT_CSS = """
    MeetingsScreen .list-title { margin-top: 1; padding: 0 1; }
    MeetingsScreen .list-header { text-style: bold; background: $panel; padding: 0 1; }
    MeetingsScreen #series { height: auto; max-height: 8; padding: 0 1; }
    MeetingsScreen #log { padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.revision = 0

    def compose_body(self) -> Iterable:
        yield Static(
            "[b]Start or resume[/b] (⏎ on a series: today's meeting with its usual chair)",
            classes="list-title",
        )
        series = SeriesList(id="series")
        yield series.column_titles(classes="list-header")
        yield series
        yield Static("[b]Meetings log[/b] (⏎ opens the minutes, read-only)", classes="list-title")
        log = MeetingLog(id="log")
        yield log.column_titles(classes="list-header")
        yield log

    def on_screen_resume(self) -> None:
        self.revision += 1
        self.count()
        series = self.query_one(SeriesList)
        if not self.query_one(MeetingLog).has_focus:
            series.focus()

    @work(thread=True, exclusive=True, group="meetings-count", exit_on_error=False)
    def count(self) -> None:
        series, log = SeriesQuery(self.revision), LogQuery(self.revision)

        def read(store: Store) -> tuple[int, int]:
            return count_series(store, series), count_meetings(store, log)

        read_and_post(self, read, lambda totals: Counted((series, log), totals))

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        series, log = message.query
        series_total, log_total = message.total
        self.query_one(SeriesList).show(series, series_total)
        self.query_one(MeetingLog).show(log, log_total)

    @on(LoadFailed)
    def _failed(self, message: LoadFailed) -> None:
        self.notify(message.reason, title="Could not read the meetings", severity="error")

    def action_switch_list(self) -> None:
        series, log = self.query_one(SeriesList), self.query_one(MeetingLog)
        (series if log.has_focus else log).focus()

    def action_open_row(self) -> None:
        log = self.query_one(MeetingLog)
        if log.has_focus:
            line = log.current()
            if line is not None:
                self.app.push_screen(MinutesScreen(line.id))
            return
        chosen = self.query_one(SeriesList).current()
        if chosen is None:
            self.action_start_with_changes()
        elif chosen.open_meeting_id is not None:
            self.app.push_screen(RunnerScreen(chosen.open_meeting_id))
        elif chosen.chair_id is None or chosen.chair_has_left:
            self.action_start_with_changes()
        else:
            self._start(chosen)

    def _start(self, chosen: SeriesLine) -> None:
        clock = self.app.clock
        try:
            started = meetings.start_meeting(
                self.app.store,
                series=chosen.series,
                kind=chosen.kind,
                chair_id=chosen.chair_id,
                today=clock.today(),
                now=clock.now(),
            )
        except REFUSALS as error:
            self.notify(str(error), severity="error", title="Not started")
            return
        self._run(started)

    def _run(self, started: Meeting | None) -> None:
        if started is not None and started.id is not None:
            self.app.push_screen(RunnerScreen(started.id))

    def action_start_with_changes(self) -> None:
        chosen = self.query_one(SeriesList).current()
        store, clock = self.app.store, self.app.clock
        prefill = (
            {"series": chosen.series, "kind": chosen.kind, "chair": chosen.chair}
            if chosen is not None and not chosen.chair_has_left
            else {"series": chosen.series, "kind": chosen.kind}
            if chosen is not None
            else {"series": "Early shift brief"}
        )
        form = start_form(store, clock.today(), clock.now(), everyone(store), **prefill)
        self.app.push_screen(form, self._run)
