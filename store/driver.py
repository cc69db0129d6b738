"""The one place the database driver is chosen: the standard library's `sqlite3`, or
SQLCipher's (`pip install 'huddle[encryption]'`) when HUDDLE_KEY holds a key.

SQLCipher's exception classes are not subclasses of the standard library's, so callers
catch `driver.Error`, `driver.DatabaseError`, `driver.OperationalError` or
`driver.IntegrityError`: while a key is set each is a tuple of both drivers' classes (an
`except` clause takes a tuple). They are looked up when an exception is being matched,
so without a key SQLCipher is never imported and `huddle --help` does not load it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

from store.errors import StoreError

KEY_VARIABLE = "HUDDLE_KEY"

# SQLCipher 4's own key derivation, as `PRAGMA key = 'passphrase'` does it: deriving the
# same key here once per process spares every connection its 0.2 s (the screens open one
# per read), and the file still opens with the passphrase in the sqlcipher shell.
KDF_ITERATIONS = 256_000
KEY_BYTES = 32

# The first 16 bytes of a plaintext SQLite file; in an encrypted one they are its salt.
PLAINTEXT_HEADER = b"SQLite format 3\x00"

_EXCEPTIONS = ("Error", "DatabaseError", "OperationalError", "IntegrityError")


@functools.cache
def key() -> str | None:
    """The key, read once per process and kept only in memory; None when unset."""
    return os.environ.get(KEY_VARIABLE) or None


def _sqlcipher() -> ModuleType | None:
    """SQLCipher's driver, None when the extra is not installed."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        return None
    return dbapi2


def __getattr__(name: str) -> tuple[type[Exception], ...]:
    if name not in _EXCEPTIONS:
        raise AttributeError(f"module 'store.driver' has no attribute {name!r}")
    cipher = _sqlcipher() if key() is not None else None
    drivers = [sqlite3, cipher] if cipher else [sqlite3]
    return tuple(getattr(module, name) for module in drivers)


@functools.cache
def _raw_key(passphrase: str, salt: bytes) -> str:
    """The key for a file with this salt, as SQLCipher's raw-key literal (hex only, so
    nothing of the passphrase ever reaches SQL text and no quoting is needed)."""
    derived = hashlib.pbkdf2_hmac("sha512", passphrase.encode(), salt, KDF_ITERATIONS, KEY_BYTES)
    return f"x'{derived.hex()}{salt.hex()}'"


def connect(database: str | Path, **kwargs: Any) -> sqlite3.Connection:
    """A connection by the driver in use, keyed before anything else reads the file."""
    passphrase = key()
    if passphrase is None:
        return sqlite3.connect(database, **kwargs)
    cipher = _sqlcipher()
    if cipher is None:
        raise StoreError(
            Path(database),
            f"{KEY_VARIABLE} is set but encryption is not installed: install huddle[encryption]",
        )
    conn = cipher.connect(database, **kwargs)
    try:
        # Without this SQLCipher prints "ERROR CORE ... hmac check failed" to the terminal.
        conn.execute("PRAGMA cipher_log_level = NONE")
        # A stand-in key makes SQLCipher read the file's salt (or make one for a new file)
        # through SQLite. Reading it here would close a descriptor of the file, which drops
        # every lock this process holds on it (see connection._check_location).
        conn.execute(f"PRAGMA key = \"x'{'00' * KEY_BYTES}'\"")
        salt = bytes.fromhex(conn.execute("PRAGMA cipher_salt").fetchone()[0])
        if salt == PLAINTEXT_HEADER:
            raise StoreError(
                Path(database),
                f"it is not encrypted, but {KEY_VARIABLE} is set: unset {KEY_VARIABLE} to open "
                "it (docs/encryption.md says how to make an encrypted copy)",
            )
        conn.execute(f'PRAGMA key = "{_raw_key(passphrase, salt)}"')
    except BaseException:
        conn.close()
        raise
    return conn
