"""Property: whatever a script or the environment says, every audit row written through
the command line names a person of the set-up (or the service's account for imports)."""

from __future__ import annotations

import io
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.cli import main
from huddle.clock import FixedClock
from store import open_store

DOCS = Path(__file__).parent.parent / "docs"
WEEK = FixedClock(date(2026, 12, 6))
PEOPLE = ("Jess Armitage", "Omar Haddad", "Priya Shah", "Tom Ellis", "Grace Mwangi", "Sam Okafor")
ACCOUNT = "weekly-extract"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example service, with an account for imports."""
    folder = tmp_path_factory.mktemp("example")
    file = folder / "service.toml"
    text = (DOCS / "service.example.toml").read_text()
    file.write_text(text.replace("[service]\n", f'[service]\nimport_account = "{ACCOUNT}"\n'))
    db = folder / "service.db"
    assert main(["setup", "apply", str(file), "--yes", "--db", str(db)], WEEK) == 0
    return db


# What a script may say it is: a person's name or login in any case, the account, someone
# else, or text no one would choose.
SAID = st.one_of(
    st.sampled_from([*PEOPLE, "JARMITAGE", "omar haddad", ACCOUNT, "jess", "root", "Helen"]),
    st.text(max_size=12),
)


def write_as(db: Path, who: str | None, command: str) -> None:
    user = ["--user", who] if who else []
    if command == "import":
        argv = ["import", "waiting-list", str(DOCS / "extract.example.csv")]
    elif command == "password":
        argv = ["user", "password", "Priya Shah", "--stdin"]
    else:
        argv = ["setup", "apply", str(DOCS / "service.example.toml"), "--yes"]
    # `user password --stdin` reads the password from standard input.
    saved, sys.stdin = sys.stdin, io.StringIO("a long enough password\n")
    try:
        main([*argv, "--db", str(db), *user], WEEK)
    finally:
        sys.stdin = saved


@given(
    steps=st.lists(
        st.tuples(st.one_of(st.none(), SAID), st.sampled_from(["import", "password", "setup"])),
        min_size=1,
        max_size=4,
    )
)
def test_every_audit_row_names_a_person_whatever_the_script_says(
    example: Path, tmp_path_factory: pytest.TempPathFactory, steps: list
) -> None:
    db = tmp_path_factory.mktemp("run") / "service.db"
    # SQLite's own copy: the example's last writes may still be in its write-ahead log.
    with sqlite3.connect(example) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    first = open_store(db, "reader", migrate=False)
    (last_of_set_up,) = first.conn.execute("SELECT max(id) FROM audit").fetchone()
    first.close()
    for who, command in steps:
        write_as(db, who, command)
    store = open_store(db, "reader", migrate=False)
    try:
        written = store.conn.execute(
            "SELECT actor, via, table_name FROM audit WHERE id > ?", (last_of_set_up,)
        ).fetchall()
    finally:
        store.close()
    for actor, via, table in written:
        if actor == ACCOUNT:
            assert table in ("waiting_entry", "held_change"), (actor, via, table)
            assert via == "--user, the service's account for imports"
        else:
            assert actor in PEOPLE, (actor, via, table)
            assert via == "--user", (actor, via)
