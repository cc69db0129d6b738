"""The palette's Screenshot can show patients' details: on this computer it is written
owner-only, never over another file, and where it went is said on screen (issue 23)."""

from __future__ import annotations

import stat
from pathlib import Path

from huddle.app import make_app
from huddle.clock import FixedClock
from store import Store
from tests.conftest import TODAY, settle


async def test_a_screenshot_is_owner_only_and_said_where(demo: Store, tmp_path: Path) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.deliver_screenshot(filename="today.svg", path=str(tmp_path / "shots"))
        saved = tmp_path / "shots" / "today.svg"
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
        assert "<svg" in saved.read_text()
        await pilot.pause()
        said = [(n.title, n.message) for n in app._notifications]
        assert ("Screenshot saved", f"{saved} (readable by you only)") in said
        # Never over a file already there: refused in words, the file left as it was.
        saved.write_text("last week's evidence")
        app.deliver_screenshot(filename="today.svg", path=str(tmp_path / "shots"))
        assert saved.read_text() == "last week's evidence"
        await pilot.pause()
        assert any(
            title == "Screenshot not saved" and "already exists" in message
            for title, message in ((n.title, n.message) for n in app._notifications)
        )
