"""Snapshot tests of every screen at a fixed size and date. A changed SVG is a deliberate,
looked-at change: update with `pytest --snapshot-update` only after reviewing the report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fixtures.demo import seed_demo
from huddle.app import make_app
from huddle.clock import FixedClock
from store import open_store

SIZE = (120, 36)


def demo_app(tmp_path: Path, today: date, monkeypatch: pytest.MonkeyPatch):
    # A relative path keeps the help screen's "Database" line the same on every run.
    monkeypatch.chdir(tmp_path)
    store = open_store(Path("demo.db"), "tester")
    seed_demo(store, today)
    return make_app(store, FixedClock(today))


async def wait_for_store(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_today_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=SIZE, run_before=wait_for_store)


def test_help_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    assert snap_compare(
        demo_app(tmp_path, today, monkeypatch),
        terminal_size=SIZE,
        press=["question_mark"],
        run_before=wait_for_store,
    )


def test_waiting_list_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=(160, 40), press=["2"], run_before=wait_for_store)
