"""`python -m benchmarks.freshness [--samples N] [--db PATH]`: how soon a change committed by
another process is on an open screen, what watching for it costs, and how long the start-up
check (`PRAGMA quick_check`) takes.

The app runs headless on a copy of the demo; a separate process adds an action at a random
moment and notes when its commit returned; the app's event loop looks at the Today screen
every 5 ms until the new count is drawn. The latency is the gap between the two.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from statistics import median
from time import perf_counter, process_time, time

from textual.widgets import Static

from fixtures.demo import seed_demo
from huddle.app import WATCH_SECONDS, make_app
from huddle.clock import FixedClock
from store import open_store
from store.connection import data_version

TODAY = date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent

ANOTHER_TERMINAL = """
import sys, time
from datetime import date
from store import open_store
from store.connection import data_version
from store.actions import add_action
store = open_store(sys.argv[1], "Kofi Mensah")
time.sleep(float(sys.argv[2]))
add_action(store, title="Call back the GP", owner_id=1, due_date=date(2026, 11, 27),
           today=date(2026, 11, 22))
print(time.time())
"""


def _as_at(app) -> str:
    return str(app.screen.query_one("#as-at", Static).render())


async def latencies(db: Path, samples: int, rng: random.Random) -> list[float]:
    store = open_store(db, "Helen Marsden")
    app = make_app(store, FixedClock(TODAY))
    found: list[float] = []
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        for _ in range(samples):
            before = _as_at(app)
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                ANOTHER_TERMINAL,
                str(db),
                str(rng.uniform(0.3, 0.3 + WATCH_SECONDS)),
                cwd=ROOT,
                stdout=subprocess.PIPE,
            )
            while _as_at(app) == before:
                await asyncio.sleep(0.005)
            shown = time()
            out, _ = await child.communicate()
            found.append(shown - float(out))
    store.close()
    return found


def watch_cost(db: Path, looks: int) -> float:
    """CPU seconds of one look at data_version when nothing has changed."""
    store = open_store(db, "Helen Marsden")
    app = make_app(store, FixedClock(TODAY))
    app.seen_version = data_version(store)  # so every look finds nothing new
    app.fresh_at = app.clock.now()
    started = process_time()
    for _ in range(looks):
        app.watch_database()
    spent = process_time() - started
    store.close()
    return spent / looks


def quick_check_seconds(db: Path, runs: int = 3) -> float:
    conn = sqlite3.connect(db)
    times = []
    for _ in range(runs):
        started = perf_counter()
        conn.execute("PRAGMA quick_check").fetchall()
        times.append(perf_counter() - started)
    conn.close()
    return median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.freshness", description=__doc__)
    parser.add_argument("--samples", type=int, default=30, help="changes to time (30)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--db", type=Path, help="also time quick_check on this database (e.g. a million)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo.db"
        seeded = open_store(demo, "Helen Marsden")
        seed_demo(seeded, TODAY)
        seeded.close()
        copy = Path(folder) / "watched.db"
        shutil.copyfile(demo, copy)
        found = sorted(asyncio.run(latencies(copy, args.samples, random.Random(args.seed))))
        per_look = watch_cost(demo, 10_000)
        demo_check = quick_check_seconds(demo)
    print(f"watch interval {WATCH_SECONDS:.1f} s; {len(found)} changes by another process")
    print(
        f"commit to on screen: median {median(found) * 1000:.0f} ms, "
        f"95th {found[int(len(found) * 0.95) - 1] * 1000:.0f} ms, max {found[-1] * 1000:.0f} ms"
    )
    print(
        f"one look with nothing new: {per_look * 1e6:.1f} us of CPU; once a second that is "
        f"{per_look * 3600:.3f} s of CPU an hour"
    )
    print(f"quick_check, demo (300 entries): {demo_check * 1000:.1f} ms")
    if args.db:
        print(f"quick_check, {args.db}: {quick_check_seconds(args.db):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
