"""The oversight rules (huddle.oversight): pure functions over plain values, no store.

A value exactly on a threshold is decided by the rule's own words, in exact sums: "at or
above 15% over a baseline of 40" holds at 46 although 40 × 1.15 in floats falls short of
it, and "variance above 10%" does not hold at exactly 10%. A run is consecutive periods
(days, weeks by their Monday, months by the 1st): a missing period breaks it. A rule fires
once per run, stays fired through further breaches and gaps, and clears at the first
period back within it. Derived metrics never make up a number. The escalation ladder
climbs in working days, the day after a rung's due date, and stops at contractual.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction

import pytest

from huddle.models import (
    Comparison,
    Derivation,
    EscalationRung,
    GoodDirection,
    Metric,
    Period,
    RuleKind,
    Segmentation,
    TriggerRule,
)
from huddle.oversight import (
    DERIVATION_INPUTS,
    FORMULAS,
    Cleared,
    Climb,
    Fired,
    Point,
    climbs,
    derive,
    describe,
    due_on,
    evaluate,
    exact,
    holds,
    limit,
    next_period,
    period_start,
    shown,
    variance,
    variance_points,
)

TODAY = date(2026, 11, 22)  # a Sunday
MONDAY = date(2026, 11, 2)
FRIDAY = date(2026, 11, 20)

OPERATIONAL = EscalationRung.OPERATIONAL
CLINICAL = EscalationRung.CLINICAL
CONTRACTUAL = EscalationRung.CONTRACTUAL


# --- helpers ------------------------------------------------------------------------------


def rule(
    comparison: Comparison = Comparison.AT_OR_ABOVE,
    threshold: float = 15,
    *,
    relative: bool = True,
    kind: RuleKind = RuleKind.THRESHOLD,
    periods: int = 5,
) -> TriggerRule:
    return TriggerRule(
        metric_id=1,
        name="Surge",
        kind=kind,
        comparison=comparison,
        threshold=threshold,
        relative_to_baseline=relative,
        periods=periods,
        series="Waiting-list huddle — therapy",
        owner_id=1,
    )


def metric(
    baseline: float | None = 40,
    *,
    period: Period = Period.DAILY,
    segmentation: Segmentation = Segmentation.NONE,
    unit: str = "referrals",
) -> Metric:
    return Metric(
        name="Referrals received",
        unit=unit,
        period=period,
        tolerance_high=44,
        baseline=baseline,
        good=GoodDirection.LOWER,
        response_pathway="Daily review of the holding list",
        review_cycle="monthly",
        owner_id=1,
        segmentation=segmentation,
    )


def fires(
    comparison: Comparison, value: float, baseline: float | None, threshold: float = 15
) -> bool:
    """Whether `value` holds against a rule `comparison` `threshold`% of `baseline`."""
    return holds(comparison, exact(value), limit(rule(comparison, threshold), baseline))


def points(
    first: date, values: Sequence[float | None], period: Period = Period.DAILY
) -> list[Point]:
    """One point a period from `first`; None leaves that period out (a gap)."""
    found, start = [], first
    for value in values:
        if value is not None:
            found.append(Point(start, exact(value)))
        start = next_period(start, period)
    return found


def at_or_above_115(point: Point) -> bool:
    return point.value >= 115


def run_of(
    values: Sequence[float | None],
    periods: int = 5,
    *,
    period: Period = Period.DAILY,
    first: date = MONDAY,
    open_firing: bool = False,
) -> list[Fired | Cleared]:
    return evaluate(
        points(first, values, period), at_or_above_115, periods, period, open_firing=open_firing
    )


HIGH, LOW = 120, 100


# --- exact boundaries ---------------------------------------------------------------------


def test_at_or_above_15_percent_over_a_baseline_of_100_holds_at_115() -> None:
    assert limit(rule(), 100) == 115
    assert fires(Comparison.AT_OR_ABOVE, 115, 100)


def test_at_or_above_15_percent_over_a_baseline_of_100_does_not_hold_at_114_99() -> None:
    assert not fires(Comparison.AT_OR_ABOVE, 114.99, 100)


def test_46_against_a_baseline_of_40_is_exactly_15_percent_over_with_no_float_drift() -> None:
    # In floats 46 is 14.999…% over 40 and 15% over 100 is 114.999…: why sums are exact.
    assert (46 / 40 - 1) * 100 < 15
    assert 100 * 1.15 < 115
    assert limit(rule(), 40) == Fraction(46)
    assert fires(Comparison.AT_OR_ABOVE, 46, 40)
    assert not fires(Comparison.AT_OR_ABOVE, 45.99, 40)


def test_above_15_percent_over_the_baseline_does_not_hold_exactly_on_it() -> None:
    assert not fires(Comparison.ABOVE, 115, 100)
    assert not fires(Comparison.ABOVE, 46, 40)
    assert fires(Comparison.ABOVE, 115.01, 100)


def test_teams_at_18_20_and_22_vary_by_exactly_10_percent_so_above_10_does_not_hold() -> None:
    spread = variance([18, 20, 22])
    assert spread == 10
    bound = limit(rule(Comparison.ABOVE, 10, relative=False, kind=RuleKind.VARIANCE), None)
    assert not holds(Comparison.ABOVE, spread, bound)


def test_teams_at_17_9_20_and_22_vary_by_over_10_percent_so_above_10_holds() -> None:
    spread = variance([17.9, 20, 22])
    assert spread is not None and spread > 10
    bound = limit(rule(Comparison.ABOVE, 10, relative=False, kind=RuleKind.VARIANCE), None)
    assert holds(Comparison.ABOVE, spread, bound)


def test_a_variance_rule_compares_with_its_percentage_even_if_marked_relative() -> None:
    variance_rule = rule(Comparison.ABOVE, 10, relative=True, kind=RuleKind.VARIANCE)
    assert limit(variance_rule, 40) == 10


def test_below_and_at_or_below_relative_to_the_baseline_move_the_limit_down() -> None:
    assert limit(rule(Comparison.BELOW), 100) == 85
    assert limit(rule(Comparison.AT_OR_BELOW), 100) == 85
    assert limit(rule(Comparison.AT_OR_BELOW), 40) == 34
    assert fires(Comparison.AT_OR_BELOW, 85, 100)
    assert not fires(Comparison.BELOW, 85, 100)
    assert fires(Comparison.BELOW, 84.99, 100)
    assert not fires(Comparison.AT_OR_BELOW, 85.01, 100)


def test_an_absolute_rule_compares_with_its_threshold_as_written() -> None:
    absolute = rule(Comparison.AT_OR_ABOVE, 44, relative=False)
    assert limit(absolute, 40) == 44
    assert limit(absolute, None) == 44


def test_a_rule_relative_to_a_baseline_the_metric_lacks_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="relative to a baseline the metric does not have"):
        limit(rule(), None)


def test_exact_takes_the_number_as_written_not_the_float_nearest_it() -> None:
    assert exact(0.1) == Fraction(1, 10)
    assert exact(115.0) == 115
    assert exact(7) == 7
    assert exact(114.99) < 115


def test_shown_gives_at_most_two_decimals_without_trailing_zeros() -> None:
    assert shown(Fraction(100, 3)) == "33.33"
    assert shown(46.0) == "46"
    assert shown(27.5) == "27.5"


# --- periods ------------------------------------------------------------------------------


def test_a_weekly_period_starts_on_its_monday_and_a_monthly_one_on_the_1st() -> None:
    wednesday = date(2026, 11, 18)
    assert period_start(wednesday, Period.DAILY) == wednesday
    assert period_start(wednesday, Period.WEEKLY) == date(2026, 11, 16)
    assert period_start(TODAY, Period.WEEKLY) == date(2026, 11, 16)  # Sunday ends the week
    assert period_start(wednesday, Period.MONTHLY) == date(2026, 11, 1)


def test_the_next_period_is_the_next_day_monday_or_1st() -> None:
    assert next_period(date(2026, 11, 30), Period.DAILY) == date(2026, 12, 1)
    assert next_period(date(2026, 11, 16), Period.WEEKLY) == date(2026, 11, 23)
    assert next_period(date(2026, 1, 1), Period.MONTHLY) == date(2026, 2, 1)
    assert next_period(date(2026, 12, 1), Period.MONTHLY) == date(2027, 1, 1)


# --- runs ---------------------------------------------------------------------------------


def test_four_consecutive_breaching_days_do_not_fire_a_five_day_rule() -> None:
    assert run_of([HIGH] * 4) == []


def test_five_consecutive_breaching_days_fire_on_the_fifth() -> None:
    events = run_of([HIGH] * 5)
    assert len(events) == 1 and isinstance(events[0], Fired)
    run = events[0].run
    assert [p.period for p in run] == [MONDAY + timedelta(days=n) for n in range(5)]
    assert run[-1].period == date(2026, 11, 6)


def test_a_missing_day_inside_the_run_breaks_it_so_four_gap_four_does_not_fire() -> None:
    assert run_of([HIGH] * 4 + [None] + [HIGH] * 4) == []


def test_a_day_back_within_the_rule_breaks_the_run() -> None:
    assert run_of([HIGH] * 4 + [LOW] + [HIGH] * 4) == []


def test_the_run_after_a_gap_fires_once_it_reaches_five_on_its_own() -> None:
    events = run_of([HIGH] * 3 + [None] + [HIGH] * 5)
    assert len(events) == 1 and isinstance(events[0], Fired)
    assert events[0].run[0].period == MONDAY + timedelta(days=4)


def test_weekly_periods_are_consecutive_by_their_mondays() -> None:
    assert len(run_of([HIGH] * 3, 3, period=Period.WEEKLY)) == 1
    assert run_of([HIGH, HIGH, None, HIGH], 3, period=Period.WEEKLY) == []


def test_monthly_periods_are_consecutive_by_the_1st() -> None:
    september = date(2026, 9, 1)
    fired = run_of([HIGH] * 3, 3, period=Period.MONTHLY, first=september)
    assert len(fired) == 1 and isinstance(fired[0], Fired)
    assert [p.period for p in fired[0].run] == [
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    ]
    skipped = run_of([HIGH, None, HIGH, HIGH], 3, period=Period.MONTHLY, first=september)
    assert skipped == []


def test_a_one_period_rule_fires_on_its_first_breaching_period() -> None:
    events = run_of([LOW, LOW, HIGH], 1)
    assert len(events) == 1 and isinstance(events[0], Fired)
    assert [p.period for p in events[0].run] == [MONDAY + timedelta(days=2)]


# --- firing once, clearing ----------------------------------------------------------------


def test_further_breaching_days_after_firing_do_not_fire_again_even_after_a_gap() -> None:
    events = run_of([HIGH] * 5 + [HIGH] * 3 + [None, None] + [HIGH] * 6)
    assert len(events) == 1 and isinstance(events[0], Fired)


def test_an_open_firing_is_not_fired_again_by_breaching_days() -> None:
    assert run_of([HIGH] * 12, open_firing=True) == []


def test_the_first_day_back_within_the_rule_clears_it() -> None:
    events = run_of([HIGH] * 5 + [HIGH, None, LOW, LOW])
    assert [type(e) for e in events] == [Fired, Cleared]
    cleared = events[1]
    assert isinstance(cleared, Cleared)
    assert cleared.point.period == MONDAY + timedelta(days=7)


def test_an_open_firing_clears_at_its_first_day_back_within() -> None:
    events = run_of([HIGH, HIGH, LOW, HIGH], open_firing=True)
    assert len(events) == 1 and isinstance(events[0], Cleared)
    assert events[0].point.period == MONDAY + timedelta(days=2)


def test_a_new_run_after_clearing_fires_a_second_time() -> None:
    events = run_of([HIGH] * 5 + [LOW] + [HIGH] * 4 + [LOW] + [HIGH] * 5)
    assert [type(e) for e in events] == [Fired, Cleared, Fired]
    second = events[2]
    assert isinstance(second, Fired)
    assert second.run[0].period == MONDAY + timedelta(days=11)


def test_a_new_run_may_start_the_day_after_clearing() -> None:
    events = run_of([HIGH] * 5 + [LOW] + [HIGH] * 5)
    assert [type(e) for e in events] == [Fired, Cleared, Fired]


# --- variance points ----------------------------------------------------------------------


def test_variance_needs_two_segments_and_a_mean_that_is_not_zero() -> None:
    assert variance([20]) is None
    assert variance([]) is None
    assert variance([0, 0]) is None
    assert variance([20, 20]) == 0


def test_a_period_with_one_segment_is_a_gap_in_the_variance_points() -> None:
    week, next_week, after = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)
    found = variance_points(
        [
            (week, "North", 18),
            (week, "South", 22),
            (next_week, "North", 20),
            (after, "North", 20),
            (after, "South", 20),
        ]
    )
    assert [p.period for p in found] == [week, after]
    assert found[0].value == 10
    assert found[0].segments == {"North": 18, "South": 22}


# --- describing a rule --------------------------------------------------------------------


def test_a_relative_rule_is_described_with_its_limit_and_baseline() -> None:
    words = describe(rule(), metric(40))
    assert words == "at or above 46 referrals (baseline 40 + 15%) for 5 consecutive days"


def test_a_rule_below_its_baseline_is_described_with_a_minus() -> None:
    words = describe(rule(Comparison.BELOW, 10, periods=3), metric(50, period=Period.WEEKLY))
    assert words == "below 45 referrals (baseline 50 − 10%) for 3 consecutive weeks"


def test_a_one_period_variance_rule_is_described_as_in_any_period() -> None:
    variance_rule = rule(Comparison.ABOVE, 10, relative=False, kind=RuleKind.VARIANCE, periods=1)
    by_team = metric(None, period=Period.WEEKLY, segmentation=Segmentation.TEAM)
    assert describe(variance_rule, by_team) == "variance between teams above 10% in any week"
    by_provider = metric(None, period=Period.MONTHLY, segmentation=Segmentation.PROVIDER)
    assert describe(variance_rule, by_provider).startswith("variance between providers")


# --- derived metrics ----------------------------------------------------------------------


def test_every_derivation_has_its_formula_in_words_and_its_inputs() -> None:
    assert set(FORMULAS) == set(Derivation) == set(DERIVATION_INPUTS)


def test_caseload_per_clinician_is_caseload_divided_by_wte() -> None:
    assert derive(Derivation.PER_CLINICIAN, {"caseload": 100, "clinicians": 4}) == 25
    assert derive(Derivation.PER_CLINICIAN, {"caseload": 99, "clinicians": 4.5}) == 22


def test_the_sustainability_index_of_100_cases_at_1_2_by_4_wte_with_10_percent_sick() -> None:
    index = derive(
        Derivation.SUSTAINABILITY,
        {"caseload": 100, "clinicians": 4, "acuity": 1.2, "sickness": 10},
    )
    assert index == Fraction(100, 3)  # 100 × 1.2 ÷ (4 × 0.9) = 33.33…
    assert shown(index) == "33.33"


def test_a_measure_against_its_baseline_is_its_percentage_of_it() -> None:
    assert derive(Derivation.VS_BASELINE, {"measure": 46}, baseline=40) == 115
    assert derive(Derivation.VS_BASELINE, {"measure": 30}, baseline=40) == 75


@pytest.mark.parametrize(
    ("derivation", "values", "baseline"),
    [
        (Derivation.PER_CLINICIAN, {"caseload": 100}, None),
        (Derivation.PER_CLINICIAN, {"caseload": 100, "clinicians": 0}, None),
        (Derivation.SUSTAINABILITY, {"caseload": 100, "clinicians": 4, "acuity": 1.2}, None),
        (
            Derivation.SUSTAINABILITY,
            {"caseload": 100, "clinicians": 0, "acuity": 1.2, "sickness": 10},
            None,
        ),
        (
            Derivation.SUSTAINABILITY,
            {"caseload": 100, "clinicians": 4, "acuity": 1.2, "sickness": 100},
            None,
        ),
        (Derivation.VS_BASELINE, {"measure": 46}, None),
        (Derivation.VS_BASELINE, {"measure": 46}, 0),
        (Derivation.VS_BASELINE, {}, 40),
    ],
    ids=[
        "per clinician without WTE",
        "per clinician with zero WTE",
        "sustainability without sickness",
        "sustainability with zero WTE",
        "sustainability with everyone off sick",
        "vs baseline without a baseline",
        "vs baseline of zero",
        "vs baseline without the measure",
    ],
)
def test_a_missing_input_or_a_zero_divisor_gives_no_derived_value(
    derivation: Derivation, values: dict[str, float], baseline: float | None
) -> None:
    assert derive(derivation, values, baseline) is None


# --- the escalation ladder ----------------------------------------------------------------


def test_an_operational_escalation_opened_on_a_friday_is_due_on_monday() -> None:
    assert due_on(OPERATIONAL, FRIDAY) == date(2026, 11, 23)
    assert due_on(CLINICAL, FRIDAY) == date(2026, 11, 24)
    assert due_on(CONTRACTUAL, FRIDAY) == date(2026, 11, 27)
    assert due_on(OPERATIONAL, TODAY) == date(2026, 11, 23)  # opened on a Sunday


def test_due_friday_at_operational_climbs_once_to_clinical_on_saturday() -> None:
    assert climbs(OPERATIONAL, FRIDAY, date(2026, 11, 21)) == [
        Climb(OPERATIONAL, CLINICAL, date(2026, 11, 21), FRIDAY, date(2026, 11, 24))
    ]


def test_due_friday_at_operational_climbs_twice_by_the_next_wednesday() -> None:
    assert climbs(OPERATIONAL, FRIDAY, date(2026, 11, 25)) == [
        Climb(OPERATIONAL, CLINICAL, date(2026, 11, 21), FRIDAY, date(2026, 11, 24)),
        Climb(CLINICAL, CONTRACTUAL, date(2026, 11, 25), date(2026, 11, 24), date(2026, 12, 1)),
    ]


def test_a_contractual_escalation_never_climbs_further() -> None:
    assert climbs(CONTRACTUAL, FRIDAY, FRIDAY + timedelta(days=60)) == []
    stops = climbs(OPERATIONAL, FRIDAY, FRIDAY + timedelta(days=60))
    assert [step.to_rung for step in stops] == [CLINICAL, CONTRACTUAL]


def test_an_escalation_due_today_does_not_climb() -> None:
    assert climbs(OPERATIONAL, FRIDAY, FRIDAY) == []
    assert climbs(OPERATIONAL, date(2026, 11, 24), date(2026, 11, 24)) == []
