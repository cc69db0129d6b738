"""Who acts: a person found by login or --user, or signed in with a password; lockout,
idle sign-out, and the password kept out of every table but its own."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
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
from store.sign_in import SignInRefused, acting_as, people, set_password, sign_in
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
        # Only a login acts without signing in: a computer login that is someone's name is not.
        assert acting_as(store, None, "--user", "omar haddad") is None
        with pytest.raises(SignInRefused, match="'jess' is nobody on the staff list"):
            acting_as(store, "jess", "--user", None)
        store.conn.execute("UPDATE person SET login = 'omar haddad' WHERE name = 'Tom Ellis'")
        with pytest.raises(SignInRefused, match="could be Omar Haddad and Tom Ellis"):
            acting_as(store, "Omar Haddad", "--user", None)
        with pytest.raises(SignInRefused, match="could be Omar Haddad and Tom Ellis"):
            sign_in(store, "omar haddad", PASSWORD, AT)
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
            left = FAILURES_BEFORE_LOCKOUT - 1 - tried
            with pytest.raises(SignInRefused, match=f"wrong password for Omar Haddad; {left} "):
                sign_in(store, "omar haddad", "guess", AT + timedelta(seconds=tried))
        with pytest.raises(SignInRefused, match="locked out .* until 08:15; "):
            sign_in(store, "Omar Haddad", "guess", AT + timedelta(seconds=10))
        # Locked out, even the right password is refused until the time is up, and the
        # tries refused are not counted (nor checked).
        with pytest.raises(SignInRefused, match="locked out"):
            sign_in(store, "Omar Haddad", PASSWORD, AT + timedelta(minutes=14))
        # Once it is over, one more slip does not lock them out again: five more would.
        after = AT + LOCKOUT + timedelta(seconds=11)
        with pytest.raises(SignInRefused, match="wrong password for Omar Haddad; 4 "):
            sign_in(store, "Omar Haddad", "guess", after)
        acting = sign_in(store, "Omar Haddad", PASSWORD, after + timedelta(seconds=1))
        assert (acting.name, acting.via) == ("Omar Haddad", "password")
        tries = store.conn.execute("SELECT succeeded, method FROM sign_in_attempt").fetchall()
        assert tries == [
            (1, "password set"),
            *[(0, "password")] * (FAILURES_BEFORE_LOCKOUT + 1),
            (1, "password"),
        ]
    finally:
        store.close()


def test_a_reset_ends_a_lockout_and_a_clock_set_ahead_locks_no_one_out(service: Path) -> None:
    store = open_store(service, "Jess Armitage")
    try:
        # Five wrong tries with the clock years ahead do not lock out today's sign-in.
        ahead = AT.replace(year=2030)
        for _ in range(FAILURES_BEFORE_LOCKOUT):
            with pytest.raises(SignInRefused):
                sign_in(store, "Omar Haddad", "guess", ahead)
        assert sign_in(store, "Omar Haddad", PASSWORD, AT).name == "Omar Haddad"
        for _ in range(FAILURES_BEFORE_LOCKOUT):
            with pytest.raises(SignInRefused):
                sign_in(store, "Omar Haddad", "guess", AT)
        with pytest.raises(SignInRefused, match="locked out"):
            sign_in(store, "Omar Haddad", PASSWORD, AT)
        set_password(store, "Omar Haddad", "a new long password", AT)
        assert sign_in(store, "Omar Haddad", "a new long password", AT).name == "Omar Haddad"
    finally:
        store.close()


def test_guesses_made_at_once_are_counted_like_guesses_one_after_another(service: Path) -> None:
    """Twenty tabs guessing at the same moment: five are checked, the rest refused unread."""
    refusals: list[str] = []

    def guess(n: int) -> None:
        store = open_store(service, "", migrate=False)
        try:
            sign_in(store, "Omar Haddad", PASSWORD if n == 19 else f"guess {n}", AT)
        except SignInRefused as refused:
            refusals.append(str(refused))
        finally:
            store.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(guess, range(20)))
    store = open_store(service, "", migrate=False)
    try:
        checked = store.conn.execute(
            "SELECT count(*) FROM sign_in_attempt WHERE method = 'password'"
        ).fetchone()[0]
    finally:
        store.close()
    assert checked <= FAILURES_BEFORE_LOCKOUT
    assert sum("locked out" in said for said in refusals) >= 20 - FAILURES_BEFORE_LOCKOUT


def test_someone_who_left_or_has_no_password_cannot_sign_in(service: Path) -> None:
    store = open_store(service, "Jess Armitage")
    try:
        with pytest.raises(SignInRefused, match="Priya Shah has no password yet"):
            sign_in(store, "Priya Shah", PASSWORD, AT)
        with pytest.raises(SignInRefused, match="at least 10 characters"):
            set_password(store, "Priya Shah", "short", AT)
        with pytest.raises(SignInRefused, match="only spaces"):
            set_password(store, "Priya Shah", " " * 12, AT)
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


async def test_an_idle_browser_session_signs_out(service: Path) -> None:
    app = served(service, FixedClock(TODAY), idle_minutes=10)
    seconds = [1000.0]  # the computer's steady count, moved on by the test
    app.seconds = lambda: seconds[0]
    async with app.run_test(size=(100, 30)) as pilot:
        # Tab moves between the fields before signing in (nothing else of the app does).
        await pilot.press("tab")
        assert app.focused.id == "sign-in-password"
        await sign_in_as(pilot, "Omar Haddad", PASSWORD)
        await pilot.press("2")
        await pilot.pause()
        seconds[0] += 9 * 60
        app.sign_out_if_idle()
        await pilot.pause()
        assert app.screen.__class__.__name__ == "WaitingListScreen"
        seconds[0] += 60
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


def test_people_are_read_from_a_database_from_before_logins(service: Path) -> None:
    """`huddle check` and `huddle backup` read a file as it is, never upgraded first: one
    from before logins and display accounts still says who is on its staff list."""
    store = open_store(service, "", migrate=False)
    try:
        for column in ("login", "read_only", "assesses"):
            store.conn.execute(f"ALTER TABLE person DROP COLUMN {column}")
        store.conn.execute("ALTER TABLE service DROP COLUMN import_account")
        assert {p.name: p.login for p in people(store)}["Jess Armitage"] is None
        assert acting_as(store, "Jess Armitage", "--user", None).name == "Jess Armitage"
    finally:
        store.close()


async def test_a_display_stays_signed_in_however_long_no_key_is_pressed(service: Path) -> None:
    store = open_store(service, "Jess Armitage")
    store.conn.execute("UPDATE person SET read_only = 1 WHERE name = 'Grace Mwangi'")
    set_password(store, "Grace Mwangi", PASSWORD, AT)
    store.close()
    app = served(service, FixedClock(TODAY))
    seconds = [0.0]
    app.seconds = lambda: seconds[0]
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in_as(pilot, "Grace Mwangi", PASSWORD)
        assert app.session.read_only and app.store.not_acting
        seconds[0] += 24 * 60 * 60
        app.sign_out_if_idle()
        await pilot.pause()
        assert not app.signing_in and app.store.actor == "Grace Mwangi"
