"""Review cycles read from their words, and review dates at their boundaries: due exactly
today is due, yesterday's is overdue, a month on from the 31st is the month's end."""

from __future__ import annotations

from datetime import date

import pytest

from huddle.review_cycle import ReviewCycle, next_review, read_cycle, review_of


@pytest.mark.parametrize(
    ("text", "every", "unit", "how_often", "where"),
    [
        ("monthly at the contract review", 1, "months", "monthly", "at the contract review"),
        ("Weekly at the safety brief", 1, "weeks", "Weekly", "at the safety brief"),
        ("fortnightly", 2, "weeks", "fortnightly", ""),
        ("quarterly, at the board", 3, "months", "quarterly", "at the board"),
        ("six-monthly with the commissioner", 6, "months", "six-monthly", "with the commissioner"),
        ("annually", 12, "months", "annually", ""),
        ("yearly - governance day", 12, "months", "yearly", "governance day"),
        ("every 6 weeks at the MDT", 6, "weeks", "every 6 weeks", "at the MDT"),
        ("every  2 months", 2, "months", "every 2 months", ""),
        ("every 2 years", 24, "months", "every 2 years", ""),
        ("every fortnight at the huddle", 2, "weeks", "every fortnight", "at the huddle"),
        ("every quarter", 3, "months", "every quarter", ""),
    ],
)
def test_how_often_is_read_from_the_words_and_the_rest_is_where(
    text: str, every: int, unit: str, how_often: str, where: str
) -> None:
    assert read_cycle(text) == ReviewCycle(every, unit, how_often, where)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "at the contract review",
        "monthlyish",
        "bi-monthly",
        "every 0 weeks",
        "every 100 months",
        "every six weeks",
        "when needed, monthly",
        "",
        "   ",
    ],
)
def test_words_that_do_not_say_how_often_first_are_refused_naming_the_field_and_the_fix(
    text: str,
) -> None:
    with pytest.raises(ValueError) as refused:
        read_cycle(text)
    message = str(refused.value)
    assert message.startswith("review cycle: ")
    assert "say how often first, e.g. 'monthly at the contract review'" in message


MONTHLY = read_cycle("monthly")


@pytest.mark.parametrize(
    ("last", "cycle", "review_on"),
    [
        (date(2026, 1, 31), "monthly", date(2026, 2, 28)),
        (date(2028, 1, 31), "monthly", date(2028, 2, 29)),  # a leap year
        (date(2026, 3, 31), "monthly", date(2026, 4, 30)),
        (date(2026, 11, 30), "quarterly", date(2027, 2, 28)),
        (date(2028, 2, 29), "annually", date(2029, 2, 28)),
        (date(2026, 12, 28), "weekly", date(2027, 1, 4)),
        (date(2026, 12, 25), "every 3 weeks", date(2027, 1, 15)),
    ],
)
def test_the_next_review_is_one_cycle_on_and_a_month_end_stays_in_its_month(
    last: date, cycle: str, review_on: date
) -> None:
    assert next_review(last, read_cycle(cycle)) == review_on


TODAY = date(2026, 11, 22)


def test_due_exactly_today_is_due_and_yesterdays_is_overdue() -> None:
    today = review_of("monthly at the contract review", [date(2026, 10, 22)])
    assert today.review_on == TODAY
    assert today.due(TODAY)
    assert today.words(TODAY).startswith("REVIEW DUE today, 22/11/2026")
    yesterday = review_of("monthly at the contract review", [date(2026, 10, 21)])
    assert yesterday.due(TODAY)
    assert yesterday.words(TODAY) == (
        "Review OVERDUE since 21/11/2026 (monthly at the contract review; last reviewed 21/10/2026)"
    )
    tomorrow = review_of("monthly at the contract review", [date(2026, 10, 23)])
    assert not tomorrow.due(TODAY)
    assert tomorrow.short(TODAY) == "23/11/2026"
    assert tomorrow.words(TODAY).startswith("Review due 23/11/2026")


def test_the_earliest_of_the_metric_and_its_rules_decides() -> None:
    # The metric was reviewed last week; a rule over it was last reviewed in September.
    review = review_of("monthly", [date(2026, 11, 15), date(2026, 9, 30)])
    assert review.review_on == date(2026, 10, 30)
    assert review.short(TODAY) == "REVIEW DUE"


def test_no_review_recorded_is_due_now() -> None:
    review = review_of("weekly", [date(2026, 11, 20), None])
    assert review.review_on is None
    assert review.due(TODAY)
    assert review.words(TODAY) == "REVIEW DUE: no review recorded (weekly)"


def test_a_stored_cycle_not_understood_says_so_and_is_not_counted_due() -> None:
    review = review_of("at the contract review", [date(2025, 1, 1)])
    assert review.cycle is None and review.review_on is None
    assert not review.due(TODAY)
    assert review.short(TODAY) == "unreadable"
    assert review.words(TODAY).startswith("Review cycle not understood: 'at the contract review'")
