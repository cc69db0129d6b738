"""The acknowledgement file a writer process keeps, and reading it back (issue #8).

One JSON object per line, appended and flushed as each thing happens, so a writer killed
with SIGKILL leaves behind everything it was told had happened (the operating system
holds what was written even though the process is gone):

    {"actor": "crash writer 7"}                      who the writer's audit rows name
    {"attempt": "log_contact", "shape": {...}}       about to call a store function
    {"began": "2026-...Z"}                           its transaction began, audited at this time
    {"ok": [["waiting_entry", 17, 5], ...]}          committed: each row and its new version
    {"conflict": "..."} / {"refused": "..."} / {"locked": "..."}   nothing was written

A kill can cut the last line short; reading ignores a last line that is not whole.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

# What a write should leave behind if it commits: audit rows by "table operation".
Shape = dict[str, int]

OUTCOMES = ("ok", "conflict", "refused", "locked")


@dataclass(frozen=True)
class Written:
    """One row a committed write inserted or updated, at the version it left it."""

    table: str
    row_id: int
    version: int


@dataclass
class Attempt:
    """One call of a store function, as far as the writer got with it."""

    op: str
    shape: Shape
    at: str | None = None  # the transaction's audit time, once it began
    outcome: str | None = None  # one of OUTCOMES; None if the writer died first
    rows: list[Written] = field(default_factory=list)
    said: str = ""  # what a conflict, refusal or lock error said


@dataclass
class Ledger:
    """Everything one writer acknowledged, in order."""

    actor: str
    attempts: list[Attempt]

    def committed(self) -> list[Attempt]:
        return [attempt for attempt in self.attempts if attempt.outcome == "ok"]

    def counted(self, outcome: str) -> int:
        return sum(attempt.outcome == outcome for attempt in self.attempts)

    def unfinished(self) -> Attempt | None:
        """The attempt the writer was in the middle of when it died, if any."""
        last = self.attempts[-1] if self.attempts else None
        return last if last is not None and last.outcome is None else None


class AckLog:
    """The writer's side: one line per event, flushed before the writer goes on."""

    def __init__(self, path: Path, actor: str) -> None:
        self._file: IO[str] = path.open("a", encoding="utf-8")
        self._line({"actor": actor})

    def _line(self, event: dict) -> None:
        self._file.write(json.dumps(event) + "\n")
        self._file.flush()

    def attempt(self, op: str, shape: Shape) -> None:
        self._line({"attempt": op, "shape": shape})

    def began(self, at: str) -> None:
        self._line({"began": at})

    def committed(self, rows: list[Written]) -> None:
        self._line({"ok": [[row.table, row.row_id, row.version] for row in rows]})

    def failed(self, outcome: str, said: str) -> None:
        self._line({outcome: said})

    def close(self) -> None:
        self._file.close()


def _events(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").split("\n")
    # Only the last line can be cut short: every other one ended with its newline.
    whole, last = lines[:-1], lines[-1]
    events = [json.loads(line) for line in whole]
    if last:
        with suppress(json.JSONDecodeError):
            events.append(json.loads(last))
    return events


def read_ledger(path: Path) -> Ledger:
    events = _events(path)
    if not events or "actor" not in events[0]:
        raise ValueError(f"{path} does not start with the writer's actor")
    ledger = Ledger(actor=events[0]["actor"], attempts=[])
    for event in events[1:]:
        if "attempt" in event:
            ledger.attempts.append(Attempt(op=event["attempt"], shape=event["shape"]))
            continue
        current = ledger.attempts[-1]
        if "began" in event:
            current.at = event["began"]
        elif "ok" in event:
            current.outcome = "ok"
            current.rows = [
                Written(table, row_id, version) for table, row_id, version in event["ok"]
            ]
        else:
            (current.outcome, current.said), *_ = event.items()
    return ledger
