"""Who is acting on a service's records: a person found by login or `--user`, or signed in
with a password (huddle.identity has the rules; this applies them to the records)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from huddle.identity import (
    FAILURES_BEFORE_LOCKOUT,
    LOCKOUT,
    NotOne,
    Someone,
    find,
    hash_password,
    locked_until,
    password_matches,
    password_problem,
)
from store.connection import Store


@dataclass(frozen=True)
class Acting:
    """The person whose name every audit row of the session carries, and how they came to
    be acting ("login jess", "password", "--user", ...), written beside it."""

    name: str
    via: str
    read_only: bool = False

    @property
    def may_not_write(self) -> str | None:
        """Why nothing this person does may be saved (Store.not_acting), or None."""
        if not self.read_only:
            return None
        return f"{self.name} is a display account, which records nothing"


class SignInRefused(ValueError):
    """Why a sign-in or a `--user` is refused, in words that say what to do."""


def people(store: Store) -> list[Someone]:
    # A file checked or backed up as it is (never upgraded first) may be from before logins
    # and display accounts: those columns then read as none.
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(person)")}
    login = "login" if "login" in columns else "NULL"
    read_only = "read_only" if "read_only" in columns else "NULL"
    rows = store.conn.execute(
        f"SELECT id, name, {login}, inactive_since, {read_only} FROM person ORDER BY name"
    )
    return [
        Someone(id=i, name=name, login=login, active=left is None, read_only=bool(read_only))
        for i, name, login, left, read_only in rows
    ]


def _found(staff: list[Someone], typed: str) -> Someone | None:
    try:
        return find(staff, typed)
    except NotOne as both:
        raise SignInRefused(str(both)) from None


def _import_account(store: Store) -> str | None:
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(service)")}
    if "import_account" not in columns:
        return None
    found = store.conn.execute("SELECT import_account FROM service").fetchone()
    return found[0] if found else None


def acting_as(
    store: Store, given: str | None, source: str, os_login: str | None, *, imports: bool = False
) -> Acting | None:
    """Who acts in a terminal or a script.

    `given` (`--user` or `HUDDLE_USER`, named by `source`) must be a person's name or login,
    else it is refused; without it, a computer login that is a person's login acts as them;
    otherwise None: the app asks them to sign in, and a command that writes refuses. On a
    database with nobody on its staff list yet, whoever runs the first set-up acts, under
    the name they gave or their login, "before set-up". An import (`imports`) may also act
    as the account set-up declares for imports (the service file's `import_account`)."""
    staff = people(store)
    if not staff:
        name = given or os_login or "unknown"
        return Acting(name, f"{source if given else 'login'}, before set-up")
    if given:
        person = _found(staff, given)
        account = _import_account(store)
        if person is None and imports and account and given == account:
            return Acting(account, f"{source}, the service's account for imports")
        if person is None:
            only = (
                f"; {account!r} is the service's account for imports, and acts in imports only"
                if account and given == account
                else ""
            )
            raise SignInRefused(
                f"{source} {given!r} is nobody on the staff list: give a person's name or "
                f"login as the set-up has it (Set-up, key 7, lists them){only}"
            )
        return _as(person, source)
    # Only a login acts without signing in: a computer login that happens to be someone's
    # name is not theirs.
    login = (os_login or "").lower()
    if person := next((p for p in staff if login and p.login == login), None):
        return _as(person, f"login {person.login}")
    return None


def _as(person: Someone, via: str) -> Acting:
    if not person.active:
        raise SignInRefused(f"{person.name} has left the service and cannot act on its records")
    return Acting(person.name, via, person.read_only)


def set_password(store: Store, typed_name: str, password: str, now: datetime) -> Someone:
    """Set or reset a person's password. The audit row says that it was set, and by whom
    (the store's actor); the hash is only ever in the password table. A reset ends a
    lockout: it is what the lockout's message tells them to ask for."""
    person = _found(people(store), typed_name)
    if person is None:
        raise SignInRefused(f"{typed_name!r} is nobody on the staff list: give a name or login")
    if not person.active:
        raise SignInRefused(f"{person.name} has left the service: no password is set")
    if problem := password_problem(password):
        raise SignInRefused(problem)
    hashed = hash_password(password)
    with store.write(f"password set for {person.name}") as txn:
        had = txn.conn.execute(
            "SELECT 1 FROM password WHERE person_id = ?", (person.id,)
        ).fetchone()
        txn.conn.execute(
            "INSERT INTO password (person_id, hash, set_on) VALUES (?, ?, ?) "
            "ON CONFLICT (person_id) DO UPDATE SET hash = excluded.hash, set_on = excluded.set_on",
            (person.id, hashed, now.isoformat(timespec="seconds")),
        )
        _record_attempt(txn.conn, person, now, succeeded=True, method="password set")
        txn.note("password", person.id, "update" if had else "insert", {"password": "set"})
    return person


def sign_in(store: Store, typed_name: str, password: str, now: datetime) -> Acting:
    """The person signed in, or SignInRefused saying why. `now` is the computer's own time
    (never a date set for a demo), by which lockouts run.

    Each try at a person on the staff list is recorded as a failure before the password is
    checked, under the write lock and only if they are not locked out, and turned into a
    success if it was right: tries made at once (many browser tabs) are counted like tries
    one after another, so no more than five are ever checked before a lockout."""
    person = _found(people(store), typed_name)
    if person is None:
        raise SignInRefused("no one on the staff list has that name or login")
    if not person.active:
        raise SignInRefused(f"{person.name} has left the service and cannot sign in")
    stored = store.conn.execute(
        "SELECT hash FROM password WHERE person_id = ?", (person.id,)
    ).fetchone()
    if stored is None:
        raise SignInRefused(
            f"{person.name} has no password yet: someone who runs huddle for the service sets "
            f'one with huddle user password "{person.name}"'
        )
    attempt = _try_counted(store, person, now)
    if password_matches(stored[0], password):
        store.conn.execute("UPDATE sign_in_attempt SET succeeded = 1 WHERE id = ?", (attempt,))
        return Acting(person.name, "password", person.read_only)
    if until := locked_until(_attempts(store.conn, person), now):
        raise SignInRefused(_locked_words(person, until, now))
    left = FAILURES_BEFORE_LOCKOUT - _recent_failures(store.conn, person, now)
    raise SignInRefused(
        f"wrong password for {person.name}; {left} more wrong in a row and they are locked "
        f"out for {LOCKOUT.seconds // 60} minutes"
    )


def _try_counted(store: Store, person: Someone, now: datetime) -> int:
    """Refused if they are locked out; else a failed try recorded, its id returned."""
    conn = store.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        if until := locked_until(_attempts(conn, person), now):
            raise SignInRefused(_locked_words(person, until, now))
        attempt = _record_attempt(conn, person, now, succeeded=False, method="password")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return attempt


def _locked_words(person: Someone, until: datetime, now: datetime) -> str:
    when = f"{until:%H:%M}" if until.date() == now.date() else f"{until:%H:%M on %d/%m/%Y}"
    return (
        f"{person.name} is locked out after {FAILURES_BEFORE_LOCKOUT} wrong passwords in a "
        f'row, until {when}; try again then, or have the password reset (huddle user password "'
        f'{person.name}")'
    )


def _attempts(conn: sqlite3.Connection, person: Someone) -> list[tuple[datetime, bool]]:
    rows = conn.execute(
        "SELECT at, succeeded FROM sign_in_attempt WHERE person_id = ? ORDER BY id DESC LIMIT ?",
        (person.id, 4 * FAILURES_BEFORE_LOCKOUT),
    )
    return [(datetime.fromisoformat(at), bool(ok)) for at, ok in rows]


def _recent_failures(conn: sqlite3.Connection, person: Someone, now: datetime) -> int:
    """Wrong passwords in a row, since the last right one, within the lockout's window."""
    failures = 0
    for at, succeeded in _attempts(conn, person):
        if succeeded or at <= now - LOCKOUT:
            break
        failures += 1
    return failures


def _record_attempt(
    conn: sqlite3.Connection, person: Someone, now: datetime, *, succeeded: bool, method: str
) -> int:
    # Not a governance record and not audited (a failed try has no actor to name).
    cursor = conn.execute(
        "INSERT INTO sign_in_attempt (person_id, at, succeeded, method) VALUES (?, ?, ?, ?)",
        (person.id, now.isoformat(timespec="seconds"), int(succeeded), method),
    )
    return cursor.lastrowid
