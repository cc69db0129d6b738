"""Who acts: a person found by login or --user, or signed in with a password; lockout,
idle sign-out, and the password kept out of every table but its own."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Static

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.identity import FAILURES_BEFORE_LOCKOUT, LOCKOUT, hash_password, password_matches
from huddle.session import Session
from store import open_store
from store.sign_in import SignInRefused, acting_as, set_password, sign_in
from tests.conftest import TODAY

DOCS = Path(__file__).parent.parent / "docs"
PASSWORD = "correct horse battery"
AT = datetime(2026, 11, 22, 8, 0)


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example service from its service file, with a password for Omar Haddad."""
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "service.db"
    file = str(DOCS / "service.example.toml")
    assert main(["setup", "apply", file, "--yes", "--db", str(db)], FixedClock(TODAY)) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    argv = ["user", "password", "Omar Haddad", "--stdin", "--db", str(db)]
    assert main([*argv, "--user", "jarmitage"], FixedClock(TODAY)) == 0
    return db


def test_a_password_is_a_salted_scrypt_hash() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$") and first != second
    assert password_matches(first, PASSWORD) and password_matches(second, PASSWORD)
    assert not password_matches(first, PASSWORD + " ")
    assert not password_matches("not a hash", PASSWORD)


def test_the_password_is_in_no_table_but_its_own(service: Path) -> None:
    store = open_store(service, "reader", migrate=False)
    try:
        stored = store.conn.execute("SELECT hash FROM password").fetchone()[0]
        for (table,) in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            if table == "password":
                continue
            for row in store.conn.execute(f"SELECT * FROM [{table}]"):
                said = json.dumps(row)
                assert PASSWORD not in said and stored not in said, table
                assert stored.split("$")[-1] not in said, table
        audit = store.conn.execute(
            "SELECT actor, via, after FROM audit WHERE table_name = 'password'"
        ).fetchall()
        assert audit == [("Jess Armitage", "--user", '{"password":"set"}')]
    finally:
        store.close()


def test_who_acts_is_a_person_or_refused(service: Path) -> None:
    store = open_store(service, "", migrate=False)
    try:
        jess = acting_as(store, "jarmitage", "--user", None)
        assert (jess.name, jess.via) == ("Jess Armitage", "--user")
        assert acting_as(store, "omar haddad", "HUDDLE_USER", "root").name == "Omar Haddad"
        by_login = acting_as(store, None, "--user", "jarmitage")
        assert (by_login.name, by_login.via) == ("Jess Armitage", "login jarmitage")
        assert acting_as(store, None, "--user", "root") is None
        with pytest.raises(SignInRefused, match="'jess' is nobody on the staff list"):
            acting_as(store, "jess", "--user", None)
    finally:
        store.close()


