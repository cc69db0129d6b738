"""The weekly reconciliation: the store's four checks on a small hand-built list, the
indexes they read, the `huddle status` section, the demo's cases, and the screen."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Footer, Static

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import EntryStatus, Person, Provider, ProviderKind, WaitingEntry
from huddle.waiting_query import WaitingQuery
from screens.entry_detail import EntryDetailScreen
from screens.form import FormScreen
from screens.reconciliation import MARKER, ReconciliationScreen
from store import Store, records
from store.check import check_database
from store.queries import status_summary
from store.reconciliation import reconciliation
from store.waiting_list import count_entries
from tests.conftest import settle
from tests.snapshot_app import demo_app, in_utc, wait_for_store  # noqa: F401 - in_utc is a fixture
from tests.test_import_hygiene import loaded_after

TODAY = date(2026, 11, 22)
SIZE = (160, 40)

# Valid NHS numbers (Modulus 11) from the 999 test range.
PERSON_AT_TWO = "9990000026"
PERSON_TWICE_AT_ONE = "9990000034"
PERSON_SEEN_BY_ONE = "9990000042"


# --- a small list with one case of everything ---------------------------------------------


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


class Service:
    """Two providers, one case holder, and entries added through the audited write path."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.north = self._provider("North Community Trust", ProviderKind.PRIME)
        self.south = self._provider("South Rapid Response", ProviderKind.SUBCONTRACTOR)
        self.owner = records.add(
            store,
            Person(name="Sam Patel", role="Community nurse", provider_id=self.north),
            "set up",
        ).id

    def _provider(self, name: str, kind: ProviderKind) -> int:
        provider = records.add(self.store, Provider(name=name, kind=kind), "set up")
        assert provider.id is not None
        return provider.id

    def add(self, local_id: str, referred: date, tier: int = 3, **fields: object) -> int:
        values: dict[str, object] = {
            "local_id": local_id,
            "initials": "AB",
            "referral_date": referred,
            "tier": tier,
            "provider_id": self.north,
            "case_owner_id": self.owner,
        }
        entry = records.add(self.store, WaitingEntry(**{**values, **fields}), "set up")
        assert entry.id is not None
        return entry.id

    def not_in_extract(self, entry_id: int, since: date) -> None:
        """As a waiting-list import marks an entry its provider's extract no longer lists."""
        with self.store.write("import: not in this extract") as txn:
            version = txn.conn.execute(
                "SELECT version FROM waiting_entry WHERE id = ?", (entry_id,)
            ).fetchone()[0]
            txn.update(
                "waiting_entry", entry_id, {"not_in_extract_since": since.isoformat()}, version
            )


@pytest.fixture
def service(store: Store) -> Service:
    return Service(store)


@pytest.fixture
def listed(service: Service) -> dict[str, int]:
    """One entry for each thing the reconciliation finds, and one beside each that it must
    not find."""
    add = service.add
    ids = {
        # The same person waiting with both providers; the second has no owner either.
        "at north": add("N-1", days_ago(10), nhs_number=PERSON_AT_TWO),
        "at south": add(
            "S-1",
            days_ago(12),
            nhs_number=PERSON_AT_TWO,
            provider_id=service.south,
            case_owner_id=None,
        ),
        # Twice at one provider, or once waiting and once seen elsewhere: not across providers.
        "twice at north": add("N-2", days_ago(5), nhs_number=PERSON_TWICE_AT_ONE),
        "again at north": add("N-3", days_ago(6), nhs_number=PERSON_TWICE_AT_ONE),
        "waiting at north": add("N-4", days_ago(7), nhs_number=PERSON_SEEN_BY_ONE),
        "seen at south": add(
            "S-2",
            days_ago(40),
            nhs_number=PERSON_SEEN_BY_ONE,
            provider_id=service.south,
            status=EntryStatus.SEEN,
            closed_on=days_ago(8),
            outcome="Assessed at home; plan agreed",
        ),
        # Closed by the huddle: with no outcome, with a blank one, and with one.
        "seen, no outcome": add(
            "N-5", days_ago(60), status=EntryStatus.SEEN, closed_on=days_ago(20)
        ),
        "discharged, blank outcome": add(
            "N-6", days_ago(50), status=EntryStatus.DISCHARGED, closed_on=days_ago(30), outcome=" "
        ),
        "removed, with outcome": add(
            "N-7",
            days_ago(50),
            status=EntryStatus.REMOVED,
            closed_on=days_ago(3),
            outcome="Moved out of area",
        ),
        # Waiting here, but the provider's extract no longer lists it.
        "not in extract": add("S-3", days_ago(30), provider_id=service.south),
        # Tier 2's safe wait is 14 days: 29 days is over twice it, 28 is not.
        "tier 2, 29 days": add("N-8", days_ago(29), tier=2),
        "tier 2, 28 days": add("N-9", days_ago(28), tier=2),
        # Tier 4's is 126 days.
        "tier 4, 253 days": add("N-10", days_ago(253), tier=4),
    }
    service.not_in_extract(ids["not in extract"], days_ago(4))
    return ids


