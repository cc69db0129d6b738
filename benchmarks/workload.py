"""The writer process of the reliability harnesses (issue #8): the store's own functions on
a real database file, each call acknowledged in an AckLog (benchmarks/acks.py).

    python -m benchmarks.workload --db PATH --acks FILE --actor NAME --seed S --today DATE
        [--rounds N] [--pause-ms MS]
        [--index I --writers N --actions IDS --entries IDS --think-ms MS]

Without --actions/--entries it makes the mix of a working day (benchmarks/workday.py);
with them it contends for those records with the other writers (benchmarks/contention.py).

It prints "ready" once the database is open and starts on a line from stdin, so a harness
can start several writers at once. It imports the store and the rules, never the app, so it
starts in half a second.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from benchmarks.acks import AckLog
from benchmarks.contention import CONTENDED
from benchmarks.workday import MIXED
from benchmarks.writer import Contention, Writer, run
from store.connection import open_store


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workload")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--acks", type=Path, required=True)
    parser.add_argument("--actor", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--today", type=date.fromisoformat, required=True)
    parser.add_argument("--rounds", type=int, help="writes to make (default: until killed)")
    parser.add_argument("--index", type=int, default=0, help="this writer's place, from 0")
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--actions", type=_ids, default=[], help="contend on these actions")
    parser.add_argument("--entries", type=_ids, default=[], help="and these entries")
    parser.add_argument("--think-ms", type=float, default=2.0)
    parser.add_argument("--pause-ms", type=float, default=0.0, help="longest pause between writes")
    args = parser.parse_args(argv)

    contention = None
    if args.actions or args.entries:
        contention = Contention(args.actions, args.entries, args.writers, args.think_ms / 1000)
    store = open_store(args.db, args.actor)
    acks = AckLog(args.acks, args.actor)
    w = Writer(store, acks, args.seed, args.today, args.index, contention)
    print("ready", flush=True)
    sys.stdin.readline()
    operations = MIXED if contention is None else CONTENDED
    try:
        run(w, operations, args.rounds, args.pause_ms / 1000)
    finally:
        acks.close()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
