"""How far a long command has got, told on standard error.

A command tells it what it is counting (each new thing counted is a new stage: the pages
copied, then the audit rows verified), how many are done and of how many. On a terminal
(standard error a tty, and TERM not `dumb`) rich's progress bar shows each stage's count,
rate and time left, and stays on screen when done.
Anywhere else (a pipe, a log, cron) plain lines with no escape codes at all, few enough
for a log: a count when both EVERY_SECONDS have passed since the last line and another
tenth of the stage is done, each stage's last count, and a final line. Standard output is
never touched, so what scripts parse there stays the same.

Only work large enough to take a few seconds is reported (see the LARGE_ figures), so that
a quick command's standard error holds only what it has to say.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

# Measured on two cores: a 100,000-entry demo takes about 12 s; a 2 MiB extract (about
# 20,000 rows) one to two seconds to import; a 64 MiB database about 2 s to check or to
# back up. Below these a command is over before a bar would be read.
LARGE_DEMO = 100_000
LARGE_EXTRACT = 2 * 1024 * 1024
LARGE_DATABASE = 64 * 1024 * 1024
EVERY_SECONDS = 2.0
TENTHS = 10


def is_large(path: Path, limit: int) -> bool:
    """Whether the file at `path` is at least `limit` bytes (a missing one is not: the
    command itself says what is wrong with it)."""
    try:
        return path.stat().st_size >= limit
    except OSError:
        return False


def on_terminal(stream: TextIO) -> bool:
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def _percent(share: float) -> str:
    return f"{int(share * 100)}%"


def said(command: str, what: str, done: int, total: int | None, file_share: float | None) -> str:
    """One plain line: `demo: 100,000 of 200,000 waiting entries (50%)`."""
    if total is not None:
        share = done / total if total else 1.0
        return f"{command}: {done:,} of {total:,} {what} ({_percent(share)})"
    if file_share is not None:
        return f"{command}: {done:,} {what} ({_percent(file_share)} of the file read)"
    return f"{command}: {done:,} {what}"


class _Lines:
    """Plain lines: at most one every EVERY_SECONDS and one a tenth of a stage, then each
    stage's last count."""

    def __init__(self, command: str, stream: TextIO, clock: Callable[[], float]) -> None:
        self.command, self.stream, self.clock = command, stream, clock
        self.what: str | None = None
        self.state: tuple[str, int, int | None, float | None] | None = None
        self.said_state: tuple[str, int, int | None, float | None] | None = None
        self.said_at = clock()
        self.said_tenth = 0

    def show(self, what: str, done: int, total: int | None, file_share: float | None) -> None:
        now = self.clock()
        if what != self.what:
            self.end_stage()
            self.what, self.said_tenth = what, 0
        self.state = (what, done, total, file_share)
        share = done / total if total else file_share
        tenth = int((share or 0.0) * TENTHS)
        further = share is None or tenth > self.said_tenth
        if further and now - self.said_at >= EVERY_SECONDS:
            self._say(now, tenth)

    def end_stage(self) -> None:
        """The stage's last count, unless it was the last line said."""
        if self.state is not None and self.state != self.said_state:
            self._say(self.clock(), self.said_tenth)

    def close(self, elapsed: float | None) -> None:
        """`elapsed` is None when the command failed: its own message says why."""
        if elapsed is not None:
            self.end_stage()
            self.stream.write(f"{self.command}: done in {elapsed:.1f} s\n")
            self.stream.flush()

    def _say(self, now: float, tenth: int) -> None:
        assert self.state is not None
        self.stream.write(said(self.command, *self.state) + "\n")
        self.stream.flush()
        self.said_state, self.said_at, self.said_tenth = self.state, now, tenth


# A stage known only by the share of the file read runs its bar over this many steps.
_SHARE_STEPS = 1_000


class _Bar:
    """rich's progress bar: a row per stage, kept on screen when done."""

    def __init__(self, stream: TextIO, clock: Callable[[], float]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.clock = clock
        self.tasks: dict[str, tuple[TaskID, float]] = {}  # each stage's row, and its start
        self.rich: RichProgress = Progress(
            # Fits 80 columns: the command is the one just typed, so each row names only
            # what it counts.
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=14),
            TextColumn("{task.fields[count]}", markup=False),
            TextColumn("{task.fields[rate]}", markup=False),
            TimeRemainingColumn(),
            TextColumn("left"),
            # rich honours NO_COLOR itself; the counts say in words what the bar shows.
            console=Console(file=stream, force_terminal=True),
            transient=False,
            # Standard output is for scripts: never drawn into or moved by the bar.
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.rich.start()

    def show(self, what: str, done: int, total: int | None, file_share: float | None) -> None:
        if what not in self.tasks:
            row = self.rich.add_task(what, count="", rate="")
            self.tasks[what] = (row, self.clock())
        row, started = self.tasks[what]
        elapsed = self.clock() - started
        count = f"{done:,} of {total:,}" if total is not None else f"{done:,}"
        if total is not None:
            steps, completed = total, done
        elif file_share is not None:
            steps, completed = _SHARE_STEPS, round(file_share * _SHARE_STEPS)
            count += f" ({_percent(file_share)} of the file)"
        else:
            steps, completed = None, 0
        rate = f"{done / elapsed:,.0f}/s" if elapsed > 0 else ""
        self.rich.update(row, total=steps, completed=completed, count=count, rate=rate)

    def close(self, _elapsed: float | None) -> None:
        self.rich.stop()


class Progress:
    """Call it with what is being counted, how many are done and, when known, how many in
    all (or, reading a file of unknown length, the share of the file read)."""

    def __init__(
        self,
        command: str,
        stream: TextIO,
        *,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.started = clock()
        drawn = on_terminal(stream) if terminal is None else terminal
        self.shown = _Bar(stream, clock) if drawn else _Lines(command, stream, clock)

    def __call__(
        self, what: str, done: int, total: int | None = None, file_share: float | None = None
    ) -> None:
        self.shown.show(what, done, total, file_share)

    def close(self, *, finished: bool) -> None:
        self.shown.close(self.clock() - self.started if finished else None)


@contextmanager
def progress(
    command: str,
    *,
    shown: bool,
    stream: TextIO | None = None,
    terminal: bool | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Progress | None]:
    """A Progress for `command` while the block runs, or None when `shown` is false (the
    work is too small to be worth it). Closed whether or not the block succeeds, so a
    failed command's terminal is left with its cursor back."""
    if not shown:
        yield None
        return
    reporter = Progress(command, stream or sys.stderr, terminal=terminal, clock=clock)
    try:
        yield reporter
    except BaseException:
        reporter.close(finished=False)
        raise
    reporter.close(finished=True)
