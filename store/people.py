"""The people a service has, for picking owners and recording who made a contact."""

from __future__ import annotations

from huddle.models import Person
from store.connection import Store, Transaction
from store.errors import NotFound


def everyone(store: Store) -> list[Person]:
    return [
        Person.model_validate(row) for row in store.db.query("SELECT * FROM person ORDER BY name")
    ]


def checked_person(txn: Transaction, person_id: int | None, field: str) -> int:
    """The person picked for `field` (an owner, a chair, who signed), refused in words when
    nobody was picked and as NotFound when the id is not the service's."""
    if person_id is None:
        raise ValueError(f"{field}: pick a person by typing part of their name")
    if txn.row("person", person_id) is None:
        raise NotFound("person", person_id)
    return person_id
