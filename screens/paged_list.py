"""A Line-API scroll view that only ever holds a window of rows, for any list the store
pages: the waiting list, the actions, the commissioner queries.

`render_line` draws from a small cache around what is on screen; a missing window is read
by a thread worker with its own connection, so opening, paging and jumping to the end
cost the same at a million rows as at a hundred. A subclass says how to read a page
(`read_page`) and how to draw a row (`cells`, each cell's words saying what its colour
says).

The mouse does what the keys do: a click on a row moves the cursor there, as the arrow
keys would (so whatever follows the cursor follows it); a click on the row already
highlighted, or a double click, runs what `enter` runs on the screen.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from screens.base import HuddleScreen, read_and_post
from screens.messages import PageLoaded

if TYPE_CHECKING:
    from store import Store

Q = TypeVar("Q", bound=Hashable)
L = TypeVar("L")

WAITING_FOR_ROWS = Style(dim=True)
PLAIN = Style()

Cells = list[tuple[str, Style]]


def cut(value: str, width: int) -> str:
    """`value` padded to `width`, or cut to it with "…" so a cut never passes for whole."""
    if len(value) > width:
        value = value[: width - 1] + "…"
    return f"{value:<{width}}"


def fitted(values: tuple[str, ...], columns: tuple[tuple[str, int], ...], style: Style) -> Cells:
    """Each value cut or padded to its column's width, all in `style`."""
    return [
        (f"{cut(value, width)} ", style) for value, (_, width) in zip(values, columns, strict=True)
    ]


def cut_at_a_word(text: str, width: int, style: Style = PLAIN) -> tuple[str, Style]:
    """A cell of `width` (and the space after it): cut with an ellipsis, so a cut phrase
    never runs into the next column; a number or a date is never cut in two ("±9.6…"
    would misread ±9.63): the cut goes back to the word before it."""
    if len(text) > width:
        kept = text[: width - 1]
        space = kept.rfind(" ")
        if space > 0 and any(c.isdigit() for c in text[space:].split(" ", 2)[1]):
            kept = kept[:space]
        text = kept.rstrip(" ,;:") + "…"
    return (f"{text:<{width}} ", style)


class ListHeader(Static):
    """A list's column titles over the columns it shows now (`PagedList.shown_columns`),
    kept over them as its rows scroll sideways; each title cut with "…" where its column
    narrows. The list redraws it when it is resized or scrolled."""

    DEFAULT_CSS = """
    ListHeader { height: 1; text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(
        self, listed: PagedList, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.listed = listed
        self._lead = ""
        self._retitled: dict[str, str] = {}

    def on_mount(self) -> None:
        self.draw()

    def lead(self, words: str) -> None:
        """Name the list over its first two columns' titles (with what it counts)."""
        self._lead = words
        self.draw()

    def retitle(self, column: str, title: str) -> None:
        """Title `column` for what it holds now (say, whose deliverables they are)."""
        self._retitled[column] = title
        self.draw()

    def draw(self) -> None:
        columns = self.listed.shown_columns()
        titles = " ".join(cut(self._retitled.get(title, title), width) for title, width in columns)
        if self._lead:
            span = sum(width + 1 for _, width in columns[:2])
            titles = cut_at_a_word(self._lead, span - 1)[0] + titles[span:]
        self.update(Text(titles[round(self.listed.scroll_x) :], no_wrap=True))


