"""A service file applied in a test as `huddle setup apply` would, and the audit counted,
for the tests of set-up's keys (logins, short names, display accounts and assessors)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from huddle.service_file import ServiceFileError, parse_service_file, to_toml
from store import Store, open_store
from store.check import check_database
from store.setup import apply_plan, current_setup, plan_setup

ON = date(2026, 11, 22)


def audited(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def applied(store: Store, text: str, source: str = "northbrook.toml") -> list[str]:
    """The file planned and applied on ON; each step as "verb what"."""
    plan = plan_setup(store, parse_service_file(text), ON, source, text)
    apply_plan(store, plan, ON)
    return [f"{step.verb} {step.text}" for step in plan.steps]


def refusal(text: str) -> str:
    """Why the service file is refused, in the words `huddle setup apply` prints."""
    with pytest.raises(ServiceFileError) as caught:
        parse_service_file(text, "northbrook.toml")
    return str(caught.value)


def exported_round_trip(store: Store, folder: Path, read: Callable[[Store], object]) -> str:
    """The set-up exported as a service file: applied to the database it came from it
    plans no change and writes nothing; applied to a new database it gives what `read`
    reads the same, and that database checks clean. Returns the file's text."""
    exported = to_toml(current_setup(store))
    before = audited(store)
    assert plan_setup(store, parse_service_file(exported), ON, "export", exported).empty
    assert audited(store) == before
    copy = open_store(folder / "copy.db", "tester")
    try:
        applied(copy, exported)
        assert read(copy) == read(store)
        assert check_database(copy.conn).ok
    finally:
        copy.close()
    return exported
