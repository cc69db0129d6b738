"""The people a service has, for picking owners and recording who made a contact."""

from __future__ import annotations

from huddle.models import Person
from store.connection import Store, Transaction
from store.errors import NotFound


def everyone(store: Store) -> list[Person]:
    return [
        Person.model_validate(row) for row in store.db.query("SELECT * FROM person ORDER BY name")
    ]


def checked_person(
    txn: Transaction, person_id: int | None, field: str, *, may_have_left: bool = False
) -> int:
    """The person picked for `field` (an owner, a chair, who signed), refused in words when
    nobody was picked or they have left the service, and as NotFound when the id is not
    the service's. Only what the app opens by itself (a fired trigger's escalation, owned
    by its rule's owner) `may_have_left`: it is then shown as OWNER LEFT, not lost."""
    if person_id is None:
        raise ValueError(f"{field}: pick a person by typing part of their name")
    row = txn.row("person", person_id)
    if row is None:
        raise NotFound("person", person_id)
    if row["inactive_since"] is not None and not may_have_left:
        raise ValueError(
            f"{field}: {row['name']} has left the service; pick someone still here "
            "(or reactivate them in Set-up, key 7)"
        )
    return person_id


def acting_person(txn: Transaction, act: str) -> Person:
    """The person doing `act` (signing off, closing, reviewing): whoever the write is
    recorded as, the transaction's actor, which names a person of the set-up. Refused in
    words when it names nobody on the staff list, or someone who has left: these acts are
    recorded as that person's, so who did them must be true, never typed into a form."""
    rows = txn.conn.execute(
        "SELECT * FROM person WHERE name = ? ORDER BY inactive_since IS NOT NULL, id",
        (txn.actor,),
    )
    columns = [c[0] for c in rows.description]
    found = rows.fetchone()
    if found is None:
        raise ValueError(
            f"{act}: only a person on the staff list may do this, and {txn.actor!r} is nobody "
            "on it; sign in as yourself (a person of the set-up)"
        )
    person = Person.model_validate(dict(zip(columns, found, strict=True)))
    if not person.active:
        raise ValueError(f"{act}: {person.name} has left the service and can no longer do this")
    return person
