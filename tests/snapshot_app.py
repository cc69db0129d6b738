"""What the snapshot tests share: the demo service at a fixed date, audit times and room
clock, in a relative path and the UTC zone, so every run draws the same picture."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date
from datetime import time as time_of_day
from pathlib import Path

import pytest
from textual.widgets import Input

from fixtures.demo import seed_demo
from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from store import open_store
from store.meeting_log import SeriesQuery, page_of_series
from tests.conftest import settle


@pytest.fixture(autouse=True)
def in_utc() -> Iterator[None]:
    """Times shown in local time read the same on every machine (autouse wherever it is
    imported)."""
    was = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if was is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = was
    time.tzset()


def demo_app(
    tmp_path: Path,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
    at: time_of_day = time_of_day(8, 0),
) -> HuddleApp:
    # A relative path keeps the help screen's "Database" line the same on every run, and
    # fixed audit times keep the audit chain head in signed minutes the same.
    monkeypatch.chdir(tmp_path)
    store = open_store(Path("demo.db"), "tester")
    store.now = lambda: f"{today.isoformat()}T09:30:00+00:00"
    seed_demo(store, today)
    return make_app(store, FixedClock(today, at=at))


# How long the screen must stay the same before its picture is taken, and how long to
# wait for that at most (on a loaded machine) before taking it anyway.
STILL_SECONDS = 0.05
PATIENCE_SECONDS = 10.0


async def drawn(pilot) -> None:
    """Wait until the screen stops changing. Some drawing is left to the app's next idle
    moment (a DataTable works out its column widths there, and a page of tables as wide
    as their columns is laid out again after it), so on a busy machine a picture taken
    straight after the reads could catch a table half-drawn.

    A text field's cursor blinks on the real clock, half a second on, half off, so it is
    held on: the picture shows it, as it would be straight after a key."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    last = None
    for _ in range(int(PATIENCE_SECONDS / STILL_SECONDS)):
        await pilot.pause(STILL_SECONDS)
        picture = pilot.app.export_screenshot()
        if picture == last:
            return
        last = picture


async def wait_for_store(pilot) -> None:
    """Let the store reads finish and what they show be drawn."""
    await settle(pilot.app, pilot)
    await drawn(pilot)


def after_keys(*steps: tuple[str, ...]):
    """Press each group of keys and let the store reads they start finish, so the picture
    never catches a screen half-read."""

    async def run(pilot) -> None:
        await settle(pilot.app, pilot)
        for keys in steps:
            for key in keys:
                await pilot.press(key)
                await settle(pilot.app, pilot)
        await drawn(pilot)

    return run


def series_position(app: HuddleApp, series: str) -> int:
    """Where `series` is in the list key 3 shows (the order the snapshot of it records)."""
    lines = page_of_series(app.store, SeriesQuery(0), 0, 50)
    return [line.series for line in lines].index(series)