def ids_of(finding) -> list[int]:
    return [line.id for line in finding.lines]


# --- the store -------------------------------------------------------------------------------


def test_each_check_finds_what_it_should_and_nothing_else(
    store: Store, listed: dict[str, int]
) -> None:
    found = reconciliation(store, TODAY)
    assert found.as_at == TODAY
    assert found.duplicates.count == 1
    assert found.no_case_owner.count == 1
    assert ids_of(found.no_case_owner) == [listed["at south"]]
    assert found.closed_without_outcome.count == 2
    assert set(ids_of(found.closed_without_outcome)) == {
        listed["seen, no outcome"],
        listed["discharged, blank outcome"],
    }
    assert ids_of(found.not_in_extract) == [listed["not in extract"]]
    assert found.no_outcome_after_closure == 3
    # The most urgent tier first.
    assert ids_of(found.long_wait_outliers) == [
        listed["tier 2, 29 days"],
        listed["tier 4, 253 days"],
    ]
    assert found.total == 1 + 1 + 3 + 2


def test_a_duplicate_is_one_line_naming_every_provider(
    store: Store, listed: dict[str, int]
) -> None:
    (line,) = reconciliation(store, TODAY).duplicates.lines
    assert line.id == listed["at north"]  # the person's first entry
    assert line.nhs_number == PERSON_AT_TWO
    assert line.providers == ("North Community Trust", "South Rapid Response")


def test_a_line_says_who_where_and_how_long(store: Store, listed: dict[str, int]) -> None:
    found = reconciliation(store, TODAY)
    (outlier, _) = found.long_wait_outliers.lines
    assert (outlier.local_id, outlier.tier, outlier.tier_name) == ("N-8", 2, "High")
    assert outlier.max_safe_wait_days == 14
    assert (outlier.provider, outlier.case_owner) == ("North Community Trust", "Sam Patel")
    assert (outlier.referral_date, outlier.days_waited) == (days_ago(29), 29)
    (unowned,) = found.no_case_owner.lines
    assert unowned.case_owner is None
    (missing,) = found.not_in_extract.lines
    assert missing.not_in_extract_since == days_ago(4)
    assert missing.status == "waiting"


def test_a_closed_entry_waited_until_it_closed(store: Store, listed: dict[str, int]) -> None:
    lines = {line.id: line for line in reconciliation(store, TODAY).closed_without_outcome.lines}
    seen = lines[listed["seen, no outcome"]]
    assert (seen.status, seen.closed_on, seen.days_waited) == ("seen", days_ago(20), 40)


def test_a_later_date_finds_more_long_waits(store: Store, listed: dict[str, int]) -> None:
    tomorrow = reconciliation(store, TODAY + timedelta(days=1))
    assert listed["tier 2, 28 days"] in ids_of(tomorrow.long_wait_outliers)
    assert tomorrow.long_wait_outliers.count == 3
    # A day earlier both have waited exactly twice their safe wait: not yet over it.
    assert reconciliation(store, days_ago(1)).long_wait_outliers.count == 0


def test_lines_stop_at_shown_and_counts_do_not(store: Store, service: Service) -> None:
    for n in range(5):
        service.add(f"U-{n}", days_ago(n), case_owner_id=None)
    found = reconciliation(store, TODAY, shown=2)
    assert found.no_case_owner.count == 5
    assert len(found.no_case_owner.lines) == 2
    assert found.no_case_owner.more == 3
    counted = reconciliation(store, TODAY, shown=0)
    assert counted.no_case_owner.count == 5 and counted.no_case_owner.lines == ()


