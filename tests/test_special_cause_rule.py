"""A trigger rule that fires on special cause concerning (issue 22, Deliver 2): it holds in a
period whose point the metric's Making Data Count chart (its improvement direction and
baseline) marks special cause concerning, and fires after `periods` such periods in a row,
opening an escalation and going on its series' agenda as a threshold rule does. A
correction that takes the special cause away clears it as corrected.

Domain at the boundary (the 7th point of a shift fires, the 6th does not, improvement
direction both ways), then the store on real SQLite files and fixed dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from huddle.models import (
    ActionSource,
    Comparison,
    GoodDirection,
    Metric,
    Period,
    RuleKind,
    Segmentation,
    TriggerRule,
)
from huddle.oversight import (
    Cleared,
    Fired,
    Point,
    describe,
    evaluate,
    exact,
    special_cause_concerning,
)
from store import Store
from store.check import check_database
from store.oversight import CLEARED_AS_CORRECTED, Reading, Recorded, add_rule, record_observation
from tests.test_oversight_store import (
    SERIES,
    TODAY,
    action,
    add_people,
    agenda_items,
    audit_reasons,
    defined,
    firings,
)

# Thirteen weeks at 10 and 11, then a shift of seven at 11.6 and 12 (as in
# tests/test_spc_in_oversight.py): the mean is 10.92 and only the last seven are marked,
# each by the shift. Without the seventh the mean is 10.88 and nothing is marked.
SHIFT_UP = [10, 11] * 6 + [10] + [11.6, 12] * 3 + [11.6]
# The same mirrored about 10.5: a shift of seven below the mean.
SHIFT_DOWN = [21 - value for value in SHIFT_UP]
SHIFT_STARTS = 13
FIRST_WEEK = TODAY - timedelta(days=TODAY.weekday(), weeks=len(SHIFT_UP))


def week(index: int) -> date:
    return FIRST_WEEK + timedelta(weeks=index)


def falls(good: GoodDirection) -> Metric:
    return Metric(
        name="Falls at home",
        unit="falls",
        period=Period.WEEKLY,
        tolerance_high=20,
        good=good,
        response_pathway="Falls lead reviews each fall within a week",
        review_cycle="monthly at the safety huddle",
        owner_id=1,
    )


def special_cause_rule(metric_id: int, owner: int, periods: int = 1) -> TriggerRule:
    return TriggerRule(
        metric_id=metric_id,
        name="Falls: special cause concerning",
        kind=RuleKind.SPECIAL_CAUSE,
        comparison=Comparison.AT_OR_ABOVE,
        threshold=0,
        periods=periods,
        series=SERIES,
        owner_id=owner,
    )


def events(values: Sequence[float], good: GoodDirection, periods: int = 1) -> list[Fired | Cleared]:
    """The rule evaluated over the weekly values, as the store evaluates it."""
    points = [Point(week(i), exact(value)) for i, value in enumerate(values)]
    marked = special_cause_concerning(falls(good), points)
    return evaluate(
        points, lambda point: point.period in marked, periods, Period.WEEKLY, open_firing=False
    )


# --- the rule at its boundary ---------------------------------------------------------------


def test_the_seventh_point_of_a_shift_above_fires_where_lower_is_better() -> None:
    assert events(SHIFT_UP[:-1], GoodDirection.LOWER) == []
    (fired,) = events(SHIFT_UP, GoodDirection.LOWER)
    assert isinstance(fired, Fired)
    # The seventh marks the whole shift: the run is its first point.
    assert [point.period for point in fired.run] == [week(SHIFT_STARTS)]


def test_the_seventh_point_of_a_shift_below_fires_where_higher_is_better() -> None:
    assert events(SHIFT_DOWN[:-1], GoodDirection.HIGHER) == []
    (fired,) = events(SHIFT_DOWN, GoodDirection.HIGHER)
    assert isinstance(fired, Fired)
    assert [point.period for point in fired.run] == [week(SHIFT_STARTS)]


@pytest.mark.parametrize(
    ("values", "good"),
    [
        (SHIFT_UP, GoodDirection.HIGHER),
        (SHIFT_DOWN, GoodDirection.LOWER),
        (SHIFT_UP, GoodDirection.WITHIN),
        (SHIFT_DOWN, GoodDirection.WITHIN),
    ],
)
def test_a_shift_the_good_way_or_with_no_good_way_never_fires(
    values: list[float], good: GoodDirection
) -> None:
    assert events(values, good) == []


def test_periods_in_a_row_count_the_marked_points() -> None:
    (fired,) = events(SHIFT_UP, GoodDirection.LOWER, periods=7)
    assert [point.period for point in fired.run] == [week(i) for i in range(SHIFT_STARTS, 20)]
    assert events(SHIFT_UP, GoodDirection.LOWER, periods=8) == []


def test_too_few_points_mark_nothing() -> None:
    points = [Point(week(i), exact(value)) for i, value in enumerate(SHIFT_UP[-14:])]
    assert special_cause_concerning(falls(GoodDirection.LOWER), points) == {}


def test_it_has_no_threshold_and_says_so() -> None:
    rule = special_cause_rule(1, 1, periods=2)
    assert describe(rule, falls(GoodDirection.LOWER)) == (
        "special cause concerning on the Making Data Count chart for 2 consecutive weeks"
        " (no threshold)"
    )
    with pytest.raises(ValidationError, match="threshold: a special cause concerning rule"):
        TriggerRule.model_validate({**rule.model_dump(), "threshold": 5})


# --- in the store ---------------------------------------------------------------------------


@pytest.fixture
def service(store: Store) -> tuple[Store, int, int]:
    """Falls at home (weekly, lower is better) with a special-cause rule owned by Ian."""
    ann, ian = add_people(store, "Ann Okafor", "Ian Fairbairn")
    metric_id = defined(
        store,
        "Falls at home",
        ann,
        unit="falls",
        period=Period.WEEKLY,
        tolerance_high=20,
        good=GoodDirection.LOWER,
    )
    add_rule(store, special_cause_rule(metric_id, ian), TODAY)
    return store, metric_id, ian


def record(store: Store, metric_id: int, index: int, value: float) -> Recorded:
    return record_observation(store, Reading(metric_id, week(index), value), TODAY)


def test_recording_the_seventh_point_of_the_shift_fires_and_opens_an_escalation(
    service: tuple[Store, int, int],
) -> None:
    store, metric_id, ian = service
    for index, value in enumerate(SHIFT_UP[:-1]):
        assert record(store, metric_id, index, value).evaluation.fired == []
    assert firings(store) == []
    done = record(store, metric_id, len(SHIFT_UP) - 1, SHIFT_UP[-1])
    (firing,) = done.evaluation.fired
    assert (firing.run_start, firing.fired_period) == (week(SHIFT_STARTS), week(SHIFT_STARTS))
    assert firing.why.startswith(
        "Falls at home special cause concerning on the Making Data Count chart in any week"
        " (no threshold), "
    )
    assert firing.why.endswith("(shift of 7 above the mean)")
    escalation = action(store, firing.action_id)
    assert (escalation.source, escalation.owner_id) == (ActionSource.TRIGGER, ian)
    assert [(series, firing_id) for series, firing_id, *_ in agenda_items(store)] == [
        (SERIES, firing.id)
    ]
    # An eighth week still in the shift belongs to the same firing.
    assert record(store, metric_id, len(SHIFT_UP), 12).evaluation.fired == []


def test_a_correction_that_takes_the_special_cause_away_clears_it_as_corrected(
    service: tuple[Store, int, int],
) -> None:
    store, metric_id, _ = service
    for index, value in enumerate(SHIFT_UP):
        record(store, metric_id, index, value)
    (fired,) = firings(store)
    # A week of the shift after the run's one week, corrected below the mean: the shift
    # is broken, so the run's week is no longer marked.
    done = record(store, metric_id, SHIFT_STARTS + 3, 10)
    assert [f.id for f in done.evaluation.corrected] == [fired.id]
    (firing,) = firings(store)
    assert firing.cleared_why == (
        f"corrected: {week(SHIFT_STARTS):%d/%m} 11.6 is no longer special cause concerning;"
        f" the run {week(SHIFT_STARTS):%d/%m/%Y} no longer holds"
    )
    assert audit_reasons(store, "trigger_firing", "update") == [
        "trigger cleared as corrected: Falls: special cause concerning"
    ]
    assert CLEARED_AS_CORRECTED in action(store, fired.action_id).title
    assert done.evaluation.fired == []
    assert check_database(store.conn).ok


def test_a_metric_by_team_cannot_take_one(store: Store) -> None:
    ann, ian = add_people(store, "Ann Okafor", "Ian Fairbairn")
    by_team = defined(store, "Caseload", ann, segmentation=Segmentation.TEAM)
    with pytest.raises(ValueError, match="kind: a metric by team or provider has no Making"):
        add_rule(store, special_cause_rule(by_team, ian), TODAY)
