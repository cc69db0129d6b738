"""When a metric and its trigger rules are next reviewed: how often, read from the review
cycle's own words ("monthly at the contract review"), and the date it falls due. Pure: no
store and no textual, and every judgement takes `today`.

Decisions, each with its test (tests/test_review_cycle.py):

- How often comes first, in words a service writes: weekly, fortnightly, monthly,
  quarterly, six-monthly (or half-yearly), annually (or yearly), or "every N weeks /
  months / years" ("every week", "every fortnight", "every quarter" too). The rest of the
  text is where it is reviewed ("at the contract review"). Anything else is not read as a
  guess: a form refuses it, naming the field and the fix; a cycle stored before huddle
  read cycles stays as it is, and says "review cycle not understood" until changed.
- A month on from the 31st is the last day of a shorter month (31/01, then 28/02 or
  29/02), never the 1st of the month after; a year on from 29/02 is 28/02.
- A review is due on its review date: due exactly today is due, and from the day after
  it is OVERDUE. A metric and its rules are reviewed together, so the review falls due on
  the earliest of their review dates (a rule added later starts its own clock).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from huddle.dates import uk

FIELD = "review cycle"
EXAMPLE = "monthly at the contract review"
KNOWN = "weekly, fortnightly, monthly, quarterly, annually, every N weeks or months"

Unit = Literal["weeks", "months"]

# The one-word cycles, as (how many, of what).
_WORDS: dict[str, tuple[int, Unit]] = {
    "weekly": (1, "weeks"),
    "fortnightly": (2, "weeks"),
    "monthly": (1, "months"),
    "quarterly": (3, "months"),
    "six-monthly": (6, "months"),
    "half-yearly": (6, "months"),
    "annually": (12, "months"),
    "yearly": (12, "months"),
}
# "every ..." without a number.
_EVERY_ONE: dict[str, tuple[int, Unit]] = {
    "week": (1, "weeks"),
    "fortnight": (2, "weeks"),
    "month": (1, "months"),
    "quarter": (3, "months"),
    "year": (12, "months"),
}
# "every N ...": how many of a unit, and in what.
_EVERY_N: dict[str, tuple[int, Unit]] = {
    "week": (1, "weeks"),
    "weeks": (1, "weeks"),
    "month": (1, "months"),
    "months": (1, "months"),
    "year": (12, "months"),
    "years": (12, "months"),
}
# At most this many of a unit: a longer cycle is a slip ("every 100 months"), and the
# arithmetic must stay within the calendar.
MOST = 99

_ONE_WORD = re.compile(rf"({'|'.join(map(re.escape, _WORDS))})\b(.*)", re.IGNORECASE | re.DOTALL)
_EVERY = re.compile(
    rf"(every\s+(?:({'|'.join(_EVERY_ONE)})|(\d{{1,4}})\s+({'|'.join(_EVERY_N)})))\b(.*)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class ReviewCycle:
    every: int
    unit: Unit
    how_often: str
    """The words that say how often, as written: "monthly", "every 6 weeks"."""
    where: str
    """The rest: "at the contract review" ("" when the cycle says only how often)."""


def read_cycle(text: str) -> ReviewCycle:
    """How often and where, from a review cycle's words; refused in words, naming the
    field and the fix, when it does not start by saying how often."""
    words = " ".join(text.split())
    found = _read(words)
    if found is None:
        said = f"{words!r} does not say how often" if words else "blank"
        raise ValueError(f"{FIELD}: {said}; say how often first, e.g. {EXAMPLE!r} ({KNOWN})")
    return found


def _read(words: str) -> ReviewCycle | None:
    if named := _ONE_WORD.fullmatch(words):
        every, unit = _WORDS[named[1].lower()]
        return ReviewCycle(every, unit, named[1], _where(named[2]))
    if named := _EVERY.fullmatch(words):
        if named[2]:
            every, unit = _EVERY_ONE[named[2].lower()]
        else:
            count = int(named[3])
            if not 1 <= count <= MOST:
                return None
            size, unit = _EVERY_N[named[4].lower()]
            every = count * size
        return ReviewCycle(every, unit, named[1], _where(named[5]))
    return None


def _where(rest: str) -> str:
    # "monthly, at the contract review" and "monthly - at ..." say the same as without.
    return rest.strip().lstrip(",;:–—-").strip()


def next_review(last: date, cycle: ReviewCycle) -> date:
    """One cycle on from the last review; a month on from the 31st is the month's end."""
    if cycle.unit == "weeks":
        return last + timedelta(weeks=cycle.every)
    return last + relativedelta(months=cycle.every)


@dataclass(frozen=True)
class Review:
    """When a metric and its rules are next reviewed, worked out from its cycle's words
    and the earliest of their last reviews."""

    cycle_text: str
    last_reviewed: date | None
    """The earliest of the metric's and its active rules' last reviews; None: no review
    is recorded at all (a row written outside huddle), so one is due now."""
    cycle: ReviewCycle | None
    """None: the words do not say how often (review cycle not understood)."""

    @property
    def review_on(self) -> date | None:
        if self.cycle is None or self.last_reviewed is None:
            return None
        return next_review(self.last_reviewed, self.cycle)

    def due(self, today: date) -> bool:
        """Due on its review date and after; a cycle not understood is not (it says so)."""
        if self.cycle is None:
            return False
        return self.review_on is None or self.review_on <= today

    def short(self, today: date) -> str:
        """For a list's column: REVIEW DUE, the review date, or unreadable."""
        if self.cycle is None:
            return "unreadable"
        if self.due(today):
            return "REVIEW DUE"
        return uk(self.review_on) if self.review_on else ""

    def words(self, today: date) -> str:
        """A sentence: "Review OVERDUE since 22/10/2026 (monthly at the contract review;
        last reviewed 22/09/2026)"."""
        if self.cycle is None:
            return (
                f"Review cycle not understood: {self.cycle_text!r} does not say how often;"
                f" change it to say so first, e.g. {EXAMPLE!r}"
            )
        review_on = self.review_on
        if review_on is None:
            return f"REVIEW DUE: no review recorded ({self.cycle_text})"
        last = f"; last reviewed {uk(self.last_reviewed)}" if self.last_reviewed else ""
        if review_on < today:
            return f"Review OVERDUE since {uk(review_on)} ({self.cycle_text}{last})"
        if review_on == today:
            return f"REVIEW DUE today, {uk(review_on)} ({self.cycle_text}{last})"
        return f"Review due {uk(review_on)} ({self.cycle_text}{last})"


def review_of(cycle_text: str, reviewed: Iterable[date | None]) -> Review:
    """The review of a metric whose cycle reads `cycle_text`, from the last review dates
    of the metric and of its active rules (None: none recorded)."""
    dates = list(reviewed)
    known = [day for day in dates if day is not None]
    last = min(known) if known and len(known) == len(dates) else None
    try:
        cycle: ReviewCycle | None = read_cycle(cycle_text)
    except ValueError:
        cycle = None
    return Review(cycle_text, last, cycle)
