"""A browser tab's app (`huddle serve`), driven by Pilot: minutes go to the browser, the
import dialog reads only the imports folder, and a display session shows Today and the
meeting in progress and records nothing. tests/test_serve_browser.py drives the real
page."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from huddle.models import AttendanceStatus, MeetingKind
from huddle.session import Session
from screens.display import DISPLAY_LINE, DisplayRunnerScreen
from screens.form import FormScreen
from screens.import_waiting import ImportWaitingScreen, in_folder
from screens.minutes_view import MinutesScreen
from screens.today import TodayScreen
from store import Store, open_store
from store.meeting_reads import meeting_row
from store.meetings import mark_attendance, move_to, sign_off, start_meeting
from store.minutes import minutes_for_export
from tests.conftest import TODAY, settle

CLOCK = FixedClock(TODAY)
BRIEF = "Early shift brief"


def audit_rows(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def person_named(store: Store, name: str) -> int:
    return store.conn.execute("SELECT id FROM person WHERE name = ?", (name,)).fetchone()[0]


def start_brief(store: Store) -> int:
    meeting = start_meeting(
        store,
        series=BRIEF,
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=person_named(store, "Jess Armitage"),
        today=TODAY,
        now=datetime.combine(TODAY, time(7, 45)),
    )
    assert meeting.id is not None
    return meeting.id


async def test_minutes_in_a_browser_are_a_download_not_a_file_on_the_server(
    demo: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outside a browser Textual saves a delivery to the user's downloads folder: here, one
    # in the test's own home, standing in for the browser's.
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    meeting_id = start_brief(demo)
    app = make_app(demo, CLOCK, session=Session(served=True))
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(MinutesScreen(meeting_id))
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        assert not isinstance(app.screen, FormScreen)  # no path to type on the server
        delivered = home / "Downloads" / f"{TODAY.isoformat()}-early-shift-brief.md"
        for _ in range(50):
            if delivered.exists():
                break
            await pilot.pause(0.05)
        assert delivered.read_text(encoding="utf-8") == minutes_for_export(demo, meeting_id)
    assert not (demo.path.parent / "minutes").exists()


def test_a_path_typed_in_a_browser_stays_in_the_imports_folder(tmp_path: Path) -> None:
    imports = tmp_path / "imports"
    (imports / "week").mkdir(parents=True)
    secret = tmp_path / "secret.csv"
    secret.write_text("nhs_number\n", encoding="utf-8")
    (imports / "link.csv").symlink_to(secret)
    assert in_folder(imports, "week-47.csv") == imports.resolve() / "week-47.csv"
    assert in_folder(imports, "week/../week-47.csv") == imports.resolve() / "week-47.csv"
    for outside in ("../secret.csv", str(secret), "link.csv", "/etc/passwd", "week/../../x"):
        assert in_folder(imports, outside) is None, outside


async def open_import(app: HuddleApp, pilot) -> ImportWaitingScreen:
    await settle(app, pilot)
    await pilot.press("2")
    await settle(app, pilot)
    await pilot.press("i")
    await settle(app, pilot)
    assert isinstance(app.screen, ImportWaitingScreen)
    return app.screen


async def test_with_no_imports_folder_the_dialog_says_imports_happen_from_the_command_line(
    demo: Store,
) -> None:
    app = make_app(demo, CLOCK, session=Session(served=True))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_import(app, pilot)
        said = str(dialog.query_one("#status", Static).render())
        assert "Imports happen from the command line" in said
        assert dialog.query_one("#file", Input).disabled
        before = audit_rows(demo)
        await pilot.press("enter", "ctrl+s")
        await settle(app, pilot)
        assert str(dialog.query_one("#status", Static).render()) == said
    assert audit_rows(demo) == before


async def test_a_file_outside_the_imports_folder_is_refused_in_words_and_not_read(
    demo: Store, tmp_path: Path
) -> None:
    imports = tmp_path / "imports"
    imports.mkdir()
    outside = tmp_path / "extract.csv"
    outside.write_text("not read\n", encoding="utf-8")
    app = make_app(demo, CLOCK, session=Session(served=True, imports=imports))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_import(app, pilot)
        assert str(imports) in str(dialog.query_one("#status", Static).render())
        for typed in ("../extract.csv", str(outside)):
            dialog.query_one("#file", Input).value = typed
            await pilot.press("enter")
            await settle(app, pilot)
            error = str(dialog.query_one("#file-error", Static).render())
            assert "only files in the imports folder" in error, typed
            assert dialog.checked is None

        # A name in the folder is checked as usual (and, missing, said so).
        dialog.query_one("#file", Input).value = "week-47.csv"
        await pilot.press("enter")
        await settle(app, pilot)
        error = str(dialog.query_one("#file-error", Static).render())
        assert "only files in the imports folder" not in error
        assert "week-47.csv" in error


async def test_a_display_session_shows_today_then_the_meeting_in_progress_and_records_nothing(
    demo: Store,
) -> None:
    # As a display account's sign-in leaves the app: read-only, and the store refusing.
    demo.not_acting = "Helen Marsden is a display account, which records nothing"
    app = make_app(demo, CLOCK, session=Session(served=True, read_only=True))
    before = audit_rows(demo)
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(app, pilot)
        await pilot.pause(1.2)
        assert isinstance(app.screen, TodayScreen)  # the demo's meetings are all signed off
        for keys in ("2", "4", "7", "a", "d", "r", "ctrl+p", "question_mark"):
            await pilot.press(keys)
            await settle(app, pilot)
            assert isinstance(app.screen, TodayScreen), keys
        assert app.current_mode == "today"

        # Another terminal starts today's brief: the wall screen shows it.
        other = open_store(demo.path, "Jess Armitage")
        meeting_id = start_brief(other)
        for _ in range(30):
            await pilot.pause(0.1)
            if isinstance(app.screen, DisplayRunnerScreen):
                break
        runner = app.screen
        assert isinstance(runner, DisplayRunnerScreen) and runner.meeting_id == meeting_id
        await settle(app, pilot)
        assert app.screen.query_one("AppKeys", Static).content == DISPLAY_LINE
        for keys in ("p", "x", "plus", "s", "right_square_bracket", "a", "d", "escape"):
            await pilot.press(keys)
            await settle(app, pilot)
            assert app.screen is runner, keys
        # Lists and scrolling still move (they record nothing); the screen's own keys and
        # the app's are not offered, bar going to Today and quitting.
        offered = {
            b.binding.action
            for b in runner.active_bindings.values()
            if b.enabled and b.node in (runner, app)
        }
        allowed = {"switch_mode('today')", "quit", "app.focus_next", "app.focus_previous"}
        assert offered <= allowed, offered

        # The chair moves on: the wall screen follows the meeting's section.
        moved = move_to(other, meeting_id, "capacity")
        for _ in range(30):
            await pilot.pause(0.1)
            await settle(app, pilot)
            if runner.section == moved.section:
                break
        assert runner.section == moved.section

        # Signed off: back to Today.
        jess = person_named(other, "Jess Armitage")
        mark_attendance(other, meeting_id, jess, AttendanceStatus.PRESENT)
        sign_off(
            other,
            meeting_id,
            meeting_row(other, meeting_id).version,
            now=datetime.combine(TODAY, time(7, 55)),
        )
        for _ in range(30):
            await pilot.pause(0.1)
            if isinstance(app.screen, TodayScreen):
                break
        assert isinstance(app.screen, TodayScreen)
        written_by_the_other = audit_rows(other) - before
        other.close()
    assert audit_rows(demo) == before + written_by_the_other  # the display wrote nothing
    assert meeting_row(demo, meeting_id).section == moved.section
