"""The crash harness (benchmarks/crash.py) at a dozen kills: a writer killed with SIGKILL at
random moments never loses an acknowledged write, never leaves one half written, and never
damages the file. And the check it relies on does find a lost or half write."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from benchmarks.acks import Written, read_ledger
from benchmarks.crash import CrashSettings, run
from benchmarks.harness import WriterSpec, finished, running, seeded_demo
from benchmarks.verify import verify

KILLS = 12


def test_a_killed_writer_loses_nothing_it_acknowledged(tmp_path: Path) -> None:
    figures = run(CrashSettings(kills=KILLS, seed=22), tmp_path)

    assert sum(figures.killed.values()) == KILLS
    assert figures.corruptions == 0
    assert figures.lost == []
    assert figures.half_writes == []
    assert figures.refused == 0
    assert figures.acknowledged > KILLS  # the writers got some way each time


@pytest.fixture(scope="module")
def after_a_writer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo database after a writer's 80 writes, and its acknowledgements."""
    folder = tmp_path_factory.mktemp("written")
    spec = WriterSpec(
        db=seeded_demo(folder / "demo.db"),
        acks=folder / "acks.jsonl",
        log=folder / "writer.log",
        actor="crash writer 1",
        seed=3,
        options=("--rounds", "80"),
    )
    with running([spec]) as [child]:
        finished(child, spec)
    return spec.db, spec.acks


def test_the_check_finds_an_acknowledged_write_that_is_not_there(
    after_a_writer: tuple[Path, Path],
) -> None:
    db, acks = after_a_writer
    ledger = read_ledger(acks)
    claimed = next(a for a in ledger.attempts if a.op == "record_decision" and a.outcome == "ok")
    claimed.rows[0] = Written("decision", 999_999, 1)
    with closing(sqlite3.connect(db)) as conn:
        findings = verify(conn, [ledger])
    assert findings.lost == [
        f"{ledger.actor}: record_decision {claimed.rows[0]} is at version None"
    ]


def test_the_check_finds_a_write_present_in_part(after_a_writer: tuple[Path, Path]) -> None:
    db, acks = after_a_writer
    ledger = read_ledger(acks)
    contact = next(a for a in ledger.attempts if a.op == "log_contact" and a.outcome == "ok")
    contact.shape = {**contact.shape, "action insert": 1}  # as if one row had not landed
    with closing(sqlite3.connect(db)) as conn:
        findings = verify(conn, [ledger])
    assert len(findings.half) == 1 and "log_contact" in findings.half[0]


def test_the_check_finds_a_row_written_outside_the_audit_trail(tmp_path: Path) -> None:
    db = seeded_demo(tmp_path / "demo.db")
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("UPDATE waiting_entry SET initials = 'ZZ' WHERE id = 1")
        findings = verify(conn, [])
    assert findings.half == ["waiting_entry row 1: differs from its last audited change"]


def test_a_last_line_cut_short_by_the_kill_is_ignored(tmp_path: Path) -> None:
    acks = tmp_path / "acks.jsonl"
    lines = [{"actor": "crash writer 1"}, {"attempt": "add_entry", "shape": {}}, {"began": "t"}]
    acks.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"ok": [["wai')

    ledger = read_ledger(acks)

    assert ledger.unfinished() is not None and ledger.unfinished().at == "t"
