"""Before a session writes: a database on a network share is warned about loudly, a damaged
file is refused with what to do, and a write the database cannot take (disk full, busy past
the wait) is a refusal that saves nothing, never a crash."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from screens.form import FormScreen
from store import Store, StoreError, driver, open_store, startup
from store.check import check_database
from store.records import ensure_default_tiers
from store.startup import file_system_of, network_share_warning, refuse_if_damaged
from tests.conftest import settle

TODAY = date(2026, 11, 22)
CLOCK = FixedClock(TODAY)

MOUNTS = """\
sysfs /sys sysfs rw,nosuid 0 0
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/team nfs4 rw,relatime 0 0
/dev/sdb1 /mnt/team/local\\040disk ext4 rw 0 0
//fileserver/huddle /srv/share cifs rw 0 0
"""


# --- the network share ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/home/ward/huddle.db", "ext4"),
        ("/mnt/team/huddle.db", "nfs4"),
        ("/mnt/team/sub/folder/huddle.db", "nfs4"),
        ("/mnt/team/local disk/huddle.db", "ext4"),  # a local disk mounted inside the share
        ("/srv/share/huddle.db", "cifs"),
        ("/srv/shared.db", "ext4"),  # a name that merely starts like a mount point
    ],
)
def test_the_file_system_is_that_of_the_deepest_mount_holding_the_file(
    path: str, kind: str
) -> None:
    assert file_system_of(Path(path), MOUNTS) == kind


def _mounts_with_share(tmp_path: Path) -> Path:
    """A mount table saying that `tmp_path` is an NFS share."""
    table = tmp_path.parent / f"{tmp_path.name}-mounts"
    table.write_text(f"/dev/sda1 / ext4 rw 0 0\nserver:/x {tmp_path} nfs4 rw 0 0\n")
    return table


def test_a_database_on_a_network_share_is_warned_about_naming_it(tmp_path: Path) -> None:
    warning = network_share_warning(tmp_path / "huddle.db", _mounts_with_share(tmp_path))
    assert warning is not None
    assert str(tmp_path / "huddle.db") in warning
    assert "nfs4" in warning and "corrupt" in warning and "local disk" in warning


def test_a_windows_network_path_is_warned_about() -> None:
    warning = network_share_warning(Path("//fileserver/team/huddle.db"))
    assert warning is not None and "Windows network share" in warning


def test_a_local_disk_or_an_unreadable_mount_table_is_not_warned_about(tmp_path: Path) -> None:
    local = tmp_path / "mounts"
    local.write_text("/dev/sda1 / ext4 rw 0 0\n")
    assert network_share_warning(tmp_path / "huddle.db", local) is None
    assert network_share_warning(tmp_path / "huddle.db", tmp_path / "no-such-file") is None


def test_every_command_warns_on_stderr_about_a_network_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "huddle.db"
    made = open_store(db, "tester")
    ensure_default_tiers(made)
    made.close()
    monkeypatch.setattr(startup, "MOUNTS", _mounts_with_share(tmp_path))
    assert main(["status", "--db", str(db)], CLOCK) == 0
    err = capsys.readouterr().err
    assert err.startswith("huddle: WARNING: the database") and "nfs4" in err


async def test_every_screen_shows_a_banner_while_the_database_is_on_a_share(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(startup, "MOUNTS", _mounts_with_share(tmp_path))
    app = make_app(store, CLOCK)
    async with app.run_test(size=(160, 45)) as pilot:
        for key in ("1", "2", "4", "6"):
            await pilot.press(key)
            await settle(app, pilot)
            banner = app.screen.query_one(".share-banner", Static)
            assert str(banner.render()).startswith("NETWORK SHARE — the database")


# --- a damaged file -------------------------------------------------------------------------


def _damage_an_index(db: Path) -> None:
    """Scribble over the first page of an index, leaving the tables the opening reads whole:
    the file opens, and quick_check finds the damage."""
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit' "
        "ORDER BY rootpage DESC LIMIT 1"
    ).fetchone()[0]
    conn.close()  # the last connection to close folds the write-ahead log into the file
    with db.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * 64)


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    db = tmp_path / "damaged.db"
    made = open_store(db, "tester")
    ensure_default_tiers(made)
    with made.write("rows to index") as txn:
        txn.insert_many("provider", [{"name": f"Provider {n}"} for n in range(300)])
    made.close()
    _damage_an_index(db)
    return db


def test_a_file_failing_quick_check_is_refused_saying_what_to_do(damaged: Path) -> None:
    store = open_store(damaged, "tester", migrate=False)
    try:
        with pytest.raises(StoreError) as refused:
            refuse_if_damaged(store)
    finally:
        store.close()
    said = str(refused.value)
    assert str(damaged) in said and "quick_check" in said
    assert "huddle check" in said and "huddle restore" in said


def test_a_sound_file_passes(store: Store) -> None:
    refuse_if_damaged(store)


def test_the_app_will_not_start_on_a_damaged_file(
    damaged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = damaged.read_bytes()
    assert main(["--db", str(damaged)], CLOCK) == 2
    err = capsys.readouterr().err
    assert err.startswith("huddle: cannot use database") and "huddle restore" in err
    assert "Traceback" not in err
    assert damaged.read_bytes() == before  # refused before anything was written


def test_a_file_too_damaged_to_open_is_refused_saying_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "huddle.db"
    made = open_store(db, "tester")
    ensure_default_tiers(made)
    made.close()
    with db.open("r+b") as file:
        file.seek(100)  # page 1, just after the header: the schema itself
        file.write(b"\x00" * 200)
    assert main(["status", "--db", str(db)], CLOCK) == 2
    err = capsys.readouterr().err
    assert "malformed" in err and "huddle restore" in err and "Traceback" not in err


# --- writes the database cannot take ----------------------------------------------------------


def _fill_the_disk(store: Store) -> None:
    """SQLite's own limit on the file's size, at its size now: the next page it needs is
    refused exactly as a full disk refuses it (SQLITE_FULL)."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_write_on_a_full_disk_is_refused_and_saves_nothing(store: Store) -> None:
    audited = store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    _fill_the_disk(store)
    with (
        pytest.raises(StoreError, match="nothing was saved: the disk is full"),
        store.write("many providers") as txn,
    ):
        txn.insert_many("provider", [{"name": "x" * 2000} for _ in range(200)])
    assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == audited
    assert store.conn.execute("SELECT count(*) FROM provider").fetchone()[0] == 0
    assert check_database(store.conn).ok


