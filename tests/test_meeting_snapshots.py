"""Snapshot tests of the meeting screens (key 3): the series list and log, every section of
a safety brief and of a waiting-list huddle, the countdown's last minute and overrun, the
sign-off form and a signed-off meeting's minutes. The demo service as at 2026-11-22, at
160x40, with the room's clock stopped at 08:02:30 unless a test says otherwise. A changed
SVG is a deliberate, looked-at change: update with `pytest --snapshot-update` only after
reviewing the report."""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path

import pytest

from huddle.agenda import agenda
from huddle.app import HuddleApp
from huddle.models import MeetingKind
from store import meetings
from store.meeting_log import SeriesQuery, page_of_series
from tests.snapshot_app import (  # noqa: F401 - in_utc is a fixture
    after_keys,
    demo_app,
    in_utc,
    series_position,
    wait_for_store,
)

SIZE = (160, 40)
IN_THE_ROOM = time_of_day(8, 2, 30)
BRIEF = "Early shift brief — rapid response"
HUDDLE = "Waiting-list huddle — therapy"


def test_meetings_screen(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("3",)))


BRIEF_SECTIONS = agenda(MeetingKind.SAFETY_BRIEF)
HUDDLE_SECTIONS = agenda(MeetingKind.WAITING_LIST_HUDDLE)


@pytest.mark.parametrize(
    "number", range(1, len(BRIEF_SECTIONS) + 1), ids=[s.key.name.lower() for s in BRIEF_SECTIONS]
)
def test_safety_brief_section(
    snap_compare, tmp_path: Path, today: date, monkeypatch, number: int
) -> None:
    """`3`, `enter` starts today's brief; `]` moves on. Attendance shows two present and
    one apology."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert series_position(app, BRIEF) == 0
    marks = ("p", "p", "x") if number == 1 else ()
    steps = after_keys(("3",), ("enter",), marks, ("right_square_bracket",) * (number - 1))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


@pytest.mark.parametrize(
    "number",
    range(1, len(HUDDLE_SECTIONS) + 1),
    ids=[s.key.name.lower() for s in HUDDLE_SECTIONS],
)
def test_waiting_list_huddle_section(
    snap_compare, tmp_path: Path, today: date, monkeypatch, number: int
) -> None:
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    # The series list (test_meetings_screen) shows the brief, the mobilisation meeting,
    # then the huddle.
    assert series_position(app, HUDDLE) == 2
    steps = after_keys(
        ("3",), ("down", "down"), ("enter",), ("right_square_bracket",) * (number - 1)
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def started_brief(tmp_path: Path, today: date, monkeypatch, at: time_of_day) -> HuddleApp:
    """Today's brief started at 08:00:00 through the store, the room's clock at `at`."""
    app = demo_app(tmp_path, today, monkeypatch, at=at)
    chair = page_of_series(app.store, SeriesQuery(0), 0, 50)[series_position(app, BRIEF)]
    meetings.start_meeting(
        app.store,
        series=BRIEF,
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=chair.chair_id,
        today=today,
        now=datetime.combine(today, time_of_day(8, 0)),
    )
    return app


def test_countdown_last_minute(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """4:20 into a 5-minute brief: amber, "LAST MINUTE 0:40 left"."""
    app = started_brief(tmp_path, today, monkeypatch, at=time_of_day(8, 4, 20))
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("3",), ("enter",)))


def test_countdown_overrun(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """6:10 into a 5-minute brief: red, "OVERRUN +1:10"."""
    app = started_brief(tmp_path, today, monkeypatch, at=time_of_day(8, 6, 10))
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("3",), ("enter",)))


def test_sign_off_form(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("3",), ("enter",), ("s",)))


def test_signed_off_minutes(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """The first meeting in the log: signed off, its minutes read-only."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=after_keys(("3",), ("tab",), ("enter",))
    )


# --- at 80x24 (issue 23) -----------------------------------------------------------------
SMALLEST = (80, 24)


def test_meetings_screen_at_80x24(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """The series and whether one is in progress; the log's date, series, state and what
    was recorded, its header on one line."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SMALLEST, run_before=after_keys(("3",)))


def test_safety_brief_high_risk_at_80x24(
    snap_compare, tmp_path: Path, today: date, monkeypatch
) -> None:
    """The rail folds into a line (breaches without escalation first) above the section's
    facts; the countdown stays beside the wrapped title; the list has the whole width."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert series_position(app, BRIEF) == 0
    steps = after_keys(("3",), ("enter",), ("right_square_bracket",) * 2)
    assert snap_compare(app, terminal_size=SMALLEST, run_before=steps)
