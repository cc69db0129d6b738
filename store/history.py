"""A record's history in words, from the audit trail: who, when, what changed, and why."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from store.connection import Store

PEOPLE = frozenset({"case_owner_id", "owner_id", "made_by", "closed_by"})
_DATE_ENDINGS = ("_date", "_on", "_since", "_standing", "_contact")


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    """When it was written, in the machine's local time."""
    actor: str
    """Who did it, and how they came to act beside the name when the trail says:
    "Jess Armitage (password)", "Omar Haddad (login ohaddad)"."""
    what: str
    reason: str


def _who(actor: str, via: str | None) -> str:
    # Rows written before `via` existed, or where no one's identity was asked for (a
    # store opened by a test or a script of the project's own), say only the name.
    return actor if via in (None, "unchecked") else f"{actor} ({via})"


# What one audit row says: (table, operation, before, after) -> words.
Describe = Callable[[str, str, dict, dict], str]


def audit_trail(store: Store, where: str, params: Mapping, describe: Describe) -> list[HistoryLine]:
    """The audit rows matching `where`, oldest first, each described in words."""
    cursor = store.conn.execute(
        "SELECT at, actor, via, table_name, operation, before, after, reason FROM audit "
        f"WHERE {where} ORDER BY id",
        params,
    )
    return [
        HistoryLine(
            datetime.fromisoformat(at).astimezone(),
            _who(actor, via),
            describe(table, operation, _load(before), _load(after)),
            reason,
        )
        for at, actor, via, table, operation, before, after, reason in cursor
    ]


def _load(text: str | None) -> dict:
    return json.loads(text) if text else {}


def changes(
    before: dict,
    after: dict,
    words: Mapping[str, str],
    names: Mapping[int, str],
    providers: Mapping[int, str] | None = None,
) -> str:
    """The columns named in `words` that changed, as "owner A → B; due date X → Y"."""
    said = [
        f"{words[column]} {shown(column, before, names, providers)} → "
        f"{shown(column, after, names, providers)}"
        for column in words
        if before.get(column) != after.get(column)
    ]
    return "; ".join(said) or "no visible change"


def shown(
    column: str,
    row: dict,
    names: Mapping[int, str],
    providers: Mapping[int, str] | None = None,
) -> str:
    """One stored value as the huddle says it: a person's name, a UK date."""
    value = row.get(column)
    if value is None or value == "":
        return "—"
    if column in PEOPLE:
        return names.get(value, f"person {value}")
    if column == "provider_id" and providers is not None:
        return providers.get(value, f"provider {value}")
    if column.endswith(_DATE_ENDINGS) or column == "deadline":
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if column == "safeguarding":
        return "yes" if value else "no"
    return str(value)
