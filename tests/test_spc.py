"""Making Data Count arithmetic (huddle.spc) against NHSRplotthedots's published cases.

The worked examples are the NHS-R community's own, from github.com/nhs-r-community/
NHSRplotthedots at the commits named beside each; their expected numbers are copied as
the package prints them. The boundary tests after them pin each rule at its edge.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from huddle.spc import (
    MINIMUM_POINTS,
    Assurance,
    Improvement,
    Limits,
    NotEnoughPoints,
    Rule,
    Side,
    Variation,
    XmRChart,
    assurance,
    process_limits,
    special_causes,
    xmr_chart,
)
from huddle.spc import shown as spc_shown


def chart(values, improvement=Improvement.UP, **options) -> XmRChart:
    result = xmr_chart(values, improvement, **options)
    assert isinstance(result, XmRChart), result
    return result


def flagged(points, rule: Rule | None = None) -> list[int]:
    return [p.index for p in points if any(rule in (None, s.rule) for s in p.signals)]


def sig(value: Fraction, figures: int) -> str:
    return f"{float(value):.{figures}g}"


# --- Worked examples ----------------------------------------------------------------------

# articles/deviations.html at 3f32ac3015a249f9c0685abe7a26273f551db31a, "1. Treatment of
# outlying points": ptd_spc() of these 18 daily values, default improvement "increase".
# Default (screen_outliers = TRUE): "UPL = 4.6, Mean = 1.94, LPL = -0.72"; Excel's way
# (screen_outliers = FALSE): "UPL = 6.95, Mean = 1.94, LPL = -3.06". Both charts: the 10
# is the only special cause point, "special cause improvement". (The figure's alt text
# counts "a further 12" common cause points after it; the data have 13.)
DEVIATIONS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


@pytest.mark.parametrize(
    ("screen", "upl", "lpl", "mean_moving_range"),
    [(True, "4.6", "-0.72", Fraction(1)), (False, "6.95", "-3.06", Fraction(32, 17))],
)
def test_deviations_vignette_limits_with_and_without_screening(
    screen: bool, upl: str, lpl: str, mean_moving_range: Fraction
) -> None:
    result = chart(DEVIATIONS, screen_outliers=screen)
    limits = result.limits
    assert limits.mean == Fraction(35, 18)
    # Screening drops the moving ranges 8 and 9 (3.267 × 32/17 = 6.15); 15 ones remain.
    assert limits.mean_moving_range == mean_moving_range
    assert f"{float(limits.mean):.2f}" == "1.94"
    assert f"{float(limits.upper_process_limit):.2f}".rstrip("0") == upl
    assert f"{float(limits.lower_process_limit):.2f}".rstrip("0") == lpl
    assert flagged(result.points) == [4]
    assert result.points[4].variation(Improvement.UP) is Variation.IMPROVING
    assert result.points[4].signal.words() == "a point above the upper process limit"
    assert result.variation is Variation.COMMON_CAUSE  # the icon reads the last point


# R's set.seed(123); rnorm(20), as R prints them to 15 significant figures (the snapshot
# below shows the first four to 8 decimals: -0.56047565, -0.23017749, 1.55870831,
# 0.07050839).
RNORM_123 = [
    -0.560475646552213, -0.23017748948328, 1.55870831414912, 0.070508391424576,
    0.129287735160946, 1.71506498688328, 0.460916205989202, -1.26506123460653,
    -0.686852851893526, -0.445661970099958, 1.22408179743946, 0.359813827057364,
    0.400771450594052, 0.11068271594512, -0.555841134754075, 1.78691313680308,
    0.497850478229239, -1.96661715662964, 0.701355901563686, -0.472791407727934,
]  # fmt: skip
WITH_OUTLIER = [*RNORM_123[:14], 10, *RNORM_123[15:]]  # data$y[15] <- 10


# tests/testthat/_snaps/ptd_spc_standard.md at ea2177d4ccfed7dc14d8f57d20f1114d9b235295
# (made by tests/testthat/test-ptd_spc_standard.R, "it returns expected values"): r1 the
# data as drawn; r2 with y[15] set to 10; r3 the same without screening. pillar::glimpse
# prints 7 significant figures ("-3.01138" is -3.011380).
@pytest.mark.parametrize(
    ("values", "screen", "mean", "lpl", "upl", "above_mean"),
    [
        (
            RNORM_123, True, "0.1416238", "-3.01138", "3.294627",
            [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1],
        ),
        (
            WITH_OUTLIER, True, "0.6694159", "-2.383666", "3.722497",
            [-1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1],
        ),
        (
            WITH_OUTLIER, False, "0.6694159", "-4.596625", "5.935457",
            [-1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1],
        ),
    ],
)  # fmt: skip
def test_ptd_spc_standard_snapshot(values, screen, mean, lpl, upl, above_mean) -> None:
    limits = process_limits(values, screen_outliers=screen)
    assert sig(limits.mean, 7) == mean
    assert sig(limits.lower_process_limit, 7) == lpl
    assert sig(limits.upper_process_limit, 7) == upl
    signs = [1 if v > limits.mean else -1 for v in values]
    assert signs[: len(above_mean)] == above_mean
    # The snapshot's visible outside_limits and close_to_limits are all FALSE.
    points = special_causes(values, limits)
    assert flagged(points[:4], Rule.OUTSIDE_LIMIT) == []
    assert flagged(points[:4], Rule.TWO_OF_THREE) == []


def test_ptd_spc_summary_snapshot() -> None:
    # tests/testthat/_snaps/ptd_spc.md at 174380d653d7a169a76f99deebb9fc21ed5fbbd6, from
    # tests/testthat/test-ptd_spc.R "it outputs expected content": the 20 points give mean
    # 0.142, lpl -3.01, upl 3.29, 20 common cause, 0 improvement; with facets of 10 points
    # (rep(c(0, 1), each = 10)) 0.0746 / -2.60 / 2.75 and 0.209 / -3.28 / 3.70, all common.
    whole = chart(RNORM_123)
    assert [sig(x, 3) for x in (whole.limits.mean, whole.limits.lower_process_limit)] == [
        "0.142",
        "-3.01",
    ]
    assert sig(whole.limits.upper_process_limit, 3) == "3.29"
    assert flagged(whole.points) == []
    assert whole.variation is Variation.COMMON_CAUSE
    facets = [RNORM_123[:10], RNORM_123[10:]]
    expected = [("0.0746", "-2.6", "2.75"), ("0.209", "-3.28", "3.7")]
    for values, (mean, lpl, upl) in zip(facets, expected, strict=True):
        facet = chart(values, minimum=10)
        limits = facet.limits
        assert sig(limits.mean, 3) == mean
        assert sig(limits.lower_process_limit, 3) == lpl
        assert sig(limits.upper_process_limit, 3) == upl
        assert flagged(facet.points) == []


def test_two_of_three_needs_the_same_side_package_case() -> None:
    # tests/testthat/test-ptd_spc_standard.R at 2ec4e36851c074e231445e94db78e8cd24e6352b,
    # "it only reports special cause for 2 of 3 points close to limits when they are on
    # the same side of the mean": 1, -1 eight times, then 5.5 and -5.5 are common cause.
    values = [1, -1] * 7 + [5.5, -5.5]
    result = chart(values)
    assert result.limits.mean == 0
    # The 11 moving range is screened (3.267 × 2.9 = 9.47), leaving 32.5 / 14.
    assert result.limits.mean_moving_range == Fraction(325, 140)
    assert 4 < result.limits.upper_two_sigma < 5.5 < result.limits.upper_process_limit
    assert [p.variation(Improvement.UP) for p in result.points[-2:]] == [
        Variation.COMMON_CAUSE,
        Variation.COMMON_CAUSE,
    ]
    # The same two points on one side (and the point before them too) do flag.
    same_side = [1, -1] * 6 + [1, 1, 5.5, 5.5]
    points = special_causes(same_side, result.limits)
    assert flagged(points, Rule.TWO_OF_THREE) == [14, 15]


@pytest.mark.parametrize(
    ("improvement", "expected"),
    [
        (Improvement.UP, [Assurance.FAILS, Assurance.PASSES, Assurance.HIT_AND_MISS]),
        (Improvement.DOWN, [Assurance.PASSES, Assurance.FAILS, Assurance.HIT_AND_MISS]),
        (Improvement.NEITHER, [None, None, None]),
    ],
)
def test_assurance_package_cases(improvement: Improvement, expected: list) -> None:
    # tests/testthat/test-ptd_calculate_assurance_type.R at
    # 47af41fdbf71eb2edc7aa06e614fd78be1622984: target 4 against limits 1–3, 5–7 and 1–5.
    limits = [(1, 3), (5, 7), (1, 5)]
    assert [assurance(4, lpl, upl, improvement) for lpl, upl in limits] == expected


# tests/testthat/test-ptd_calculate_point_type.R (cran/NHSRplotthedots at
# 1d1fe989dcd6aa3de89a71bf29a466db70c2c29d), ptd_seven_point_trend: 1:7 is a trend ending
# at its 7th point, c(1:3, 3:6) is not (a repeat breaks it), 1:6 is too short, c(2, 1:7, 3)
# has one ending at the 8th point, and 7:1 falls. Judged against wide limits around 4, so
# no other rule fires.
WIDE = Limits(Fraction(4), Fraction(100), range(2))


@pytest.mark.parametrize(
    ("values", "trend", "side"),
    [
        (list(range(1, 8)), list(range(7)), Side.HIGH),
        ([1, 2, 3, 3, 4, 5, 6], [], None),
        (list(range(1, 7)), [], None),
        ([2, *range(1, 8), 3], list(range(1, 8)), Side.HIGH),
        (list(range(7, 0, -1)), list(range(7)), Side.LOW),
    ],
)
def test_trend_package_cases(values: list[int], trend: list[int], side: Side | None) -> None:
    points = special_causes(values, WIDE)
    assert flagged(points, Rule.TREND) == trend
    assert {s.side for p in points for s in p.signals} == ({side} if side else set())


# --- Boundaries -------------------------------------------------------------------------

AROUND_ZERO = Limits(Fraction(0), Fraction(1), range(2))  # limits ±2.66, 2 sigma ±1.7733…


def test_shift_is_seven_points_not_six() -> None:
    six = special_causes([-1, *[0.5] * 6, -1], AROUND_ZERO)
    seven = special_causes([-1, *[0.5] * 7, -1], AROUND_ZERO)
    assert flagged(six, Rule.SHIFT) == []
    assert flagged(seven, Rule.SHIFT) == list(range(1, 8))
    assert {s.side for p in seven for s in p.signals} == {Side.HIGH}
    below = special_causes([1, *[-0.5] * 7], AROUND_ZERO)
    assert below[-1].signal.words() == "shift of 7 below the mean"


def test_a_point_on_the_mean_breaks_a_shift() -> None:
    # NHSRplotthedots: sign(y - mean) is 0 on the mean, and a run needs 7 equal non-zero
    # signs. Three above, one on the mean, four above: no shift; without it, seven.
    on_mean = special_causes([*[0.5] * 3, 0, *[0.5] * 4], AROUND_ZERO)
    assert flagged(on_mean, Rule.SHIFT) == []
    without = special_causes([*[0.5] * 3, *[0.5] * 4], AROUND_ZERO)
    assert flagged(without, Rule.SHIFT) == list(range(7))


def test_trend_is_seven_points_not_six_and_a_repeat_breaks_it() -> None:
    rising = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    assert flagged(special_causes(rising[:6], AROUND_ZERO), Rule.TREND) == []
    seven = special_causes(rising, AROUND_ZERO)
    assert flagged(seven, Rule.TREND) == list(range(7))
    assert seven[-1].signal.words() == "trend of 7 rising"
    repeat = special_causes([0.1, 0.2, 0.3, 0.3, 0.4, 0.5, 0.6, 0.7], AROUND_ZERO)
    assert flagged(repeat, Rule.TREND) == []


def test_a_point_ending_one_trend_and_starting_another_takes_the_later() -> None:
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    points = special_causes(values, WIDE)
    assert flagged(points, Rule.TREND) == list(range(13))
    assert points[5].signal.side is Side.HIGH
    assert points[6].signal.side is Side.LOW  # the peak: rising's end, falling's start
    assert points[6].signal.words() == "trend of 7 falling"


def test_a_point_on_a_process_limit_is_not_outside_it() -> None:
    on = special_causes([0, 2.66, 0, -2.66, 0], AROUND_ZERO)
    assert flagged(on, Rule.OUTSIDE_LIMIT) == []
    beyond = special_causes([0, 2.67, 0, -2.67, 0], AROUND_ZERO)
    assert flagged(beyond, Rule.OUTSIDE_LIMIT) == [1, 3]
    assert [beyond[i].signal.side for i in (1, 3)] == [Side.HIGH, Side.LOW]
    assert beyond[3].signal.words() == "a point below the lower process limit"


TWO_SIGMA = Fraction(133, 75)  # 2 × 2.66 ÷ 3, AROUND_ZERO's 2-sigma line


def test_two_of_three_exactly_at_two_sigma_is_not_beyond() -> None:
    assert AROUND_ZERO.upper_two_sigma == TWO_SIGMA
    at = special_causes([TWO_SIGMA, 0.1, TWO_SIGMA], AROUND_ZERO)
    assert flagged(at, Rule.TWO_OF_THREE) == []
    over = TWO_SIGMA + Fraction(1, 1000)
    beyond = special_causes([over, 0.1, over], AROUND_ZERO)
    assert flagged(beyond, Rule.TWO_OF_THREE) == [0, 2]  # not the point between
    low = special_causes([0.5, -over, -over], AROUND_ZERO)
    assert flagged(low, Rule.TWO_OF_THREE) == []  # the third point is above the mean
    low = special_causes([-0.5, -over, -over], AROUND_ZERO)
    assert flagged(low, Rule.TWO_OF_THREE) == [1, 2]
    assert low[2].signal.words() == "two of three beyond 2 sigma below the mean"


def test_two_of_three_does_not_count_a_point_beyond_the_process_limit() -> None:
    # NHSRplotthedots counts only points between 2 sigma and the process limit
    # (close_to_limits excludes outside_limits); the outside point flags by itself.
    points = special_causes([2, 3, 0.5], AROUND_ZERO)
    assert flagged(points, Rule.TWO_OF_THREE) == []
    assert flagged(points) == [1]


@pytest.mark.parametrize(
    ("improvement", "variation"),
    [
        (Improvement.UP, Variation.IMPROVING),
        (Improvement.DOWN, Variation.CONCERNING),
        (Improvement.NEITHER, Variation.NEITHER),
    ],
)
def test_improvement_direction_decides_improving_or_concerning(
    improvement: Improvement, variation: Variation
) -> None:
    values = [(-1) ** i * 0.2 for i in range(16)] + [0.5] * 7
    result = chart(values, improvement)
    assert result.variation is variation
    assert result.variation_words() == f"{variation.value}: shift of 7 above the mean"
    falling = chart([-v for v in values], improvement)
    opposite = {Variation.IMPROVING: Variation.CONCERNING}
    opposite |= {v: k for k, v in opposite.items()} | {Variation.NEITHER: Variation.NEITHER}
    assert falling.variation is opposite[variation]
    assert falling.variation_words().endswith("shift of 7 below the mean")


def test_common_cause_words() -> None:
    result = chart([(-1) ** i for i in range(20)])
    assert result.variation is Variation.COMMON_CAUSE
    assert result.variation_words() == "common cause"
    assert result.assurance is None and result.assurance_words() is None


def test_fewer_than_fifteen_points_give_no_limits() -> None:
    assert MINIMUM_POINTS == 15
    values = [(-1) ** i for i in range(15)]
    short = xmr_chart(values[:14], Improvement.UP)
    assert short == NotEnoughPoints(14, 15)
    assert short.words() == "not enough points (14 of 15)"
    assert isinstance(xmr_chart(values, Improvement.UP), XmRChart)


def test_a_fixed_baseline_sets_the_limits_for_every_point() -> None:
    settled = [10, 12] * 8  # 16 points, mean 11, moving range 2
    values = [*settled, 20, 11]
    fixed = chart(values, baseline=slice(0, 16))
    assert fixed.limits.baseline == range(16)
    assert fixed.limits.mean == 11 and fixed.limits.mean_moving_range == 2
    assert fixed.limits.upper_process_limit == Fraction("16.32")
    assert flagged(fixed.points, Rule.OUTSIDE_LIMIT) == [16]
    assert fixed.variation_words() == "common cause"
    # Without the baseline the 20 moves the limits (and the screened range with it).
    assert chart(values).limits.mean != 11
    # A later period, applied back to the points before it too.
    later = chart([*[30] * 3, *settled], baseline=slice(3, 19))
    assert later.limits.mean == 11
    assert flagged(later.points, Rule.OUTSIDE_LIMIT) == [0, 1, 2]
    # A baseline shorter than the minimum is not enough, however long the series.
    assert xmr_chart(values, Improvement.UP, baseline=slice(0, 10)) == NotEnoughPoints(10, 15)


def test_one_and_two_sigma_lines() -> None:
    limits = process_limits([10, 12] * 8)
    assert limits.sigma == Fraction("2.66") * 2 / 3
    assert limits.upper_one_sigma == 11 + limits.sigma
    assert limits.lower_two_sigma == 11 - 2 * limits.sigma
    assert limits.upper_process_limit == 11 + 3 * limits.sigma


def test_a_moving_range_at_the_upper_range_limit_is_screened() -> None:
    # Thirteen ranges of 1 and one of r where r = 3.267 × the mean of all fourteen:
    # NHSRplotthedots keeps a range only when it is strictly below 3.267 × MR̄.
    r = Fraction("3.267") * 13 / (14 - Fraction("3.267"))
    values = [*[0, 1] * 7, 1 + r]
    assert process_limits(values).mean_moving_range == 1
    just_under = [*values[:-1], 1 + r - Fraction(1, 10**6)]
    assert process_limits(just_under).mean_moving_range > 1
    assert process_limits(values, screen_outliers=False).mean_moving_range > 1


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        (Improvement.UP, "16.32", Assurance.HIT_AND_MISS),
        (Improvement.UP, "16.33", Assurance.FAILS),
        (Improvement.UP, "5.68", Assurance.HIT_AND_MISS),
        (Improvement.UP, "5.67", Assurance.PASSES),
        (Improvement.DOWN, "16.33", Assurance.PASSES),
        (Improvement.DOWN, "5.67", Assurance.FAILS),
    ],
)
def test_assurance_at_the_limits(improvement: Improvement, target: str, expected) -> None:
    # Limits 11 ± 5.32: a target exactly on one is hit and miss, as in the package
    # (target > upl, target < lpl, otherwise inconsistent).
    result = chart([10, 12] * 8, improvement, target=float(target))
    assert result.assurance is expected
    assert result.assurance_words() == f"{expected.value} against target {target}"


def test_assurance_words_for_a_whole_target() -> None:
    result = chart([88, 92] * 8, target=90)
    assert result.assurance_words() == "hit and miss against target 90"


def test_rules_decide_a_point_in_the_package_order() -> None:
    # ptd_special_cause_type: outside a limit, then trend, then two of three, then shift.
    # Seven rising points all below the mean are a trend (rising) and a shift (below);
    # the trend decides, so with up better they are improving, not concerning.
    points = special_causes([-3, -2, -1, 0, 1, 2, 3], WIDE)
    assert {s.rule for s in points[-1].signals} == {Rule.TREND, Rule.SHIFT}
    assert points[-1].signal.rule is Rule.TREND
    assert points[-1].variation(Improvement.UP) is Variation.IMPROVING
    ending_outside = special_causes([-0.6, -0.5, -0.4, -0.3, -0.2, -0.1, 3], AROUND_ZERO)
    assert ending_outside[-1].signal.rule is Rule.OUTSIDE_LIMIT


def test_a_number_is_shown_exactly_to_four_places_else_to_two() -> None:
    assert spc_shown(Fraction(1, 4)) == "0.25"
    assert spc_shown(Fraction(1, 3)) == "0.33"
    assert spc_shown(Fraction(-1, 300)) == "0"
    assert spc_shown(Fraction(5)) == "5"
