"""The store as a person acts in it: sign-off, closing, reviewing and competency sign-off
are done by the person the store records changes as (store.actor), so a test that does
them opens the store as that person, as the app does once they have signed in."""

from __future__ import annotations

from dataclasses import replace

from store import Store


def acting_as(store: Store, person_id: int) -> Store:
    """The same open database, its changes recorded as this person (by their name)."""
    (name,) = store.conn.execute("SELECT name FROM person WHERE id = ?", (person_id,)).fetchone()
    return replace(store, actor=name)
