"""Making Data Count: XmR process limits, special-cause rules, variation and assurance.

NHS England's Making Data Count (MDC) reads a metric as an XmR chart: the mean, process
limits at mean ± 2.66 × the mean moving range, and four special-cause rules. This module
is the arithmetic only, written to give the same answers as the NHS-R community's
reference implementation, NHSRplotthedots (R/ptd_spc_standard.R at 8aac3239,
R/ptd_calculate_point_type.R at f7891af4, R/ptd_calculate_assurance_type.R at 74654aee),
boundaries included. docs/oversight.md says where and why it differs.

Sums are exact fractions of the numbers as given (a float is taken as it is written, 0.1
as 1/10), so a point exactly on a limit is on it, not a rounding error either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction

# NHS England's Making Data Count guidance advises basing process limits on at least 15
# to 20 points; below 15 huddle gives no limits and says so. (NHSRplotthedots draws
# "trial limits" from fewer, with a warning below 12.)
MINIMUM_POINTS = 15

# 2.66 = 3 ÷ 1.128 (d2 for moving ranges of two), rounded as MDC and NHSRplotthedots do.
PROCESS_LIMIT = Fraction("2.66")
# One sigma as NHSRplotthedots takes it: a third of the process limit's distance, so the
# process limits are exactly 3 sigma. (MR̄ ÷ 1.128 would be 0.016% smaller.)
SIGMA = PROCESS_LIMIT / 3
# A moving range at or above 3.267 × MR̄ (the upper range limit) is screened out and MR̄
# worked out again without it (Nelson 1982), as NHSRplotthedots does by default. The MDC
# Excel tool does not screen; pass screen_outliers=False to match it.
UPPER_RANGE_LIMIT = Fraction("3.267")
# A shift and a trend are each 7 or more points.
RUN = 7

Number = int | float | Fraction | Decimal


class Improvement(Enum):
    """Which way is better for the metric."""

    UP = "up is better"
    DOWN = "down is better"
    NEITHER = "neither"


class Side(Enum):
    HIGH = "high"
    LOW = "low"


class Rule(Enum):
    """The special-cause rules, in the order NHSRplotthedots lets them decide a point."""

    OUTSIDE_LIMIT = "a point outside the process limits"
    TREND = "a trend of 7 or more rising or falling"
    TWO_OF_THREE = "two of three beyond 2 sigma"
    SHIFT = "a shift of 7 or more on one side of the mean"


class Variation(Enum):
    COMMON_CAUSE = "common cause"
    IMPROVING = "special cause improving"
    CONCERNING = "special cause concerning"
    NEITHER = "special cause, neither"


class Assurance(Enum):
    PASSES = "consistently passes"
    FAILS = "consistently fails"
    HIT_AND_MISS = "hit and miss"


def exact(value: Number) -> Fraction:
    """The number as written: a float by its shortest repr, so 0.1 is 1/10."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def shown(value: Fraction) -> str:
    """A number in words: exact up to 4 decimal places, otherwise to 2."""
    if (value * 10_000).denominator == 1:
        text = str(Decimal(value.numerator) / Decimal(value.denominator))
    else:
        # float of the rounded value: Python 3.11's Fraction has no `.2f` format.
        text = f"{float(round(value, 2)):.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Limits:
    """An XmR chart's lines, worked out from the baseline points."""

    mean: Fraction
    mean_moving_range: Fraction
    baseline: range

    @property
    def sigma(self) -> Fraction:
        return self.mean_moving_range * SIGMA

    @property
    def upper_process_limit(self) -> Fraction:
        return self.mean + PROCESS_LIMIT * self.mean_moving_range

    @property
    def lower_process_limit(self) -> Fraction:
        return self.mean - PROCESS_LIMIT * self.mean_moving_range

    @property
    def upper_two_sigma(self) -> Fraction:
        return self.mean + 2 * self.sigma

    @property
    def lower_two_sigma(self) -> Fraction:
        return self.mean - 2 * self.sigma

    @property
    def upper_one_sigma(self) -> Fraction:
        return self.mean + self.sigma

    @property
    def lower_one_sigma(self) -> Fraction:
        return self.mean - self.sigma


