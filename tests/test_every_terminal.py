"""Every screen on the terminals people have (issue 23): at 80x24 each screen and the
forms open with no exception and show their key facts; with NO_COLOR and in every
built-in theme every screen draws, a light theme's lists on light cells; a crash ends
the process with a non-zero code. Real app on the demo as at 22/11/2026."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.demo import seed_demo
from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from screens.form import FormScreen
from screens.help import HelpScreen
from store import Store, open_store
from tests.conftest import TODAY, settle
from tests.screen_text import dark_rows, screen_text

SCREENS = "1234567"

# What a person must be able to read on each screen at 80x24, whatever is cut.
KEY_FACTS = {
    "1": ("WITHOUT", "ESCALATION", "FIRED"),
    "2": ("BREACHED",),
    "3": ("Early shift brief",),
    "4": ("OVERDUE",),
    "5": ("NOT READY",),
    "6": ("FIRED", "ABOVE"),
    "7": ("Service",),
}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo for the module; each test opens its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = open_store(path, "Helen Marsden")
    seed_demo(store, TODAY)
    store.close()
    return path


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Iterator[Store]:
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_file.read_bytes())
    store = open_store(copy, "Helen Marsden")
    yield store
    store.close()


async def visit(app: HuddleApp, pilot, key: str) -> str:
    await pilot.press(key)
    await settle(app, pilot)
    return screen_text(app)


async def test_at_80x24_every_screen_and_form_opens_with_its_key_facts(demo_copy: Store) -> None:
    app = make_app(demo_copy, FixedClock(TODAY))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key in SCREENS:
            shown = await visit(app, pilot, key)
            missing = [fact for fact in KEY_FACTS[key] if fact not in shown]
            assert missing == [], f"key {key} at 80x24 does not show {missing}:\n{shown}"
        for key in ("a", "d", "r"):
            await visit(app, pilot, "4" if key == "a" else "3")
            await pilot.press(key)
            await settle(app, pilot)
            if isinstance(app.screen, FormScreen):
                # The form's title stays in view.
                assert app.screen.form_title.split()[0] in screen_text(app)
                await pilot.press("escape")
                await settle(app, pilot)
        await visit(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Keys everywhere" in screen_text(app)
        assert app.return_code is None


async def test_with_no_colour_every_screen_draws_its_words(
    demo_copy: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR makes Textual draw in monochrome: a row padded with unstyled blanks once
    ended every screen but Today with an AttributeError."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo_copy, FixedClock(TODAY))
    assert app.no_color
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        for key in SCREENS:
            shown = await visit(app, pilot, key)
            assert all(fact in shown for fact in KEY_FACTS[key][:1]), shown
        assert app.return_code is None


async def test_every_built_in_theme_draws_every_screen_a_light_one_on_light_cells(
    demo_copy: Store,
) -> None:
    """In a light theme, at most the clock banner and a highlighted row sit on dark cells:
    a list drawn on the terminal's default background was once a black block."""
    app = make_app(demo_copy, FixedClock(TODAY))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        for name, theme in app.available_themes.items():
            app.theme = name
            for key in SCREENS:
                await visit(app, pilot, key)
                if not theme.dark:
                    dark = dark_rows(app)
                    assert len(dark) <= 2, f"{name}, key {key}: dark rows {dark}"
        assert app.return_code is None


def test_a_crash_ends_the_process_with_a_non_zero_code(tmp_path: Path) -> None:
    """An error no screen handles ends `huddle` with a failing code, so a launcher or a
    script sees it, where Textual alone would exit 0: the app is made to fail as it opens."""
    script = (
        "import sys\n"
        "from huddle.app import HuddleApp\n"
        "from huddle import cli\n"
        "def broken(self):\n"
        "    raise RuntimeError('a fault no screen handles')\n"
        "HuddleApp.on_mount = broken\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    db = tmp_path / "crash.db"
    environment = {**os.environ, "HUDDLE_USER": "", "TERM": "dumb"}
    demo = subprocess.run(
        [sys.executable, "-m", "huddle", "demo", "--no-open", "--db", str(db), "--size", "5"],
        capture_output=True,
        env=environment,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    ran = subprocess.run(
        [sys.executable, "-c", script, "--db", str(db), "--user", "Helen Marsden"],
        capture_output=True,
        env={**environment, "XDG_CONFIG_HOME": str(tmp_path)},
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert ran.returncode != 0
    assert b"a fault no screen handles" in ran.stdout + ran.stderr
