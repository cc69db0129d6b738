"""Dates typed by people: UK order (dd/mm/yyyy) or ISO (yyyy-mm-dd), nothing guessed."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, timedelta

from huddle.working_days import add_working_days

_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


# The last date huddle works with: every date it works out from one (a breach date up to
# ten years on, a month end, a week ahead) still exists in the calendar.
LATEST = date(9899, 12, 31)


def within_range(value: date, field: str) -> date:
    """`value`, or refused in words when it is past the last date huddle works with."""
    if value > LATEST:
        raise ValueError(
            f"{field} {uk(value)} is after {uk(LATEST)}, the last date huddle works with: "
            "check the year"
        )
    return value


def parse_date(text: str, field: str = "date") -> date:
    """Parse a UK or ISO date; anything else, or an impossible date, is refused by name."""
    value = text.strip()
    if match := _ISO.match(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK.match(value):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(
            f"{field} {text!r} is not a date: use dd/mm/yyyy (e.g. 22/11/2026) or yyyy-mm-dd"
        )
    try:
        parsed = date(year, month, day)
    except ValueError as error:
        raise ValueError(f"{field} {text!r} is not a real date ({error})") from None
    return within_range(parsed, field)


def uk(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def long_uk(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_AHEAD = re.compile(r"^\+(\d{1,3})(wd|d|w)$")
AHEAD_WORDS = "+3d calendar days, +3wd working days, +2w weeks"
"""How a form says what `+` counts, so nobody takes `+5d` for working days."""


def parse_when(
    text: str, today: date, field: str = "date", extra_holidays: Collection[date] = ()
) -> date:
    """A date as typed in the room: `today`, `tomorrow`, a weekday (`fri`, `friday`: the
    next one after today), `+3d` (calendar days), `+3wd` (working days: not weekends, bank
    holidays or the set-up's `extra_holidays`), `+2w`, or a full UK or ISO date."""
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    for number, name in enumerate(_WEEKDAYS):
        if len(value) >= 3 and name.startswith(value):
            return today + timedelta(days=(number - today.weekday() - 1) % 7 + 1)
    if match := _AHEAD.match(value):
        count, unit = int(match.group(1)), match.group(2)
        if unit == "wd":
            return add_working_days(today, count, extra_holidays)
        return today + timedelta(days=count * (7 if unit == "w" else 1))
    try:
        return parse_date(text, field)
    except ValueError as error:
        if "not a real date" in str(error):
            raise
        raise ValueError(
            f"{field} {text!r} is not a date: type today, tomorrow, a weekday (fri), "
            f"{AHEAD_WORDS}, dd/mm/yyyy or yyyy-mm-dd"
        ) from None
