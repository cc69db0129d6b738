"""Importing a waiting-list extract from the screen, driven with the keyboard and checked
against what the database holds afterwards.

Real SQLite files in tmp_path and a fixed date; the service and the extracts are built by
the helpers of the command-line import's tests, so both imports meet the same files."""

from __future__ import annotations

import csv
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Static

from fixtures.extracts import write_generated_extract
from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from screens.entry_list import EntryList
from screens.import_waiting import ImportWaitingScreen, Progressed
from screens.waiting_list import WaitingListScreen
from store import open_store
from tests.conftest import settle
from tests.test_waiting_import import (
    TODAY,
    audit_count,
    entries,
    extract_row,
    make_service,
    query,
    write_extract,
)

SIZE = (160, 40)
AppOn = Callable[[Path], HuddleApp]


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths are typed relative to the folder huddle runs in, as a coordinator would type
    them (and a few keys each, not a whole temporary path)."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_service(tmp_path / "huddle.db")


@pytest.fixture
def app_on(clock: FixedClock) -> AppOn:
    """The app on a database, as the coordinator, on conftest's fixed date."""
    return lambda db: make_app(open_store(db, "coordinator"), clock)


async def open_dialog(app: HuddleApp, pilot) -> ImportWaitingScreen:
    """The waiting list, then `i`, as the coordinator would open it."""
    await pilot.press("2")
    await settle(app, pilot)
    await pilot.press("i")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ImportWaitingScreen)
    return screen


async def type_into(pilot, screen: ImportWaitingScreen, field: str, text: str) -> None:
    screen.query_one(f"#{field}", Input).focus()
    await pilot.press(*text)


def shown(screen: ImportWaitingScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def rejected_rows(screen: ImportWaitingScreen) -> list[list[str]]:
    table = screen.query_one("#rejected", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_a_clean_file_is_checked_then_imported(
    db: Path, tmp_path: Path, app_on: AppOn
) -> None:
    path = write_extract(tmp_path / "week-47.csv", [extract_row(n) for n in range(3)])
    before = audit_count(db)
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        await type_into(pilot, screen, "file", path.name)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "rows in: 3; imported: 3; updated: 0; unchanged: 0; held: 0; rejected: 0" in shown(
            screen, "#summary"
        )
        assert "ctrl+s to import" in shown(screen, "#status")
        assert entries(db) == {} and audit_count(db) == before  # the check wrote nothing

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, WaitingListScreen)
        assert app.screen.query_one(EntryList).total == 3  # the list read itself again
    stored = entries(db)
    assert sorted(stored) == ["EX-0000", "EX-0001", "EX-0002"]
    assert {row["status"] for row in stored.values()} == {"waiting"}
    audit = query(
        db,
        "SELECT actor, operation, reason FROM audit WHERE table_name = 'waiting_entry' "
        "AND row_id IN (SELECT id FROM waiting_entry)",
    )
    assert audit == [("coordinator", "insert", "waiting-list import of week-47.csv")] * 3
    assert audit_count(db) == before + 3


async def test_a_bad_row_is_shown_and_confirming_imports_nothing(
    db: Path, tmp_path: Path, app_on: AppOn
) -> None:
    rows = [extract_row(0), extract_row(1), extract_row(2, initials="")]
    path = write_extract(tmp_path / "week-47.csv", rows)
    before, file_before = audit_count(db), db.read_bytes()
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        await type_into(pilot, screen, "file", path.name)
        await pilot.press("enter")
        await settle(app, pilot)
        assert rejected_rows(screen) == [["4", "initials", "blank: initials are required"]]
        assert "rows in: 3; imported: 0; updated: 0; unchanged: 0; held: 0; rejected: 3" in shown(
            screen, "#summary"
        )
        assert "the other 2 rows would go in: 2 new" in shown(screen, "#summary")

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen  # refused: the dialog stays open...
        status = shown(screen, "#status")
        assert "nothing written: 1 of 3 rows are invalid" in status
        assert "all-or-nothing" in status and "Skip invalid" in status
        assert screen.query_one("#file", Input).value == path.name  # ...with what was typed
    assert entries(db) == {}
    assert audit_count(db) == before
    assert db.read_bytes() == file_before


async def test_skip_invalid_imports_the_rest_and_writes_the_rejects_file(
    db: Path, tmp_path: Path, app_on: AppOn
) -> None:
    rows = [extract_row(0), extract_row(1, initials="=cmd"), extract_row(2)]
    path = write_extract(tmp_path / "week-47.csv", rows)
    results: list[str | None] = []
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ImportWaitingScreen(), results.append)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportWaitingScreen)
        await type_into(pilot, screen, "file", path.name)
        screen.query_one("#skip").focus()
        await pilot.press("space")  # switch on: the rejects file defaults to beside the file
        await pilot.press("enter")
        await settle(app, pilot)
        assert rejected_rows(screen) == [["3", "initials", "'=cmd' must be 1 to 4 letters"]]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    rejects = tmp_path / "week-47.rejects.csv"
    assert results == [
        "rows in: 3; imported: 2; updated: 0; unchanged: 0; held: 0; rejected: 1; "
        f"rejected rows in {rejects}"
    ]
    assert sorted(entries(db)) == ["EX-0000", "EX-0002"]
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    with rejects.open(encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0][-2:] == ["line", "reason"]
    assert [row[-2:] for row in written[1:]] == [["3", "initials: '=cmd' must be 1 to 4 letters"]]
    assert written[1][2] == "'=cmd"  # neutralised, as every CSV huddle writes


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("file", "", "File: type the path of the CSV file to import"),
        ("file", "nowhere.csv", "File: no file at {tmp}/nowhere.csv"),
        ("mapping", "nowhere.json", "Mapping: no mapping file at {tmp}/nowhere.json"),
        ("encoding", "klingon", "Encoding: --encoding 'klingon' is not an encoding"),
    ],
)
async def test_a_refused_field_is_named_and_keeps_the_typing(
    db: Path, tmp_path: Path, app_on: AppOn, field: str, typed: str, expected: str
) -> None:
    good = write_extract(tmp_path / "week-47.csv", [extract_row(0)])
    expected = expected.format(tmp=tmp_path)  # a relative path is said in full
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        if field != "file":
            await type_into(pilot, screen, "file", good.name)
        await type_into(pilot, screen, field, typed)
        await pilot.press("enter")
        await settle(app, pilot)
        error = screen.query_one(f"#{field}-error", Static)
        assert error.display and str(error.render()).startswith(expected)
        assert app.screen is screen
        assert screen.query_one(f"#{field}", Input).value == typed
        assert screen.query_one(f"#{field}", Input).has_focus  # where the fix goes
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen and "Check the file first" in shown(screen, "#status")
    assert entries(db) == {}


