"""Nothing in a record reaches the terminal raw: what the commands print has every control
character (a terminal escape, a bidi override) neutralised, whatever the database holds."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest

from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import MeetingKind, Person, Provider, ProviderKind, Service
from store import Store, records
from store.meetings import record_decision, start_meeting
from tests.conftest import TODAY

ESCAPE = "\x1b[2J\x1b]0;owned\x07"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv), clock=FixedClock(TODAY)) == 0
    return capsys.readouterr().out


def hostile_service(store: Store) -> int:
    with store.write("a service whose names hold terminal escapes") as txn:
        records.insert(txn, Service(name=f"Evil{ESCAPE}Service"))
        provider = records.insert(txn, Provider(name="Prime", kind=ProviderKind.PRIME))
        person = records.insert(
            txn, Person(name=f"Ann{ESCAPE}", role="Nurse\u202e", provider_id=provider.id)
        )
    assert person.id is not None
    return person.id


def test_status_never_prints_a_control_character(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_service(store)
    printed = run(capsys, "status", "--db", str(db_path))
    assert "Evil" in printed
    assert not [c for c in printed if not c.isprintable() and c != "\n"]


def test_minutes_on_a_terminal_hold_no_control_character(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ann = hostile_service(store)
    meeting = start_meeting(
        store,
        series=f"Brief{ESCAPE}",
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=ann,
        today=TODAY,
        now=datetime.combine(TODAY, time(8)),
    )
    assert meeting.id is not None
    record_decision(store, meeting.id, text=f"Hold{ESCAPE}", rationale=ESCAPE, owner_id=ann)
    printed = run(capsys, "export", "minutes", str(meeting.id), "--db", str(db_path))
    assert "Hold" in printed
    assert not [c for c in printed if not c.isprintable() and c != "\n"]