def refuses_a_write_kept_waiting_by_another_terminal(store: Store) -> None:
    """Another connection (by the driver in use, so keyed when the store is) holds the
    write lock past the busy wait: the write is refused in words and saves nothing."""
    other = driver.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    store.conn.execute("PRAGMA busy_timeout = 50")  # the wait, shortened for the test
    try:
        with (
            pytest.raises(StoreError, match="another terminal kept the database busy"),
            store.write("a provider") as txn,
        ):
            txn.insert("provider", {"name": "Riverside"})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.conn.execute("SELECT count(*) FROM provider").fetchone()[0] == 0
    assert not store.conn.in_transaction


def test_a_write_kept_waiting_by_another_terminal_is_refused_and_saves_nothing(
    store: Store,
) -> None:
    refuses_a_write_kept_waiting_by_another_terminal(store)


async def test_a_form_refused_by_a_full_disk_keeps_what_was_typed(demo: Store) -> None:
    app = make_app(demo, CLOCK)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("4")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        audited = demo.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        # Longer than a page, so the write needs pages the file may not grow to (a shorter
        # row can fit in the free space of the pages it has, and be saved).
        typed = {"title": "Ring the tier 1 breaches " * 200, "owner": "Yusuf", "due_date": "fri"}
        for name, text in typed.items():
            app.screen.query_one(f"#field-{name}", Input).value = text
        _fill_the_disk(demo)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)  # still open
        error = app.screen.query_one("#error-form", Static)
        assert "nothing was saved: the disk is full" in str(error.render())
        for name, text in typed.items():
            assert app.screen.query_one(f"#field-{name}", Input).value == text
        assert demo.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == audited
