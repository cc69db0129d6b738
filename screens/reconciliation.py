"""The weekly reconciliation: people waiting with two providers, entries with no case
owner, missing outcomes, and long-wait outliers, each with its count and its first lines.

Pushed from the waiting list with its as-at date; escape goes back. One cursor moves
through every line of every check in the order they read, and enter (or a click on the
highlighted line) opens that line's entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.message import Message
from textual.widgets import DataTable, Static

from huddle.commands import Command
from huddle.dates import long_uk, uk
from huddle.nhs_number import spaced
from huddle.reconciliation import Finding, Reconciliation, ReconciliationLine
from screens.base import HuddleScreen, read_and_post
from screens.entry_detail import EntryDetailScreen
from screens.keys import bindings
from screens.markup import escape
from screens.messages import LoadFailed
from store.reconciliation import reconciliation

SHOWN = 10  # lines per check; the counts always cover everything found

RECONCILIATION_COMMANDS = (
    Command(
        "reconciliation-open",
        "enter",
        "⏎",
        "open_entry",
        "Open",
        "Open the highlighted line's entry: owner, contact, held changes, close, history",
    ),
    Command(
        "reconciliation-refresh",
        "f5",
        "F5",
        "refresh",
        "Refresh",
        "Run the reconciliation again on the database",
    ),
)

# The cursor's line is marked in a column of its own, so it shows without colour.
MARKER = "▶"

# Why an entry is listed comes before the long names, so a narrow terminal still shows it.
COLUMNS = (
    "",  # the marker
    "Tier",
    "Local id",
    "NHS number",
    "Who",
    "Why it is listed",
    "Waited",
    "Referred",
    "Case owner",
    "Provider",
)


@dataclass
class ReconciliationLoaded(Message):
    """The reconciliation, read off the UI thread."""

    result: Reconciliation


@dataclass(frozen=True)
class Check:
    """One part of the screen: which finding it shows, its heading, and its reason words.
    A `lead` heading goes above a check that opens a group of two."""

    key: str
    finding: Callable[[Reconciliation], Finding]
    heading: Callable[[int], str]
    why: Callable[[ReconciliationLine], str]
    lead: Callable[[Reconciliation], str] | None = None
    in_group: bool = False


def _also_with(line: ReconciliationLine) -> str:
    others = [provider for provider in line.providers if provider != line.provider]
    return "ALSO WITH " + ", ".join(others)


def _closed(line: ReconciliationLine) -> str:
    when = uk(line.closed_on) if line.closed_on else "(date not recorded)"
    return f"{line.status} {when}, NO OUTCOME"


def _not_in_extract(line: ReconciliationLine) -> str:
    since = uk(line.not_in_extract_since) if line.not_in_extract_since else ""
    return f"NOT IN EXTRACT since {since}, NO OUTCOME"


def _long_wait(line: ReconciliationLine) -> str:
    safe = f" ({line.max_safe_wait_days}d)" if line.max_safe_wait_days is not None else ""
    return f"OVER TWICE THE SAFE WAIT{safe}"


CHECKS = (
    Check(
        "duplicates",
        lambda r: r.duplicates,
        lambda n: f"Duplicates across providers: {n:,} people waiting with two or more",
        _also_with,
    ),
    Check(
        "no-case-owner",
        lambda r: r.no_case_owner,
        lambda n: f"No case owner: {n:,} waiting entries",
        lambda _: "NO CASE OWNER",
    ),
    Check(
        "closed-without-outcome",
        lambda r: r.closed_without_outcome,
        lambda n: f"Closed by the huddle without an outcome: {n:,}",
        _closed,
        lead=lambda r: f"No outcome after closure: {r.no_outcome_after_closure:,}",
        in_group=True,
    ),
    Check(
        "not-in-extract",
        lambda r: r.not_in_extract,
        lambda n: (
            f"Still waiting here, but closed by the provider (no longer in its extract): {n:,}"
        ),
        _not_in_extract,
        in_group=True,
    ),
    Check(
        "held-changes",
        lambda r: r.held_changes,
        lambda n: (
            f"Held from extracts: {n:,} changes a provider's extract asked for, waiting "
            "for a person (open the entry to accept or keep each)"
        ),
        lambda line: f"HELD {line.held}",
    ),
    Check(
        "long-wait-outliers",
        lambda r: r.long_wait_outliers,
        lambda n: f"Long-wait outliers: {n:,} waiting over twice their tier's maximum safe wait",
        _long_wait,
    ),
)


def _cells(line: ReconciliationLine, why: str) -> list[Text]:
    # Text, not markup: names and ids come from the database and are shown as they are.
    values = (
        " ",  # the marker's place, filled while the cursor is on the line
        f"{line.tier} {line.tier_name}",
        line.local_id or "—",
        spaced(line.nhs_number),
        line.initials,
        why,
        f"{line.days_waited}d",
        uk(line.referral_date),
        line.case_owner or "NONE",
        line.provider,
    )
    return [Text(value) for value in values]


@dataclass
class LineClicked(Message):
    """A line of a check was clicked: the screen's cursor goes to it, or opens it."""

    check: str
    row: int