class PagedList(ScrollView, Generic[Q, L], can_focus=True):
    """The rows of one query (a frozen, comparable description), with a row cursor."""

    COLUMNS: ClassVar[tuple[tuple[str, int], ...]] = ()
    WIDTHS: ClassVar[dict[str, dict[str, int]]] = {}
    """By the screen's breakpoint class (-narrow below 100 columns, -laptop below 140),
    column title to its width there, 0 to drop it: what a person must see first fits the
    screen, the rest is in the row's own screen."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="list-up", tooltip="Previous row"),
        Binding("down", "move(1)", "Down", show=False, id="list-down", tooltip="Next row"),
        Binding(
            "pageup", "page(-1)", "Page up", show=False, id="list-page-up", tooltip="Previous page"
        ),
        Binding(
            "pagedown", "page(1)", "Page down", show=False, id="list-page-down", tooltip="Next page"
        ),
        Binding("home", "jump(0)", "First", show=False, id="list-first", tooltip="First row"),
        Binding("end", "jump(-1)", "Last", show=False, id="list-last", tooltip="Last row"),
    ]
    DEFAULT_CSS = """
    PagedList { height: 1fr; }
    PagedList > .paged-list--cursor { background: $accent; color: auto 90%; }
    """
    COMPONENT_CLASSES = {"paged-list--cursor"}

    cursor: reactive[int] = reactive(0)
    """Index of the highlighted row within the current query's order."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.query_shown: Q | None = None
        self.total = 0
        self._rows: dict[int, L] = {}
        self._shown_before: dict[int, L] = {}
        """The rows on screen when the same query began to be read afresh, kept (drawn, and
        what a key acts on) until each one's fresh row arrives: a key pressed meanwhile
        acts on the row the screen showed, never on nothing."""
        self._requested: set[int] = set()
        self._cursor_shown_at_press = False
        """Whether the cursor was drawn (the list focused) as the mouse button went down:
        a row is highlighted only where the user could see it so."""
        self._click_moved = False
        """Whether the last click moved the cursor, so that the second click of a double
        click opens the row and the second of a click that opened it does not again."""
        self._layout = tuple((index, width) for index, (_, width) in enumerate(self.COLUMNS))
        """Each shown column's place in COLUMNS and its width at the screen's size now."""
        self._titles: ListHeader | None = None

    def column_titles(self, *, id: str | None = None, classes: str | None = None) -> ListHeader:
        """The header to compose above the list, which scrolls sideways with its rows."""
        self._titles = ListHeader(self, id=id, classes=classes)
        return self._titles

    # --- what a subclass gives -----------------------------------------------------------

    def read_page(self, store: Store, query: Q, offset: int, limit: int) -> list[L]:
        raise NotImplementedError

    def cells(self, line: L) -> Cells:
        raise NotImplementedError

    def same_rows(self, shown: Q, query: Q) -> bool:
        """Whether `query` reads the list `shown` read, afresh (its rows in the same order),
        so that what is on screen stands until the fresh rows arrive."""
        return shown == query

    # --- showing a query -----------------------------------------------------------------

    @property
    def line_width(self) -> int:
        return sum(width + 1 for _, width in self._layout)

    def shown_columns(self) -> tuple[tuple[str, int], ...]:
        """The title and width now of each column shown, as its header names them."""
        return tuple((self.COLUMNS[index][0], width) for index, width in self._layout)

    def fit(self) -> tuple[tuple[int, int], ...]:
        """Each column to show at the list's size now: its place in COLUMNS and its width.
        By WIDTHS for the screen's breakpoint here; a list fitted to its own width (the
        oversight and mobilisation lists) says otherwise."""
        widths = next(
            (widths for size, widths in self.WIDTHS.items() if self.screen.has_class(size)), {}
        )
        layout = tuple(
            (index, widths.get(title, width)) for index, (title, width) in enumerate(self.COLUMNS)
        )
        return tuple((index, width) for index, width in layout if width)

    def on_resize(self) -> None:
        layout = self.fit()
        if layout != self._layout:
            self._layout = layout
            self.virtual_size = Size(self.line_width, self.total)
            self.refresh()
        if self._titles is not None:
            self._titles.draw()

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_x(old_value, new_value)
        if self._titles is not None:
            self._titles.draw()

    def counted(self, query: Q, total: int) -> None:
        """The count of `query` has arrived: set the scroll range, keeping the rows read."""
        if query != self.query_shown:
            self.show(query, total)
            return
        self.total = total
        self.virtual_size = Size(self.line_width, total)
        self.cursor = min(self.cursor, max(total - 1, 0))
        self.refresh()

    def show(self, query: Q, total: int) -> None:
        """Start showing `query` afresh, which matches `total` rows (or, until counted,
        a window's worth)."""
        again = self.query_shown is not None and self.same_rows(self.query_shown, query)
        self._shown_before = {**self._shown_before, **self._rows} if again else {}
        self.query_shown = query
        self.total = total
        self._rows.clear()
        self._requested.clear()
        self.virtual_size = Size(self.line_width, total)
        self.cursor = min(self.cursor, max(total - 1, 0))
        self.scroll_to(y=max(0, min(self.scroll_y, total - 1)), animate=False)
        self.refresh()

    @property
    def window(self) -> int:
        return max(self.size.height, 10) * 3

    def current(self) -> L | None:
        return self._rows.get(self.cursor) or self._shown_before.get(self.cursor)

    def loaded(self) -> list[L]:
        """The rows read so far around the view, in list order."""
        return [self._rows[position] for position in sorted(self._rows)]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= self.total:
            # Styled, never None: NO_COLOR's monochrome filter needs a style on every cell.
            return Strip.blank(width, self.rich_style)
        line = self._rows.get(index)
        if line is None:
            self._request(index)
            line = self._shown_before.get(index)
        cells = [("  reading…", WAITING_FOR_ROWS)] if line is None else self._laid_out(line)
        if index == self.cursor and self.has_focus:
            # Never dim under the cursor: the highlighted row must be readable.
            cursor = self.get_component_rich_style("paged-list--cursor") + Style(dim=False)
            cells = [(text, style + cursor) for text, style in cells]
        # On the widget's own colours, so a row reads in a light theme as in a dark one; a
        # cell's style (alarm, done, the cursor) still wins where it says a colour.
        base = self.rich_style
        strip = Strip([Segment(text, base + style) for text, style in cells])
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    CELLS_FITTED: ClassVar[bool] = False
    """Whether `cells` gives the cells of the columns shown, at their widths now (by
    `shown_columns`), so that none is cut again."""

    def _laid_out(self, line: L) -> Cells:
        """The row's cells in the columns shown, each cut again where a column narrows."""
        cells = self.cells(line)
        if self.CELLS_FITTED:
            return cells
        return [
            cells[index]
            if width == self.COLUMNS[index][1]
            else (f"{cut(cells[index][0].rstrip(), width)} ", cells[index][1])
            for index, width in self._layout
        ]

    def _request(self, index: int) -> None:
        if self.query_shown is None or any(
            start <= index < start + self.window for start in self._requested
        ):
            return  # one read per window, however many of its rows are drawn
        start = max(0, index - self.size.height)
        start -= start % self.size.height if self.size.height else 0
        self._requested.add(start)
        self.load_window(self.query_shown, start, self.window)

    @work(thread=True, exit_on_error=False, group="list-pages")
    def load_window(self, query: Q, offset: int, limit: int) -> None:
        read_and_post(
            self,
            lambda store: self.read_page(store, query, offset, limit),
            lambda lines: PageLoaded(query, offset, lines),
        )

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.query != self.query_shown:
            return  # an answer to a question nobody is asking any more
        for position, line in enumerate(message.lines, start=message.offset):
            self._rows[position] = line
            self._shown_before.pop(position, None)
        self._forget_far_rows()
        self.refresh()

    def _forget_far_rows(self) -> None:
        """Keep memory flat however far the user scrolls."""
        keep_from = self.scroll_y - self.window
        keep_to = self.scroll_y + 2 * self.window
        for position in [p for p in self._rows if not keep_from <= p < keep_to]:
            del self._rows[position]
        for position in [p for p in self._shown_before if not keep_from <= p < keep_to]:
            del self._shown_before[position]
        self._requested = {s for s in self._requested if keep_from - self.window <= s < keep_to}

    def watch_cursor(self, old: int, new: int) -> None:
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False)
        elif new >= self.scroll_y + self.size.height:
            self.scroll_to(y=new - self.size.height + 1, animate=False)
        self.refresh()

    # --- the mouse -----------------------------------------------------------------------

    OPENS: ClassVar[bool] = True
    """Whether its screen's `enter` opens this list's row; a list whose rows `enter` does
    not open (another list on the screen has that) only highlights on a click."""

    def focus_on_click(self) -> bool:
        # Asked as the button goes down, before the click focuses the list.
        self._cursor_shown_at_press = self.has_focus
        return super().focus_on_click()

    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or event.chain > 2:
            return
        index = self.scroll_y + offset.y
        if index >= self.total:
            return  # below the last row
        if event.chain == 1:
            highlighted = index == self.cursor and self._cursor_shown_at_press
            self._click_moved = not highlighted
            self.cursor = index
            if highlighted:
                await self._open()
        elif self._click_moved and index == self.cursor:
            self._click_moved = False
            await self._open()

    async def _open(self) -> None:
        """Run the screen's command on `enter`: found by the key its screen declares it
        with (`SCREEN_COMMANDS`), not the key bound now, so a click still opens the row
        after a keymap moves that command to another key."""
        if not self.OPENS:
            return
        screen = self.screen
        commands = screen.SCREEN_COMMANDS if isinstance(screen, HuddleScreen) else ()
        opening = next((c for c in commands if c.key == "enter"), None)
        if opening is not None:
            await screen.run_action(opening.action)

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(self.total - 1, self.cursor + step))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(self.size.height - 1, 1))

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else max(self.total - 1, 0)
