"""The person's own settings file (issue 23): their keys applied with `set_keymap` and
shown wherever keys are shown, a clash or an unknown id said at start and left out, and
the theme they chose kept between runs. Real app on the demo, a real file in a temporary
folder."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from huddle.commands import GLOBAL_COMMANDS
from huddle.user_config import UserConfig, read_config, remember_theme
from screens.base import AppKeys
from screens.form import FormScreen
from screens.help import HelpScreen
from screens.keymap import checked_keymap, every_binding
from screens.oversight import OversightScreen
from screens.waiting_list import WaitingListScreen
from store import Store
from tests.conftest import TODAY, settle

WRITTEN = """\
# my own settings
theme = "textual-light"

[keys]
go-waiting-list = "f2"   # 2 is the waiting list's on every other computer
"""


def problems_said(app: HuddleApp) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Settings not used"]


def test_the_file_is_read_and_what_cannot_be_used_is_said(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert read_config(path) == UserConfig(path)
    path.write_text(WRITTEN)
    assert read_config(path) == UserConfig(path, "textual-light", {"go-waiting-list": "f2"})
    path.write_text('theme = 3\nfont = "big"\n[keys]\ngo-today = ""\ngo-actions = "a b"\n')
    read = read_config(path)
    assert (read.theme, read.keys) == (None, {})
    assert [problem.removeprefix(str(path)) for problem in read.problems] == [
        ' theme: give a theme\'s name, e.g. "textual-light"',
        ' [keys] go-today: give the keys as text, e.g. "f2" or "o,ctrl+o"',
        ' [keys] go-actions: \'a b\' is not a list of keys, e.g. "f2" or "o,ctrl+o"',
        ": font is not a setting (theme, [keys])",
    ]
    path.write_text("theme = [")
    assert read_config(path).problems[0].startswith(f"{path}: not TOML")


def test_the_theme_is_written_into_the_file_keeping_the_rest_as_written(tmp_path: Path) -> None:
    path = tmp_path / "huddle" / "config.toml"
    remember_theme(path, "nord")
    assert path.read_text() == 'theme = "nord"\n'
    path.write_text(WRITTEN)
    remember_theme(path, "dracula")
    assert path.read_text() == WRITTEN.replace("textual-light", "dracula")


def test_every_binding_id_is_one_binding_s_and_listed_in_docs_keys() -> None:
    bindings = every_binding()
    assert {c.id for c in GLOBAL_COMMANDS} <= set(bindings)
    listed = Path(__file__).parents[1].joinpath("docs", "keys.md").read_text()
    missing = sorted(binding_id for binding_id in bindings if f"`{binding_id}`" not in listed)
    assert missing == [], f"docs/keys.md does not list {missing}"


def test_a_key_taken_from_another_binding_where_both_work_is_left_out() -> None:
    keymap, problems = checked_keymap(
        {"ov-observation": "e", "go-waiting-list": "f2", "ov-new-metric": "2", "nothing": "x"}
    )
    # Observation's `e` is Escalate's on the same screen; `2` is free once the waiting
    # list moved to F2.
    assert keymap == {"go-waiting-list": "f2", "ov-new-metric": "2"}
    assert problems == [
        "keys: 'nothing' is no key of huddle's (docs/keys.md lists them); left out",
        "keys: ov-observation = 'e' clashes with ov-escalate (Escalate) on e; left as o",
    ]
    # A screen's key moved onto an app-wide one, or onto a list's, clashes too.
    assert checked_keymap({"ov-observation": "4"})[0] == {}
    assert checked_keymap({"ov-observation": "down"})[0] == {}


async def test_moved_keys_work_and_show_in_the_key_line_help_footer_and_palette(
    demo: Store, tmp_path: Path
) -> None:
    config = UserConfig(
        tmp_path / "config.toml",
        keys={"go-waiting-list": "f2", "ov-observation": "2", "go-nowhere": "f3"},
    )
    app = make_app(demo, FixedClock(TODAY), config=config)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(app, pilot)
        assert problems_said(app) == [
            "keys: 'go-nowhere' is no key of huddle's (docs/keys.md lists them); left out"
        ]
        line = str(app.screen.query_one(AppKeys).render())
        assert "F2 Waiting list" in line and "2 Waiting list" not in line.replace("F2", "")
        await pilot.press("2")
        await settle(app, pilot)
        assert not isinstance(app.screen, WaitingListScreen)
        await pilot.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, WaitingListScreen)

        await pilot.press("6")
        await settle(app, pilot)
        assert isinstance(app.screen, OversightScreen)
        footer = {
            b.binding.id: app.get_key_display(b.binding)
            for b in app.screen.active_bindings.values()
        }
        assert footer["ov-observation"] == "2"
        assert footer["go-waiting-list"] == "F2"
        await pilot.press("2")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.form_title.startswith("Observation")
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.query_one(Static).content)
        words = console.export_text()
        assert re.search(r"^F2 +Waiting list —", words, re.MULTILINE)
        assert re.search(r"^2 +Observation —", words, re.MULTILINE)
        await pilot.press("escape")
        palette = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert palette["Waiting list"].startswith("F2 · ")
        assert palette["Observation"].startswith("2 · ")


async def test_the_theme_chosen_is_kept_and_an_unknown_one_said(
    demo: Store, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(WRITTEN)
    app = make_app(demo, FixedClock(TODAY), config=read_config(path))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(app, pilot)
        assert app.theme == "textual-light"
        assert problems_said(app) == []
        app.theme = "nord"
        await settle(app, pilot)
    assert read_config(path).theme == "nord"
    assert "# my own settings" in path.read_text()

    path.write_text('theme = "no-such-theme"\n')
    app = make_app(demo, FixedClock(TODAY), config=read_config(path))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(app, pilot)
        assert app.theme == "textual-dark"
        assert problems_said(app) == [
            "theme: 'no-such-theme' is no theme of huddle's (ctrl+p, Change theme, lists "
            "them); the default is used"
        ]