@dataclass(frozen=True)
class Signal:
    """One rule flagging a point: on which side, and the run of points it belongs to."""

    rule: Rule
    side: Side
    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def words(self) -> str:
        high = self.side is Side.HIGH
        if self.rule is Rule.OUTSIDE_LIMIT:
            return "a point " + (
                "above the upper process limit" if high else "below the lower process limit"
            )
        if self.rule is Rule.TREND:
            return f"trend of {self.length} " + ("rising" if high else "falling")
        where = "above the mean" if high else "below the mean"
        if self.rule is Rule.TWO_OF_THREE:
            return f"two of three beyond 2 sigma {where}"
        return f"shift of {self.length} {where}"


@dataclass(frozen=True)
class Point:
    """One observation and the rules that flag it, deciding one first."""

    index: int
    value: Fraction
    signals: tuple[Signal, ...]

    @property
    def signal(self) -> Signal | None:
        """The rule that decides the point, in NHSRplotthedots's order of precedence; of
        two trends meeting at a point, the later."""
        order = list(Rule)
        return min(self.signals, key=lambda s: (order.index(s.rule), -s.first), default=None)

    def variation(self, improvement: Improvement) -> Variation:
        signal = self.signal
        if signal is None:
            return Variation.COMMON_CAUSE
        if improvement is Improvement.NEITHER:
            return Variation.NEITHER
        good = Side.HIGH if improvement is Improvement.UP else Side.LOW
        return Variation.IMPROVING if signal.side is good else Variation.CONCERNING


@dataclass(frozen=True)
class NotEnoughPoints:
    have: int
    need: int

    def words(self) -> str:
        return f"not enough points ({self.have} of {self.need})"


@dataclass(frozen=True)
class XmRChart:
    """A metric read as MDC reads it; the icons reflect the latest point."""

    limits: Limits
    points: tuple[Point, ...]
    improvement: Improvement
    target: Fraction | None

    @property
    def variation(self) -> Variation:
        return self.points[-1].variation(self.improvement)

    @property
    def assurance(self) -> Assurance | None:
        if self.target is None:
            return None
        return assurance(
            self.target,
            self.limits.lower_process_limit,
            self.limits.upper_process_limit,
            self.improvement,
        )

    def variation_words(self) -> str:
        signal = self.points[-1].signal
        state = self.variation.value
        return state if signal is None else f"{state}: {signal.words()}"

    def assurance_words(self) -> str | None:
        state = self.assurance
        if state is None or self.target is None:
            return None
        return f"{state.value} against target {shown(self.target)}"


def process_limits(
    values: Sequence[Number], baseline: slice | None = None, *, screen_outliers: bool = True
) -> Limits:
    """Mean and mean moving range of the baseline points (all points if none given).

    The moving ranges are between consecutive baseline points only, as NHSRplotthedots's
    fix_after_n_points does when the baseline is the first N points.
    """
    chosen = range(len(values))[baseline or slice(None)]
    if chosen.step != 1 or len(chosen) < 2:
        raise ValueError("a baseline is two or more consecutive points")
    points = [exact(values[i]) for i in chosen]
    mean = sum(points, Fraction(0)) / len(points)
    ranges = [abs(b - a) for a, b in zip(points, points[1:], strict=False)]
    mean_range = sum(ranges, Fraction(0)) / len(ranges)
    if screen_outliers:
        kept = [r for r in ranges if r < UPPER_RANGE_LIMIT * mean_range]
        mean_range = sum(kept, Fraction(0)) / len(kept) if kept else Fraction(0)
    return Limits(mean, mean_range, chosen)


def _runs(keys: Sequence[int], length: int) -> list[tuple[int, int, int]]:
    """(first, last, key) of each stretch of `length` or more equal non-zero keys."""
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0 and i - start >= length:
                runs.append((start, i - 1, keys[start]))
            start = i
    return runs


def _sign(x: Fraction) -> int:
    return (x > 0) - (x < 0)


