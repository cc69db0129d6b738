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

    from screens.entry_list import EntryList

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


def _painted(entries: EntryList) -> bool:
    """Every row in view has been read: none would be drawn as 'reading…'."""
    in_view = min(entries.size.height, entries.total - int(entries.scroll_y))
    return all(NOT_YET_READ not in entries.render_line(y).text for y in range(in_view))


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
    """`count` decisions recorded one at a time through records.add (each its own
    synchronous=FULL transaction with its audit row), and as many bare one-row commits of
    the same row on the same file, which is the floor a durable write cannot go under."""
    from huddle.models import Decision
    from store import open_store, records

    store = open_store(db, "benchmark")
    meeting_id = store.conn.execute("SELECT max(id) FROM meeting").fetchone()[0]
    owner_id = store.conn.execute("SELECT min(id) FROM person").fetchone()[0]

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
        records.add(store, decision(n), "benchmark: one recorded decision")
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
