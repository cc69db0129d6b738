"""A people list from HR applied as the people of a service file: merged into the
set-up by name, then planned, asked and written like any service file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle.people_csv import PeopleList, RejectedPerson
from store.connection import Store
from store.setup import current_setup, plan_setup
from store.setup_plan import SetupPlan


@dataclass(frozen=True)
class PeopleImport:
    """What a people list from HR would change: rows in = added + changed + unchanged +
    rejected, always."""

    plan: SetupPlan
    rows_in: int
    added: int
    changed: int
    unchanged: int
    rejected: list[RejectedPerson]

    def summary(self) -> str:
        return (
            f"rows in: {self.rows_in}; added: {self.added}; changed: {self.changed}; "
            f"unchanged: {self.unchanged}; rejected: {len(self.rejected)}"
        )


def plan_people_import(store: Store, people: PeopleList, today: date, source: str) -> PeopleImport:
    """The people of the list merged into the set-up by name, planned as a service file
    naming them would be. A row naming a provider the database does not hold is rejected:
    a people list never creates a provider."""
    current = current_setup(store)
    providers = {p.name for p in current.providers}
    stored = {p.name: p for p in current.people}
    merged = dict(stored)
    rejected = list(people.rejected)
    added = changed = unchanged = 0
    for row in people.rows:
        person = row.person
        if person.provider not in providers:
            rejected.append(
                RejectedPerson(
                    row.line,
                    f"provider: {person.provider!r} is not a provider in this database: add it "
                    "in Set-up (key 7) or a service file first",
                )
            )
            continue
        before = stored.get(person.name)
        if before is not None:
            # A people list has no display accounts or assessors: those stay as set-up
            # holds them (only set-up changes them).
            person = person.model_copy(
                update={"read_only": before.read_only, "assesses": before.assesses}
            )
        if person.login is None and before is not None:
            # A list from HR without a login for them (no column, or a blank cell) leaves
            # theirs as set-up holds it: only set-up takes a login away.
            person = person.model_copy(update={"login": before.login})
        holder = person.login and next(
            (p.name for p in merged.values() if p.login == person.login and p.name != person.name),
            None,
        )
        if holder:
            rejected.append(
                RejectedPerson(
                    row.line,
                    f"login: {person.login!r} is already the login of {holder!r}: give each "
                    "person a login of their own",
                )
            )
            continue
        added += before is None
        unchanged += before == person
        changed += before is not None and before != person
        merged[person.name] = person
    setup = current.model_copy(update={"people": list(merged.values())})
    return PeopleImport(
        plan_setup(store, setup, today, source),
        people.rows_in,
        added,
        changed,
        unchanged,
        sorted(rejected, key=lambda r: r.line),
    )
