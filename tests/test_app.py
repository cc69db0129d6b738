"""The app driven as a user would, with Textual's Pilot, on real database files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Footer, Static

from huddle.app import HuddleApp, make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.commands import GLOBAL_COMMANDS
from screens.base import AppKeys
from screens.help import HelpScreen
from screens.today import TODAY_COMMANDS, Tile, TodayScreen
from store import Store, open_store

SIZE = (120, 36)


async def settled(app: HuddleApp, pilot) -> None:
    """Wait for store workers to finish and their messages to be shown."""
    await app.workers.wait_for_complete()
    await pilot.pause()


def tile_text(app: HuddleApp, tile_id: str) -> str:
    return str(app.screen.query_one(f"#{tile_id}", Tile).content)


def first_number(text: str) -> int:
    return int(text.split("[/b]")[0].removeprefix("[b]").replace(",", ""))


@pytest.fixture
def demo_path(tmp_path: Path, capsys: pytest.CaptureFixture[str], today: date) -> Path:
    path = tmp_path / "demo.db"
    assert (
        main(
            ["demo", "--no-open", "--db", str(path), "--user", "Kofi Mensah"],
            clock=FixedClock(today),
        )
        == 0
    )
    capsys.readouterr()
    return path


def status_json(path: Path, today: date, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["status", "--json", "--db", str(path)], clock=FixedClock(today)) == 0
    return json.loads(capsys.readouterr().out)


async def test_today_shows_the_same_numbers_as_status(
    demo_path: Path, today: date, capsys: pytest.CaptureFixture[str]
) -> None:
    status = status_json(demo_path, today, capsys)
    assert status["waiting"]["breached"] > 0
    store = open_store(demo_path, "tester")
    app = make_app(store, FixedClock(today))
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        waiting = status["waiting"]
        assert first_number(tile_text(app, "breached")) == waiting["breached"]
        assert (
            first_number(tile_text(app, "without-escalation"))
            == (waiting["breached_without_escalation"])
        )
        assert "BREACHED WITHOUT ESCALATION" in tile_text(app, "without-escalation")
        assert first_number(tile_text(app, "contact-overdue")) == waiting["contact_overdue"]
        assert first_number(tile_text(app, "actions-overdue")) == status["actions"]["overdue"]
        assert f"in {status['go_live']['days_to_go']} days" in tile_text(app, "go-live")
        table = app.screen.query_one("#tiers", DataTable)
        for number, counts in waiting["by_tier"].items():
            row = table.get_row(number)
            assert [int(cell.replace(",", "")) for cell in row[1:]] == [
                counts["waiting"],
                counts["breached"],
                counts["contact_overdue"],
            ]
        assert "DEMO" in app.title
    store.close()


async def test_banners_say_demo_and_clock_override(store: Store, today: date) -> None:
    app = make_app(store, FixedClock(today, overridden=False))
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        assert not app.screen.query(".clock-banner")
        assert not app.screen.query(".demo-banner")
    app = make_app(store, FixedClock(today))
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        banner = app.screen.query_one(".clock-banner", Static)
        assert "CLOCK OVERRIDDEN" in str(banner.content)
        assert "22 November 2026" in str(banner.content)


async def test_help_opens_and_closes_with_keys(store: Store, clock: FixedClock) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.database == str(store.path)
        # The Today screen's own keys are listed too.
        assert [c.title for c in app.screen.screen_commands] == ["Refresh", "Resume meeting"]
        await pilot.press("escape")
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("q")
    assert app.return_code == 0


async def test_every_binding_has_an_id_and_tooltip_and_shows_in_the_footer(
    store: Store, clock: FixedClock
) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        active = app.screen.active_bindings
        for binding in [*app.BINDINGS, *TodayScreen.BINDINGS]:
            assert binding.id and binding.tooltip, binding
            assert binding.key in active
        footer_text = " ".join(str(key.render()) for key in app.screen.query_one(Footer).children)
        for command in TODAY_COMMANDS:
            assert command.title in footer_text
        # The app-wide keys have their own line above the screen's, on every screen.
        app_keys = str(app.screen.query_one(AppKeys).render())
        for command in GLOBAL_COMMANDS:
            assert f"{command.key_display} {command.short_title}" in app_keys


async def test_palette_lists_every_command(store: Store, clock: FixedClock) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Today", "Help", "Refresh"} <= titles
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"refresh", "enter")
        await settled(app, pilot)
        assert isinstance(app.screen, TodayScreen)
