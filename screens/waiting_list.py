"""The waiting list by risk tier: who has breached, who will this week, whose interim
contact is overdue, and which breaches have no documented escalation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, timedelta

from rich.text import Text
from textual import on, work
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from huddle.commands import Command
from huddle.dates import long_uk
from huddle.links import Link
from huddle.summary import StatusSummary
from huddle.waiting_query import WaitingQuery
from screens.base import HuddleScreen, read_and_post
from screens.entry_detail import EntryDetailScreen
from screens.entry_list import EntryList
from screens.import_waiting import ImportWaitingScreen
from screens.keys import bindings
from screens.markup import escape
from screens.messages import Counted, LoadFailed, SummaryLoaded
from screens.not_in_extract import confirm_form
from screens.reconciliation import ReconciliationScreen
from screens.search_box import SearchBox
from store.queries import status_summary
from store.records import risk_tiers
from store.waiting_list import EntryLine, count_entries

WAITING_LIST_COMMANDS = (
    Command(
        "waiting-open",
        "enter",
        "⏎",
        "open_entry",
        "Open",
        "Open the highlighted entry: contact, escalate, re-tier, pause, owner, close, history",
    ),
    Command(
        "waiting-tier",
        "t",
        "t",
        "next_tier",
        "Tier",
        "Show one tier at a time (1, 2, 3, 4, then all)",
    ),
    Command(
        "waiting-breached",
        "b",
        "b",
        "toggle('breached')",
        "Breached",
        "Only entries past their maximum safe wait",
    ),
    Command(
        "waiting-this-week",
        "w",
        "w",
        "toggle('due_this_week')",
        "Week",
        "Only entries that will breach within 7 days",
    ),
    Command(
        "waiting-contact",
        "c",
        "c",
        "toggle('contact_overdue')",
        "Contact",
        "Only entries whose interim contact is overdue",
    ),
    Command(
        "waiting-no-escalation",
        "n",
        "n",
        "toggle('without_escalation')",
        "No esc.",
        "Only breaches without a documented escalation",
    ),
    Command(
        "waiting-safeguarding",
        "g",
        "g",
        "toggle('safeguarding')",
        "Safeg.",
        "Only entries with a safeguarding flag",
    ),
    Command(
        "waiting-held",
        "h",
        "h",
        "toggle('held')",
        "Held",
        "Only entries with a change from a provider's extract held for a person "
        "(open one to accept or keep it)",
    ),
    Command(
        "waiting-no-owner",
        "u",
        "u",
        "toggle('no_owner')",
        "Unowned",
        "Only entries with no case owner",
        in_footer=False,
    ),
    Command(
        "waiting-closed",
        "C",
        "C",
        "next_closed",
        "Closed",
        "The entries the huddle closed (seen, discharged, removed), then those closed "
        "without an outcome, then those waiting again: open one to record its outcome or "
        "reopen it",
    ),
    Command(
        "waiting-not-in-extract",
        "E",
        "E",
        "toggle('not_in_extract')",
        "Off extract",
        "Only entries the provider's latest extract no longer lists (space marks them, X "
        "confirms the marked)",
        in_footer=False,
    ),
    Command(
        "waiting-mark",
        "space",
        "space",
        "mark",
        "Mark",
        "Mark or unmark the highlighted entry (✓) for one step over several",
    ),
    Command(
        "waiting-confirm-marked",
        "X",
        "X",
        "confirm_marked",
        "Confirm",
        "Confirm the marked entries not in the extract (else the highlighted one): close "
        "each with its outcome, or keep it with a reason",
    ),
    Command(
        "waiting-owner",
        "o",
        "o",
        "same_owner",
        "Owner",
        "Only the highlighted entry's case owner (again to clear)",
    ),
    Command(
        "waiting-provider",
        "p",
        "p",
        "same_provider",
        "Provider",
        "Only the highlighted entry's provider (again to clear)",
    ),
    Command(
        "waiting-search",
        "slash",
        "/",
        "search",
        "Search",
        "Find by NHS number, local id or initials",
    ),
    Command(
        "waiting-sort",
        "s",
        "s",
        "next_sort",
        "Sort",
        "Sort by days to breach, days waited, contact due or tier",
    ),
    Command(
        "waiting-month-end",
        "m",
        "m",
        "month_end",
        "Month end",
        "Project to the month end: who will have breached by then? (again for today)",
    ),
    Command("waiting-clear", "x", "x", "clear", "Clear", "Show everyone waiting again"),
    Command(
        "waiting-reconcile",
        "R",
        "R",
        "reconcile",
        "Reconcile",
        "The weekly reconciliation: one person with two providers, no case owner, "
        "no outcome after closure, long-wait outliers",
    ),
    Command(
        "waiting-import",
        "i",
        "i",
        "import_extract",
        "Import",
        "Import a waiting-list extract (CSV): checked first, then confirmed",
    ),
)


WIDE_BAND = (
    "Tier",
    "Waiting",
    "Breached",
    "Breach within 7 days",
    "Interim contact overdue",
    "Breached without escalation",
)
SHORT_BAND = ("Tier", "Waiting", "Breached", "In 7 days", "Contact overdue", "No escalation")


def month_end(day: date) -> date:
    next_month = day.replace(day=28) + timedelta(days=4)
    return next_month - timedelta(days=next_month.day)


def owner_named(line: EntryLine) -> tuple[int | None, str]:
    """The `o` filter's case owner, and how the filter line names them."""
    left = " (LEFT)" if line.owner_left else ""
    return line.case_owner_id, f"{line.case_owner or ''}{left}"


