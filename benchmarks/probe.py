"""One sample, in a fresh interpreter: `python -m benchmarks.probe NAME JSON-ARGUMENTS`.

The runner starts this once per sample, so memory, SQLite's caches and Python's imports
are never shared between samples. It prints one JSON object on its last line. Each probe
imports what it measures itself, before its clock starts, so the empty app's sample never
loads huddle and import time is left to the start-up figure.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import resource
import sqlite3
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

    from screens.paged_list import PagedList

TERMINAL = (160, 40)
# Short enough not to blur a 5 ms page read, long enough not to starve the app's own loop.
POLL_SECONDS = 0.002
GIVE_UP_SECONDS = 120.0
# From the top of the list, so the last press scrolls past the first window of rows the
# list holds (three screens) and has to read more from the store at every size measured.
PAGE_DOWNS = 4
# What EntryList draws for a row it has asked the store for and not yet received.
NOT_YET_READ = "reading…"


def _peak_rss_kb() -> int:
    """This process's peak resident memory in KiB.

    Linux's VmHWM, not ru_maxrss: ru_maxrss carries over the high-water mark of the process
    that started this one (kept in the signal struct across exec), so every sample would
    report at least the runner's own size, which grows with the data it generates."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def _seconds_until(
    app: App, keys: Sequence[str], done: Callable[[], bool], started: float
) -> float:
    """Press `keys` and return the seconds from `started` until `done()` first holds.

    The keys go in as a terminal sends them, one after another with no pause; the Pilot's
    press would wait for the app to fall idle after each key, which is the Pilot's time,
    not the user's. `done` is polled on the app's own event loop."""
    for key in keys:
        app.simulate_key(key)

    async def watch() -> float:
        while not done():
            await asyncio.sleep(POLL_SECONDS)
        return perf_counter()

    return await asyncio.wait_for(watch(), GIVE_UP_SECONDS) - started


def _painted(rows: PagedList[Any, Any]) -> bool:
    """Every row in view has been read: none would be drawn as 'reading…'. Any list the
    store pages (screens.paged_list.PagedList): the waiting list, the actions."""
    in_view = min(rows.size.height, rows.total - int(rows.scroll_y))
    return all(NOT_YET_READ not in rows.render_line(y).text for y in range(in_view))


async def _drive_waiting_list(db: Path, today: date) -> dict[str, Any]:
    from dataclasses import replace

    from huddle.app import make_app
    from huddle.clock import FixedClock
    from huddle.waiting_query import SortBy
    from screens.entry_list import EntryList
    from screens.waiting_list import WaitingListScreen
    from store import open_store

    started = perf_counter()
    store = open_store(db, "benchmark")
    app = make_app(store, FixedClock(today))
    async with app.run_test(size=TERMINAL) as pilot:

        def first_page() -> bool:
            screen = app.screen
            if not isinstance(screen, WaitingListScreen) or not screen.is_mounted:
                return False
            entries = screen.query_one(EntryList)
            return bool(entries.loaded()) and _painted(entries)

        first_page_s = await _seconds_until(app, ["2"], first_page, started)
        screen = app.screen
        assert isinstance(screen, WaitingListScreen)
        entries = screen.query_one(EntryList)

        async def settle() -> None:
            # Let the tier band and Today's counts finish, so each later figure is alone.
            await app.workers.wait_for_complete()
            await pilot.pause()

        await settle()
        page_downs = []
        for _ in range(PAGE_DOWNS):
            before = entries.cursor
            page_downs.append(
                await _seconds_until(
                    app,
                    ["pagedown"],
                    lambda before=before: entries.cursor != before and _painted(entries),
                    perf_counter(),
                )
            )
        await settle()
        wanted = replace(screen.waiting_query, tier=2, breached=True, sort=SortBy.DAYS_WAITED)
        filter_s = await _seconds_until(
            app,
            ["t", "t", "b", "s"],  # tier 1, tier 2, breached, next sort (days waited)
            lambda: entries.query_shown == wanted and _painted(entries),
            perf_counter(),
        )
        await settle()
        total = entries.total
    store.close()
    return {
        "first_page_s": first_page_s,
        "page_down_s": page_downs,
        "filter_s": filter_s,
        "total": total,
        "peak_rss_kb": _peak_rss_kb(),
    }


def waiting_list(db: str, today: str) -> dict[str, Any]:
    """Start the app, open the waiting list, page down, filter and re-sort."""
    return asyncio.run(_drive_waiting_list(Path(db), date.fromisoformat(today)))