class CheckLines(DataTable, can_focus=False):
    """One check's lines. Never focused, so the page scrolls as one; the screen's single
    cursor, not the table, decides which line is highlighted."""

    def on_click(self, event: events.Click) -> None:
        # Instead of the table's own click, which only works where it shows a cursor: the
        # screen's cursor spans every table.
        event.prevent_default()
        row = event.style.meta.get("row")
        if self.id is not None and isinstance(row, int) and row >= 0:
            self.post_message(LineClicked(self.id, row))


class CheckPage(ScrollableContainer):
    """The page of checks. Up and down move the cursor through the lines, crossing from
    one check to the next, instead of scrolling; left and right still scroll sideways."""

    BINDINGS = [
        Binding(
            "up",
            "screen.move(-1)",
            "Up",
            show=False,
            id="reconciliation-up",
            tooltip="Previous line, into the check above from a check's first line",
        ),
        Binding(
            "down",
            "screen.move(1)",
            "Down",
            show=False,
            id="reconciliation-down",
            tooltip="Next line, into the check below from a check's last line",
        ),
        Binding(
            "pageup",
            "screen.jump_check(-1)",
            "Previous check",
            show=False,
            id="reconciliation-previous-check",
            tooltip="First line of this check, or of the check above",
        ),
        Binding(
            "pagedown",
            "screen.jump_check(1)",
            "Next check",
            show=False,
            id="reconciliation-next-check",
            tooltip="First line of the check below",
        ),
        Binding(
            "home",
            "screen.jump_end(0)",
            "First",
            show=False,
            id="reconciliation-first",
            tooltip="The first line of the first check",
        ),
        Binding(
            "end",
            "screen.jump_end(-1)",
            "Last",
            show=False,
            id="reconciliation-last",
            tooltip="The last line of the last check",
        ),
    ]