def test_an_empty_service_has_nothing_to_reconcile(store: Store) -> None:
    found = reconciliation(store, TODAY)
    assert found.total == 0
    assert found.duplicates.lines == ()


def test_every_query_reads_an_index_never_the_table(store: Store, listed: dict[str, int]) -> None:
    """So the checks stay quick at a million entries: no full scan of the list and no
    sort of it, whatever the planner would otherwise choose without statistics."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        reconciliation(store, TODAY)
    finally:
        store.conn.set_trace_callback(None)
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(reads) >= 10
    steps = []
    for sql in reads:
        plan = [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        # A subquery's own rows (a co-routine) are read as they come: only tables count.
        subqueries = {step.split()[1] for step in plan if step.startswith("CO-ROUTINE")}
        for step in plan:
            if step.startswith("SCAN") and step.split()[1] not in subqueries:
                assert "USING" in step and "INDEX" in step, (sql, plan)
            assert "TEMP B-TREE" not in step, (sql, plan)
        steps += plan
    for index in ("duplicates", "long_waits", "no_outcome", "not_in_extract"):
        assert any(f"waiting_entry_reconcile_{index}" in step for step in steps), index


def test_the_results_and_the_checks_never_import_textual() -> None:
    loaded = loaded_after(
        "import huddle.reconciliation, store.reconciliation",
        ["textual", "sqlite3", "huddle.reconciliation", "store.reconciliation"],
    )
    assert loaded["store.reconciliation"] and not loaded["textual"]
    pure = loaded_after("import huddle.reconciliation", ["textual", "sqlite3", "sqlite_utils"])
    assert pure == {"textual": False, "sqlite3": False, "sqlite_utils": False}


# --- huddle status ---------------------------------------------------------------------------


def status(db_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["status", "--db", str(db_path), *extra], clock=FixedClock(TODAY)) == 0
    return capsys.readouterr().out


def test_status_prints_a_reconciliation_section(
    store: Store, listed: dict[str, int], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = status(db_path, capsys)
    counts, section_text = out.split("\nReconciliation:\n", 1)
    assert "\nWaiting: 9 " in counts  # the counts come first, as before
    section = section_text.splitlines()
    assert [" ".join(line.split()) for line in section] == [
        "duplicates across providers 1 people waiting with two or more providers",
        "no case owner 1 waiting entries",
        "no outcome after closure 3 closed without an outcome 2, "
        "no longer in the provider's extract 1",
        "long-wait outliers 2 waiting over twice the tier's maximum safe wait",
        "held from extracts 0 changes a provider's extract asked for, waiting for a person",
    ]


def test_status_json_adds_reconciliation_and_keeps_every_other_key(
    store: Store, listed: dict[str, int], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = json.loads(status(db_path, capsys, "--json"))
    assert list(report) == [
        "as_at",
        "service",
        "is_demo",
        "waiting",
        "actions",
        "go_live",
        "triggers",
        "owner_left",
        "queries",
        "metrics",
        "reviews_due",
        "reconciliation",
    ]
    assert report["waiting"]["total"] == status_summary(store, TODAY).waiting.total
    assert report["reconciliation"] == {
        "duplicates_across_providers": 1,
        "no_case_owner": 1,
        "no_outcome_after_closure": {
            "total": 3,
            "closed_without_outcome": 2,
            "not_in_provider_extract": 1,
        },
        "long_wait_outliers": 2,
        "held_changes": 0,
    }
    tomorrow = json.loads(status(db_path, capsys, "--json", "--as-at", "23/11/2026"))
    assert tomorrow["reconciliation"]["long_wait_outliers"] == 3


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_gives_every_check_a_few_cases_and_keeps_its_counts(demo: Store) -> None:
    waiting = status_summary(demo, TODAY).waiting
    assert (waiting.total, waiting.breached) == (300, 29)
    assert (waiting.breached_without_escalation, waiting.contact_overdue) == (16, 33)
    found = reconciliation(demo, TODAY)
    for finding in (
        found.duplicates,
        found.no_case_owner,
        found.closed_without_outcome,
        found.not_in_extract,
        found.long_wait_outliers,
    ):
        assert 2 <= finding.count <= 10
    # The closed entries are off the list: the waiting list still shows exactly 300.
    assert count_entries(demo, WaitingQuery(as_at=TODAY)) == 300
    assert all(line.not_in_extract_since < TODAY for line in found.not_in_extract.lines)
    assert all(
        line.referral_date < line.not_in_extract_since for line in found.not_in_extract.lines
    )


def test_the_demo_passes_huddle_check(demo: Store) -> None:
    assert check_database(demo.conn).ok


# --- the screen ------------------------------------------------------------------------------


def text(screen: ReconciliationScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def rows(screen: ReconciliationScreen, table_id: str) -> list[list[str]]:
    """Each line's cells after the cursor's marker column."""
    table = screen.query_one(f"#{table_id}", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)][1:] for n in range(table.row_count)]


def marked(screen: ReconciliationScreen) -> list[tuple[str, str]]:
    """Every line showing the cursor's marker and its table's cursor row: which check, and
    the line's local id."""
    found = []
    for table in screen.query(DataTable):
        for n in range(table.row_count):
            marker, _, local_id, *_ = (str(cell) for cell in table.get_row_at(n))
            if marker == MARKER:
                assert table.show_cursor and table.cursor_row == n
                found.append((str(table.id), local_id))
            else:
                assert not (table.show_cursor and table.cursor_row == n)
    return found


