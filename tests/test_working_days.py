"""Working days know England and Wales' bank holidays (huddle.working_days), and the days
the service's set-up adds; every working-day rule uses them: the escalation ladder's
timeframes, a query's steps, `+5wd` typed as a due date (while `+5d` stays calendar days).

The bank holidays are checked against gov.uk's published list for England and Wales,
written out here by hand, not taken from the library under test.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from huddle.dates import parse_when
from huddle.models import EscalationRung, Service
from huddle.oversight import climbs, due_on
from huddle.service_file import ServiceFileError, parse_service_file, to_toml
from huddle.working_days import add_working_days, bank_holidays, is_working_day
from store import Store, open_store, oversight, records
from store.bank_holidays import added_bank_holidays
from store.check import check_database
from store.setup import SetupPlan, apply_plan, current_setup, plan_setup
from tests.test_store import provider_and_owner

# gov.uk/bank-holidays, England and Wales.
PUBLISHED = {
    2026: [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # Early May bank holiday
        date(2026, 5, 25),  # Spring bank holiday
        date(2026, 8, 31),  # Summer bank holiday
        date(2026, 12, 25),  # Christmas Day
        date(2026, 12, 28),  # Boxing Day (substitute day)
    ],
    2027: [
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),
        date(2027, 12, 27),  # Christmas Day (substitute day)
        date(2027, 12, 28),  # Boxing Day (substitute day)
    ],
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_the_weekday_bank_holidays_are_the_published_ones(year: int) -> None:
    start, end = date(year, 1, 1), date(year, 12, 31)
    weekdays = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    not_working = [day for day in weekdays if day.weekday() < 5 and not is_working_day(day)]
    assert not_working == PUBLISHED[year]
    # Boxing Day 2026 and Christmas Day 2027 fall at a weekend: listed, and substituted.
    assert {2026: date(2026, 12, 26), 2027: date(2027, 12, 25)}[year] in bank_holidays(year)


WORKING_DAYS_ON = [
    # (start, working days, the day it comes to, why)
    (date(2026, 8, 27), 2, date(2026, 9, 1), "Thursday, over the summer bank holiday Monday"),
    (date(2026, 8, 27), 5, date(2026, 9, 4), "and five: Fri, Tue, Wed, Thu, Fri"),
    (date(2026, 4, 2), 1, date(2026, 4, 7), "Maundy Thursday: Good Friday and Easter Monday off"),
    (date(2026, 12, 24), 1, date(2026, 12, 29), "Christmas Eve: 25th, weekend, 28th substitute"),
    (date(2026, 12, 24), 3, date(2026, 12, 31), "then 29th, 30th, 31st"),
    (date(2026, 12, 31), 1, date(2027, 1, 4), "New Year's Eve: 1 January, then the weekend"),
    (date(2027, 12, 24), 1, date(2027, 12, 29), "Christmas 2027: the 27th and 28th both off"),
    (date(2027, 3, 25), 2, date(2027, 3, 31), "Easter 2027"),
    (date(2026, 5, 22), 1, date(2026, 5, 26), "Friday before the spring bank holiday"),
    (date(2026, 11, 20), 5, date(2026, 11, 27), "an ordinary week: a Friday plus five"),
    (date(2026, 11, 21), 1, date(2026, 11, 23), "from a Saturday"),
    (date(2026, 8, 31), 0, date(2026, 8, 31), "no days: the day itself, holiday or not"),
]


@pytest.mark.parametrize(("start", "days", "expected", "why"), WORKING_DAYS_ON)
def test_working_days_on_skip_weekends_and_bank_holidays(
    start: date, days: int, expected: date, why: str
) -> None:
    assert add_working_days(start, days) == expected, why


def test_the_set_up_can_add_a_day() -> None:
    jubilee = date(2026, 11, 23)
    assert is_working_day(jubilee) and not is_working_day(jubilee, {jubilee})
    assert add_working_days(date(2026, 11, 20), 1, {jubilee}) == date(2026, 11, 24)
    assert jubilee in bank_holidays(2026, {jubilee})


def test_a_negative_count_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="working days: -1 is negative"):
        add_working_days(date(2026, 1, 5), -1)


def test_the_escalation_ladder_counts_bank_holidays() -> None:
    friday = date(2026, 8, 28)  # before the summer bank holiday
    assert due_on(EscalationRung.OPERATIONAL, friday) == date(2026, 9, 1)
    assert due_on(EscalationRung.CLINICAL, friday) == date(2026, 9, 2)
    assert due_on(EscalationRung.CONTRACTUAL, friday) == date(2026, 9, 7)
    assert due_on(EscalationRung.OPERATIONAL, friday, {date(2026, 9, 1)}) == date(2026, 9, 2)
    climbed = climbs(EscalationRung.OPERATIONAL, date(2026, 12, 24), date(2026, 12, 30))
    assert [(c.to_rung, c.due_after) for c in climbed] == [
        (EscalationRung.CLINICAL, date(2026, 12, 30)),  # 29th, 30th: the 25th and 28th off
    ]


# --- due dates as typed ------------------------------------------------------------------


THURSDAY = date(2026, 8, 27)


def test_plus_wd_counts_working_days_and_plus_d_calendar_days() -> None:
    assert parse_when("+5wd", THURSDAY) == date(2026, 9, 4)
    assert parse_when("+5d", THURSDAY) == date(2026, 9, 1)
    assert parse_when("+2WD", THURSDAY) == date(2026, 9, 1)
    assert parse_when(" +1wd ", THURSDAY, extra_holidays={date(2026, 8, 28)}) == date(2026, 9, 1)
    assert parse_when("+0wd", THURSDAY) == THURSDAY
    assert parse_when("+1w", THURSDAY) == date(2026, 9, 3)


@pytest.mark.parametrize("typed", ["+5dw", "+wd", "5wd", "+5 wd", "+5working"])
def test_a_plus_that_is_not_one_says_which_days_each_counts(typed: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_when(typed, THURSDAY, "due date")
    said = str(refused.value)
    assert said.startswith(f"due date {typed!r} is not a date")
    assert "+3d calendar days, +3wd working days" in said


# --- the set-up's own days ---------------------------------------------------------------


SERVICE = """
[service]
name = "Northgate Community Service"
extra_bank_holidays = [2026-11-23, "24/11/2026"]

