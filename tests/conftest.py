"""Shared fixtures: real SQLite files in temporary folders and a fixed date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from fixtures.demo import seed_demo
from huddle.clock import FixedClock
from store import Store, open_store
from store.records import ensure_default_tiers

TODAY = date(2026, 11, 22)


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
    """Let the store reads a key started finish, and what they post be handled."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