async def test_the_screen_shows_each_check_with_its_count_and_lines(
    store: Store, listed: dict[str, int]
) -> None:
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = app.screen
        app.push_screen(ReconciliationScreen(TODAY))
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReconciliationScreen)
        assert text(screen, "#as-at").startswith(
            "Reconciliation as at Sunday 22 November 2026 — 7 to sort out"
        )
        assert "1 people waiting with two or more" in text(screen, "#duplicates-heading")
        (duplicate,) = rows(screen, "duplicates")
        assert duplicate[:5] == [
            "3 Moderate",
            "N-1",
            "999 000 0026",
            "AB",
            "ALSO WITH South Rapid Response",
        ]
        assert rows(screen, "no-case-owner")[0][1] == "S-1"
        assert rows(screen, "no-case-owner")[0][7] == "NONE"
        assert text(screen, "#closed-without-outcome-lead") == "No outcome after closure: 3"
        assert "without an outcome: 2" in text(screen, "#closed-without-outcome-heading")
        closed = {row[1]: row[4] for row in rows(screen, "closed-without-outcome")}
        assert closed["N-5"] == "seen 02/11/2026, NO OUTCOME"
        assert "no longer in its extract): 1" in text(screen, "#not-in-extract-heading")
        assert rows(screen, "not-in-extract")[0][4].startswith("NOT IN EXTRACT since 18/11/2026")
        outliers = rows(screen, "long-wait-outliers")
        assert [row[1] for row in outliers] == ["N-8", "N-10"]
        assert outliers[0][4] == "OVER TWICE THE SAFE WAIT (14d)"
        assert not screen.query_one("#no-case-owner-more", Static).display
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is before


async def test_the_screen_says_more_beyond_its_lines_and_when_it_projects(
    store: Store, service: Service
) -> None:
    for n in range(12):
        service.add(f"U-{n:02d}", days_ago(n), case_owner_id=None)
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ReconciliationScreen(date(2026, 11, 30)))
        await settle(app, pilot)
        screen = app.screen
        assert "Monday 30 November 2026 (PROJECTED)" in text(screen, "#as-at")
        assert len(rows(screen, "no-case-owner")) == 10
        assert text(screen, "#no-case-owner-more") == "… and 2 more"
        assert not screen.query_one("#duplicates", DataTable).display
        service.add("U-late", TODAY, case_owner_id=None)
        await pilot.press("f5")
        await settle(app, pilot)
        assert text(screen, "#no-case-owner-more") == "… and 3 more"


async def test_the_screen_says_when_it_cannot_read(store: Store, db_path: Path) -> None:
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        store.conn.execute("ALTER TABLE waiting_entry RENAME TO waiting_entry_gone")
        app.push_screen(ReconciliationScreen(TODAY))
        await settle(app, pilot)
        assert text(app.screen, "#as-at").startswith("Could not read the database: ")


async def open_reconciliation(app, pilot) -> ReconciliationScreen:
    await settle(app, pilot)
    app.push_screen(ReconciliationScreen(TODAY))
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ReconciliationScreen)
    return screen


def opened_local_id(app) -> str:
    """The local id the entry screen shows first on its summary line."""
    assert isinstance(app.screen, EntryDetailScreen)
    return str(app.screen.query_one("#summary", Static).render()).split()[0]