def provider_named(line: EntryLine) -> tuple[int | None, str]:
    """The `p` filter's provider, named as the list shows it and in full."""
    short, whole = line.provider_short, line.provider
    return line.provider_id, whole if short == whole else f"{short} ({whole})"


class WaitingListScreen(HuddleScreen):
    CSS_PATH = "waiting_list.tcss"
    SCREEN_COMMANDS = WAITING_LIST_COMMANDS
    BINDINGS = bindings(WAITING_LIST_COMMANDS)

    waiting_query: WaitingQuery
    """What the list shows now; every key builds a new one and asks the store again."""

    def compose_body(self) -> Iterable:
        with Vertical(id="waiting"):
            yield Static("Reading the waiting list…", id="as-at")
            yield DataTable(id="band", cursor_type="none", zebra_stripes=True)
            yield Static("", id="showing")
            entries = EntryList(id="entries")
            yield SearchBox(
                "NHS number, local id or initials — enter to search, escape to close", entries
            )
            yield entries.column_titles(id="columns")
            yield entries

    def on_mount(self) -> None:
        self.band_summary: StatusSummary | None = None
        self.band_short: bool | None = None
        self.waiting_query = WaitingQuery(as_at=self.app.clock.today())
        # Known at once, so `t` works before the band's counts arrive.
        self.tier_numbers = sorted(risk_tiers(self.app.store))
        self.band_as_at: date | None = None
        self.query_one(EntryList).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.band_as_at is not None:
            self.reload(band=True)  # back from another screen: someone may have changed things

    def reload(self, *, band: bool = False) -> None:
        """Ask the store again; `band` also after something may have changed the entries.

        The list reads its first window straight away, before anyone knows how many
        entries match: the count (a whole-list scan at a million) only sets the scroll
        range when it arrives. The band depends only on the as-at date and is read on its
        own, so neither waits for the other.
        """
        entries = self.query_one(EntryList)
        if band or entries.query_shown != self.waiting_query:
            entries.show(self.waiting_query, entries.window)
        if band or self.band_as_at != self.waiting_query.as_at:
            self.load_band(self.waiting_query.as_at)
        self.count(self.waiting_query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="waiting-band")
    def load_band(self, as_at: date) -> None:
        read_and_post(
            self, lambda store: status_summary(store, as_at, metrics=False), SummaryLoaded
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="waiting-count")
    def count(self, query: WaitingQuery) -> None:
        read_and_post(
            self,
            lambda store: count_entries(store, query),
            lambda total: Counted(query, total),
        )

    @on(LoadFailed)
    def _show_failure(self, message: LoadFailed) -> None:
        self.query_one("#as-at", Static).update(
            f"Could not read the waiting list: {escape(message.reason)}. Press x to try again."
        )

    @on(Counted)
    def _show_counts(self, message: Counted) -> None:
        if message.query != self.waiting_query:
            return
        query = message.query
        self.query_one("#showing", Static).update(
            f"Showing {message.total:,}: {escape(query.describe())} — sorted by {query.sort.value}"
        )
        self.query_one(EntryList).counted(query, message.total)

    def on_resize(self) -> None:
        # After the screen's breakpoint classes are set for its new size.
        self.call_after_refresh(self._refit_band)

    def _band_titles_short(self) -> bool:
        return not self.has_class("-wide")

    def _refit_band(self) -> None:
        if self.band_summary is not None and self._band_titles_short() != self.band_short:
            self._fill_band(self.band_summary)

    def _fill_band(self, summary: StatusSummary) -> None:
        """The counts by tier, titled short below 140 columns so that the breaches without
        escalation, the last column, are whole from 80 columns."""
        short = self.band_short = self._band_titles_short()
        band = self.query_one("#band", DataTable)
        band.clear(columns=True)
        band.add_columns(*(SHORT_BAND if short else WIDE_BAND))
        for number, tier in sorted(summary.waiting.by_tier.items()):
            without = tier.breached_without_escalation
            words = "NO ESCALATION" if short else "WITHOUT ESCALATION"
            band.add_row(
                Text(f"{number} {tier.name}"),  # not markup: the service's own words
                f"{tier.waiting:,}",
                f"{tier.breached:,}",
                f"{tier.due_this_week:,}",
                f"{tier.contact_overdue:,}",
                Text(f"{without:,} {words}", style="bold red") if without else "0",
            )

    @on(SummaryLoaded)
    def _show_band(self, message: SummaryLoaded) -> None:
        summary = message.summary
        if summary.as_at != self.waiting_query.as_at:
            return
        self.band_as_at = summary.as_at
        projected = (
            " (PROJECTED to the month end)" if summary.as_at != self.app.clock.today() else ""
        )
        self.query_one("#as-at", Static).update(
            f"As at {long_uk(summary.as_at)}{projected} — {summary.waiting.total:,} waiting, "
            f"{summary.waiting.breached:,} breached, "
            f"{summary.waiting.breached_without_escalation:,} BREACHED WITHOUT ESCALATION"
        )
        self.band_summary = summary
        self._fill_band(summary)

    def _ask(self, query: WaitingQuery) -> None:
        self.waiting_query = query
        self.refresh_bindings()
        # Marks are for rows on show: a new question starts with none.
        self.query_one(EntryList).marked.clear()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Marking is for confirming entries not in the extract: its keys show with that
        # list only, so the footer keeps room for the keys of every list.
        if action in ("mark", "confirm_marked"):
            return self.waiting_query.not_in_extract
        return True

    def action_next_closed(self) -> None:
        """Closed, then closed without an outcome, then the entries waiting again."""
        query = self.waiting_query
        if query.closed:
            self._ask(replace(query, closed=False, closed_without_outcome=True))
        else:
            self._ask(
                replace(
                    query, closed=not query.closed_without_outcome, closed_without_outcome=False
                )
            )

    def action_mark(self) -> None:
        entries = self.query_one(EntryList)
        line = entries.current()
        if line is None:
            return
        if entries.marked.pop(line.id, None) is None:
            entries.marked[line.id] = line
        entries.refresh()
        entries.action_move(1)

    def action_confirm_marked(self) -> None:
        entries = self.query_one(EntryList)
        chosen = list(entries.marked.values())
        if not chosen and (line := entries.current()) is not None:
            chosen = [line]
        lines = [line for line in chosen if line.not_in_extract and not line.closed]
        if not lines:
            self.notify(
                "Nothing to confirm: mark (space) entries the extract no longer lists (E shows "
                "them), then press X."
            )
            return

        def confirmed(summary: str | None) -> None:
            if summary:
                self.notify(summary, title="Not in the extract: confirmed")
                entries.marked.clear()
                self.reload(band=True)

        self.app.push_screen(confirm_form(self.app.store, lines, self.app.clock.today()), confirmed)

    def action_toggle(self, flag: str) -> None:
        self._ask(self.waiting_query.toggled(flag))

    def action_next_tier(self) -> None:
        current = self.waiting_query.tier
        following = [n for n in self.tier_numbers if current is None or n > current]
        self._ask(replace(self.waiting_query, tier=following[0] if following else None))

    def action_next_sort(self) -> None:
        self._ask(self.waiting_query.next_sort())

    def action_clear(self) -> None:
        self._ask(WaitingQuery(as_at=self.waiting_query.as_at, sort=self.waiting_query.sort))

    def action_import_extract(self) -> None:
        def imported(summary: str | None) -> None:
            if summary:
                self.notify(summary, title="Waiting list imported")
                self.reload(band=True)

        session = self.app.session
        self.app.push_screen(ImportWaitingScreen(session.served, session.imports), imported)

    def action_month_end(self) -> None:
        today = self.app.clock.today()
        as_at = month_end(today) if self.waiting_query.as_at == today else today
        self._ask(replace(self.waiting_query, as_at=as_at))

    def action_same_owner(self) -> None:
        self._narrow_to_highlighted("owner", owner_named)

    def action_same_provider(self) -> None:
        self._narrow_to_highlighted("provider", provider_named)

    def action_reconcile(self) -> None:
        self.app.push_screen(ReconciliationScreen(self.waiting_query.as_at))

    def cursor_link(self) -> Link:
        line = self.query_one(EntryList).current()
        if line is None:
            return Link()
        return Link(f"waiting-list entry {line.local_id or line.nhs_number}", entry_id=line.id)

    def action_open_entry(self) -> None:
        line = self.query_one(EntryList).current()
        if line is None:
            self.notify("Move to an entry first", severity="warning")
            return
        self.app.push_screen(EntryDetailScreen(line.id))

    def _narrow_to_highlighted(
        self, field: str, named: Callable[[EntryLine], tuple[int | None, str]]
    ) -> None:
        """Filter on the highlighted entry's `field` (owner or provider), or clear it."""
        if getattr(self.waiting_query, f"{field}_id") is not None:
            self._ask(replace(self.waiting_query, **{f"{field}_id": None, f"{field}_label": ""}))
            return
        line = self.query_one(EntryList).current()
        if line is None:
            self.notify("Move to an entry first", severity="warning")
            return
        chosen, label = named(line)
        self._ask(replace(self.waiting_query, **{f"{field}_id": chosen, f"{field}_label": label}))

    def action_search(self) -> None:
        self.query_one(SearchBox).open(self.waiting_query.search)

    @on(SearchBox.Searched)
    def _search(self, message: SearchBox.Searched) -> None:
        self._ask(replace(self.waiting_query, search=message.text))
