"""`python -m benchmarks.backup_load [--backups N] [--writers W] [--pause-ms MS] [--cli-every K]`:
backups taken while other processes write, each one checked (issue #8).

Writers (benchmarks/workload.py, the mix of a working day) write to the demo database
without pause while backups are taken one after another: most with
`store.backup.backup(store, destination)` (SQLite's online backup API, then the copy's
own check), every K-th with `huddle backup DEST --db PATH` as a person would. Each backup
must say it passed, and is then opened again on its own and checked
(benchmarks/verify.py): integrity_check, the audit chain, every record against its last
audit row, every write acknowledged before the backup began in it, and every write in it
whole. After the last backup the writers are killed and the live database is checked too.
Figures are printed, never asserted here; tests/test_backup_under_load.py takes a few.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from bisect import bisect, bisect_left
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from benchmarks.acks import Ledger, read_ledger
from benchmarks.data import TODAY
from benchmarks.harness import (
    CHECKER,
    DEMO_USER,
    ROOT,
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
from benchmarks.verify import Findings, verify
from store.backup import backup
from store.connection import Store, open_store, utc_now

PROG = "python -m benchmarks.backup_load"


@dataclass(frozen=True)
class BackupSettings:
    backups: int = 200
    writers: int = 2
    seed: int = 8
    cli_every: int = 10  # every tenth backup through `huddle backup`
    # The longest pause between one writer's writes. A backup and its check take longer
    # the larger the file, and two writers without pause grow it so fast that 200 backups
    # would take hours; at 30 ms they made about 80 writes a second between them, 200
    # backups took 34 minutes on two cores, and writes landed during every backup (the
    # figures count them).
    pause_ms: float = 30.0


@dataclass
class BackupFigures:
    settings: BackupSettings
    taken: int = 0
    ok: int = 0  # said it passed, and passed every check again on its own
    failures: list[str] = field(default_factory=list)
    by_cli: int = 0
    seconds: list[float] = field(default_factory=list)  # each backup, check included
    windows: list[tuple[str, str]] = field(default_factory=list)  # each backup's start, end
    ledgers: list[Ledger] = field(default_factory=list)
    live: Findings | None = None  # the live database once the writers were stopped
    wall_s: float = 0.0

    @property
    def committed(self) -> int:
        return sum(len(ledger.committed()) for ledger in self.ledgers)

    def during(self) -> list[int]:
        """For each backup, the writes whose transactions began while it was being taken."""
        began = sorted(attempt.at for ledger in self.ledgers for attempt in ledger.committed())
        return [bisect(began, end) - bisect_left(began, start) for start, end in self.windows]

    @property
    def all_ok(self) -> bool:
        return self.ok == self.taken and not self.failures and self.live.ok

    def rows(self) -> list[tuple[str, object]]:
        return [
            ("writers (processes, writing throughout)", self.settings.writers),
            ("backups taken", f"{self.taken:,} ({self.by_cli} by `huddle backup`)"),
            ("backups ok (said so, and checked again on their own)", f"{self.ok:,}"),
            ("failures", len(self.failures)),
            ("longest pause between a writer's writes", f"{self.settings.pause_ms:g} ms"),
            ("writes committed during the run", f"{self.committed:,}"),
            ("writes made while a backup was taken, median (min)", _median_min(self.during())),
            (
                "backup time, median (max)",
                f"{median(self.seconds):.2f} s ({max(self.seconds):.2f} s)",
            ),
            ("live database afterwards", "ok" if self.live.ok else "FAILED"),
            ("wall time", f"{self.wall_s:.1f} s"),
        ]


def _median_min(counts: list[int]) -> str:
    return f"{median(counts):g} ({min(counts)})"


def _by_cli(db: Path, destination: Path) -> bool:
    """`huddle backup`, as a person would run it beside the open app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_")}
    done = subprocess.run(
        [sys.executable, "-m", "huddle.cli", "backup", str(destination), "--db", str(db)],
        cwd=ROOT,
        env={**env, "HUDDLE_TODAY": TODAY.isoformat(), "HUDDLE_USER": DEMO_USER},
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode == 0


def _one_backup(
    figures: BackupFigures, source: Store, specs: list[WriterSpec], destination: Path
) -> None:
    """Take one backup and check it; the copy is removed once checked."""
    acknowledged = [read_ledger(spec.acks) for spec in specs]  # before the backup began
    started, began = time.perf_counter(), utc_now()
    cli = figures.taken % figures.settings.cli_every == figures.settings.cli_every - 1
    said_ok = _by_cli(source.path, destination) if cli else backup(source, destination).ok
    figures.seconds.append(time.perf_counter() - started)
    figures.windows.append((began, utc_now()))
    figures.taken += 1
    figures.by_cli += cli
    if not said_ok or not destination.exists():
        figures.failures.append(f"backup {figures.taken} did not pass its own check")
        return
    attempted = [read_ledger(spec.acks) for spec in specs]
    with closing(sqlite3.connect(destination)) as copy:
        findings = verify(copy, acknowledged, attempted)
    destination.unlink()
    if findings.ok:
        figures.ok += 1
    else:
        problems = findings.integrity + findings.half + findings.lost
        figures.failures.append(f"backup {figures.taken}: {'; '.join(problems[:3])}")


def run(settings: BackupSettings, folder: Path) -> BackupFigures:
    started = time.perf_counter()
    db = seeded_demo(folder / "live.db")
    specs = [
        WriterSpec(
            db=db,
            acks=folder / f"acks-{index}.jsonl",
            log=folder / f"writer-{index}.log",
            actor=f"writer {index + 1}",
            seed=settings.seed * 1_000_003 + index,
            index=index,
            options=("--pause-ms", str(settings.pause_ms)),
        )
        for index in range(settings.writers)
    ]
    figures = BackupFigures(settings)
    source = open_store(db, CHECKER)
    try:
        with running(specs) as children:
            for n in range(settings.backups):
                _one_backup(figures, source, specs, folder / f"backup-{n:05}.db")
                for child, spec in zip(children, specs, strict=True):
                    still_running(child, spec)
        figures.ledgers = [read_ledger(spec.acks) for spec in specs]
        figures.live = verify(source.conn, figures.ledgers)
    finally:
        source.close()
    figures.wall_s = time.perf_counter() - started
    return figures


def main(argv: list[str] | None = None) -> int:
    args = command_line(PROG, __doc__, BackupSettings).parse_args(argv)
    exit_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="huddle-backup-load-") as folder:
        figures = run(settings_given(BackupSettings, args), Path(folder))
    print(table("Backups under load (issue #8)", command_given(PROG, argv), figures.rows()))
    for problem in (figures.failures + figures.live.half + figures.live.lost)[:20]:
        print(f"- {problem}")
    return 0 if figures.all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
