"""Snapshot tests of every screen at a fixed size and date. A changed SVG is a deliberate,
looked-at change: update with `pytest --snapshot-update` only after reviewing the report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from huddle.waiting_query import WaitingQuery
from store import entry_changes
from store.waiting_list import page_of_entries
from tests.snapshot_app import (  # noqa: F401 - in_utc is a fixture
    after_keys,
    demo_app,
    in_utc,
    wait_for_store,
)

SIZE = (120, 36)


def test_today_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=SIZE, run_before=wait_for_store)


def test_today_screen_at_80x24(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """The smallest terminal: the tiles three to a row with their words whole, the fired
    triggers and the start of the tier table, under the header and both banners."""
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=wait_for_store)


def test_today_screen_at_120x40(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=(120, 40), run_before=wait_for_store)


def test_help_screen_at_80x24(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """Help fits the smallest terminal, its key grid wrapping each description."""
    assert snap_compare(
        demo_app(tmp_path, today, monkeypatch),
        terminal_size=(80, 24),
        press=["question_mark"],
        run_before=wait_for_store,
    )


def test_help_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    assert snap_compare(
        demo_app(tmp_path, today, monkeypatch),
        terminal_size=SIZE,
        press=["question_mark"],
        run_before=wait_for_store,
    )


def test_waiting_list_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=(160, 40), run_before=after_keys(("2",)))


def test_entry_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    store = app.store
    second = page_of_entries(store, WaitingQuery(as_at=today), 0, 2)[1]
    entry = entry_changes.pause_clock(
        store, second.id, second.version, reason="on holiday", today=today
    )
    entry_changes.retier(
        store, second.id, entry.version, tier=4, reason="reviewed by GP", today=today
    )
    assert snap_compare(
        app, terminal_size=(160, 40), run_before=after_keys(("2",), ("down", "enter"))
    )


def test_escalation_form(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(
        app, terminal_size=(160, 40), run_before=after_keys(("2",), ("enter",), ("e",))
    )


# --- the action tracker ------------------------------------------------------------------
# The action list is wider than the waiting list's default size allows: at 160 columns it
# shows every column up to "Linked to", which starts cut, as a user would see it.
WIDE = (160, 40)


def test_actions_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=WIDE, run_before=after_keys(("4",)))


def test_actions_overdue_view(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=WIDE, run_before=after_keys(("4",), ("l",)))


def test_action_view(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """The first open action: closed, with the check that the change held due."""
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("4",), ("enter",)))


def test_new_action_form(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`a` on the waiting list: the action is linked to the highlighted entry."""
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("2",), ("a",)))


def test_commissioner_queries(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("4",), ("k",)))


def test_commissioner_query_view(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """The open query: its deadline, a step closed with evidence and one still open."""
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("4",), ("k",), ("enter",)))


# --- from 80x24 up (issue 23) ------------------------------------------------------------
# Below 100 columns the waiting list drops the local id so that the escalation column is
# whole, and the band's titles are short so that its breaches without escalation are; the
# actions drop their status. At 120 the waiting list keeps its short band and drops the
# local id so that the contact due (with LATE) and the flags are whole.
SMALLEST = (80, 24)
LAPTOP = (120, 40)


def test_waiting_list_at_80x24(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=SMALLEST, run_before=after_keys(("2",)))


def test_waiting_list_at_120x40(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=LAPTOP, run_before=after_keys(("2",)))


def test_actions_at_80x24(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=SMALLEST, run_before=after_keys(("4",)))


def test_actions_at_120x40(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=LAPTOP, run_before=after_keys(("4",)))


def test_waiting_list_in_a_light_theme(snap_compare, tmp_path: Path, today: date, monkeypatch):
    """textual-light at a laptop's 100x30: the list on light cells, states in words."""
    app = demo_app(tmp_path, today, monkeypatch)
    app.theme = "textual-light"
    assert snap_compare(app, terminal_size=(100, 30), run_before=after_keys(("2",)))


def test_oversight_with_no_colour(snap_compare, tmp_path: Path, today: date, monkeypatch):
    """NO_COLOR at 80x24: monochrome, every state still said in words."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=SMALLEST, run_before=after_keys(("6",)))


WALL = (160, 50)


def test_today_on_a_wall_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=WALL, run_before=wait_for_store)


def test_meetings_at_120x40(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=LAPTOP, run_before=after_keys(("3",)))


def test_setup_ladder_at_120x40(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    keys = ("7",), *(("tab",),) * 5
    assert snap_compare(app, terminal_size=LAPTOP, run_before=after_keys(*keys))


def test_setup_on_a_wall_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=WALL, run_before=after_keys(("7",)))