async def test_an_existing_rejects_file_is_refused_before_the_check(
    db: Path, tmp_path: Path, app_on: AppOn
) -> None:
    path = write_extract(tmp_path / "week-47.csv", [extract_row(0)])
    last_week = tmp_path / "week-47.rejects.csv"
    last_week.write_text("last week's rejects\n")
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        await type_into(pilot, screen, "file", path.name)
        screen.query_one("#skip").focus()
        await pilot.press("space", "enter")
        await settle(app, pilot)
        assert str(screen.query_one("#rejects-error", Static).render()) == (
            f"Rejects file: {last_week} already exists: huddle never overwrites a file; "
            "type the name of a new one"
        )
        assert screen.check_result is None
    assert last_week.read_text() == "last week's rejects\n"


async def test_a_form_changed_after_the_check_must_be_checked_again(
    db: Path, tmp_path: Path, app_on: AppOn
) -> None:
    path = write_extract(tmp_path / "week-47.csv", [extract_row(0)])
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        await type_into(pilot, screen, "file", path.name)
        await pilot.press("enter")
        await settle(app, pilot)
        await type_into(pilot, screen, "encoding", "cp1252")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert "changed since the check" in shown(screen, "#status")
    assert entries(db) == {}


async def test_escape_cancels_with_nothing_written(db: Path, tmp_path: Path, app_on: AppOn) -> None:
    path = write_extract(tmp_path / "week-47.csv", [extract_row(n) for n in range(3)])
    before, file_before = audit_count(db), db.read_bytes()
    results: list[str | None] = []
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ImportWaitingScreen(), results.append)
        await pilot.pause()
        await type_into(pilot, app.screen, "file", path.name)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, ImportWaitingScreen)
    assert results == [None]
    assert entries(db) == {}
    assert audit_count(db) == before
    assert db.read_bytes() == file_before


async def test_a_long_file_reports_its_progress(db: Path, tmp_path: Path, app_on: AppOn) -> None:
    path = write_generated_extract(tmp_path / "system.csv", 5_000, TODAY)
    progress: list[Progressed] = []

    def hook(message: Message) -> None:
        if isinstance(message, Progressed):
            progress.append(message)

    app = app_on(db)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        screen = await open_dialog(app, pilot)
        await type_into(pilot, screen, "file", path.name)
        await pilot.press("enter")
        await settle(app, pilot)
        checking = [m.progress for m in progress]
        assert [p.done for p in checking] == [1_000, 2_000, 3_000, 4_000, 5_000, 5_000]
        assert all(p.stage == "checking" for p in checking)
        shares = [p.share for p in checking]
        assert shares == sorted(shares) and shares[-1] == 1.0
        progress.clear()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    writing = [m.progress for m in progress if m.progress.stage == "writing"]
    assert writing and writing[-1].done == writing[-1].total == 5_000
    assert len(entries_of(db)) == 5_000


def entries_of(db: Path) -> list[tuple]:
    return query(db, "SELECT id FROM waiting_entry WHERE status = 'waiting'")


async def test_every_key_of_the_dialog_has_an_id_a_tooltip_and_shows_in_the_footer(
    db: Path, app_on: AppOn
) -> None:
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(app, pilot)
        footer = " ".join(str(key.render()) for key in screen.query_one(Footer).children)
        for binding in ImportWaitingScreen.BINDINGS:
            assert binding.id and binding.tooltip, binding
            assert binding.description in footer
