"""The waiting list as a Line-API scroll view that only ever holds a window of rows.

`render_line` draws from a small cache around what is on screen; a missing window is read
by a thread worker with its own connection, so opening, paging and jumping to the end
cost the same at a million entries as at a hundred.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import on, work
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from huddle.dates import uk
from huddle.nhs_number import spaced
from huddle.waiting_query import WaitingQuery
from screens.base import read_and_post
from screens.messages import EntryPageLoaded
from store.waiting_list import EntryLine, page_of_entries

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
    ("Provider", 19),
)
LINE_WIDTH = sum(width + 1 for _, width in COLUMNS)
ESCALATION_COLUMN = [title for title, _ in COLUMNS].index("Escalation")

NORMAL = Style()
BREACHED = Style(color="red")
ALARM = Style(color="white", bgcolor="red", bold=True)
WAITING_FOR_ROWS = Style(dim=True)


def column_header() -> str:
    return " ".join(f"{title:<{width}}" for title, width in COLUMNS)


def _flags(line: EntryLine) -> str:
    """In words, shortest first when several must share the column."""
    words = [
        word
        for word, flagged in (
            ("PAUSED", line.paused),
            ("OFF EXTRACT", line.not_in_extract),
            ("SAFEGUARDING", line.safeguarding),
        )
        if flagged
    ]
    if len(words) > 1 and line.safeguarding:
        words[-1] = "SAFEG."
    return " ".join(words)


def _cells(line: EntryLine) -> list[tuple[str, Style]]:
    """Each cell says in words what its colour says: nothing is signalled by colour alone."""
    row_style = BREACHED if line.breached else NORMAL
    days = line.days_to_breach
    breach = f"BREACHED {-days}d" if line.breached else f"in {days}d"
    if line.contact_due is None:
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
        uk(line.breach_date),
        breach,
        escalation,
        contact,
        _flags(line),
        line.case_owner or "NO OWNER",
        line.provider,
    )
    cells = [
        (f"{value[:width]:<{width}} ", row_style)
        for value, (_, width) in zip(values, COLUMNS, strict=True)
    ]
    if line.without_escalation:
        cells[ESCALATION_COLUMN] = (cells[ESCALATION_COLUMN][0], ALARM)
    return cells


class EntryList(ScrollView, can_focus=True):
    """The list of entries for one WaitingQuery, with a row cursor."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="list-up", tooltip="Previous entry"),
        Binding("down", "move(1)", "Down", show=False, id="list-down", tooltip="Next entry"),
        Binding(
            "pageup", "page(-1)", "Page up", show=False, id="list-page-up", tooltip="Previous page"
        ),
        Binding(
            "pagedown", "page(1)", "Page down", show=False, id="list-page-down", tooltip="Next page"
        ),
        Binding("home", "jump(0)", "First", show=False, id="list-first", tooltip="First entry"),
        Binding("end", "jump(-1)", "Last", show=False, id="list-last", tooltip="Last entry"),
    ]
    DEFAULT_CSS = """
    EntryList { height: 1fr; }
    EntryList > .entry-list--cursor { background: $accent; }
    """
    COMPONENT_CLASSES = {"entry-list--cursor"}

    cursor: reactive[int] = reactive(0)
    """Index of the highlighted entry within the current query's order."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.query_shown: WaitingQuery | None = None
        self.total = 0
        self._rows: dict[int, EntryLine] = {}
        self._requested: set[int] = set()

    def counted(self, query: WaitingQuery, total: int) -> None:
        """The count of `query` has arrived: set the scroll range, keeping the rows read."""
        if query != self.query_shown:
            self.show(query, total)
            return
        self.total = total
        self.virtual_size = Size(LINE_WIDTH, total)
        self.cursor = min(self.cursor, max(total - 1, 0))
        self.refresh()

    def show(self, query: WaitingQuery, total: int) -> None:
        """Start showing `query` afresh, which matches `total` entries (or, until counted,
        a window's worth)."""
        self.query_shown = query
        self.total = total
        self._rows.clear()
        self._requested.clear()
        self.virtual_size = Size(LINE_WIDTH, total)
        self.cursor = min(self.cursor, max(total - 1, 0))
        self.scroll_to(y=max(0, min(self.scroll_y, total - 1)), animate=False)
        self.refresh()

    @property
    def window(self) -> int:
        return max(self.size.height, 10) * 3

    def current(self) -> EntryLine | None:
        return self._rows.get(self.cursor)

    def loaded(self) -> list[EntryLine]:
        """The rows read so far around the view, in list order."""
        return [self._rows[position] for position in sorted(self._rows)]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= self.total:
            return Strip.blank(width)
        line = self._rows.get(index)
        if line is None:
            self._request(index)
            cells = [("  reading…", WAITING_FOR_ROWS)]
        else:
            cells = _cells(line)
        if index == self.cursor and self.has_focus:
            cursor = self.get_component_rich_style("entry-list--cursor")
            cells = [(text, style + cursor) for text, style in cells]
        strip = Strip([Segment(text, style) for text, style in cells])
        return strip.crop_extend(scroll_x, scroll_x + width, None)

    def _request(self, index: int) -> None:
        if self.query_shown is None or any(
            start <= index < start + self.window for start in self._requested
        ):
            return  # one read per window, however many of its rows are drawn
        start = max(0, index - self.size.height)
        start -= start % self.size.height if self.size.height else 0
        self._requested.add(start)
        self.load_window(self.query_shown, start, self.window)

    @work(thread=True, exit_on_error=False, group="entry-pages")
    def load_window(self, query: WaitingQuery, offset: int, limit: int) -> None:
        read_and_post(
            self,
            lambda store: page_of_entries(store, query, offset, limit),
            lambda lines: EntryPageLoaded(query, offset, lines),
        )

    @on(EntryPageLoaded)
    def _page_loaded(self, message: EntryPageLoaded) -> None:
        message.stop()
        if message.query != self.query_shown:
            return  # an answer to a question nobody is asking any more
        for position, line in enumerate(message.lines, start=message.offset):
            self._rows[position] = line
        self._forget_far_rows()
        self.refresh()

    def _forget_far_rows(self) -> None:
        """Keep memory flat however far the user scrolls."""
        keep_from = self.scroll_y - self.window
        keep_to = self.scroll_y + 2 * self.window
        for position in [p for p in self._rows if not keep_from <= p < keep_to]:
            del self._rows[position]
        self._requested = {s for s in self._requested if keep_from - self.window <= s < keep_to}

    def watch_cursor(self, old: int, new: int) -> None:
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False)
        elif new >= self.scroll_y + self.size.height:
            self.scroll_to(y=new - self.size.height + 1, animate=False)
        self.refresh()

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(self.total - 1, self.cursor + step))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(self.size.height - 1, 1))

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else max(self.total - 1, 0)
