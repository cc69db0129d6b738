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
"""After this many wrong passwords in a row within this long, the person is locked out for
this long from the last of them: enough to stop guessing, short enough not to keep them
from a brief. Once it ends, it takes as many again to lock them out again."""


def password_problem(password: str) -> str | None:
    """Why a new password is refused, in words; None when it will do."""
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters (a few words will do)"
    if len(password) > MAX_PASSWORD:
        return f"a password can have at most {MAX_PASSWORD} characters"
    if not password.isprintable():
        return "a password cannot hold control characters (a newline or a tab)"
    if not password.strip():
        return "a password cannot be only spaces"
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


def locked_until(attempts: Iterable[tuple[datetime, bool]], now: datetime) -> datetime | None:
    """When a lockout ends, from the person's sign-in attempts (when, succeeded), newest
    first; None when they are not locked out at `now`. Only failures since the last success count,
    and none dated after `now` (a clock set ahead must not lock anyone out for years)."""
    failures: list[datetime] = []
    for at, succeeded in attempts:
        if at > now:
            continue
        if succeeded:
            break
        failures.append(at)
        if len(failures) == FAILURES_BEFORE_LOCKOUT:
            break
    if len(failures) < FAILURES_BEFORE_LOCKOUT or failures[0] - failures[-1] >= LOCKOUT:
        return None
    until = failures[0] + LOCKOUT
    return until if until > now else None


@dataclass(frozen=True)
class Someone:
    """A person as sign-in sees them."""

    id: int
    name: str
    login: str | None
    active: bool
    read_only: bool


class NotOne(ValueError):
    """What was typed is the name or login of more than one person."""


def find(people: Sequence[Someone], typed: str) -> Someone | None:
    """The person whose name (any case) or login is exactly what was typed; None when no
    one's is. NotOne when it is one person's login and another's name (or two names differ
    only in case): acting as either would be a guess."""
    wanted = " ".join(typed.split()).casefold()
    found = [p for p in people if wanted and wanted in (p.name.casefold(), p.login or "")]
    if len(found) > 1:
        names = " and ".join(p.name for p in found)
        raise NotOne(f"{typed!r} could be {names}: give a name or login only one of them has")
    return found[0] if found else None


def matching(people: Sequence[Someone], typed: str) -> list[Someone]:
    """Type-to-find: the active people whose name holds every word typed, in any order, or
    whose login starts with what was typed."""
    words = typed.casefold().split()
    start = typed.strip().casefold()
    return [
        p
        for p in people
        if p.active
        and (all(word in p.name.casefold() for word in words) or (p.login or "").startswith(start))
    ]
