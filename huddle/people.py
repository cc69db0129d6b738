"""Picking a person by typing part of their name, as people do in a meeting."""

from __future__ import annotations

from collections.abc import Sequence

from huddle.models import Person

# Said wherever a name matches nobody: the way to add them.
HOW_TO_ADD = "add them in Set-up (key 7) or a service file (huddle setup apply)"


def match_person(
    people: Sequence[Person], typed: str, field: str = "person", *, include_left: bool = False
) -> Person:
    """The one person whose name is `typed`, or contains it (any case). Refuses, naming the
    candidates, when nobody or more than one person matches: an owner is never guessed.
    People who have left are matched only when asked for (to find their records), never
    to be given something."""
    wanted = " ".join(typed.split()).casefold()
    if not wanted:
        raise ValueError(f"{field}: type part of a name")
    if not include_left:
        gone = [p for p in people if not p.active and p.name.casefold() == wanted]
        people = [p for p in people if p.active]
        if gone and not any(p.name.casefold() == wanted for p in people):
            raise ValueError(
                f"{field}: {gone[0].name} has left the service; pick someone still here "
                "(or reactivate them in Set-up, key 7)"
            )
    exact = [p for p in people if p.name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    found = exact or [p for p in people if wanted in p.name.casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValueError(f"{field}: nobody's name contains {typed.strip()!r}: {HOW_TO_ADD}")
    names = ", ".join(p.name for p in found[:4]) + (", …" if len(found) > 4 else "")
    raise ValueError(f"{field}: {len(found)} people match {typed.strip()!r} ({names}): type more")


def person_named(people: Sequence[Person], name: str) -> Person | None:
    """The person whose whole name is `name` (any case): who the user is, from the name
    their changes are recorded under."""
    wanted = " ".join(name.split()).casefold()
    return next((p for p in people if p.name.casefold() == wanted), None)
