"""Commissioner queries (the external assurance tracker) through the assurance flow
(huddle.query_flow): each with where it stands in words (open, response due, OVERDUE,
responded, under review, review OVERDUE, closed), its standard steps (actions under it),
its response with evidence, its monthly reviews, and the alignment that closes it."""

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
from huddle.query_flow import (
    REVIEW_WORKING_DAYS,
    VERIFICATION_WORKING_DAYS,
    QueryState,
    Standing,
)
from screens.action_detail import ActionDetailScreen
from screens.action_form import WHEN, due
from screens.action_list import ActionList
from screens.base import HuddleScreen, history_text, read_and_post
from screens.detail import DetailScreen
from screens.form import FormField, FormScreen
from screens.keys import bindings
from screens.markup import escape
from screens.messages import Counted, LoadFailed
from screens.paged_list import Cells, PagedList, fitted
from store import commissioner_queries
from store.action_list import count_actions
from store.bank_holidays import added_bank_holidays
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
    ("Status", 24),
    ("Matter", 26),
    ("Asked by", 14),
    ("Data period", 14),
    ("Owner", 15),
    ("Steps open", 11),
    ("Received", 10),
)
ALARM = Style(color="white", bgcolor="red", bold=True)
SOON = Style(bold=True)
_STYLES = {
    QueryState.OVERDUE: ALARM,
    QueryState.REVIEW_OVERDUE: ALARM,
    QueryState.RESPONSE_DUE: SOON,
    QueryState.RESPONDED: SOON,
    QueryState.CLOSED: Style(dim=True),
}


def status_cell(standing: Standing) -> tuple[str, Style]:
    """The Status column: the words, and a style that only repeats them."""
    return standing.short, _STYLES.get(standing.state, Style())


class QueryList(PagedList[QueryFilter, QueryLine]):
    COLUMNS = COLUMNS
    # The status and the steps open come whole from 80 columns; the query's own screen
    # says who asked, for which period and when.
    WIDTHS = {
        "-narrow": {"Matter": 20, "Asked by": 0, "Data period": 0, "Received": 0},
        "-laptop": {"Matter": 22, "Asked by": 12},
    }

    def read_page(
        self, store: Store, query: QueryFilter, offset: int, limit: int
    ) -> list[QueryLine]:
        return page_of_queries(store, query, offset, limit)

    def cells(self, line: QueryLine) -> Cells:
        words, style = status_cell(line.standing)
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
        "Closed",
        "Also show the closed queries (again to hide them)",
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
            queries = QueryList(id="query-list")
            yield queries.column_titles(classes="columns")
            yield queries

    def on_mount(self) -> None:
        self.shown = QueryFilter(
            as_at=self.app.clock.today(), extra_holidays=added_bank_holidays(self.app.store)
        )
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
        which = "in all, closed among them" if self.shown.answered else "open or under review"
        self.query_one("#as-at", Static).update(
            f"Commissioner queries as at {long_uk(self.shown.as_at)}: "
            f"{message.total:,} {which}, the nearest deadline, then review, first"
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
        if line is None or line.status == QueryStatus.CLOSED:
            return Link()
        return Link(f"commissioner query: {line.matter}", query_id=line.id)

    def action_log_query(self) -> None:
        today = self.app.clock.today()
        staff = everyone(self.app.store)
        extra = added_bank_holidays(self.app.store)

        def save(typed: dict[str, str]) -> object:
            return commissioner_queries.log_query(
                self.app.store,
                received_on=parse_when(typed["received_on"] or "today", today, "received", extra),
                asked_by=typed["asked_by"],
                matter=typed["matter"],
                data_period=typed["data_period"],
                deadline=due(typed["deadline"], today, "response deadline", extra),
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
                note=f"Its steps are created with it, owned by its owner and dated from the day"
                f" received: review within {REVIEW_WORKING_DAYS} working days, verification "
                f"within {VERIFICATION_WORKING_DAYS}, the response by the deadline.",
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
        "Record the response as sent, with evidence: the query goes under monthly review",
    ),
    Command(
        "query-review",
        "v",
        "v",
        "review",
        "Monthly review",
        "Record this month's governance review: what it found; the next is a month on",
    ),
    Command(
        "query-aligned",
        "c",
        "c",
        "aligned",
        "Aligned: close",
        "Record, with evidence, that returns, records and lived experience align: it closes",
    ),
)
_AFTER_RESPONSE = (QueryStatus.RESPONDED, QueryStatus.UNDER_REVIEW)


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
            steps = ActionList(id="steps")
            yield steps.column_titles(classes="columns")
            yield steps
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
        status = self.detail.query.status if self.detail is not None else None
        if action == "respond" and status != QueryStatus.OPEN:
            return None
        if action in ("review", "aligned") and status not in _AFTER_RESPONSE:
            return None
        return True

    def cursor_link(self) -> Link:
        if self.detail is None or self.detail.query.status == QueryStatus.CLOSED:
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
                note=f"Recorded by you, {self.app.store.actor}. Its response step closes with"
                " it; the query goes under review, its first monthly review a month after it"
                " was sent, until returns, records and lived experience align.",
            )
        )

    def action_review(self) -> None:
        today = self.app.clock.today()
        assert self.detail is not None
        read = self.detail

        def save(typed: dict[str, str]) -> object:
            return commissioner_queries.record_review(
                self.app.store,
                self.query_id,
                read.query.version,
                reviewed_on=parse_when(typed["reviewed_on"] or "today", today, "reviewed on"),
                note=typed["note"],
                today=today,
            )

        self.app.push_screen(
            FormScreen(
                f"Monthly review: {read.query.matter}",
                [
                    FormField("reviewed_on", "Reviewed on", value="today"),
                    FormField(
                        "note",
                        "What it found",
                        placeholder="data accuracy audit, family feedback, repeat discrepancies",
                    ),
                ],
                save,
                note=f"Recorded by you, {self.app.store.actor}. The next review is a month after"
                " this one; the query stays under review until the alignment is recorded (c).",
            )
        )

    def action_aligned(self) -> None:
        today = self.app.clock.today()
        assert self.detail is not None
        read = self.detail

        def save(typed: dict[str, str]) -> object:
            return commissioner_queries.record_alignment(
                self.app.store,
                self.query_id,
                read.query.version,
                aligned_on=parse_when(typed["aligned_on"] or "today", today, "aligned on"),
                evidence=typed["evidence"],
                link=typed["link"],
                today=today,
            )

        self.app.push_screen(
            FormScreen(
                f"Returns, records and lived experience align: {read.query.matter}",
                [
                    FormField("aligned_on", "Aligned on", value="today"),
                    FormField(
                        "evidence",
                        "Evidence",
                        placeholder="how they now agree: audit results, family feedback",
                    ),
                    FormField("link", "Link or file path", placeholder="optional"),
                ],
                save,
                note=f"The query closes with it, closed by you, {self.app.store.actor}; refused"
                " while an action under it is still open.",
            )
        )


