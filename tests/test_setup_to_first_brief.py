"""docs/setup.md's shortest path, as a new service would take it: apply the example service
file onto a path with no database, import the example extract, open the app, and start
the service's own brief with its own people."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from screens.runner import RunnerScreen
from screens.today import Tile, TodayScreen
from store import open_store
from store.meeting_reads import attendance, meeting_row
from store.setup import needs_setting_up
from tests.conftest import settle

DOCS = Path(__file__).parent.parent / "docs"
# The example extract's referrals run to 30/11/2026.
ON = date(2026, 12, 6)


def huddle(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv), clock=FixedClock(ON)) == 0
    return capsys.readouterr().out


async def test_the_example_service_goes_from_nothing_to_its_first_brief(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "rapid-response.db")
    applied = huddle(
        capsys, "setup", "apply", str(DOCS / "service.example.toml"), "--yes", "--db", db
    )
    assert "applied: 22 changes" in applied
    # Once the service has people, whoever writes is one of them: here by her login, as
    # on a computer where Jess Armitage logs in as jarmitage.
    extract = str(DOCS / "extract.example.csv")
    imported = huddle(capsys, "import", "waiting-list", extract, "--db", db, "--user", "jarmitage")
    assert "imported: 6" in imported
    with pytest.raises(AssertionError):
        huddle(capsys, "import", "waiting-list", extract, "--db", db, "--user", "jess")
    assert "'jess' is nobody on the staff list" in capsys.readouterr().err
    again = huddle(
        capsys,
        *("setup", "apply", str(DOCS / "service.example.toml"), "--yes", "--db", db),
        *("--user", "Jess Armitage"),
    )
    assert "no changes" in again
    status = json.loads(huddle(capsys, "status", "--json", "--db", db))
    assert status["waiting"]["total"] == 6

    store = open_store(db, "Jess Armitage")
    assert not needs_setting_up(store)
    app = make_app(store, FixedClock(ON))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        breached = str(app.screen.query_one("#breached", Tile).content)
        assert breached.startswith(f"[b]{status['waiting']['breached']}[/b]")
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RunnerScreen)
        meeting = meeting_row(store, app.screen.meeting_id)
    assert meeting.series == "Early shift brief"
    assert [line.name for line in attendance(store, meeting)] == [
        "Jess Armitage",
        "Omar Haddad",
        "Priya Shah",
        "Tom Ellis",
        "Grace Mwangi",
    ]
    store.close()


def test_setup_md_shows_the_example_file_s_keys() -> None:
    """Every key the example uses is documented in docs/setup.md."""
    documented = (DOCS / "setup.md").read_text()
    for line in (DOCS / "service.example.toml").read_text().splitlines():
        key = line.split("=")[0].strip()
        if "=" in line and not line.startswith("#"):
            assert f"\n{key} = " in documented or f"# {key} = " in documented, key


def test_an_extract_before_any_set_up_says_how_to_set_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "new.db")
    open_store(db, "tester").close()
    extract = str(DOCS / "extract.example.csv")
    assert main(["import", "waiting-list", extract, "--db", db], clock=FixedClock(ON)) == 2
    said = capsys.readouterr().err
    assert "no providers yet: set the service up first (huddle setup apply FILE.toml" in said
