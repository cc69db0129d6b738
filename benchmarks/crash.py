"""`python -m benchmarks.crash [--kills N] [--seed S] [--db PATH] [--max-delay-s SECONDS]`:
kill a writer with SIGKILL at random moments, and after every kill check that nothing it
was told had been saved is lost and nothing is half written (issue #8).

One database (the demo, seeded once, unless --db names one) takes every kill in turn. A
writer process (benchmarks/workload.py) runs the mix of a working day through the store's
functions, acknowledging each commit in a file; after a random delay (seeded) it is
killed, the database is opened as the app would open it after a crash, and checked
(benchmarks/verify.py): integrity_check, the audit chain and every record against its
last audit row, every acknowledged write there at its version, every write whole or not
there at all. After the last kill every acknowledgement of every writer is checked again.
Figures are printed, never asserted here; tests/test_crash.py runs a few kills.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

from benchmarks.acks import Ledger, read_ledger
from benchmarks.harness import (
    CHECKER,
    WriterSpec,
    command_given,
    command_line,
    exit_on_sigterm,
    running,
    seeded_demo,
    settings_given,
    still_running,
    table,
)
from benchmarks.verify import (
    BEFORE_BEGIN,
    BETWEEN_WRITES,
    ROLLED_BACK,
    UNACKNOWLEDGED,
    Findings,
    killed_at,
    verify,
)
from store import audit
from store.connection import open_store

PROG = "python -m benchmarks.crash"


@dataclass(frozen=True)
class CrashSettings:
    kills: int = 1000
    seed: int = 8
    max_delay_s: float = 0.1  # a writer makes a write every few milliseconds


@dataclass
class CrashFigures:
    settings: CrashSettings
    killed: Counter = field(default_factory=Counter)  # where each writer was (verify.py)
    corruptions: int = 0  # kills after which integrity_check failed
    half_writes: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    acknowledged: int = 0  # acknowledged rows, each checked after its kill and at the end
    whole: int = 0  # writes of several rows found whole after their kill
    refused: int = 0  # writes the store refused (the workload means none)
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.corruptions or self.half_writes or self.lost)

    def rows(self) -> list[tuple[str, object]]:
        return [
            ("kills (SIGKILL)", f"{sum(self.killed.values()):,}"),
            *(
                (f"killed {where}", f"{self.killed[where]:,}")
                for where in (BETWEEN_WRITES, BEFORE_BEGIN, ROLLED_BACK, UNACKNOWLEDGED)
            ),
            ("corruptions (integrity_check not ok)", self.corruptions),
            ("lost acknowledged writes", len(self.lost)),
            ("half writes (audit chain, records, all-or-nothing)", len(self.half_writes)),
            ("acknowledged writes checked (rows)", f"{self.acknowledged:,}"),
            ("writes of several rows found whole", f"{self.whole:,}"),
            ("writes refused by the store", self.refused),
            ("wall time", f"{self.wall_s:.1f} s"),
        ]


def _checked(db: Path, ledgers: list[Ledger]) -> tuple[Findings, str]:
    """Open the database as a restarted app would, and check it against `ledgers`; where
    the last one's writer was when it died."""
    store = open_store(db, CHECKER)
    try:
        return verify(store.conn, ledgers), killed_at(store.conn, ledgers[-1])
    finally:
        store.close()


def _audit_head(db: Path) -> int:
    """Names this run's writers apart from an earlier run's on the same database."""
    store = open_store(db, CHECKER)
    try:
        return audit.chain_head(store.conn)[0]
    finally:
        store.close()


def _tally(figures: CrashFigures, findings: Findings) -> None:
    """A fault found after one kill is found again after every later one: it counts once."""
    figures.half_writes += [fault for fault in findings.half if fault not in figures.half_writes]
    figures.lost += [fault for fault in findings.lost if fault not in figures.lost]


def run(
    settings: CrashSettings,
    folder: Path,
    db: Path | None = None,
    say: Callable[[str], None] = lambda _line: None,
) -> CrashFigures:
    """Every kill in turn on `db` (the demo, seeded in `folder`, if not given); the
    writers' acknowledgements and what they said on stderr are kept in `folder`."""
    started = time.perf_counter()
    db = db or folder / "crash.db"
    if not db.exists():
        seeded_demo(db)
    run_mark = _audit_head(db)
    delays = Random(settings.seed)
    figures, ledgers = CrashFigures(settings), []
    for kill in range(settings.kills):
        spec = WriterSpec(
            db=db,
            acks=folder / f"acks-{kill:05}.jsonl",
            log=folder / "writers.log",
            actor=f"crash writer {kill + 1} after audit row {run_mark}",
            seed=settings.seed * 1_000_003 + kill,
        )
        with running([spec]) as [child]:
            time.sleep(delays.uniform(0, settings.max_delay_s))
            still_running(child, spec)
        ledgers.append(read_ledger(spec.acks))
        findings, where = _checked(db, ledgers[-1:])
        _tally(figures, findings)
        figures.corruptions += findings.corrupt
        figures.killed[where] += 1
        figures.acknowledged += findings.checked
        figures.whole += findings.whole
        figures.refused += ledgers[-1].counted("refused")
        if (kill + 1) % 50 == 0:
            say(f"{kill + 1} kills, {figures.acknowledged:,} acknowledged rows checked")
    # A later crash must not undo an earlier one's writes either.
    final, _ = _checked(db, ledgers)
    _tally(figures, final)
    figures.wall_s = time.perf_counter() - started
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = command_line(PROG, __doc__, CrashSettings)
    parser.add_argument("--db", type=Path, help="a huddle database to use (default: the demo)")
    args = parser.parse_args(argv)
    exit_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="huddle-crash-") as folder:
        figures = run(
            settings_given(CrashSettings, args),
            Path(folder),
            args.db,
            say=lambda line: print(line, file=sys.stderr),
        )
    print(table("Crash harness (issue #8)", command_given(PROG, argv), figures.rows()))
    for problem in (figures.lost + figures.half_writes)[:20]:
        print(f"- {problem}")
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
