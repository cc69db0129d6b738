"""What the reliability harnesses share on the parent's side (issue #8): the demo database
they start from, writer processes (benchmarks/workload.py) started together and never left
running, their command lines, and the table of figures they print."""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.data import TODAY
from fixtures.demo import seed_demo
from huddle.models import Person
from store import records
from store.connection import open_store

ROOT = Path(__file__).resolve().parent.parent
DEMO_USER = "Helen Marsden"  # one of the demo's coordinators, who seeds it
CHECKER = "reliability check"  # who opens the database to check it (it writes nothing)
READY_TIMEOUT_S = 60.0  # a writer takes half a second to start; the machine may be busy
FINISH_TIMEOUT_S = 600.0


Settings = TypeVar("Settings")


class HarnessError(RuntimeError):
    """A writer that would not start or failed on its own: what it said."""


def seeded_demo(path: Path) -> Path:
    """The demo service as at TODAY, which gives the writers people, entries and actions."""
    store = open_store(path, DEMO_USER)
    try:
        seed_demo(store, TODAY)
    finally:
        store.close()
    return path


def _enrol(spec: WriterSpec) -> None:
    """The writer acts as a person of the set-up, as everyone who closes or signs off must:
    one named after it, so that its audit rows stay apart from every other writer's."""
    store = open_store(spec.db, DEMO_USER)
    try:
        if store.conn.execute("SELECT 1 FROM person WHERE name = ?", (spec.actor,)).fetchone():
            return
        (provider,) = store.conn.execute("SELECT min(id) FROM provider").fetchone()
        records.add(store, Person(name=spec.actor, role="Writer", provider_id=provider), "writer")
    finally:
        store.close()


@dataclass(frozen=True)
class WriterSpec:
    """One writer process: its database, its acknowledgement file and its options."""

    db: Path
    acks: Path
    log: Path  # what it says on stderr, appended
    actor: str
    seed: int
    index: int = 0
    options: tuple[str, ...] = ()  # further workload options (--rounds, --actions, ...)

    def argv(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "benchmarks.workload",
            *("--db", str(self.db), "--acks", str(self.acks), "--actor", self.actor),
            *("--seed", str(self.seed), "--today", TODAY.isoformat(), "--index", str(self.index)),
            *self.options,
        ]


def _said(spec: WriterSpec) -> str:
    lines = spec.log.read_text(errors="replace").strip().splitlines() if spec.log.exists() else []
    return " | ".join(lines[-8:])


def _wait_ready(child: subprocess.Popen, spec: WriterSpec) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    with selectors.DefaultSelector() as waiting:
        waiting.register(child.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if waiting.select(left) and child.stdout.readline().strip() == "ready":
                return
            if child.poll() is not None:
                break
    raise HarnessError(f"{spec.actor} did not start (exit {child.poll()}): {_said(spec)}")


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    child.wait()
    for pipe in (child.stdin, child.stdout):
        if pipe is not None:
            pipe.close()


@contextmanager
def running(specs: list[WriterSpec]) -> Iterator[list[subprocess.Popen]]:
    """The writers, started together once every one is ready; any still running when the
    block ends is killed (SIGKILL) and waited for, whatever happened in the block."""
    children: list[subprocess.Popen] = []
    try:
        for spec in specs:
            _enrol(spec)
            with spec.log.open("a") as log:
                children.append(
                    subprocess.Popen(
                        spec.argv(),
                        cwd=ROOT,
                        env={**os.environ, "PYTHONPATH": str(ROOT)},
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=log,
                        text=True,
                    )
                )
        for child, spec in zip(children, specs, strict=True):
            _wait_ready(child, spec)
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        yield children
    finally:
        for child in children:
            _stop(child)


def still_running(child: subprocess.Popen, spec: WriterSpec) -> None:
    """A writer without a round limit stops only when killed: if it has ended, it failed."""
    if child.poll() is not None:
        raise HarnessError(f"{spec.actor} ended by itself (exit {child.returncode}): {_said(spec)}")


def finished(child: subprocess.Popen, spec: WriterSpec) -> None:
    """A writer with a round limit must end, and end well."""
    try:
        child.wait(timeout=FINISH_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"{spec.actor} did not finish its rounds: {_said(spec)}") from None
    if child.returncode != 0:
        raise HarnessError(f"{spec.actor} failed (exit {child.returncode}): {_said(spec)}")


def command_line(prog: str, description: str | None, settings: type) -> argparse.ArgumentParser:
    """A harness's options: one for each field of its settings (`cli_every` is
    `--cli-every`), defaulting to the field's value. The harness may add its own."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    for each in dataclasses.fields(settings):
        parser.add_argument(
            f"--{each.name.replace('_', '-')}",
            type=type(each.default),
            default=each.default,
            help=f"(default {each.default})",
        )
    return parser


def settings_given(settings: type[Settings], args: argparse.Namespace) -> Settings:
    given: dict[str, Any] = {
        each.name: getattr(args, each.name) for each in dataclasses.fields(settings)
    }
    return settings(**given)


def command_given(prog: str, argv: list[str] | None) -> str:
    """The command as typed, for the table: its figures are reproduced by running it."""
    return " ".join([prog, *(sys.argv[1:] if argv is None else argv)])


def exit_on_sigterm() -> None:
    """A harness stopped with SIGTERM unwinds as on an error, so its writers are killed."""
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def table(title: str, command: str, rows: list[tuple[str, object]]) -> str:
    """The figures as Markdown, with the command that made them and the machine."""
    width = max(len(name) for name, _ in rows)
    lines = [f"{title}", "", f"`{command}` on {machine()}", "", "| figure | value |", "|---|---|"]
    lines += [f"| {name.ljust(width)} | {value} |" for name, value in rows]
    return "\n".join(lines)
