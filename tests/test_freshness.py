"""An open screen never goes on showing what another terminal has changed: a change
committed by another process is on screen within the watcher's second (plus the read),
without a key pressed, and the header says how fresh what is shown is."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from time import monotonic

from textual.widgets import Input, Static

from huddle.app import WATCH_SECONDS, make_app
from huddle.clock import FixedClock
from screens.form import FormScreen
from store import Store, open_store
from store.connection import data_version
from tests.conftest import settle

TODAY = date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent

# Another terminal, as its own process, adding one action through the store.
ANOTHER_TERMINAL = """
import sys
from datetime import date
from store import open_store
from store.actions import add_action
store = open_store(sys.argv[1], "Kofi Mensah")
add_action(store, title="Call back the GP", owner_id=1, due_date=date(2026, 11, 27),
           today=date(2026, 11, 22))
"""

# Generous for a loaded machine: the bound this proves is "without a key", not the
# figure (benchmarks/freshness.py measures that).
PATIENCE_SECONDS = 20


def another_terminal_adds_an_action(db: Path) -> None:
    subprocess.run(
        [sys.executable, "-c", ANOTHER_TERMINAL, str(db)], cwd=ROOT, check=True, timeout=60
    )


def as_at_line(app) -> str:
    return str(app.screen.query_one("#as-at", Static).render())


async def wait_for(app, pilot, says: str) -> bool:
    started = monotonic()
    while monotonic() - started < PATIENCE_SECONDS:
        if says in as_at_line(app):
            return True
        await pilot.pause(WATCH_SECONDS / 4)
    return False


async def test_a_change_from_another_terminal_appears_without_a_key(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        assert "41 actions open" in as_at_line(app)
        assert app.sub_title == "data as at 08:00:00"

        another_terminal_adds_an_action(demo.path)

        assert await wait_for(app, pilot, "42 actions open"), as_at_line(app)


async def test_under_an_open_form_the_screen_reads_afresh_when_the_form_closes(
    demo: Store,
) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-title", Input).value = "typed, not saved"

        another_terminal_adds_an_action(demo.path)
        await pilot.pause(WATCH_SECONDS * 2)
        # The form is left alone: what was typed is still there.
        assert app.screen.query_one("#field-title", Input).value == "typed, not saved"

        await pilot.press("escape", "d")
        assert await wait_for(app, pilot, "42 actions open"), as_at_line(app)


async def test_the_header_says_when_the_database_cannot_be_asked(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        demo.conn.close()  # as when the share holding the file goes away
        app.watch_database()
        assert app.sub_title.startswith("NOT UPDATING since 08:00:00: ")


def test_opening_the_file_again_in_this_process_keeps_the_first_connection_watching(
    demo: Store,
) -> None:
    """Each screen read opens the file on a connection of its own. Opening must never
    drop the locks of the connection already open (it once did, by reading the header
    with a Python file object): the first connection would then stop seeing changes."""
    open_store(demo.path, "Helen Marsden", migrate=False).close()
    for _ in range(2):
        seen = data_version(demo)
        another_terminal_adds_an_action(demo.path)
        assert data_version(demo) != seen
