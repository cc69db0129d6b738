"""Who is acting: the rules for passwords, lockout and finding a person by what they typed.

Pure rules, no database: store.sign_in applies them to the records. The audit trail's actor
is always a person of the set-up (docs/serve.md, "Who acts"), so every way in here ends at
a person or at a refusal that says what to do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# scrypt's cost: 2**14 blocks of 8 x 128 bytes, 16 MiB and about 50 ms a try here; memory-
# hard, so guessing on a graphics card costs as much memory per guess as it does here.
SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES, SALT_BYTES = 2**14, 8, 1, 32, 16

MIN_PASSWORD = 10
"""NCSC guidance: length over complexity rules; ten characters or more, any characters."""
MAX_PASSWORD = 1024
"""Beyond this a password is a mistake (a pasted file), and hashing it is wasted work."""

FAILURES_BEFORE_LOCKOUT = 5
LOCKOUT = timedelta(minutes=15)
"""After this many failed sign-ins in a row, the person is locked out for this long from
the last failure: enough to stop guessing, short enough not to keep them from a brief."""


def password_problem(password: str) -> str | None:
    """Why a new password is refused, in words; None when it will do."""
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters (a few words will do)"
    if len(password) > MAX_PASSWORD:
        return f"a password can have at most {MAX_PASSWORD} characters"
    if not password.isprintable():
        return "a password cannot hold control characters (a newline or a tab)"
    return None


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash, with its cost, so the cost can rise later without a reset."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def password_matches(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        tried = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(tried, base64.b64decode(digest))


def locked_until(attempts: Iterable[tuple[datetime, bool]]) -> datetime | None:
    """When a lockout ends, from the person's sign-in attempts (when, succeeded), newest
    first; None when they are not locked out. Only failures since the last success count."""
    failures: list[datetime] = []
    for at, succeeded in attempts:
        if succeeded:
            break
        failures.append(at)
        if len(failures) == FAILURES_BEFORE_LOCKOUT:
            break
    if len(failures) < FAILURES_BEFORE_LOCKOUT:
        return None
    return failures[0] + LOCKOUT


@dataclass(frozen=True)
class Someone:
    """A person as sign-in sees them."""

    id: int
    name: str
    login: str | None
    active: bool
    read_only: bool


def find(people: Sequence[Someone], typed: str) -> Someone | None:
    """The person whose name (any case) or login is exactly what was typed."""
    wanted = " ".join(typed.split()).casefold()
    if not wanted:
        return None
    return next(
        (p for p in people if p.name.casefold() == wanted or (p.login or "") == wanted),
        None,
    )


def matching(people: Sequence[Someone], typed: str) -> list[Someone]:
    """Type-to-find: the active people whose name holds every word typed, in any order."""
    words = typed.casefold().split()
    return [p for p in people if p.active and all(word in p.name.casefold() for word in words)]
