"""Every action from every source, with its owner and due date: what is mine, what is
late, what is due this week, what was closed and needs its review."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual import on, work
from textual.containers import Vertical
from textual.widgets import Static

from huddle.action_query import ActionQuery, ActionView
from huddle.commands import Command
from huddle.dates import long_uk
from huddle.models import Person
from huddle.people import person_named
from screens.action_detail import ActionDetailScreen
from screens.action_list import ActionList
from screens.base import HuddleScreen, read_and_post
from screens.keys import bindings
from screens.markup import escape
from screens.messages import ActionTotals, Counted, LoadFailed
from screens.queries import QueriesScreen
from screens.search_box import SearchBox
from store.action_list import action_counts, count_actions

ACTIONS_COMMANDS = (
    Command("actions-open", "enter", "⏎", "open_action", "Open", "Open the highlighted action"),
    Command("actions-mine", "m", "m", "mine", "Mine", "Only my actions (again for everyone's)"),
    Command(
        "actions-owner",
        "o",
        "o",
        "same_owner",
        "Owner",
        "Only the highlighted action's owner (again to clear)",
    ),
    Command(
        "actions-overdue",
        "l",
        "l",
        "view('overdue')",
        "Late",
        "Only overdue actions: not closed, due date passed (again for all open)",
    ),
    Command(
        "actions-week",
        "w",
        "w",
        "view('this_week')",
        "Week",
        "Only actions due within 7 days (again for all open)",
    ),
    Command(
        "actions-closed",
        "c",
        "c",
        "view('closed_recently')",
        "Closed",
        "Actions closed in the last 28 days, latest first (again for open)",
    ),
    Command(
        "actions-every",
        "e",
        "e",
        "view('every')",
        "Every",
        "Every action, open and closed (again for open)",
    ),
    Command(
        "actions-source",
        "f",
        "f",
        "next_source",
        "From",
        "One source at a time: meeting, breach, trigger, query, audit, by hand, then all",
    ),
    Command("actions-search", "slash", "/", "search", "Search", "Find actions by title"),
    Command("actions-sort", "s", "s", "next_sort", "Sort", "Sort by due date, owner or age"),
    Command("actions-clear", "x", "x", "clear", "Clear", "All open actions again"),
    Command(
        "actions-queries",
        "k",
        "k",
        "queries",
        "Queries",
        "Commissioner queries: deadlines, steps and responses",
    ),
)


class ActionsScreen(HuddleScreen):
    CSS_PATH = "actions.tcss"
    SCREEN_COMMANDS = ACTIONS_COMMANDS
    BINDINGS = bindings(ACTIONS_COMMANDS)

    action_query: ActionQuery
    """What the list shows now; every key builds a new one and asks the store again."""

    def compose_body(self) -> Iterable:
        with Vertical(id="actions"):
            yield Static("Reading the actions…", id="as-at")
            yield Static("", id="query-tally")
            yield Static("", id="showing")
            actions = ActionList(id="action-list")
            yield SearchBox("Part of a title — enter to search, escape to close", actions)
            yield actions.column_titles(id="columns")
            yield actions

    def on_mount(self) -> None:
        self.action_query = ActionQuery(as_at=self.app.clock.today())
        self.staff: list[Person] = []
        self.query_one(ActionList).focus()

    def on_screen_resume(self) -> None:
        # Opened, or back from an action or a form (things may have changed): read afresh.
        self.reload(fresh=True)

    def reload(self, *, fresh: bool = False) -> None:
        actions = self.query_one(ActionList)
        if fresh or actions.query_shown != self.action_query:
            actions.show(self.action_query, actions.window)
        if fresh or not self.staff:
            self.load_totals()  # the headline does not change with the view
        self.count(self.action_query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="action-totals")
    def load_totals(self) -> None:
        as_at = self.action_query.as_at
        read_and_post(self, lambda store: action_counts(store, as_at), ActionTotals)

    @work(thread=True, exclusive=True, exit_on_error=False, group="action-count")
    def count(self, query: ActionQuery) -> None:
        read_and_post(
            self, lambda store: count_actions(store, query), lambda total: Counted(query, total)
        )

    @on(LoadFailed)
    def _show_failure(self, message: LoadFailed) -> None:
        self.query_one("#as-at", Static).update(
            f"Could not read the actions: {escape(message.reason)}. Press x to try again."
        )

    @on(ActionTotals)
    def _show_totals(self, message: ActionTotals) -> None:
        totals = message.totals
        self.staff = totals.staff
        self.query_one("#as-at", Static).update(
            f"As at {long_uk(totals.as_at)} — {totals.open:,} open, "
            f"{totals.overdue:,} OVERDUE, {totals.this_week:,} due within 7 days, "
            f"{totals.review_due:,} closed with a REVIEW DUE"
        )
        self.query_one("#query-tally", Static).update(
            f"{escape(totals.queries[:1].upper() + totals.queries[1:])} (k shows them)"
        )

    @on(Counted)
    def _show_count(self, message: Counted) -> None:
        if message.query != self.action_query:
            return
        query = message.query
        owner = next((p.name for p in self.staff if p.id == query.owner_id), None)
        self.query_one("#showing", Static).update(
            f"Showing {message.total:,}: {escape(query.describe(owner))}"
            f" — sorted by {query.sort.value}"
        )
        self.query_one(ActionList).counted(query, message.total)

    def _ask(self, query: ActionQuery) -> None:
        self.action_query = query
        self.reload()

    def action_view(self, view: str) -> None:
        self._ask(self.action_query.with_view(ActionView[view.upper()]))

    def action_next_sort(self) -> None:
        self._ask(self.action_query.next_sort())

    def action_next_source(self) -> None:
        self._ask(self.action_query.next_source())

    def action_clear(self) -> None:
        self._ask(ActionQuery(as_at=self.action_query.as_at, sort=self.action_query.sort))

    def action_mine(self) -> None:
        me = person_named(self.staff, self.app.store.actor)
        if me is None:
            self.notify(
                f"Your changes are recorded as {self.app.store.actor!r}, who is not on the staff "
                "list: open huddle with --user and your name as the service knows it",
                severity="warning",
            )
            return
        owner = None if self.action_query.owner_id == me.id else me.id
        self._ask(replace(self.action_query, owner_id=owner))

    def action_same_owner(self) -> None:
        if self.action_query.owner_id is not None:
            self._ask(replace(self.action_query, owner_id=None))
            return
        line = self.query_one(ActionList).current()
        if line is None:
            self.notify("Move to an action first", severity="warning")
            return
        self._ask(replace(self.action_query, owner_id=line.owner_id))

    def action_search(self) -> None:
        self.query_one(SearchBox).open(self.action_query.search)

    @on(SearchBox.Searched)
    def _search(self, message: SearchBox.Searched) -> None:
        self._ask(replace(self.action_query, search=message.text))

    def action_open_action(self) -> None:
        line = self.query_one(ActionList).current()
        if line is None:
            self.notify("Move to an action first", severity="warning")
            return
        self.app.push_screen(ActionDetailScreen(line.id))

    def action_queries(self) -> None:
        self.app.push_screen(QueriesScreen())
