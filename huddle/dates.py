"""Dates typed by people: UK order (dd/mm/yyyy) or ISO (yyyy-mm-dd), nothing guessed."""

from __future__ import annotations

import re
from datetime import date

_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


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
        return date(year, month, day)
    except ValueError as error:
        raise ValueError(f"{field} {text!r} is not a real date ({error})") from None


def uk(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def long_uk(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"