async def test_one_cursor_crosses_the_checks_and_enter_opens_the_line(
    store: Store, listed: dict[str, int]
) -> None:
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reconciliation(app, pilot)
        footer = " ".join(str(key.render()) for key in screen.query_one(Footer).children)
        assert "⏎ Open" in footer
        assert marked(screen) == [("duplicates", "N-1")]
        # Down from a check's last line goes on into the next check: duplicates (1 line),
        # no case owner (1), closed without an outcome (2), then the one not in the extract.
        await pilot.press("down", "down", "down", "down")
        assert marked(screen) == [("not-in-extract", "S-3")]
        # On past the empty check of held changes, and no further than the last line.
        await pilot.press("down", "down", "down")
        assert marked(screen) == [("long-wait-outliers", "N-10")]
        # Page up goes to the top of the check, then to the check above; page down back.
        await pilot.press("pageup")
        assert marked(screen) == [("long-wait-outliers", "N-8")]
        await pilot.press("pageup")
        assert marked(screen) == [("not-in-extract", "S-3")]
        await pilot.press("pagedown", "end")
        assert marked(screen) == [("long-wait-outliers", "N-10")]
        await pilot.press("up", "up")
        assert marked(screen) == [("not-in-extract", "S-3")]
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.entry_id == listed["not in extract"]
        assert opened_local_id(app) == "S-3"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert marked(screen) == [("not-in-extract", "S-3")]
        # A duplicate opens the entry on its line, with the provider that line names.
        await pilot.press("home", "enter")
        await settle(app, pilot)
        assert app.screen.entry_id == listed["at north"]
        await pilot.press("escape")
        await settle(app, pilot)
        assert marked(screen) == [("duplicates", "N-1")]


async def test_the_page_scrolls_to_keep_the_cursor_in_view(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reconciliation(app, pilot)
        page = screen.query_one("#reconciliation")
        shown = page.scrollable_content_region

        def cursor_in_view() -> bool:
            ((check, _),) = marked(screen)
            table = screen.query_one(f"#{check}", DataTable)
            line = table.region.y + table.header_height + table.cursor_row
            return shown.y <= line < shown.bottom

        for _ in range(20):
            await pilot.press("down")
            await pilot.pause()
            assert cursor_in_view()
        assert page.scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert page.scroll_y == 0 and cursor_in_view()


async def test_a_line_fixed_from_its_entry_leaves_the_cursor_on_the_next(
    store: Store, listed: dict[str, int]
) -> None:
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reconciliation(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.screen.entry_id == listed["at south"]
        await pilot.press("o", *"Sam", "tab", *"allocated")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDetailScreen), "the owner was not saved"
        await pilot.press("escape")
        await settle(app, pilot)
        # Read again: no check lists S-1 as ownerless now, and the cursor has gone on to the
        # next check's first line.
        assert rows(screen, "no-case-owner") == []
        assert marked(screen) == [
            ("closed-without-outcome", rows(screen, "closed-without-outcome")[0][1])
        ]


async def test_a_click_highlights_a_line_and_a_second_opens_it_even_closed(
    store: Store, listed: dict[str, int]
) -> None:
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reconciliation(app, pilot)
        second = rows(screen, "closed-without-outcome")[1][1]
        # The table's header is its first line: the second entry is two below it.
        line = {"offset": (20, 2)}
        assert await pilot.click("#closed-without-outcome", **line)
        await pilot.pause()
        assert marked(screen) == [("closed-without-outcome", second)]
        assert isinstance(app.screen, ReconciliationScreen)
        assert await pilot.click("#closed-without-outcome", **line)
        await settle(app, pilot)
        assert app.screen.entry_id in {
            listed["seen, no outcome"],
            listed["discharged, blank outcome"],
        }
        assert opened_local_id(app) == second
        assert "NO OUTCOME RECORDED" in str(app.screen.query_one("#summary", Static).render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert marked(screen) == [("closed-without-outcome", second)]


def test_the_screen_snapshot(snap_compare, tmp_path: Path, monkeypatch) -> None:
    app = demo_app(tmp_path, TODAY, monkeypatch)

    async def open_reconciliation(pilot) -> None:
        await settle(app, pilot)
        app.push_screen(ReconciliationScreen(TODAY))
        await wait_for_store(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_reconciliation)