async def _drive_actions(db: Path, today: date, user: str, search: str) -> dict[str, Any]:
    from dataclasses import replace

    from textual.widgets import Static

    from huddle.action_query import ActionQuery, ActionSort, ActionView
    from huddle.app import make_app
    from huddle.clock import FixedClock
    from huddle.people import person_named
    from screens.action_list import ActionList
    from screens.actions import ActionsScreen
    from screens.search_box import SearchBox
    from store import open_store
    from store.queries import status_summary

    started = perf_counter()
    store = open_store(db, user)  # `m` (mine) is the actions of the person the store records
    app = make_app(store, FixedClock(today))
    async with app.run_test(size=TERMINAL) as pilot:

        def first_page() -> bool:
            screen = app.screen
            if not isinstance(screen, ActionsScreen) or not screen.is_mounted:
                return False
            actions = screen.query_one(ActionList)
            return bool(actions.loaded()) and _painted(actions)

        seconds = {"open_s": await _seconds_until(app, ["4"], first_page, started)}
        screen = app.screen
        assert isinstance(screen, ActionsScreen)
        actions = screen.query_one(ActionList)
        every_open = ActionQuery(as_at=today)
        rows: dict[str, int] = {}  # how many actions each figure's query matches
        showing: dict[str, str] = {}  # the line above the list, once its count arrived

        async def settle() -> None:
            # Let the headline and the count finish, so each later figure is alone.
            await app.workers.wait_for_complete()
            await pilot.pause()

        def shows(query: ActionQuery) -> Callable[[], bool]:
            return lambda: actions.query_shown == query and _painted(actions)

        async def look(name: str) -> None:
            await settle()
            rows[name] = actions.total
            showing[name] = str(screen.query_one("#showing", Static).render())

        search_box = screen.query_one(SearchBox)

        async def timed(name: str, keys: list[str], wanted: ActionQuery) -> None:
            """`keys` from the list of every open action, then back to it (`x`, untimed).

            A `/` first waits for the search box to take the keyboard, as a person typing
            does: Textual moves the focus on a later turn of its loop, so letters sent at
            once with the `/` would reach the list's own keys."""
            started = perf_counter()
            if keys[0] == "slash":
                await _seconds_until(app, keys[:1], lambda: search_box.has_focus, started)
                keys = keys[1:]
            seconds[name] = await _seconds_until(app, keys, shows(wanted), started)
            await look(name)
            cleared = replace(every_open, sort=wanted.sort)  # `x` keeps the sort
            await _seconds_until(app, ["x"], shows(cleared), perf_counter())
            await settle()

        await look("open_s")
        await timed("overdue_s", ["l"], replace(every_open, view=ActionView.OVERDUE))
        headline = str(screen.query_one("#as-at", Static).render())
        me = person_named(screen.staff, user)
        if me is None:
            raise RuntimeError(f"{user!r} is not on the staff list: `m` would do nothing")
        await timed("mine_s", ["m"], replace(every_open, owner_id=me.id))
        await timed("search_s", ["slash", *search, "enter"], replace(every_open, search=search))
        await timed("sort_s", ["s"], replace(every_open, sort=ActionSort.OWNER))
    summary = status_summary(store, today)
    store.close()
    return {
        **seconds,
        "rows": rows,
        "overdue_showing": _count_in(showing["overdue_s"], r"Showing ([\d,]+):"),
        "overdue_headline": _count_in(headline, r"([\d,]+) OVERDUE"),
        "overdue_status": summary.actions.overdue,
    }


def _count_in(words: str, pattern: str) -> int:
    found = re.search(pattern, words)
    if found is None:
        raise RuntimeError(f"no count matching {pattern!r} in {words!r}")
    return int(found.group(1).replace(",", ""))


def actions(db: str, today: str, user: str, search: str) -> dict[str, Any]:
    """Start the app as `user`, open the Actions screen, then from its list of every open
    action: the overdue view, mine, a search for `search`, sort by owner."""
    return asyncio.run(_drive_actions(Path(db), date.fromisoformat(today), user, search))


