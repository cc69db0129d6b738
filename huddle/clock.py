"""The clock, injected into the app and the commands so that time is a parameter.

`HUDDLE_TODAY=YYYY-MM-DD` fixes today's date for demos and training; whenever it is set
every screen shows a banner saying so, and on a database that is not a demo nothing can be
saved (store.clock_guard).

Breaches are judged against the later of today and the latest date the database has seen
(`judged`, `JudgedClock`), so a clock set back clears none.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from huddle.dates import within_range


class Clock(Protocol):
    overridden: bool
    """Today is fixed (tests, training, `HUDDLE_TODAY`), not the computer's date."""
    from_env: bool
    """Today was fixed by `HUDDLE_TODAY`: for demos and training only."""

    def today(self) -> date: ...

    def now(self) -> datetime:
        """The wall-clock time in the room (a meeting's countdown runs on it)."""
        ...


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SystemClock:
    overridden = False
    from_env = False

    def today(self) -> date:
        return date.today()

    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one date: tests, training, and `HUDDLE_TODAY`. The time of day
    is `at`, or the real one when `at` is None (so a demo's countdown still runs)."""

    fixed: date
    overridden: bool = True
    at: time | None = time(8, 0)
    from_env: bool = False

    def today(self) -> date:
        return self.fixed

    def now(self) -> datetime:
        of_day = self.at or datetime.now().time()
        return datetime.combine(self.fixed, of_day).replace(microsecond=0)


class ClockError(ValueError):
    pass


def clock_from_env(environ: dict[str, str] | None = None) -> Clock:
    env = os.environ if environ is None else environ
    raw = env.get("HUDDLE_TODAY", "").strip()
    if not raw:
        return SystemClock()
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        today = date.fromisoformat(raw)
    except ValueError:
        raise ClockError(
            f"HUDDLE_TODAY={raw!r} is not a date: use YYYY-MM-DD, e.g. HUDDLE_TODAY=2026-11-22"
        ) from None
    try:
        return FixedClock(within_range(today, "HUDDLE_TODAY"), at=None, from_env=True)
    except ValueError as error:
        raise ClockError(str(error)) from None


def judged(today: date, seen: date | None) -> date:
    """The date breaches are judged against: `today`, or the latest date the database has
    seen (`seen`) when that is later. A breach that has happened stands, so an earlier
    today (a clock set back, by mistake or on purpose) must not clear it."""
    return today if seen is None or today >= seen else seen


@dataclass
class JudgedClock:
    """The app's clock: the clock it was given, its today never earlier than `seen`, the
    latest date the database has seen (which the app keeps up to date). Writes are checked
    against the clock inside (`inner`): while it is behind, store.clock_guard refuses them."""

    inner: Clock
    seen: date | None = None

    @property
    def overridden(self) -> bool:
        return self.inner.overridden

    @property
    def from_env(self) -> bool:
        return self.inner.from_env

    def today(self) -> date:
        return judged(self.inner.today(), self.seen)

    def now(self) -> datetime:
        return self.inner.now()
