"""A service file applied in a test as `huddle setup apply` would, and the audit counted,
for the tests of set-up's keys (logins, short names, display accounts and assessors)."""

from __future__ import annotations

from datetime import date

from huddle.service_file import parse_service_file
from store import Store
from store.setup import apply_plan, plan_setup

ON = date(2026, 11, 22)


def audited(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def applied(store: Store, text: str, source: str = "northbrook.toml") -> list[str]:
    """The file planned and applied on ON; each step as "verb what"."""
    plan = plan_setup(store, parse_service_file(text), ON, source, text)
    apply_plan(store, plan, ON)
    return [f"{step.verb} {step.text}" for step in plan.steps]