async def _drive_empty_app() -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.screen import Screen
    from textual.widgets import Static

    class Blank(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Static("empty")

    class EmptyApp(App[None]):
        # The same interaction as the real figure: start, press 2, see the second screen.
        MODES = {"first": Blank, "second": Blank}
        DEFAULT_MODE = "first"
        BINDINGS = [Binding("2", "switch_mode('second')")]

    started = perf_counter()
    app = EmptyApp()
    async with app.run_test(size=TERMINAL):

        def shown() -> bool:
            return app.current_mode == "second" and app.screen.is_mounted

        first_page_s = await _seconds_until(app, ["2"], shown, started)
    return {"first_page_s": first_page_s, "peak_rss_kb": _peak_rss_kb()}


def empty_app() -> dict[str, Any]:
    """The same start and key press in a Textual app with nothing in it: the floor."""
    return asyncio.run(_drive_empty_app())


def import_extract(db: str, extract: str, today: str) -> dict[str, Any]:
    """`huddle import waiting-list EXTRACT --db DB`, timed inside the process."""
    from huddle.cli import main
    from huddle.clock import FixedClock
    from store import waiting_import  # noqa: F401  (loaded by the command; not timed)

    started = perf_counter()
    with redirect_stdout(io.StringIO()):
        code = main(
            ["import", "waiting-list", extract, "--db", db], FixedClock(date.fromisoformat(today))
        )
    seconds = perf_counter() - started
    if code != 0:
        raise RuntimeError(f"the import exited {code}")
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM waiting_entry").fetchone()[0]
    return {"seconds": seconds, "rows": rows}


def bare_insert(source: str, db: str) -> dict[str, Any]:
    """The rows an import stored in `source`, written into `db`'s waiting_entry by one plain
    executemany in one transaction: no checking, no audit, the same table and indexes."""
    from store import open_store

    cursor = sqlite3.connect(source).execute("SELECT * FROM waiting_entry ORDER BY id")
    columns = [c[0] for c in cursor.description]
    rows = cursor.fetchall()
    store = open_store(db, "benchmark")  # huddle's pragmas: WAL, synchronous=FULL
    sql = (
        f"INSERT INTO waiting_entry ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    started = perf_counter()
    store.conn.execute("BEGIN IMMEDIATE")
    store.conn.executemany(sql, rows)
    store.conn.execute("COMMIT")
    seconds = perf_counter() - started
    store.close()
    return {"seconds": seconds, "rows": len(rows)}


def decisions(db: str, count: int) -> dict[str, Any]:
    """`count` decisions recorded one at a time in a meeting in progress, as `d` records
    them (each its own synchronous=FULL transaction with its audit row), and as many bare
    one-row commits of the same row on the same file, which is the floor a durable write
    cannot go under."""
    from datetime import date, datetime

    from huddle.models import Decision, MeetingKind
    from store import open_store
    from store.meetings import record_decision, start_meeting

    store = open_store(db, "benchmark")
    owner_id = store.conn.execute("SELECT min(id) FROM person").fetchone()[0]
    meeting_id = start_meeting(
        store,
        series="Benchmark huddle",
        kind=MeetingKind.WAITING_LIST_HUDDLE,
        chair_id=owner_id,
        today=date.today(),
        now=datetime.now(),
    ).id

    def decision(n: int) -> Decision:
        return Decision(
            meeting_id=meeting_id,
            text=f"Benchmark decision {n}: escalate tier 2 breaches to the clinical lead",
            rationale="Measured by the benchmark",
            owner_id=owner_id,
        )

    recorded, bare = [], []
    for n in range(count + 1):  # the first of each warms the caches and is not counted
        started = perf_counter()
        made = decision(n)
        record_decision(
            store, made.meeting_id, text=made.text, rationale=made.rationale, owner_id=owner_id
        )
        recorded.append(perf_counter() - started)
        row = decision(n).model_dump(mode="json", exclude={"id", "version"})
        started = perf_counter()
        store.conn.execute(
            "INSERT INTO decision (meeting_id, text, rationale, owner_id, version) "
            "VALUES (:meeting_id, :text, :rationale, :owner_id, 1)",
            row,
        )
        bare.append(perf_counter() - started)
    store.close()
    return {"recorded_s": recorded[1:], "bare_commit_s": bare[1:]}


PROBES: dict[str, Callable[..., dict[str, Any]]] = {
    "waiting_list": waiting_list,
    "actions": actions,
    "empty_app": empty_app,
    "import_extract": import_extract,
    "bare_insert": bare_insert,
    "decisions": decisions,
}


def main(argv: Sequence[str]) -> int:
    name, arguments = argv
    print(json.dumps(PROBES[name](**json.loads(arguments))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