def query_summary(detail: QueryDetail, today: date) -> str:
    query = detail.query
    standing = detail.standing(today)
    status = escape(standing.words)
    lines = [
        f"[b]Commissioner query: {escape(query.matter)}[/b]",
        f"Asked by {escape(query.asked_by)}, received {uk(query.received_on)}"
        + (f", data period {escape(query.data_period)}" if query.data_period else ""),
        f"Owner {escape(detail.owner)}; response deadline {uk(query.deadline)}",
        f"[b]{status}[/b]" if standing.state.alarm else f"Status: {status}",
    ]
    if query.status != QueryStatus.OPEN:
        sent = uk(query.response_sent_on) if query.response_sent_on else "?"
        # A query answered before the monthly review was kept names its recorder closed_by.
        by = detail.responded_by or (
            detail.closed_by if query.status == QueryStatus.RESPONDED else None
        )
        lines.append(
            f"Response sent {sent}, recorded by {escape(by or '?')}: "
            f"{escape(query.response_evidence or '')}"
        )
        if query.response_link:
            lines.append(f"Evidence at {escape(query.response_link)}")
    for review in detail.reviews:
        lines.append(
            f"Reviewed {uk(review.reviewed_on)} by {escape(review.reviewed_by)}: "
            f"{escape(review.note)} (next {uk(review.next_review_on)})"
        )
    if query.status == QueryStatus.CLOSED:
        aligned = uk(query.aligned_on) if query.aligned_on else "?"
        lines.append(
            f"Aligned {aligned}, closed by {escape(detail.closed_by or '?')}: "
            f"{escape(query.aligned_evidence or '')}"
        )
        if query.aligned_link:
            lines.append(f"Evidence at {escape(query.aligned_link)}")
    return "\n".join(lines)
