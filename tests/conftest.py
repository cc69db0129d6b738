"""Shared fixtures: real SQLite files in temporary folders and a fixed date."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from fixtures.demo import seed_demo
from huddle.clock import FixedClock
from store import Store, open_store
from store.records import ensure_default_tiers

TODAY = date(2026, 11, 22)

# Generated inputs (tests/test_bad_input*.py and others). "ci", the default, runs the
# same examples every time (derandomized, and so with no example database) and few
# enough of them that the suite stays quick; a generated file or form can take tens of
# milliseconds, so there is no per-example deadline. HUDDLE_HYPOTHESIS=long runs thousands
# per property, freshly random each run, for a search before a release; a failure it finds
# is printed with the line that replays it, as no example database keeps it.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    database=None,
    deadline=None,
    max_examples=3000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HUDDLE_HYPOTHESIS", "ci"))


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "huddle.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A fresh, empty service database with the default tiers."""
    opened = open_store(db_path, "tester")
    ensure_default_tiers(opened)
    yield opened
    opened.close()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    """The default demo service (300 entries, seed 42) as at TODAY, opened by one of its
    coordinators, so what the screens record is audited under a name on its staff list."""
    opened = open_store(tmp_path / "demo.db", "Helen Marsden")
    seed_demo(opened, TODAY)
    yield opened
    opened.close()


async def settle(app: App, pilot: Pilot) -> None:
    """Let the store reads a key started finish, and what they post be handled.

    A read replaced by a newer one (the screen read afresh while it ran, as it does when
    start-up's catch-up writes) is cancelled by design: that pass does not count, and the
    newer read is waited for on the next."""
    clean = 0
    for _ in range(10):
        try:
            await app.workers.wait_for_complete()
            clean += 1
        except WorkerCancelled:
            clean = 0
        await pilot.pause()
        if clean == 3:
            return