class ReconciliationScreen(HuddleScreen):
    CSS_PATH = "reconciliation.tcss"
    SCREEN_COMMANDS = RECONCILIATION_COMMANDS
    BINDINGS = [
        *bindings(RECONCILIATION_COMMANDS),
        Binding(
            "escape",
            "back",
            "Back",
            id="reconciliation-back",
            tooltip="Back to the waiting list",
            key_display="esc",
        ),
    ]

    def __init__(self, as_at: date) -> None:
        super().__init__()
        self.as_at = as_at
        self._lines: dict[str, tuple[ReconciliationLine, ...]] = {}
        """Each check's lines as last read, in the order shown."""
        self._cursor: tuple[str, int] | None = None
        """The highlighted line: a check's key and its row; None while nothing is listed."""

    def compose_body(self) -> Iterable:
        # Scrolls both ways as one page: long provider names can be wider than the screen.
        with CheckPage(id="reconciliation"):
            yield Static(self._as_at_line("reading the database…"), id="as-at")
            for check in CHECKS:
                if check.lead is not None:
                    yield Static("", id=f"{check.key}-lead", classes="check-heading")
                heading = "check-subheading" if check.in_group else "check-heading"
                yield Static("", id=f"{check.key}-heading", classes=heading)
                yield CheckLines(
                    id=check.key,
                    cursor_type="row",
                    show_cursor=False,
                    zebra_stripes=True,
                    classes="check-lines",
                )
                yield Static("", id=f"{check.key}-more", classes="check-more")

    def on_mount(self) -> None:
        for check in CHECKS:
            self.query_one(f"#{check.key}", DataTable).add_columns(*COLUMNS)
        self.query_one(CheckPage).focus()

    def on_screen_resume(self) -> None:
        self.load()

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def _as_at_line(self, after: str) -> str:
        projected = " (PROJECTED)" if self.as_at != self.app.clock.today() else ""
        return f"Reconciliation as at {long_uk(self.as_at)}{projected} — {after}"

    @work(thread=True, exclusive=True, exit_on_error=False, group="reconciliation")
    def load(self) -> None:
        read_and_post(
            self,
            lambda store: reconciliation(store, self.as_at, shown=SHOWN),
            ReconciliationLoaded,
        )

    @on(LoadFailed)
    def _show_failure(self, message: LoadFailed) -> None:
        self.query_one("#as-at", Static).update(
            f"Could not read the database: {escape(message.reason)}. Press F5 to try again."
        )

    @on(ReconciliationLoaded)
    def _show(self, message: ReconciliationLoaded) -> None:
        result = message.result
        self.query_one("#as-at", Static).update(
            self._as_at_line(f"{result.total:,} to sort out, first {SHOWN} of each shown")
        )
        for check in CHECKS:
            if check.lead is not None:
                self.query_one(f"#{check.key}-lead", Static).update(check.lead(result))
            finding = check.finding(result)
            self.query_one(f"#{check.key}-heading", Static).update(check.heading(finding.count))
            table = self.query_one(f"#{check.key}", CheckLines)
            table.clear()
            for line in finding.lines:
                table.add_row(*_cells(line, check.why(line)), key=str(line.id))
            table.display = bool(finding.lines)
            more = self.query_one(f"#{check.key}-more", Static)
            more.update(f"… and {finding.more:,} more" if finding.more else "")
            more.display = bool(finding.more)
            self._lines[check.key] = finding.lines
        # Back from an entry the list is read again: the cursor stays where it was, or on
        # the nearest line still listed.
        self._place(self._nearest(self._cursor))

    # --- the cursor ------------------------------------------------------------------------

    def _places(self) -> list[tuple[str, int]]:
        """Every line of every check, in the order the page reads."""
        return [
            (check.key, row)
            for check in CHECKS
            for row in range(len(self._lines.get(check.key, ())))
        ]

    def _nearest(self, wanted: tuple[str, int] | None) -> tuple[str, int] | None:
        """`wanted` if it is still listed; else the last line of its check if that check
        is shorter now; else the first line of the next check with lines, or the last line
        before it."""
        places = self._places()
        if not places:
            return None
        if wanted is None:
            return places[0]
        key, row = wanted
        count = len(self._lines.get(key, ()))
        if count:
            return key, min(row, count - 1)
        order = [check.key for check in CHECKS]
        after = [place for place in places if order.index(place[0]) > order.index(key)]
        return after[0] if after else places[-1]

    def _place(self, place: tuple[str, int] | None) -> None:
        """Highlight `place` (the row style and the marker) and scroll it into view."""
        if self._cursor is not None and self._cursor != place:
            key, row = self._cursor
            table = self.query_one(f"#{key}", CheckLines)
            table.show_cursor = False
            if row < table.row_count:
                table.update_cell_at(Coordinate(row, 0), Text(" "))
        self._cursor = place
        if place is None:
            return
        key, row = place
        table = self.query_one(f"#{key}", CheckLines)
        table.show_cursor = True
        table.move_cursor(row=row, scroll=False)
        table.update_cell_at(Coordinate(row, 0), Text(MARKER))
        # After the refresh that lays out freshly filled tables, so the line's place is known.
        self.call_after_refresh(self._scroll_to, place)

    def _scroll_to(self, place: tuple[str, int]) -> None:
        if place != self._cursor:
            return  # the cursor has moved on meanwhile
        key, row = place
        table = self.query_one(f"#{key}", CheckLines)
        page = self.query_one(CheckPage)
        bottom = table.virtual_region.y + table.header_height + row + 1
        if place == self._places()[0]:
            top = 0  # the first line brings the page's top, and its as-at date, with it
        elif row == 0:
            # A check's first line brings its heading (and a group's lead) with it.
            top = self.query(f"#{key}-lead, #{key}-heading").first().virtual_region.y
        else:
            top = bottom - 1
        # Only ever up or down: the page keeps its sideways scroll.
        page.scroll_to_region(
            Region(0, top, 1, bottom - top), animate=False, x_axis=False, immediate=True
        )

    def action_move(self, step: int) -> None:
        places = self._places()
        if self._cursor is None or not places:
            return
        at = places.index(self._cursor)
        self._place(places[max(0, min(len(places) - 1, at + step))])

    def action_jump_check(self, direction: int) -> None:
        places = self._places()
        if self._cursor is None or not places:
            return
        firsts = [place for place in places if place[1] == 0]
        at = firsts.index((self._cursor[0], 0))
        if direction < 0 and self._cursor[1] > 0:
            self._place(firsts[at])  # as a page up: to the top of the check first
        else:
            self._place(firsts[max(0, min(len(firsts) - 1, at + direction))])

    def action_jump_end(self, where: int) -> None:
        places = self._places()
        if places:
            self._place(places[where])

    def action_open_entry(self) -> None:
        if self._cursor is None:
            self.notify("Nothing is listed to open", severity="warning")
            return
        key, row = self._cursor
        self.app.push_screen(EntryDetailScreen(self._lines[key][row].id))

    @on(LineClicked)
    def _clicked(self, message: LineClicked) -> None:
        place = (message.check, message.row)
        if place == self._cursor:
            self.action_open_entry()
        elif message.row < len(self._lines.get(message.check, ())):
            self._place(place)
