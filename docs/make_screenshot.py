"""Render docs/today.svg, the README's picture of the Today screen, from the demo service.

Run: .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from fixtures.demo import seed_demo
from huddle.app import make_app
from huddle.clock import FixedClock
from store import open_store

PICTURE_DATE = date(2026, 11, 22)


async def render(out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "demo.db", "docs")
        seed_demo(store, PICTURE_DATE)
        # Not overridden: the picture shows the screen as a service sees it on the day.
        app = make_app(store, FixedClock(PICTURE_DATE, overridden=False))
        async with app.run_test(size=(120, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            out.write_text(app.export_screenshot(title="huddle — Today"), encoding="utf-8")
        store.close()


if __name__ == "__main__":
    asyncio.run(render(Path(__file__).parent / "today.svg"))
