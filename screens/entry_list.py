"""The waiting list's rows: its columns, safety columns first, each in words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style

from huddle.dates import uk
from huddle.nhs_number import spaced
from huddle.provider_names import PROVIDER_WIDTH
from huddle.waiting_query import WaitingQuery
from screens.paged_list import Cells, PagedList, fitted
from store.waiting_list import EntryLine, page_of_entries

if TYPE_CHECKING:
    from store import Store

# The safety columns (breach, escalation, safeguarding) come first so that a narrow
# terminal shows them without scrolling sideways.
COLUMNS = (
    ("Tier", 10),
    ("Local id", 9),
    ("NHS number", 12),
    ("Who", 4),
    ("Waited", 6),
    ("Breach date", 11),
    ("Breach", 13),
    ("Escalation", 13),
    ("Contact due", 15),
    ("Flags", 17),
    ("Case owner", 18),
    ("Provider", PROVIDER_WIDTH),
)
ESCALATION_COLUMN = [title for title, _ in COLUMNS].index("Escalation")

NORMAL = Style()
BREACHED = Style(color="red")
ALARM = Style(color="white", bgcolor="red", bold=True)


def _flags(line: EntryLine) -> str:
    """In words, shortest first when several must share the column."""
    words = [
        word
        for word, flagged in (
            (line.status.upper(), line.closed),
            ("HELD", line.held),
            ("PAUSED", line.paused),
            ("OFF EXTRACT", line.not_in_extract),
            ("SAFEGUARDING", line.safeguarding),
        )
        if flagged
    ]
    if len(words) > 1 and line.safeguarding:
        words[-1] = "SAFEG."
    return " ".join(words)


def _cells(line: EntryLine, marked: bool = False) -> Cells:
    """Each cell says in words what its colour says: nothing is signalled by colour alone."""
    row_style = BREACHED if line.breached else NORMAL
    if line.closed:  # found by a search or a closed filter: when it ended, not a breach
        breach_on, breach = "CLOSED", uk(line.closed_on) if line.closed_on else "—"
    elif line.breach_date is None:  # a pause has stopped the clock until it resumes
        breach_on, breach = "paused", f"{line.days_left_at_resume}d left"
    else:
        days = line.days_to_breach
        breach_on = uk(line.breach_date)
        breach = f"BREACHED {-days}d" if line.breached else f"in {days}d"
    if line.closed:
        contact = "" if line.has_outcome else "NO OUTCOME"
    elif line.contact_due is None:
        contact = "must be seen"
    else:
        contact = uk(line.contact_due) + (" LATE" if line.contact_overdue else "")
    if line.without_escalation:
        escalation = "NO ESCALATION"
    else:
        escalation = "escalated" if line.escalated and line.breached else ""
    values = (
        f"{line.tier} {line.tier_name}",
        line.local_id or "—",
        spaced(line.nhs_number),
        line.initials,
        f"{line.days_waited}d",
        breach_on,
        breach,
        escalation,
        contact,
        ("✓ " if marked else "") + _flags(line),
        _owner(line),
        line.provider_short,
    )
    cells = fitted(values, COLUMNS, row_style)
    if line.without_escalation:
        cells[ESCALATION_COLUMN] = (cells[ESCALATION_COLUMN][0], ALARM)
    return cells


def _owner(line: EntryLine) -> str:
    if line.case_owner is None:
        return "NO OWNER"
    return f"OWNER LEFT: {line.case_owner}" if line.owner_left else line.case_owner


class EntryList(PagedList[WaitingQuery, EntryLine]):
    """The waiting list for one WaitingQuery."""

    COLUMNS = COLUMNS
    # Below 140 columns the escalation column (at 80) and the contact due with LATE (at
    # 100) must be whole: the entry's own screen shows its local id.
    WIDTHS = {"-narrow": {"Local id": 0}, "-laptop": {"Local id": 0}}

    def read_page(
        self, store: Store, query: WaitingQuery, offset: int, limit: int
    ) -> list[EntryLine]:
        return page_of_entries(store, query, offset, limit)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.marked: dict[int, EntryLine] = {}
        """Rows marked with space for one step over several (entries not in the extract)."""

    def cells(self, line: EntryLine) -> Cells:
        return _cells(line, line.id in self.marked)
