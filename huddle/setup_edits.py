"""Edits of a service's set-up held as a document (a `ServiceFile` dumped to plain data),
as the Set-up screen makes them: add, change or rename one provider, person, series,
workstream, supervisor or cohort member, set one active or not, change one tier.

Pure: the store plans and applies the edited document like any service file, so a change
made on the screen is checked, worded and audited as one made in a file. A rename keeps
the old name in `was`, and every use of the old name in the document (a person's
provider, a chair, an invitee, a lead, a supervisor, a rung's owner) follows it, so the
rename is one step and nothing else seems to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

Document = dict[str, Any]


class Missing(ValueError):
    """The record is no longer in the set-up under the name it was read with (renamed in
    another terminal, most likely)."""

    def __init__(self, what: str, name: str) -> None:
        super().__init__(
            f"{what} {name!r} is no longer in the set-up under that name (changed in another "
            "terminal?): close this form and open it again"
        )


def _items(document: Document, section: str) -> list[dict]:
    if section == "workstreams":
        programme = document.get("programme")
        if programme is None:
            raise ValueError("programme: there is no mobilisation programme yet: start one first")
        return programme.setdefault("workstreams", [])
    return document.setdefault(section, [])


_KEY = {"supervisors": "person", "cohort": "person"}
_WHAT = {
    "providers": "provider",
    "people": "person",
    "series": "series",
    "workstreams": "workstream",
    "supervisors": "supervisor",
    "cohort": "cohort member",
}


def _find(document: Document, section: str, name: str) -> dict:
    key = _KEY.get(section, "name")
    for item in _items(document, section):
        if item.get(key) == name:
            return item
    raise Missing(_WHAT[section], name)


def put(document: Document, section: str, values: dict, was: str | None = None) -> None:
    """Add `values` to a section (`was` None), or change the item read under the name
    `was`: only the keys given change. A changed name is a rename."""
    if was is None:
        _items(document, section).append(dict(values))
        return
    item = _find(document, section, was)
    item.update(values)
    new = values.get("name", was)
    if new != was and section in ("providers", "people", "series", "workstreams"):
        # The name it was stored under, kept across a second rename before applying.
        item["was"] = item.get("was") or was
        _rename_uses(document, section, was, new)


def set_active(document: Document, section: str, name: str, active: bool) -> None:
    """A provider, person or series in use again, or not: nothing is ever deleted."""
    _find(document, section, name)["active"] = active


def put_tier(
    document: Document, number: int, max_safe_wait_days: int, interim_contact_days: int | None
) -> None:
    for tier in document.get("tiers") or ():
        if tier["number"] == number:
            tier["max_safe_wait_days"] = max_safe_wait_days
            tier["interim_contact_days"] = interim_contact_days
            return
    raise Missing("tier", str(number))


def put_ladder_owner(document: Document, rung: str, owner: str) -> None:
    """The owner of one rung of the escalation ladder (the file's `[ladder]`)."""
    document["ladder"] = {**(document.get("ladder") or {}), rung: owner}


def rename_service(document: Document, name: str) -> None:
    document["service"] = {**document.get("service", {}), "name": name}


def put_programme(
    document: Document, name: str, go_live: date, first_workstream: tuple[str, str] | None = None
) -> None:
    """Change the programme's name and go-live date, or start it (with its first
    workstream and lead, who owns the checks after go-live)."""
    programme = document.get("programme")
    if programme is None:
        workstreams = []
        if first_workstream is not None:
            workstreams.append({"name": first_workstream[0], "lead": first_workstream[1]})
        document["programme"] = {"name": name, "go_live": go_live, "workstreams": workstreams}
        return
    programme["name"] = name
    programme["go_live"] = go_live


def _rename_uses(document: Document, section: str, old: str, new: str) -> None:
    if section == "providers":
        for person in document.get("people") or ():
            if person.get("provider") == old:
                person["provider"] = new
    if section != "people":
        return
    for series in document.get("series") or ():
        if series.get("chair") == old:
            series["chair"] = new
        series["invitees"] = [new if name == old else name for name in series.get("invitees", [])]
    programme = document.get("programme")
    if programme is not None:
        if programme.get("checks_owner") == old:
            programme["checks_owner"] = new
        _rename_in(programme.get("workstreams") or (), ("lead",), old, new)
    ladder = document.get("ladder") or {}
    for rung, owner in ladder.items():
        if owner == old:
            ladder[rung] = new
    _rename_in(document.get("supervisors") or (), ("person",), old, new)
    _rename_in(document.get("cohort") or (), ("person", "supervisor"), old, new)


def _rename_in(items: Iterable[dict], keys: tuple[str, ...], old: str, new: str) -> None:
    for item in items:
        for key in keys:
            if item.get(key) == old:
                item[key] = new
