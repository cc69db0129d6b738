"""`huddle restore BACKUP`: only a backup that passes the whole check comes back, the
database it replaces is kept beside it, and a terminal still open on the file sees the
restored records."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from huddle.cli import main
from huddle.clock import FixedClock
from store import Store, StoreError, open_store
from store.backup import backup, restore
from store.check import check_database

CLOCK = FixedClock(date(2026, 11, 22))
STAMP = "20261122-080000"


def providers(store: Store) -> list[str]:
    return [name for (name,) in store.conn.execute("SELECT name FROM provider ORDER BY id")]


def add_provider(store: Store, name: str) -> None:
    with store.write(f"provider {name}") as txn:
        txn.insert("provider", {"name": name})


@pytest.fixture
def backed_up(store: Store, tmp_path: Path) -> Path:
    """A backup holding one provider; the live database then gets a second."""
    add_provider(store, "Riverside")
    destination = tmp_path / "backup.db"
    assert backup(store, destination).ok
    add_provider(store, "Northbrook")
    return destination


def test_restore_brings_the_backup_back_and_keeps_what_it_replaced(
    store: Store, db_path: Path, backed_up: Path
) -> None:
    done = restore(backed_up, db_path, STAMP)

    assert done.report.ok, done.report.lines()
    assert providers(store) == ["Riverside"]  # this connection stayed open throughout
    assert done.kept == db_path.with_name(f"{db_path.name}.{'replaced-' + STAMP}")
    kept = sqlite3.connect(done.kept)
    assert [n for (n,) in kept.execute("SELECT name FROM provider ORDER BY id")] == [
        "Riverside",
        "Northbrook",
    ]
    assert check_database(kept).ok
    kept.close()
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    add_provider(store, "Westgate")  # and the restored database takes writes
    assert check_database(store.conn).ok


def test_a_backup_failing_its_check_is_refused_and_nothing_changes(
    store: Store, db_path: Path, backed_up: Path
) -> None:
    altered = sqlite3.connect(backed_up)
    altered.execute("DROP TRIGGER audit_no_update")
    altered.execute("UPDATE audit SET reason = 'edited' WHERE id = 2")
    altered.commit()
    altered.close()

    with pytest.raises(StoreError, match="the backup fails its check: .*audit row 2"):
        restore(backed_up, db_path, STAMP)
    assert providers(store) == ["Riverside", "Northbrook"]
    assert not list(db_path.parent.glob("*.replaced-*"))


def test_a_file_that_is_not_a_backup_is_refused(store: Store, db_path: Path, tmp_path: Path):
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of 13/11\n" * 200)
    with pytest.raises(StoreError, match="fails its check: .*file is not a database"):
        restore(notes, db_path, STAMP)
    with pytest.raises(StoreError, match="there is no backup file there"):
        restore(tmp_path / "missing.db", db_path, STAMP)
    assert providers(store) == []


def test_a_damaged_database_is_replaced_and_kept_as_it_was(
    store: Store, db_path: Path, backed_up: Path
) -> None:
    store.close()  # the app refuses to start on it, so nothing has it open
    with db_path.open("r+b") as file:
        file.seek(100)
        file.write(b"\x00" * 400)
    damaged = db_path.read_bytes()

    done = restore(backed_up, db_path, STAMP)

    assert done.report.ok, done.report.lines()
    assert done.kept is not None and done.kept.read_bytes() == damaged
    reopened = open_store(db_path, "tester")
    assert providers(reopened) == ["Riverside"]
    reopened.close()


def test_restore_into_a_new_place_keeps_nothing(backed_up: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "elsewhere.db"
    done = restore(backed_up, fresh, STAMP)
    assert done.kept is None and done.report.ok
    assert fresh.stat().st_mode & 0o077 == 0  # written owner-only, like the database


def test_the_restore_command_says_what_it_did(
    store: Store, db_path: Path, backed_up: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FixedClock(date(2026, 11, 22))
    assert main(["restore", str(backed_up), "--db", str(db_path)], clock) == 0
    out = capsys.readouterr().out
    assert f"kept as {db_path}.replaced-20261122-080000" in out
    assert f"{backed_up} restored as {db_path}" in out
    assert "audit chain: ok" in out
    assert providers(store) == ["Riverside"]
