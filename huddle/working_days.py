"""Working days: Monday to Friday, except the bank holidays of England and Wales and any
day the service's set-up adds (`[service] extra_bank_holidays`, docs/setup.md).

Pure: every function takes its dates as parameters. The bank holidays come from the
`holidays` package's tables for England (`GB`, subdivision `ENG`; Wales has the same bank
holidays), which are kept up to date with gov.uk's published list, substitute days
included (Boxing Day on a Saturday is observed on the Monday or Tuesday after). A day the
tables do not know yet (a one-off holiday announced for a coronation or a funeral) is one
the set-up adds.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from functools import lru_cache

import holidays

COUNTRY, SUBDIVISION = "GB", "ENG"


@lru_cache(maxsize=64)
def _bank_holidays_in(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=year))


def bank_holidays(year: int, extra: Collection[date] = ()) -> list[date]:
    """The bank holidays of `year` in date order, the set-up's own among them."""
    found = _bank_holidays_in(year) | {day for day in extra if day.year == year}
    return sorted(found)


def is_bank_holiday(day: date, extra: Collection[date] = ()) -> bool:
    return day in extra or day in _bank_holidays_in(day.year)


def is_working_day(day: date, extra: Collection[date] = ()) -> bool:
    """Monday to Friday and not a bank holiday (England and Wales, or one of `extra`)."""
    return day.weekday() < 5 and not is_bank_holiday(day, extra)


def add_working_days(start: date, days: int, extra: Collection[date] = ()) -> date:
    """The day `days` working days after `start` (`start` itself never counts, so a
    Friday plus one working day is the Monday, or the Tuesday on a bank holiday Monday).
    Zero days is `start`."""
    if days < 0:
        raise ValueError(f"working days: {days} is negative; count forward from a day")
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day, extra):
            days -= 1
    return day
