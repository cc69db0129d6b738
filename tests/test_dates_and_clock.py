"""Dates typed by people (UK order or ISO, nothing guessed) and the injectable clock."""

from __future__ import annotations

from datetime import date

import pytest

from huddle.clock import ClockError, FixedClock, SystemClock, clock_from_env
from huddle.dates import long_uk, parse_date, uk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22/11/2026", date(2026, 11, 22)),
        ("2026-11-22", date(2026, 11, 22)),
        ("1/2/2026", date(2026, 2, 1)),  # UK order: 1 February, not 2 January
        ("01/02/2026", date(2026, 2, 1)),
        ("29/02/2028", date(2028, 2, 29)),
        ("2028-02-29", date(2028, 2, 29)),
        ("31/12/2026", date(2026, 12, 31)),
        ("  22/11/2026  ", date(2026, 11, 22)),
    ],
)
def test_parse_date_accepts_uk_and_iso(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("31/02/2026", "not a real date"),
        ("2026-02-30", "not a real date"),
        ("29/02/2027", "not a real date"),
        ("11/22/2026", "not a real date"),  # US order: month 22 does not exist
        ("00/11/2026", "not a real date"),
        ("22-11-2026", "is not a date"),
        ("22.11.2026", "is not a date"),
        ("22/11/26", "is not a date"),  # two-digit year would be a guess
        ("2026/11/22", "is not a date"),
        ("2026-1-2", "is not a date"),
        ("22 Nov 2026", "is not a date"),
        ("", "is not a date"),
        ("   ", "is not a date"),
    ],
)
def test_parse_date_refuses_naming_the_field_and_value(text: str, why: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text, "referral date")
    message = str(caught.value)
    assert message.startswith("referral date ")
    assert repr(text) in message
    assert why in message


def test_parse_date_default_field_name() -> None:
    with pytest.raises(ValueError, match=r"^date '31/02/2026' is not a real date"):
        parse_date("31/02/2026")


def test_uk_formats() -> None:
    assert uk(date(2026, 2, 1)) == "01/02/2026"
    assert long_uk(date(2026, 11, 22)) == "Sunday 22 November 2026"
    assert parse_date(uk(date(2028, 2, 29))) == date(2028, 2, 29)


# --- clock ------------------------------------------------------------------------------


def test_no_override_gives_the_system_clock() -> None:
    clock = clock_from_env({})
    assert isinstance(clock, SystemClock)
    assert clock.overridden is False
    assert isinstance(clock.today(), date)


def test_blank_override_gives_the_system_clock() -> None:
    assert isinstance(clock_from_env({"HUDDLE_TODAY": "  "}), SystemClock)


def test_huddle_today_fixes_the_date() -> None:
    clock = clock_from_env({"HUDDLE_TODAY": "2026-11-22"})
    assert isinstance(clock, FixedClock)
    assert clock.overridden is True
    assert clock.today() == date(2026, 11, 22)


def test_clock_from_env_reads_the_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUDDLE_TODAY", "2028-02-29")
    assert clock_from_env().today() == date(2028, 2, 29)
    monkeypatch.delenv("HUDDLE_TODAY")
    assert isinstance(clock_from_env(), SystemClock)


@pytest.mark.parametrize("value", ["22/11/2026", "2026-02-30", "tomorrow", "2026-13-01"])
def test_invalid_huddle_today_is_a_clear_error(value: str) -> None:
    with pytest.raises(ClockError) as caught:
        clock_from_env({"HUDDLE_TODAY": value})
    message = str(caught.value)
    assert f"HUDDLE_TODAY={value!r}" in message
    assert "YYYY-MM-DD" in message
    assert isinstance(caught.value, ValueError)


def test_fixed_clock(today: date) -> None:
    clock = FixedClock(today)
    assert clock.today() == today == date(2026, 11, 22)
    assert clock.overridden is True


def test_a_date_past_the_last_huddle_works_with_is_refused_in_words() -> None:
    assert parse_date("31/12/9899") == date(9899, 12, 31)
    with pytest.raises(ValueError, match="after 31/12/9899, the last date huddle works with"):
        parse_date("31/12/9999", "--as-at")
    with pytest.raises(ClockError, match="HUDDLE_TODAY 31/12/9999 is after 31/12/9899"):
        clock_from_env({"HUDDLE_TODAY": "9999-12-31"})