def _side(sign: int) -> Side:
    return Side.HIGH if sign > 0 else Side.LOW


def special_causes(values: Sequence[Number], limits: Limits) -> tuple[Point, ...]:
    """Every point with the rules that flag it, judged against the given limits.

    - outside a process limit: strictly above the upper or below the lower;
    - shift: 7 or more in a row strictly on one side of the mean (a point on it breaks it);
    - trend: 7 or more in a row each strictly higher (or lower) than the one before
      (a repeated value breaks it); a point ending one trend and starting another takes
      the later one's direction;
    - two of three: in three points in a row all strictly on one side of the mean, two or
      more strictly beyond 2 sigma but not beyond the process limit; those points flag.
    """
    ys = [exact(v) for v in values]
    signals: list[list[Signal]] = [[] for _ in ys]
    above = [_sign(y - limits.mean) for y in ys]  # 1 above the mean, -1 below, 0 on it

    upper, lower = limits.upper_process_limit, limits.lower_process_limit
    outside = [y > upper or y < lower for y in ys]
    for i in (i for i in range(len(ys)) if outside[i]):
        signals[i].append(Signal(Rule.OUTSIDE_LIMIT, _side(above[i]), i, i))

    steps = [_sign(b - a) for a, b in zip(ys, ys[1:], strict=False)]
    # RUN - 1 steps the same way (step i from point i to point i + 1) make RUN points.
    for first, last_step, direction in _runs(steps, RUN - 1):
        for i in range(first, last_step + 2):
            signals[i].append(Signal(Rule.TREND, _side(direction), first, last_step + 1))

    beyond = [
        not outside[i] and (y > limits.upper_two_sigma or y < limits.lower_two_sigma)
        for i, y in enumerate(ys)
    ]
    for first in range(len(ys) - 2):
        window = range(first, first + 3)
        if abs(sum(above[i] for i in window)) == 3 and sum(beyond[i] for i in window) >= 2:
            for i in window:
                flagged = any(s.rule is Rule.TWO_OF_THREE for s in signals[i])
                if beyond[i] and not flagged:
                    signals[i].append(Signal(Rule.TWO_OF_THREE, _side(above[i]), first, first + 2))

    for first, last, key in _runs(above, RUN):
        for i in range(first, last + 1):
            signals[i].append(Signal(Rule.SHIFT, _side(key), first, last))

    return tuple(Point(i, y, tuple(s)) for i, (y, s) in enumerate(zip(ys, signals, strict=True)))


def assurance(
    target: Number, lower: Number, upper: Number, improvement: Improvement
) -> Assurance | None:
    """Whether the process will meet a target, as NHSRplotthedots decides it.

    A target strictly above the upper process limit or strictly below the lower one is
    consistently failed or passed, by which way is better; a target within the limits, or
    exactly on one, is hit and miss. With neither direction better there is no assurance.
    """
    if improvement is Improvement.NEITHER:
        return None
    target, lower, upper = exact(target), exact(lower), exact(upper)
    up = improvement is Improvement.UP
    if target > upper:
        return Assurance.FAILS if up else Assurance.PASSES
    if target < lower:
        return Assurance.PASSES if up else Assurance.FAILS
    return Assurance.HIT_AND_MISS


def xmr_chart(
    values: Sequence[Number],
    improvement: Improvement,
    *,
    target: Number | None = None,
    baseline: slice | None = None,
    minimum: int = MINIMUM_POINTS,
    screen_outliers: bool = True,
) -> XmRChart | NotEnoughPoints:
    """The XmR chart of observations in period order: limits from the baseline (all
    points when none is fixed), applied to every point."""
    if minimum < 2:
        raise ValueError("process limits need at least two points")
    have = len(range(len(values))[baseline or slice(None)])
    if have < minimum:
        return NotEnoughPoints(have, minimum)
    limits = process_limits(values, baseline, screen_outliers=screen_outliers)
    return XmRChart(
        limits,
        special_causes(values, limits),
        improvement,
        None if target is None else exact(target),
    )
