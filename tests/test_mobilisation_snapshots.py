"""Snapshot tests of the mobilisation screens (key 5): the dashboard, its RAG history,
training matrix and forms, the early-life view after go-live, and the mobilisation meeting
in the runner. The demo service as at 2026-11-22 (six weeks before go-live), at 160x40,
with the room's clock stopped at 08:02:30 unless a test says otherwise. A changed SVG is a
deliberate, looked-at change: update with `pytest --snapshot-update` only after reviewing
the report."""

from __future__ import annotations

from datetime import date
from datetime import time as time_of_day
from pathlib import Path

import pytest

from fixtures.demo import seed_demo
from huddle.agenda import agenda
from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.models import MeetingKind
from store import open_store
from tests.snapshot_app import (  # noqa: F401 - in_utc is a fixture
    after_keys,
    demo_app,
    in_utc,
    series_position,
    wait_for_store,
)

SIZE = (160, 40)
IN_THE_ROOM = time_of_day(8, 2, 30)
MOBILISATION = "Mobilisation — community therapy contract"
AFTER_GO_LIVE = date(2027, 1, 20)


def test_dashboard(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`5`: NOT READY with its reasons, the countdown to go-live, workstreams with RAG
    letters and trends ("G G A R"), the deliverables of the first workstream, the go-live
    risks, training coverage and the readiness chart."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("5",)))


def test_dashboard_workforce_readiness(
    snap_compare, tmp_path: Path, today: date, monkeypatch
) -> None:
    """`5`, `down`: the cursor on "Workforce readiness", whose 3 deliverables show."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("5",), ("down",)))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_dashboard_small(
    snap_compare, tmp_path: Path, today: date, monkeypatch, size: tuple[int, int]
) -> None:
    """`5` on a small terminal. At 80x24: the countdown wrapped, the whole verdict, the
    audits, the workstreams, then (the page scrolls) the deliverables' due dates and
    evidence with their titles cut with "…" and the owner dropped. At 120x40: every list's
    last state column whole ("1 open of 1"), the supervisors wrapped between names."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=size, run_before=after_keys(("5",)))


def test_training_matrix_80x24(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`5`, `t` at 80x24: the coverage summary gives way to a line saying where it is, so
    the matrix shows every person; its header over its columns."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=(80, 24), run_before=after_keys(("5",), ("t",)))


def test_rag_history(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`5`, `down`, `enter`: Workforce readiness's ratings, newest first, each dated with
    why and who rated it (and in which meeting)."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=after_keys(("5",), ("down",), ("enter",))
    )


def test_training_matrix(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`5`, `t`: the coverage summary, then everyone by critical competency, booked,
    completed or signed off (with the signer's initials), and their supervisor; b, c and s
    in the footer record training."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("5",), ("t",)))


def test_rag_form(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`5`, `down`, `g`: "RAG for the workstream: Workforce readiness", asking R, A or G
    and why (required)."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("5",), ("down",), ("g",)))


def test_go_live_risk_form(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`5`, `r`: "What could make go-live unsafe?", the risk with its owner and score."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("5",), ("r",)))


def test_after_go_live(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """The demo seeded at 2026-11-22, opened on 2027-01-20: "LIVE for 17 days", the
    verdict line turned to EARLY LIFE and the early-life audits with their states."""
    # As demo_app, but the app's clock after go-live.
    monkeypatch.chdir(tmp_path)
    store = open_store(Path("demo.db"), "tester")
    store.now = lambda: f"{today.isoformat()}T09:30:00+00:00"
    seed_demo(store, today)
    app = make_app(store, FixedClock(AFTER_GO_LIVE, at=time_of_day(8, 0)))
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("5",)))


MOBILISATION_SECTIONS = agenda(MeetingKind.MOBILISATION)


@pytest.mark.parametrize(
    "number",
    [2, len(MOBILISATION_SECTIONS)],
    ids=[MOBILISATION_SECTIONS[1].key.name.lower(), MOBILISATION_SECTIONS[-1].key.name.lower()],
)
def test_mobilisation_meeting_section(
    snap_compare, tmp_path: Path, today: date, monkeypatch, number: int
) -> None:
    """`3`, down to the mobilisation series, `enter` starts it; `]` moves on. Section 2,
    "Workstream RAG", and the last, "What could make go-live unsafe?"."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    position = series_position(app, MOBILISATION)
    steps = after_keys(
        ("3",), ("down",) * position, ("enter",), ("right_square_bracket",) * (number - 1)
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
