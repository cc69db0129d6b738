"""Snapshot tests of oversight (key 6): the demo service as at 2026-11-22, at 160x40, the
room's clock stopped at 08:02:30. (The fired triggers on a huddle's agenda are in
test_meeting_snapshots, a section of every agenda.) A changed SVG is a deliberate,
looked-at change: update with `pytest --snapshot-update` only after reviewing the report."""

from __future__ import annotations

from datetime import date
from datetime import time as time_of_day
from pathlib import Path

from tests.snapshot_app import (  # noqa: F401 - in_utc is a fixture
    after_keys,
    demo_app,
    in_utc,
)

SIZE = (160, 40)
IN_THE_ROOM = time_of_day(8, 2, 30)


def test_oversight(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`6`: the surge trigger FIRED in words with its five observations and its owner;
    the metrics with where each stands (ABOVE, within); the referrals chart against its
    band with the surge rule's threshold (┄ at 46, on the limit's row: "44/46") and the
    firing marked F; the escalation log, overdue ones first."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("6",)))


def test_oversight_variance_chart(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`6`, `down`: caseload per clinician by team, charted as the variance between teams
    against the 10% rule, fired (F) three weeks ago and cleared (C) the week after."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("6",), ("down",)))


def test_oversight_all_teams_chart(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`6`, `down`, `s`: caseload per clinician, every team on one chart against the
    tolerance band, each team's points its letter (N, S, W) named in the legend, and under
    the axis ▲ or ▼ where any team stands outside."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=SIZE, run_before=after_keys(("6",), ("down",), ("s",)))


def test_oversight_at_80x24(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`6` at 80x24: the counts wrapped whole (5 OVERDUE), the fired trigger's box (it
    scrolls), the metrics with standing, variation, a shortened name (cut with "…") and
    the latest whole, and the metric's detail under them; the escalation log is behind
    `l`, first in the footer."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=(80, 24), run_before=after_keys(("6",)))


def test_oversight_at_120x40(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`6` at 120x40: the metrics without tolerance, period and owner (in the detail), the
    chart beside the detail, and the escalation log with its rung, owner, due, climbs and
    outcome whole (where it came from and when opened are in the escalation, `⏎`)."""
    app = demo_app(tmp_path, today, monkeypatch, IN_THE_ROOM)
    assert snap_compare(app, terminal_size=(120, 40), run_before=after_keys(("6",)))
