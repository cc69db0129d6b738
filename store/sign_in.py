"""Who is acting on a service's records: a person found by login or `--user`, or signed in
with a password (huddle.identity has the rules; this applies them to the records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from huddle.identity import (
    FAILURES_BEFORE_LOCKOUT,
    LOCKOUT,
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


class SignInRefused(ValueError):
    """Why a sign-in or a `--user` is refused, in words that say what to do."""


def people(store: Store) -> list[Someone]:
    rows = store.conn.execute(
        "SELECT id, name, login, inactive_since, read_only FROM person ORDER BY name"
    )
    return [
        Someone(id=i, name=name, login=login, active=left is None, read_only=bool(read_only))
        for i, name, login, left, read_only in rows
    ]


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
        person = find(staff, given)
        account = store.conn.execute("SELECT import_account FROM service").fetchone()
        account = account[0] if account else None
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
    if os_login and (person := find(staff, os_login.lower())) and person.login:
        return _as(person, f"login {person.login}")
    return None


def _as(person: Someone, via: str) -> Acting:
    if not person.active:
        raise SignInRefused(f"{person.name} has left the service and cannot act on its records")
    return Acting(person.name, via, person.read_only)


def set_password(store: Store, typed_name: str, password: str, now: datetime) -> Someone:
    """Set or reset a person's password. The audit row says that it was set, and by whom
    (the store's actor); the hash is only ever in the password table."""
    person = find(people(store), typed_name)
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
        txn.note("password", person.id, "update" if had else "insert", {"password": "set"})
    return person


def sign_in(store: Store, typed_name: str, password: str, now: datetime) -> Acting:
    """The person signed in, or SignInRefused saying why. Every try at a person on the
    staff list is recorded (sign_in_attempt), so failures in a row lock them out."""
    person = find(people(store), typed_name)
    if person is None:
        raise SignInRefused("no one on the staff list has that name or login")
    if not person.active:
        raise SignInRefused(f"{person.name} has left the service and cannot sign in")
    if (until := _locked_until(store, person)) and until > now:
        raise SignInRefused(_locked_words(person, until))
    stored = store.conn.execute(
        "SELECT hash FROM password WHERE person_id = ?", (person.id,)
    ).fetchone()
    if stored is None:
        raise SignInRefused(
            f"{person.name} has no password yet: someone who runs huddle for the service sets "
            f'one with huddle user password "{person.name}"'
        )
    succeeded = password_matches(stored[0], password)
    _record_attempt(store, person, now, succeeded)
    if succeeded:
        return Acting(person.name, "password", person.read_only)
    if (until := _locked_until(store, person)) and until > now:
        raise SignInRefused(_locked_words(person, until))
    left = FAILURES_BEFORE_LOCKOUT - _failures_in_a_row(store, person)
    raise SignInRefused(
        f"wrong password for {person.name}; {left} more wrong and they are locked out for "
        f"{LOCKOUT.seconds // 60} minutes"
    )


def _locked_words(person: Someone, until: datetime) -> str:
    return (
        f"{person.name} is locked out after {FAILURES_BEFORE_LOCKOUT} wrong passwords in a "
        f"row, until {until:%H:%M}; try again then, or have the password reset "
        f'(huddle user password "{person.name}")'
    )


def _attempts(store: Store, person: Someone) -> list[tuple[datetime, bool]]:
    rows = store.conn.execute(
        "SELECT at, succeeded FROM sign_in_attempt WHERE person_id = ? ORDER BY id DESC LIMIT ?",
        (person.id, FAILURES_BEFORE_LOCKOUT),
    )
    return [(datetime.fromisoformat(at), bool(ok)) for at, ok in rows]


def _locked_until(store: Store, person: Someone) -> datetime | None:
    return locked_until(_attempts(store, person))


def _failures_in_a_row(store: Store, person: Someone) -> int:
    failures = 0
    for _, succeeded in _attempts(store, person):
        if succeeded:
            break
        failures += 1
    return failures


def _record_attempt(store: Store, person: Someone, now: datetime, succeeded: bool) -> None:
    # Not a governance record and not audited (a failed try has no actor to name): one
    # statement, committed at once, which a busy database delays rather than loses.
    store.conn.execute(
        "INSERT INTO sign_in_attempt (person_id, at, succeeded, method) VALUES (?, ?, ?, ?)",
        (person.id, now.isoformat(timespec="seconds"), int(succeeded), "password"),
    )
