"""The actions as CSV: one row per action the query matches (every action, or one owner's,
or those of one status), with where each stands as at a date, every text cell neutralised
against spreadsheet formulas.

Rows come from `each_action`, the query the minutes use, so the export, the Actions
screen and the minutes list the same actions; and an action is OVERDUE here exactly when
`huddle status` counts it overdue (not closed, due date passed).
"""

from __future__ import annotations

from datetime import date
from typing import IO

from huddle.action_query import ActionQuery
from huddle.csv_safety import Cell, SafeCsvWriter
from store.action_list import ActionLine, each_action
from store.connection import Store

COLUMNS = (
    "id",
    "title",
    "owner",
    "status",
    "source",
    "linked_to",
    "created_on",
    "due_date",
    "first_due_date",
    "due_moves",
    "days_overdue",
    "review_on",
    "reviewed_on",
    "closed_on",
    "reopened_count",
    "evidence",
    "evidence_link",
)


def status_words(line: ActionLine) -> str:
    """The status as the huddle says it: `open`, `in progress, OVERDUE`, `closed`, or
    `closed, review due` once the date set to check that the change held has come."""
    if line.overdue:
        return f"{line.status.value}, OVERDUE"
    if line.review_due:
        return f"{line.status.value}, review due"
    return line.status.value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def action_row(line: ActionLine) -> tuple[Cell, ...]:
    return (
        line.id,
        line.title,
        line.owner,
        status_words(line),
        line.source.value,
        line.linked_to,
        _iso(line.created_on),
        _iso(line.due_date),
        _iso(line.first_due_date),
        line.due_moves,
        -line.days_to_due if line.overdue else None,
        _iso(line.review_on),
        _iso(line.reviewed_on),
        _iso(line.closed_on),
        line.reopened_count,
        line.evidence,
        line.evidence_link,
    )


def export_actions(store: Store, query: ActionQuery, out: IO[str]) -> int:
    """Write the header and every action the query matches to `out`; returns how many."""
    writer = SafeCsvWriter(out)
    writer.writerow(COLUMNS)
    count = 0
    for line in each_action(store, query):
        writer.writerow(action_row(line))
        count += 1
    return count
