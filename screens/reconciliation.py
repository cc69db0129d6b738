"""The weekly reconciliation: people waiting with two providers, entries with no case
owner, missing outcomes, and long-wait outliers, each with its count and its first lines.

Pushed from the waiting list with its as-at date; escape goes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.message import Message
from textual.widgets import DataTable, Static

from huddle.commands import Command
from huddle.dates import long_uk, uk
from huddle.nhs_number import spaced
from huddle.reconciliation import Finding, Reconciliation, ReconciliationLine
from screens.base import HuddleScreen, read_and_post
from screens.keys import bindings
from screens.markup import escape
from screens.messages import LoadFailed
from store.reconciliation import reconciliation

SHOWN = 10  # lines per check; the counts always cover everything found

RECONCILIATION_COMMANDS = (
    Command(
        "reconciliation-refresh",
        "f5",
        "F5",
        "refresh",
        "Refresh",
        "Run the reconciliation again on the database",
    ),
)

# Why an entry is listed comes before the long names, so a narrow terminal still shows it.
COLUMNS = (
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

    def compose_body(self) -> Iterable:
        # Scrolls both ways as one page: long provider names can be wider than the screen.
        with ScrollableContainer(id="reconciliation"):
            yield Static(self._as_at_line("reading the database…"), id="as-at")
            for check in CHECKS:
                if check.lead is not None:
                    yield Static("", id=f"{check.key}-lead", classes="check-heading")
                heading = "check-subheading" if check.in_group else "check-heading"
                yield Static("", id=f"{check.key}-heading", classes=heading)
                table: DataTable = DataTable(
                    id=check.key, cursor_type="none", zebra_stripes=True, classes="check-lines"
                )
                # The page scrolls as one; a table taking focus would stop it.
                table.can_focus = False
                yield table
                yield Static("", id=f"{check.key}-more", classes="check-more")

    def on_mount(self) -> None:
        for check in CHECKS:
            self.query_one(f"#{check.key}", DataTable).add_columns(*COLUMNS)
        self.query_one("#reconciliation", ScrollableContainer).focus()

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
            f"Could not read the database: {escape(message.reason)}. Press r to try again."
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
            table = self.query_one(f"#{check.key}", DataTable)
            table.clear()
            for line in finding.lines:
                table.add_row(*_cells(line, check.why(line)), key=str(line.id))
            table.display = bool(finding.lines)
            more = self.query_one(f"#{check.key}-more", Static)
            more.update(f"… and {finding.more:,} more" if finding.more else "")
            more.display = bool(finding.more)