[[providers]]
name = "Northgate Community"
kind = "prime"

[[people]]
name = "Sam Patel"
role = "Team lead"
provider = "Northgate Community"
"""

TODAY = date(2026, 11, 20)


def planned(store: Store, text: str) -> SetupPlan:
    return plan_setup(store, parse_service_file(text), TODAY, "service.toml")


def applied(store: Store, text: str) -> int:
    return apply_plan(store, planned(store, text), TODAY)


def test_set_up_stores_its_extra_bank_holidays_and_every_reader_counts_them(
    tmp_path: Path,
) -> None:
    db = tmp_path / "huddle.db"
    store = open_store(db, "set-up")
    try:
        applied(store, SERVICE)
        days = {date(2026, 11, 23), date(2026, 11, 24)}
        assert added_bank_holidays(store) == days
        (stored,) = store.conn.execute("SELECT extra_bank_holidays FROM service").fetchone()
        assert stored == '["2026-11-23", "2026-11-24"]'
        exported = to_toml(current_setup(store))
        assert "extra_bank_holidays = [2026-11-23, 2026-11-24]" in exported
        assert applied(store, exported) == 0  # the export applied again changes nothing
        assert check_database(store.conn).ok
    finally:
        store.close()
    again = open_store(db, "another terminal")  # the command line reads the same days
    try:
        assert added_bank_holidays(again) == days
    finally:
        again.close()


def test_a_change_to_the_days_is_planned_in_words(store: Store) -> None:
    applied(store, SERVICE)
    plan = planned(store, SERVICE.replace(', "24/11/2026"', ", 2026-12-29"))
    said = "\n".join(step.text for step in plan.steps)
    assert "extra bank holidays 23/11/2026, 24/11/2026 -> 23/11/2026, 29/12/2026" in said
    apply_plan(store, plan, TODAY)
    assert added_bank_holidays(store) == {date(2026, 11, 23), date(2026, 12, 29)}
    applied(store, SERVICE.replace('extra_bank_holidays = [2026-11-23, "24/11/2026"]\n', ""))
    assert added_bank_holidays(store) == frozenset()
    (stored,) = store.conn.execute("SELECT extra_bank_holidays FROM service").fetchone()
    assert stored is None
    assert check_database(store.conn).ok


@pytest.mark.parametrize(
    ("days", "problem"),
    [
        ("[2026-11-21]", "21/11/2026 is a Saturday, not a working day anyway: leave it out"),
        ('["31/02/2026"]', "extra bank holiday '31/02/2026' is not a real date"),
        ('["11/23/2026"]', "is not a real date"),
        ("[2026-11-23, 2026-11-23]", "23/11/2026 is given twice in extra_bank_holidays"),
        ("[2199-11-23]", "is past 2099: check the year"),
        ('"2026-11-23"', "the wrong type"),
    ],
)
def test_a_day_that_cannot_be_one_is_refused_by_key_and_line(days: str, problem: str) -> None:
    text = SERVICE.replace('[2026-11-23, "24/11/2026"]', days)
    with pytest.raises(ServiceFileError) as refused:
        parse_service_file(text, "service.toml")
    said = str(refused.value)
    assert "line 4, service.extra_bank_holidays" in said
    assert problem in said


def test_an_escalation_raised_and_climbing_counts_the_set_up_days(store: Store) -> None:
    _, owner = provider_and_owner(store)
    records.add(
        store,
        Service(name="Northgate", extra_bank_holidays=[date(2026, 9, 1), date(2026, 9, 4)]),
        "set up",
    )
    friday = date(2026, 8, 28)  # the summer bank holiday Monday, then the set-up's Tuesday
    raised = oversight.raise_escalation(
        store,
        title="No interim call",
        owner_id=owner.id,
        rung=EscalationRung.OPERATIONAL,
        today=friday,
    )
    assert raised.due_date == date(2026, 9, 2)
    assert oversight.climb_escalations(store, date(2026, 9, 3)) == 1
    (due,) = store.conn.execute("SELECT due_date FROM action WHERE id = ?", (raised.id,)).fetchone()
    assert due == "2026-09-07"  # clinical: two working days from the 2nd, the 4th off
