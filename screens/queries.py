"""Commissioner queries (the external assurance tracker): each with its deadline, its
steps (actions under it) and, once sent, its response with evidence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from rich.style import Style
from textual import on, work
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from huddle.action_query import ActionQuery, ActionView
from huddle.commands import Command
from huddle.dates import long_uk, parse_when, uk
from huddle.links import Link
from huddle.models import Person, QueryStatus
from huddle.people import match_person
from screens.action_detail import ActionDetailScreen
from screens.action_form import WHEN, due
from screens.action_list import ActionList
from screens.action_list import column_header as action_columns
from screens.base import HuddleScreen, history_text, read_and_post
from screens.detail import DetailScreen
from screens.form import FormField, FormScreen
from screens.keys import bindings
from screens.markup import escape
from screens.messages import Counted, LoadFailed
from screens.paged_list import Cells, PagedList, fitted, header
from store import commissioner_queries
from store.action_list import count_actions
from store.people import everyone
from store.query_list import (
    QueryDetail,
    QueryFilter,
    QueryLine,
    count_queries,
    page_of_queries,
    query_detail,
)

if TYPE_CHECKING:
    from store import Store

COLUMNS = (
    ("Response", 14),
    ("Matter", 30),
    ("Asked by", 18),
    ("Data period", 12),
    ("Owner", 17),
    ("Steps open", 11),
    ("Received", 10),
)
ALARM = Style(color="white", bgcolor="red", bold=True)
SOON = Style(bold=True)


def response_words(line: QueryLine) -> tuple[str, Style]:
    if line.status != QueryStatus.OPEN:
        sent = uk(line.response_sent_on) if line.response_sent_on else "?"
        return f"sent {sent}", Style(dim=True)
    days = line.days_to_deadline
    if days < 0:
        return f"OVERDUE {-days}d", ALARM
    if days == 0:
        return "DUE TODAY", ALARM
    return (f"DUE IN {days}d", SOON) if days < 7 else (f"in {days}d", Style())


class QueryList(PagedList[QueryFilter, QueryLine]):
    COLUMNS = COLUMNS

    def read_page(
        self, store: Store, query: QueryFilter, offset: int, limit: int
    ) -> list[QueryLine]:
        return page_of_queries(store, query, offset, limit)

    def cells(self, line: QueryLine) -> Cells:
        words, style = response_words(line)
        values = (
            words,
            line.matter,
            line.asked_by,
            line.data_period,
            line.owner,
            f"{line.steps_open} of {line.steps}",
            uk(line.received_on),
        )
        cells = fitted(values, COLUMNS, Style())
        cells[0] = (cells[0][0], style)
        return cells


QUERIES_COMMANDS = (
    Command("queries-open", "enter", "⏎", "open_query", "Open", "Open the highlighted query"),
    Command(
        "queries-log",
        "n",
        "n",
        "log_query",
        "Log query",
        "Log a query received from the commissioner",
    ),
    Command(
        "queries-answered",
        "h",
        "h",
        "toggle_answered",
        "Answered",
        "Also show the queries already answered (again to hide them)",
    ),
)


class QueriesScreen(HuddleScreen):
    SCREEN_COMMANDS = QUERIES_COMMANDS
    BINDINGS = [
        *bindings(QUERIES_COMMANDS),
        Binding("escape", "back", "Back", id="queries-back", tooltip="Back", key_display="esc"),
    ]
    DEFAULT_CSS = """
    QueriesScreen #queries { padding: 0 1; }
    QueriesScreen #as-at { margin-top: 1; text-style: bold; }
    QueriesScreen .columns { height: 1; text-wrap: nowrap; text-style: bold; background: $panel; }
    """

    def compose_body(self) -> Iterable:
        with Vertical(id="queries"):
            yield Static("Commissioner queries", id="as-at")
            yield Static(header(COLUMNS), classes="columns")
            yield QueryList(id="query-list")

    def on_mount(self) -> None:
        self.shown = QueryFilter(as_at=self.app.clock.today())
        self.query_one(QueryList).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        queries = self.query_one(QueryList)
        queries.show(self.shown, queries.window)
        self.count(self.shown)

    @work(thread=True, exclusive=True, exit_on_error=False, group="query-count")
    def count(self, shown: QueryFilter) -> None:
        read_and_post(
            self, lambda store: count_queries(store, shown), lambda total: Counted(shown, total)
        )

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        if message.query != self.shown:
            return
        which = "open and answered" if self.shown.answered else "awaiting a response"
        self.query_one("#as-at", Static).update(
            f"Commissioner queries as at {long_uk(self.shown.as_at)}: "
            f"{message.total:,} {which}, the nearest deadline first"
        )
        self.query_one(QueryList).counted(self.shown, message.total)

    @on(LoadFailed)
    def _show_failure(self, message: LoadFailed) -> None:
        self.query_one("#as-at", Static).update(
            f"Could not read the queries: {escape(message.reason)}"
        )

    def action_toggle_answered(self) -> None:
        self.shown = replace(self.shown, answered=not self.shown.answered)
        self.reload()

    def action_open_query(self) -> None:
        line = self.query_one(QueryList).current()
        if line is None:
            self.notify("Move to a query first", severity="warning")
            return
        self.app.push_screen(QueryDetailScreen(line.id))

    def cursor_link(self) -> Link:
        line = self.query_one(QueryList).current()
        if line is None or line.status != QueryStatus.OPEN:
            return Link()
        return Link(f"commissioner query: {line.matter}", query_id=line.id)

    def action_log_query(self) -> None:
        today = self.app.clock.today()
        staff = everyone(self.app.store)

        def save(typed: dict[str, str]) -> object:
            return commissioner_queries.log_query(
                self.app.store,
                received_on=parse_when(typed["received_on"] or "today", today, "received"),
                asked_by=typed["asked_by"],
                matter=typed["matter"],
                data_period=typed["data_period"],
                deadline=due(typed["deadline"], today, "response deadline"),
                owner_id=match_person(staff, typed["owner"], "owner").id,
                today=today,
            )

        self.app.push_screen(
            FormScreen(
                "Log a commissioner query",
                [
                    FormField("received_on", "Received", value="today"),
                    FormField("asked_by", "Asked by", placeholder="who asked, e.g. ICB contracts"),
                    FormField("matter", "Matter", placeholder="the measure or matter queried"),
                    FormField("data_period", "Data period", placeholder="e.g. October 2026"),
                    FormField("deadline", "Response deadline", placeholder=WHEN),
                    FormField("owner", "Owner", suggestions=_names(staff)),
                ],
                save,
            )
        )

    def action_back(self) -> None:
        self.app.pop_screen()


def _names(staff: list[Person]) -> tuple[str, ...]:
    return tuple(person.name for person in staff)


QUERY_COMMANDS = (
    Command("query-step", "enter", "⏎", "open_step", "Open step", "Open the highlighted step"),
    Command(
        "query-respond",
        "x",
        "x",
        "respond",
        "Response sent",
        "Record the response as sent, with evidence: the query closes",
    ),
)


class QueryDetailScreen(DetailScreen[QueryDetail]):
    WHAT = "this query"
    SCREEN_COMMANDS = QUERY_COMMANDS
    BINDINGS = [
        *bindings(QUERY_COMMANDS),
        Binding("escape", "back", "Back", id="query-back", tooltip="Back", key_display="esc"),
    ]
    DEFAULT_CSS = """
    QueryDetailScreen #query { padding: 0 1; }
    QueryDetailScreen .part { margin: 1 0 0 0; height: auto; }
    QueryDetailScreen .columns {
        height: 1; text-wrap: nowrap; text-style: bold; background: $panel;
    }
    QueryDetailScreen ActionList { height: 8; }
    """

    def __init__(self, query_id: int) -> None:
        super().__init__()
        self.query_id = query_id

    def compose_body(self) -> Iterable:
        with Vertical(id="query"):
            yield Static("Reading the query…", id="summary", classes="part")
            yield Static(
                "[b]Steps[/b] (actions under this query; a or the palette adds one)",
                classes="part",
            )
            yield Static(action_columns(), classes="columns")
            yield ActionList(id="steps")
            yield Static("", id="history", classes="part")

    def on_mount(self) -> None:
        self.query_one(ActionList).focus()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        steps = ActionQuery(
            as_at=self.app.clock.today(), view=ActionView.EVERY, query_id=self.query_id
        )
        listed = self.query_one(ActionList)
        listed.show(steps, listed.window)
        self.count_steps(steps)

    def read(self, store: Store) -> QueryDetail:
        return query_detail(store, self.query_id)

    def show(self, detail: QueryDetail) -> None:
        self.query_one("#summary", Static).update(query_summary(detail, self.app.clock.today()))
        self.query_one("#history", Static).update(history_text(detail.history))

    @work(thread=True, exclusive=True, exit_on_error=False, group="query-steps")
    def count_steps(self, steps: ActionQuery) -> None:
        read_and_post(
            self, lambda store: count_actions(store, steps), lambda total: Counted(steps, total)
        )

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        self.query_one(ActionList).counted(message.query, message.total)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "respond" and (
            self.detail is None or self.detail.query.status != QueryStatus.OPEN
        ):
            return None
        return True

    def cursor_link(self) -> Link:
        if self.detail is None or self.detail.query.status != QueryStatus.OPEN:
            return Link()
        return Link(f"commissioner query: {self.detail.query.matter}", query_id=self.query_id)

    def action_open_step(self) -> None:
        line = self.query_one(ActionList).current()
        if line is None:
            self.notify("No step yet: press a to add one", severity="warning")
            return
        self.app.push_screen(ActionDetailScreen(line.id))

    def action_respond(self) -> None:
        today = self.app.clock.today()
        assert self.detail is not None
        read = self.detail

        def save(typed: dict[str, str]) -> object:
            return commissioner_queries.record_response(
                self.app.store,
                self.query_id,
                read.query.version,
                sent_on=parse_when(typed["sent_on"] or "today", today, "sent on"),
                evidence=typed["evidence"],
                link=typed["link"],
                today=today,
            )

        self.app.push_screen(
            FormScreen(
                f"Response sent: {read.query.matter}",
                [
                    FormField("sent_on", "Sent on", value="today"),
                    FormField("evidence", "Evidence", placeholder="what was sent, to whom"),
                    FormField("link", "Link or file path", placeholder="optional"),
                ],
                save,
                note=f"The query closes with it, closed by you, {self.app.store.actor}.",
            )
        )


def query_summary(detail: QueryDetail, today: date) -> str:
    query = detail.query
    lines = [
        f"[b]Commissioner query: {escape(query.matter)}[/b]",
        f"Asked by {escape(query.asked_by)}, received {uk(query.received_on)}"
        + (f", data period {escape(query.data_period)}" if query.data_period else ""),
        f"Owner {escape(detail.owner)}",
    ]
    if query.status == QueryStatus.OPEN:
        days = (query.deadline - today).days
        state = f"[b]OVERDUE[/b] by {-days} days" if days < 0 else f"{days} days to go"
        lines.append(f"Response due {uk(query.deadline)}: {state}")
    else:
        sent = uk(query.response_sent_on) if query.response_sent_on else "?"
        lines.append(
            f"Response sent {sent} (deadline {uk(query.deadline)}), recorded by "
            f"{escape(detail.closed_by or '?')}: {escape(query.response_evidence or '')}"
        )
        if query.response_link:
            lines.append(f"Evidence at {escape(query.response_link)}")
    return "\n".join(lines)
