"""The Actions screen's rows: whether each is late first, in words, then what and whose."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style

from huddle.action_query import ActionQuery
from huddle.dates import uk
from screens.paged_list import Cells, PagedList, fitted
from store.action_list import ActionLine, page_of_actions

if TYPE_CHECKING:
    from store import Store

COLUMNS = (
    ("Due", 12),
    ("Status", 22),
    ("Title", 34),
    ("Owner", 17),
    ("Due date", 19),
    ("Source", 18),
    ("Age", 5),
    ("Linked to", 30),
)
DUE_COLUMN = 0

NORMAL = Style()
ALARM = Style(color="white", bgcolor="red", bold=True)
THIS_WEEK = Style(bold=True)
DONE = Style(dim=True)


def due_words(line: ActionLine) -> tuple[str, Style]:
    """How late or close it is, in words that say what the colour says."""
    if line.closed:
        if line.review_due:
            return "REVIEW DUE", ALARM
        if line.review_scheduled and line.review_on is not None:
            return f"review {line.review_on:%d/%m}", NORMAL
        return "done", DONE
    days = line.days_to_due
    if days < 0:
        return f"OVERDUE {-days}d", ALARM
    if days == 0:
        return "DUE TODAY", THIS_WEEK
    if days < 7:
        return f"DUE IN {days}d", THIS_WEEK
    return f"in {days}d", NORMAL


def status_words(line: ActionLine) -> str:
    if line.review_due:
        return "closed, review due"
    if line.review_scheduled:
        return "closed, review set"
    if line.reopened_count and not line.closed:
        return f"{line.status.value}, reopened {line.reopened_count}×"
    return line.status.value


def due_date_words(line: ActionLine) -> str:
    if not line.due_moves:
        return uk(line.due_date)
    return f"{uk(line.due_date)} moved {line.due_moves}×"


class ActionList(PagedList[ActionQuery, ActionLine]):
    """The actions matching one ActionQuery."""

    COLUMNS = COLUMNS
    # How late, what, whose and the due date come whole from 80 columns: at 80 without the
    # status (the Due column says REVIEW DUE, the action's own screen the rest).
    WIDTHS = {"-narrow": {"Status": 0}, "-laptop": {"Status": 12, "Title": 32}}

    def read_page(
        self, store: Store, query: ActionQuery, offset: int, limit: int
    ) -> list[ActionLine]:
        return page_of_actions(store, query, offset, limit)

    def cells(self, line: ActionLine) -> Cells:
        due, due_style = due_words(line)
        values = (
            due,
            status_words(line),
            line.title,
            f"OWNER LEFT: {line.owner}" if line.owner_left and not line.closed else line.owner,
            due_date_words(line),
            line.source.value,
            f"{line.age_days}d",
            line.linked_to,
        )
        cells = fitted(values, COLUMNS, DONE if line.closed else NORMAL)
        cells[DUE_COLUMN] = (cells[DUE_COLUMN][0], due_style)
        return cells
