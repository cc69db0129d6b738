"""Encryption at rest (the `encryption` extra): with HUDDLE_KEY set, the database, its
write-ahead log and its backups hold no readable NHS number; a wrong key is said to be
one, never only damage; backups restore; a busy write is still a refusal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from fixtures.demo import seed_demo
from huddle.cli import main
from huddle.clock import FixedClock
from store import Store, StoreError, driver, open_store
from store.backup import backup, restore
from store.check import check_database
from tests.test_import_hygiene import loaded_after
from tests.test_startup import refuses_a_write_kept_waiting_by_another_terminal

# Skipped without the extra: pip install -e '.[test,encryption]'.
dbapi2 = pytest.importorskip("sqlcipher3.dbapi2")

KEY = "correct horse 'battery' staple"
CLOCK = FixedClock(date(2026, 11, 22))


def use_key(monkeypatch: pytest.MonkeyPatch, key: str | None) -> None:
    """As a new process started with this HUDDLE_KEY (or none) would be."""
    if key is None:
        monkeypatch.delenv(driver.KEY_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(driver.KEY_VARIABLE, key)
    driver.key.cache_clear()


@pytest.fixture(autouse=True)
def keyed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    use_key(monkeypatch, KEY)
    yield
    # The key is read once per process: forget it, so later tests run without one.
    driver.key.cache_clear()


@pytest.fixture
def keyed_store(keyed: None, store: Store) -> Store:
    """The empty service database of conftest, made with HUDDLE_KEY set."""
    return store


def test_no_nhs_number_is_readable_in_the_database_its_log_or_a_backup(tmp_path: Path) -> None:
    db = tmp_path / "huddle.db"
    store = open_store(db, "Helen Marsden")
    seed_demo(store, date(2026, 11, 22))
    number = store.conn.execute("SELECT nhs_number FROM waiting_entry LIMIT 1").fetchone()[0]
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}".encode()
    backup_file = tmp_path / "backup.db"
    assert backup(store, backup_file).ok
    # With the connection still open, so the write-ahead log holds recent pages too.
    wal = Path(f"{db}-wal")
    assert wal.stat().st_size > 0
    for part in (db, wal, backup_file):
        raw = part.read_bytes()
        assert (raw.count(number.encode()), raw.count(spaced)) == (0, 0), part
    store.close()
    # Exports are plaintext by design: they are written for people and spreadsheets.
    out = tmp_path / "waiting.csv"
    assert main(["export", "waiting-list", "--db", str(db), "--out", str(out)], CLOCK) == 0
    assert out.read_text(encoding="utf-8").count(number) == 1


def test_a_wrong_key_is_said_to_be_one_and_never_only_damage(
    keyed_store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    keyed_store.close()
    use_key(monkeypatch, "not the key")
    assert main(["status", "--db", str(db_path)], CLOCK) == 2
    said = capsys.readouterr().err
    assert "the key is wrong (HUDDLE_KEY)" in said
    assert "check the key first; if you are sure of it" in said
    assert "Traceback" not in said


def test_an_encrypted_file_without_a_key_names_the_key(
    keyed_store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed_store.close()
    use_key(monkeypatch, None)
    with pytest.raises(StoreError, match="it is encrypted and HUDDLE_KEY is not set"):
        open_store(db_path, "tester")


def test_a_plaintext_file_with_a_key_says_it_is_not_encrypted(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_key(monkeypatch, None)
    open_store(db_path, "tester").close()
    use_key(monkeypatch, KEY)
    with pytest.raises(StoreError, match="it is not encrypted, but HUDDLE_KEY is set"):
        open_store(db_path, "tester")


def test_an_encrypted_backup_restores_and_passes_its_check(
    keyed_store: Store, tmp_path: Path
) -> None:
    copy = tmp_path / "backup.db"
    assert backup(keyed_store, copy).ok
    restored = restore(copy, tmp_path / "restored.db", "20261122T080000")
    assert restored.report.ok
    # Keyed the way SQLCipher's own shell keys it, so the file is not tied to huddle.
    conn = dbapi2.connect(tmp_path / "restored.db")
    conn.execute("PRAGMA key = '" + KEY.replace("'", "''") + "'")
    assert check_database(conn).ok
    conn.close()


def test_a_backup_made_with_another_key_is_not_called_only_damaged(
    keyed_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "backup.db"
    assert backup(keyed_store, copy).ok
    keyed_store.close()
    use_key(monkeypatch, "not the key")
    with pytest.raises(StoreError, match="HUDDLE_KEY is not the key it was made with"):
        restore(copy, tmp_path / "restored.db", "20261122T080000")


def test_a_write_kept_waiting_by_another_terminal_is_refused(keyed_store: Store) -> None:
    refuses_a_write_kept_waiting_by_another_terminal(keyed_store)


def test_the_command_line_starts_without_sqlcipher_even_with_a_key() -> None:
    code = "import huddle.cli; huddle.cli.build_parser().parse_args(['status'])"
    assert loaded_after(code, ["sqlcipher3"]) == {"sqlcipher3": False}
