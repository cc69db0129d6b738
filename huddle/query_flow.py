"""The assurance flow a commissioner query follows (seed 004), as rules over dates. Pure:
every function takes `today` and the set-up's extra bank holidays as parameters.

1. Logged the day it is received: who asked, the disputed measure, the data period, the
   response deadline and its owner.
2. Review the records behind it within 2 working days ("within 48 hours").
3. Verify the data within 5 working days of receipt.
4. Send the response, with the verified figures and evidence, by the deadline.
5. Then governance reviews it monthly, and it stays open until someone records, with
   evidence, that returns, records and lived experience align.

Steps 2 to 4 are actions under the query, created when it is logged and dated from the
day it was received (never after the deadline); each can be moved, reassigned or closed
like any other action.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from huddle.dates import uk
from huddle.models import QueryStatus, QueryStep
from huddle.working_days import add_working_days

REVIEW_WORKING_DAYS = 2
VERIFICATION_WORKING_DAYS = 5
RESPONSE_DUE_WORKING_DAYS = 2
"""An open query is "response due" once its deadline is this many working days away or
fewer (today, the next working day or the one after)."""
REVIEW_EVERY = relativedelta(months=1)


@dataclass(frozen=True)
class StandardStep:
    step: QueryStep
    title: str
    due: date


def standard_steps(
    received_on: date, deadline: date, asked_by: str, extra: Collection[date] = ()
) -> tuple[StandardStep, ...]:
    """The query's review, verification and response, each due by its rule counted from
    the day it was received, and none after the response deadline."""

    def by(days: int) -> date:
        return min(add_working_days(received_on, days, extra), deadline)

    return (
        StandardStep(
            QueryStep.REVIEW,
            "Review the records behind the query; record the reasons for any discrepancy",
            by(REVIEW_WORKING_DAYS),
        ),
        StandardStep(
            QueryStep.VERIFICATION,
            "Verify the data: coding, missed escalation routes, corrective actions",
            by(VERIFICATION_WORKING_DAYS),
        ),
        StandardStep(
            QueryStep.RESPONSE,
            f"Send the response to {asked_by}: verified figures, explanation, evidence",
            deadline,
        ),
    )


def next_review(after: date) -> date:
    """A month on (the last day of a shorter month: 31 January, then 28 February)."""
    return after + REVIEW_EVERY


class QueryState(StrEnum):
    """A query's status in words, as every screen, `huddle status` and the agenda say it."""

    OPEN = "open"
    RESPONSE_DUE = "response due"
    OVERDUE = "OVERDUE"
    """The deadline has passed and no response is recorded."""
    RESPONDED = "responded"
    """Answered before huddle kept the monthly review: no review date yet."""
    UNDER_REVIEW = "under review"
    REVIEW_OVERDUE = "review OVERDUE"
    """Under review, and its monthly review date has passed."""
    CLOSED = "closed"

    @property
    def alarm(self) -> bool:
        return self in (QueryState.OVERDUE, QueryState.REVIEW_OVERDUE)


@dataclass(frozen=True)
class Standing:
    state: QueryState
    short: str
    """For a list's column: "OVERDUE 3d", "under review, next 12/12"."""
    words: str
    """A sentence: "OVERDUE: the response was due 20/11/2026, 3 days ago"."""


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _in(days: int) -> str:
    return "today" if days == 0 else f"in {days}d"


def standing(
    status: QueryStatus,
    deadline: date,
    today: date,
    *,
    response_sent_on: date | None = None,
    next_review_on: date | None = None,
    aligned_on: date | None = None,
    extra: Collection[date] = (),
) -> Standing:
    """Where a query stands as at `today`, in words."""
    if status == QueryStatus.OPEN:
        left = (deadline - today).days
        if left < 0:
            return Standing(
                QueryState.OVERDUE,
                f"OVERDUE {-left}d",
                f"OVERDUE: the response was due {uk(deadline)}, {_days(-left)} ago",
            )
        if deadline <= add_working_days(today, RESPONSE_DUE_WORKING_DAYS, extra):
            return Standing(
                QueryState.RESPONSE_DUE,
                f"response due {_in(left)}",
                f"response due {'today' if left == 0 else f'{deadline:%a} {uk(deadline)}'}",
            )
        return Standing(
            QueryState.OPEN,
            f"open, due {_in(left)}",
            f"open: the response is due {uk(deadline)}, {_days(left)} to go",
        )
    sent = uk(response_sent_on) if response_sent_on else "?"
    if status == QueryStatus.RESPONDED or (
        status == QueryStatus.UNDER_REVIEW and next_review_on is None
    ):
        return Standing(
            QueryState.RESPONDED,
            f"responded {sent[:5]}",
            f"responded {sent}: no monthly review recorded yet; record one or the alignment",
        )
    if status == QueryStatus.UNDER_REVIEW:
        assert next_review_on is not None
        late = (today - next_review_on).days
        if late > 0:
            return Standing(
                QueryState.REVIEW_OVERDUE,
                f"review OVERDUE {late}d",
                f"under review, monthly review OVERDUE: due {uk(next_review_on)}, "
                f"{_days(late)} ago (response sent {sent})",
            )
        return Standing(
            QueryState.UNDER_REVIEW,
            f"under review, next {uk(next_review_on)[:5]}",
            f"under review: next monthly review {uk(next_review_on)} (response sent {sent})",
        )
    closed = uk(aligned_on) if aligned_on else "?"
    return Standing(
        QueryState.CLOSED,
        f"closed {closed[:5]}",
        f"closed {closed}: returns, records and lived experience recorded as aligned",
    )


def tally(states: Iterable[QueryState]) -> str:
    """The queries not closed, counted in words: "3 commissioner queries: 1 OVERDUE,
    1 response due, 1 under review"; "no commissioner query open or under review"."""
    counted = Counter(states)
    counted.pop(QueryState.CLOSED, None)
    total = sum(counted.values())
    if not total:
        return "no commissioner query open or under review"
    parts = ", ".join(f"{counted[state]} {state}" for state in QueryState if counted[state])
    return f"{total} commissioner {'query' if total == 1 else 'queries'}: {parts}"