def test_a_script_that_is_nobody_writes_nothing(
    service: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extract = str(DOCS / "extract.example.csv")
    for who in (["--user", "jess"], []):
        argv = ["import", "waiting-list", extract, "--db", str(service), *who]
        assert main(argv, FixedClock(TODAY)) == 2
    said = capsys.readouterr().err
    assert "--user 'jess' is nobody on the staff list" in said
    assert "who is doing this? Your computer login is no person's login" in said
    store = open_store(service, "reader", migrate=False)
    try:
        assert store.conn.execute("SELECT count(*) FROM waiting_entry").fetchone()[0] == 0
    finally:
        store.close()


def test_wrong_passwords_lock_a_person_out_for_a_while(service: Path) -> None:
    store = open_store(service, "", migrate=False)
    try:
        with pytest.raises(SignInRefused, match="no one on the staff list"):
            sign_in(store, "Nobody Here", PASSWORD, AT)
        for tried in range(FAILURES_BEFORE_LOCKOUT - 1):
            with pytest.raises(SignInRefused, match="wrong password for Omar Haddad"):
                sign_in(store, "omar haddad", "guess", AT + timedelta(seconds=tried))
        with pytest.raises(SignInRefused, match="locked out .* until 08:15"):
            sign_in(store, "Omar Haddad", "guess", AT + timedelta(seconds=10))
        # Locked out, even the right password is refused until the time is up.
        with pytest.raises(SignInRefused, match="locked out"):
            sign_in(store, "Omar Haddad", PASSWORD, AT + timedelta(minutes=14))
        acting = sign_in(store, "Omar Haddad", PASSWORD, AT + LOCKOUT + timedelta(seconds=11))
        assert (acting.name, acting.via) == ("Omar Haddad", "password")
        tries = store.conn.execute("SELECT succeeded FROM sign_in_attempt").fetchall()
        assert [ok for (ok,) in tries] == [0] * FAILURES_BEFORE_LOCKOUT + [1]
    finally:
        store.close()


def test_someone_who_left_or_has_no_password_cannot_sign_in(service: Path) -> None:
    store = open_store(service, "Jess Armitage")
    try:
        with pytest.raises(SignInRefused, match="Priya Shah has no password yet"):
            sign_in(store, "Priya Shah", PASSWORD, AT)
        with pytest.raises(SignInRefused, match="at least 10 characters"):
            set_password(store, "Priya Shah", "short", AT)
        store.conn.execute(
            "UPDATE person SET inactive_since = '2026-11-01' WHERE name = 'Omar Haddad'"
        )
        with pytest.raises(SignInRefused, match="Omar Haddad has left the service"):
            sign_in(store, "Omar Haddad", PASSWORD, AT)
    finally:
        store.close()


def served(db: Path, clock: FixedClock, idle_minutes: int = 15):
    store = open_store(db, "")
    return make_app(store, clock, session=Session(served=True, idle_minutes=idle_minutes))


async def sign_in_as(pilot, name: str, password: str) -> None:
    await pilot.click("#sign-in-name")
    pilot.app.screen.query_one("#sign-in-name", Input).value = ""
    await pilot.press(*name, "enter", *password, "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_nothing_is_read_or_written_before_signing_in(service: Path) -> None:
    app = served(service, FixedClock(TODAY))
    async with app.run_test(size=(100, 30)) as pilot:
        # No key reaches the service: the app-wide keys are typed into the name, and the
        # palette does not open.
        await pilot.press("1", "2", "a", "ctrl+p")
        assert app.screen.__class__.__name__ == "SignInScreen"
        name = app.screen.query_one("#sign-in-name", Input)
        assert name.value == "12a"
        name.value = ""
        assert app.store.actor == "" and app.store.not_acting
        await sign_in_as(pilot, "omar", "wrong password here")
        message = str(app.screen.query_one("#sign-in-message", Static).render())
        assert "wrong password for Omar Haddad" in message
        await sign_in_as(pilot, "omar", PASSWORD)
        assert app.screen.__class__.__name__ == "TodayScreen"
        assert (app.store.actor, app.store.via) == ("Omar Haddad", "password")


class MovingClock(FixedClock):
    """A fixed day whose time of day the test moves on."""

    def now(self) -> datetime:
        return self.moved

    moved = AT


async def test_an_idle_browser_session_signs_out(service: Path) -> None:
    clock = MovingClock(TODAY)
    app = served(service, clock, idle_minutes=10)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in_as(pilot, "Omar Haddad", PASSWORD)
        await pilot.press("2")
        await pilot.pause()
        MovingClock.moved = AT + timedelta(minutes=9)
        app.sign_out_if_idle()
        await pilot.pause()
        assert app.screen.__class__.__name__ == "WaitingListScreen"
        MovingClock.moved = AT + timedelta(minutes=10)
        app.sign_out_if_idle()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.__class__.__name__ == "SignInScreen"
        message = str(app.screen.query_one("#sign-in-message", Static).render())
        assert "signed out after 10 minutes" in message
        assert app.screen.query_one("#sign-in-password", Input).value == ""
        # Nothing of the service is left behind the sign-in screen, and nobody acts.
        assert list(app._screen_stacks) == ["sign-in"] or all(
            not stack for mode, stack in app._screen_stacks.items() if mode != "sign-in"
        )
        assert app.store.actor == "" and app.store.not_acting
    MovingClock.moved = AT


def test_the_account_for_imports_imports_and_does_nothing_else(
    service: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = service.parent / "service.toml"
    text = (DOCS / "service.example.toml").read_text()
    file.write_text(text.replace("[service]\n", '[service]\nimport_account = "weekly-extract"\n'))
    setup = ["setup", "apply", str(file), "--yes", "--db", str(service), "--user", "jarmitage"]
    assert main(setup, FixedClock(TODAY)) == 0
    extract = str(DOCS / "extract.example.csv")
    as_account = ["--db", str(service), "--user", "weekly-extract"]
    week = FixedClock(date(2026, 12, 6))  # the example extract's week
    assert main(["import", "waiting-list", extract, *as_account], week) == 0
    exported = service.parent / "setup.toml"
    assert main(["setup", "export", "--out", str(exported), *as_account], week) == 2
    assert "is the service's account for imports, and acts in imports only" in (
        capsys.readouterr().err
    )
    store = open_store(service, "reader", migrate=False)
    try:
        actors = store.conn.execute(
            "SELECT DISTINCT actor, via FROM audit WHERE table_name = 'waiting_entry'"
        ).fetchall()
        assert actors == [("weekly-extract", "--user, the service's account for imports")]
    finally:
        store.close()


async def test_keys_typed_in_a_burst_after_the_name_land_in_the_password(service: Path) -> None:
    """As a password manager types: every key arrives before the first is handled."""
    app = served(service, FixedClock(TODAY))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in [*"omar", "enter", *PASSWORD, "enter"]:
            character = "\r" if key == "enter" else key
            app.post_message(events.Key("space" if key == " " else key, character))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (app.screen.__class__.__name__, app.store.actor) == ("TodayScreen", "Omar Haddad")
