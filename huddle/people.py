"""Picking a person by typing part of their name, as people do in a meeting."""

from __future__ import annotations

from collections.abc import Sequence

from huddle.models import Person


def match_person(people: Sequence[Person], typed: str, field: str = "person") -> Person:
    """The one person whose name is `typed`, or contains it (any case). Refuses, naming the
    candidates, when nobody or more than one person matches: an owner is never guessed."""
    wanted = " ".join(typed.split()).casefold()
    if not wanted:
        raise ValueError(f"{field}: type part of a name")
    exact = [p for p in people if p.name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    found = exact or [p for p in people if wanted in p.name.casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValueError(f"{field}: nobody's name contains {typed.strip()!r}")
    names = ", ".join(p.name for p in found[:4]) + (", …" if len(found) > 4 else "")
    raise ValueError(f"{field}: {len(found)} people match {typed.strip()!r} ({names}): type more")


def person_named(people: Sequence[Person], name: str) -> Person | None:
    """The person whose whole name is `name` (any case): who the user is, from the name
    their changes are recorded under."""
    wanted = " ".join(name.split()).casefold()
    return next((p for p in people if p.name.casefold() == wanted), None)
