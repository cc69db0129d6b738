"""`python -m benchmarks.concurrency [--writers N] [--rounds M] [--seed S] [--think-ms MS]`:
several processes change the same few records at once, and none of their changes is lost
(issue #8).

The real case is two terminals and a served browser session on one file. Each writer
(benchmarks/workload.py, contending) reads an action or a waiting-list entry, pauses as a
person typing would, then saves a change with the version it read: a due date moved, an
owner changed, an entry reviewed, an interim contact logged. When another writer saved
first, the store raises StaleVersion and writes nothing; that is a conflict caught, and
the user is told in words beside the form they typed into (store.errors.REFUSALS, shown by
screens/form.py; the action detail also says what the other person changed and keeps what
was typed): "this action (id 3) was changed by someone else since you opened it (you had
version 4, it is now version 5); reload it and make your change again".

Then the database is checked (benchmarks/verify.py): no lost update (each record's version
moved by one for every change acknowledged, each new version acknowledged by exactly one
writer, one audited update for each), no "database is locked" reaching a writer (the
store waits up to 10 s for the write lock), the file's own check, every write whole.
Figures are printed, never asserted here; tests/test_concurrency.py runs a small round.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.acks import Ledger, read_ledger
from benchmarks.harness import (
    CHECKER,
    WriterSpec,
    command_given,
    command_line,
    exit_on_sigterm,
    finished,
    running,
    seeded_demo,
    settings_given,
    table,
)
from benchmarks.verify import Findings, lost_updates, verify
from store import audit
from store.connection import Store, open_store

PROG = "python -m benchmarks.concurrency"


@dataclass(frozen=True)
class ConcurrencySettings:
    writers: int = 4
    rounds: int = 250  # changes each writer attempts
    seed: int = 8
    think_ms: float = 2.0  # the longest pause between reading a record and saving it
    actions: int = 2  # how many actions, and how many entries, they all change
    entries: int = 2


@dataclass
class ConcurrencyFigures:
    settings: ConcurrencySettings
    before: dict[tuple[str, int], int]  # the records they all change, at their first version
    since: int  # the last audit row before the writers started
    ledgers: list[Ledger] = field(default_factory=list)
    lost_updates: list[str] = field(default_factory=list)
    findings: Findings | None = None
    wall_s: float = 0.0

    def counted(self, outcome: str) -> int:
        return sum(ledger.counted(outcome) for ledger in self.ledgers)

    @property
    def attempts(self) -> int:
        return sum(len(ledger.attempts) for ledger in self.ledgers)

    def refusals(self) -> list[str]:
        """What the other refusals said, each once."""
        said = (
            a.said for ledger in self.ledgers for a in ledger.attempts if a.outcome == "refused"
        )
        return list(dict.fromkeys(said))

    @property
    def ok(self) -> bool:
        return self.findings.ok and not self.lost_updates and not self.counted("locked")

    def rows(self) -> list[tuple[str, object]]:
        settings = self.settings
        return [
            ("writers (processes)", settings.writers),
            ("records they all change", f"{settings.actions} actions, {settings.entries} entries"),
            ("attempts", f"{self.attempts:,}"),
            ("successes", f"{self.counted('ok'):,}"),
            ("conflicts caught (StaleVersion, nothing written)", f"{self.counted('conflict'):,}"),
            ("other refusals (in words)", self.counted("refused")),
            ("database is locked errors", self.counted("locked")),
            ("lost updates", len(self.lost_updates)),
            ("half writes (audit chain, records, all-or-nothing)", len(self.findings.half)),
            ("lost acknowledged writes", len(self.findings.lost)),
            ("corruptions (integrity_check not ok)", int(self.findings.corrupt)),
            ("wall time", f"{self.wall_s:.1f} s"),
        ]


def _targets(store: Store, settings: ConcurrencySettings) -> dict[tuple[str, int], int]:
    """The first open actions and waiting entries, with the versions they start at."""
    found = store.conn.execute(
        "SELECT 'action', id, version FROM (SELECT * FROM action WHERE status = 'open' "
        "ORDER BY id LIMIT ?) UNION ALL SELECT 'waiting_entry', id, version FROM "
        "(SELECT * FROM waiting_entry WHERE status = 'waiting' ORDER BY id LIMIT ?)",
        (settings.actions, settings.entries),
    )
    return {(table, row_id): version for table, row_id, version in found}


def _ids(targets: dict[tuple[str, int], int], table: str) -> str:
    return ",".join(str(row_id) for kind, row_id in targets if kind == table)


def run(settings: ConcurrencySettings, folder: Path) -> ConcurrencyFigures:
    db = seeded_demo(folder / "shared.db")
    store = open_store(db, CHECKER)
    try:
        targets = _targets(store, settings)
        since = audit.chain_head(store.conn)[0]
    finally:
        store.close()
    options = (
        *("--rounds", str(settings.rounds), "--writers", str(settings.writers)),
        *("--actions", _ids(targets, "action"), "--entries", _ids(targets, "waiting_entry")),
        *("--think-ms", str(settings.think_ms)),
    )
    specs = [
        WriterSpec(
            db=db,
            acks=folder / f"acks-{index}.jsonl",
            log=folder / f"writer-{index}.log",
            actor=f"writer {index + 1}",
            seed=settings.seed * 1_000_003 + index,
            index=index,
            options=options,
        )
        for index in range(settings.writers)
    ]
    figures = ConcurrencyFigures(settings, targets, since)
    started = time.perf_counter()
    with running(specs) as children:
        for child, spec in zip(children, specs, strict=True):
            finished(child, spec)
    figures.wall_s = time.perf_counter() - started
    figures.ledgers = [read_ledger(spec.acks) for spec in specs]
    store = open_store(db, CHECKER)
    try:
        figures.findings = verify(store.conn, figures.ledgers)
        figures.lost_updates = lost_updates(store.conn, figures.ledgers, targets, since)
    finally:
        store.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    args = command_line(PROG, __doc__, ConcurrencySettings).parse_args(argv)
    exit_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="huddle-concurrency-") as folder:
        figures = run(settings_given(ConcurrencySettings, args), Path(folder))
    print(table("Concurrent writers (issue #8)", command_given(PROG, argv), figures.rows()))
    for refusal in figures.refusals()[:5]:
        print(f"- refused: {refusal}")
    problems = figures.lost_updates + figures.findings.lost + figures.findings.half
    for problem in problems[:20]:
        print(f"- {problem}")
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
