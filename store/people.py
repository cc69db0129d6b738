"""The people a service has, for picking owners and recording who made a contact."""

from __future__ import annotations

from huddle.models import Person
from store.connection import Store


def everyone(store: Store) -> list[Person]:
    return [
        Person.model_validate(row) for row in store.db.query("SELECT * FROM person ORDER BY name")
    ]
