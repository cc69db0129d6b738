"""Shared fixtures: real SQLite files in temporary folders and a fixed date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

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
