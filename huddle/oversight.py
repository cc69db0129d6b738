"""Oversight rules: periods, derived metrics, when a trigger rule holds, runs of periods,
firing and clearing, and the escalation ladder. Pure: no store and no textual, and every
rule takes `today` (or a period) rather than reading a clock.

Decisions written down here and in docs/oversight.md, each with its test:

- A value exactly on a threshold is decided by the rule's own words (its `Comparison`):
  "referrals exceeded baseline capacity by 15%" is *at or above* 115% of baseline, so
  15.0% over fires; "caseload variance over 10%" is *above*, so 10.0% does not. The sums
  are exact (fractions, not floats), so 115 against a baseline of 100 is exactly 15%.
- A run is consecutive periods: a period with no observation breaks it. The rule claims
  "five consecutive days", and huddle will not invent the missing day. A missing period is
  shown instead (the metric list names the latest period observed).
- A rule has at most one open firing. While it is open, further breaching periods belong
  to the same run and never fire again; a gap does not clear it. It clears at the first
  observed period back within the rule, and only then can a new run fire.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from huddle import spc
from huddle.models import (
    RUNG_WORKING_DAYS,
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
from huddle.working_days import add_working_days

HUNDRED = Fraction(100)
# The largest number a float, and so the database, can hold. Absurd inputs (1e308
# referrals, a caseload over a millionth of a clinician) can work out to more: such a
# value could be neither stored nor shown, so it counts as one that cannot be worked out.
LARGEST = Fraction(sys.float_info.max)


# --- periods ---------------------------------------------------------------------------


def period_start(day: date, period: Period) -> date:
    """The first day of the period `day` falls in: itself, its week's Monday, or the 1st."""
    if period == Period.WEEKLY:
        return day - timedelta(days=day.weekday())
    if period == Period.MONTHLY:
        return day.replace(day=1)
    return day


def next_period(start: date, period: Period) -> date:
    if period == Period.WEEKLY:
        return start + timedelta(days=7)
    if period == Period.MONTHLY:
        return start + relativedelta(months=1)
    return start + timedelta(days=1)


# --- exact numbers ----------------------------------------------------------------------


def exact(value: float) -> Fraction:
    """The number as written (115.0 is exactly 115, 0.1 exactly a tenth), not the binary
    float nearest it, so boundaries are decided on the value a person typed."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def shown(value: Fraction | float) -> str:
    """A number for the screen and the minutes: at most two decimals, no trailing zeros."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


# --- where a value stands --------------------------------------------------------------


class Standing(StrEnum):
    """Where a value stands against a tolerance range, in the words the screens use."""

    ABOVE = "ABOVE"
    BELOW = "BELOW"
    WITHIN = "within"


def standing(value: float, low: float | None, high: float | None) -> Standing:
    """A value exactly on a limit is within it."""
    if high is not None and value > high:
        return Standing.ABOVE
    if low is not None and value < low:
        return Standing.BELOW
    return Standing.WITHIN


def overall(standings: Sequence[Standing]) -> Standing:
    """A metric recorded by team or provider stands outside its tolerance when any one
    segment does, whatever their mean: ABOVE if any is above, else BELOW if any is below."""
    for outside in (Standing.ABOVE, Standing.BELOW):
        if outside in standings:
            return outside
    return Standing.WITHIN


# --- Making Data Count -------------------------------------------------------------------

IMPROVEMENT = {
    GoodDirection.HIGHER: spc.Improvement.UP,
    GoodDirection.LOWER: spc.Improvement.DOWN,
    GoodDirection.WITHIN: spc.Improvement.NEITHER,
}


def spc_target(metric: Metric) -> float | None:
    """The target an assurance reading is judged against: the tolerance's limit on the
    side that matters (the high one when lower is better, the low one when higher is);
    none for a metric that should stay within a range."""
    if metric.good == GoodDirection.LOWER:
        return metric.tolerance_high
    if metric.good == GoodDirection.HIGHER:
        return metric.tolerance_low
    return None


def spc_chart(
    metric: Metric, points: Sequence[tuple[date, Fraction | float]]
) -> spc.XmRChart | spc.NotEnoughPoints:
    """The metric's observations, (period, value) in period order, read as NHS England's
    Making Data Count reads them (huddle.spc), with its improvement direction and target
    from set-up, and its limits from its baseline's points when a person fixed one."""
    values = [value for _, value in points]
    baseline = None
    first, last = metric.spc_baseline_first, metric.spc_baseline_last
    if first is not None and last is not None:
        within = [i for i, (period, _) in enumerate(points) if first <= period <= last]
        # Points are in period order, so those within the baseline are consecutive.
        baseline = slice(within[0], within[-1] + 1) if within else slice(0, 0)
    return spc.xmr_chart(
        values, IMPROVEMENT[metric.good], target=spc_target(metric), baseline=baseline
    )


def baseline_words(metric: Metric, chart: spc.XmRChart | spc.NotEnoughPoints) -> str | None:
    """e.g. "limits from baseline 05/10/2026–18/01/2027 (15 points)"; None when the limits
    come from every point."""
    first, last = metric.spc_baseline_first, metric.spc_baseline_last
    if first is None or last is None:
        return None
    have = chart.have if isinstance(chart, spc.NotEnoughPoints) else len(chart.limits.baseline)
    return f"limits from baseline {first:%d/%m/%Y}–{last:%d/%m/%Y} ({have} points)"


def spc_words(metric: Metric, chart: spc.XmRChart | spc.NotEnoughPoints) -> str:
    """e.g. "special cause concerning: shift of 7 below the mean · hit and miss against
    target 90 · mean 28.6, process limits 20.1 to 37.1", and where its limits come from
    when a baseline is fixed."""
    fixed = baseline_words(metric, chart)
    if isinstance(chart, spc.NotEnoughPoints):
        return chart.words() + ("" if fixed is None else f" in the baseline: {fixed}")
    limits = chart.limits
    parts = [chart.variation_words()]
    if (assured := chart.assurance_words()) is not None:
        parts.append(assured)
    parts.append(
        f"mean {spc.shown(limits.mean)}, process limits {spc.shown(limits.lower_process_limit)}"
        f" to {spc.shown(limits.upper_process_limit)}"
    )
    if fixed is not None:
        parts.append(fixed)
    return " · ".join(parts)


# --- derived metrics --------------------------------------------------------------------

# Each derived metric's inputs, by role, in the order the formula names them.
DERIVATION_INPUTS: dict[Derivation, tuple[str, ...]] = {
    Derivation.VS_BASELINE: ("measure",),
    Derivation.PER_CLINICIAN: ("caseload", "clinicians"),
    Derivation.SUSTAINABILITY: ("caseload", "clinicians", "acuity", "sickness"),
}

FORMULAS: dict[Derivation, str] = {
    Derivation.VS_BASELINE: "measure ÷ the measure's baseline × 100",
    Derivation.PER_CLINICIAN: "open caseload ÷ clinicians in post (WTE)",
    Derivation.SUSTAINABILITY: (
        "open caseload × mean acuity weighting"
        " ÷ (clinicians in post (WTE) × (1 − sickness % ÷ 100))"
    ),
}


def derive(
    derivation: Derivation, values: dict[str, float], baseline: float | None = None
) -> Fraction | None:
    """The derived value from its inputs, or None when it cannot be worked out (an input
    missing, a zero divisor, everyone off sick, or a result beyond LARGEST): never a
    made-up number.

    The caseload sustainability index is the weighted caseload each clinician actually at
    work carries: caseload × acuity weighting ÷ (WTE × (1 − sickness rate)). A team of 4
    WTE holding 100 cases at mean acuity 1.2 with 10% sickness scores 100 × 1.2 ÷ 3.6
    = 33.3, against 25 cases per clinician on paper.
    """
    needed = DERIVATION_INPUTS[derivation]
    if any(role not in values for role in needed):
        return None
    given = {role: exact(values[role]) for role in needed}
    if derivation == Derivation.VS_BASELINE:
        if not baseline:
            return None
        return _held(given["measure"] / exact(baseline) * HUNDRED)
    clinicians = given["clinicians"]
    if derivation == Derivation.PER_CLINICIAN:
        return _held(given["caseload"] / clinicians) if clinicians > 0 else None
    at_work = clinicians * (1 - given["sickness"] / HUNDRED)
    if at_work <= 0:
        return None
    return _held(given["caseload"] * given["acuity"] / at_work)


def _held(value: Fraction) -> Fraction | None:
    return value if abs(value) <= LARGEST else None


def variance(values: Sequence[float]) -> Fraction | None:
    """The spread between segments: the largest distance of any one from their mean, as a
    percentage of the mean. Teams at 18, 20 and 22 cases each vary by 10%. None for fewer
    than two segments, a mean of zero, or a spread beyond LARGEST."""
    if len(values) < 2:
        return None
    exacts = [exact(v) for v in values]
    mean = sum(exacts) / len(exacts)
    if mean == 0:
        return None
    return _held(max(abs(v - mean) for v in exacts) / abs(mean) * HUNDRED)


# --- rules ------------------------------------------------------------------------------


def limit(rule: TriggerRule, baseline: float | None) -> Fraction:
    """The value the rule compares with: the threshold itself, or the baseline moved by the
    threshold's percentage (up for at-or-above and above, down for the others)."""
    if not rule.relative_to_baseline or rule.kind != RuleKind.THRESHOLD:
        return exact(rule.threshold)
    if baseline is None:
        raise ValueError(f"rule {rule.name!r} is relative to a baseline the metric does not have")
    share = exact(rule.threshold) / HUNDRED
    upward = rule.comparison in (Comparison.AT_OR_ABOVE, Comparison.ABOVE)
    return exact(baseline) * (1 + share if upward else 1 - share)


def holds(comparison: Comparison, value: Fraction, bound: Fraction) -> bool:
    if comparison == Comparison.AT_OR_ABOVE:
        return value >= bound
    if comparison == Comparison.ABOVE:
        return value > bound
    if comparison == Comparison.AT_OR_BELOW:
        return value <= bound
    return value < bound


PERIOD_NOUN = {Period.DAILY: "day", Period.WEEKLY: "week", Period.MONTHLY: "month"}


def describe(rule: TriggerRule, metric: Metric) -> str:
    """The rule in words: 'at or above 46 referrals (baseline 40 + 15%) for 5 consecutive
    days'; 'variance between teams above 10% in any week'."""
    noun = PERIOD_NOUN[metric.period]
    runs = f"for {rule.periods} consecutive {noun}s" if rule.periods > 1 else f"in any {noun}"
    if rule.kind == RuleKind.SPECIAL_CAUSE:
        return f"special cause concerning on the Making Data Count chart {runs} (no threshold)"
    if rule.kind == RuleKind.VARIANCE:
        between = "teams" if metric.segmentation == Segmentation.TEAM else "providers"
        return f"variance between {between} {rule.comparison} {shown(rule.threshold)}% {runs}"
    bound = limit(rule, metric.baseline)
    why = ""
    if rule.relative_to_baseline:
        sign = "+" if rule.comparison in (Comparison.AT_OR_ABOVE, Comparison.ABOVE) else "−"
        why = f" (baseline {shown(metric.baseline or 0)} {sign} {shown(rule.threshold)}%)"
    return f"{rule.comparison} {shown(bound)} {metric.unit}{why} {runs}"


@dataclass(frozen=True)
class Point:
    """What a rule judges for one period: the metric's value, or for a variance rule the
    spread between segments, with the segments' values behind it."""

    period: date
    value: Fraction
    segments: dict[str, float] = field(default_factory=dict)


def variance_points(observed: Sequence[tuple[date, str, float]]) -> list[Point]:
    """(period, segment, value) rows, in period order, as one variance point per period that
    has at least two segments (a period with fewer is a gap)."""
    by_period: dict[date, dict[str, float]] = {}
    for period, segment, value in observed:
        by_period.setdefault(period, {})[segment] = value
    points = []
    for period, segments in by_period.items():
        spread = variance(list(segments.values()))
        if spread is not None:
            points.append(Point(period, spread, segments))
    return points


def special_cause_concerning(metric: Metric, points: Sequence[Point]) -> dict[date, str]:
    """The periods whose point the metric's chart, over every one of `points`, marks special
    cause concerning (what a special-cause rule holds on), each with the rule that marks it
    in words. A shift or trend marks all its points once its seventh arrives; with too few
    points nothing is marked."""
    chart = spc_chart(metric, [(point.period, point.value) for point in points])
    if isinstance(chart, spc.NotEnoughPoints):
        return {}
    return {
        point.period: read.signal.words()
        for point, read in zip(points, chart.points, strict=True)
        if read.signal is not None and read.variation(chart.improvement) is spc.Variation.CONCERNING
    }


@dataclass(frozen=True)
class Fired:
    run: tuple[Point, ...]
    """The consecutive periods that fired it, the last being the one it fired on."""


@dataclass(frozen=True)
class Cleared:
    point: Point
    """The first period back within the rule."""


def evaluate(
    points: Sequence[Point],
    meets: Callable[[Point], bool],
    periods: int,
    period: Period,
    *,
    open_firing: bool,
) -> list[Fired | Cleared]:
    """Firings and clearings in `points` (in period order, all after the rule's last firing
    or clearing). `open_firing` says the rule has fired and not yet cleared."""
    events: list[Fired | Cleared] = []
    run: list[Point] = []
    is_open = open_firing
    for point in points:
        if is_open:
            if not meets(point):
                events.append(Cleared(point))
                is_open = False
            continue
        if not meets(point):
            run = []
            continue
        if run and point.period != next_period(run[-1].period, period):
            run = []  # a gap breaks the run
        run.append(point)
        if len(run) == periods:
            events.append(Fired(tuple(run)))
            is_open, run = True, []
    return events


# --- the escalation ladder --------------------------------------------------------------

LADDER: tuple[EscalationRung, ...] = tuple(EscalationRung)


def due_on(rung: EscalationRung, opened_on: date, extra: Collection[date] = ()) -> date:
    """Due by the rung's timeframe, in working days from the day it was opened (bank
    holidays, and the set-up's `extra` ones, are not working days)."""
    return add_working_days(opened_on, RUNG_WORKING_DAYS[rung], extra)


@dataclass(frozen=True)
class Climb:
    from_rung: EscalationRung
    to_rung: EscalationRung
    climbed_on: date
    """The first day past the lower rung's timeframe."""
    due_before: date
    due_after: date


def title_on_rung(title: str, was: EscalationRung, now: EscalationRung) -> str:
    """An escalation's title says the rung it is on: "(operational)" becomes "(clinical)",
    and "— operational" "— clinical", where the title names its rung so (as huddle words
    them); any other gains "Clinical rung: " at its front, replacing the one a climb
    before put there."""
    for said in (f"({was})", f"— {was}"):
        if said in title:
            return title.replace(said, said.replace(was, now))
    return f"{now.capitalize()} rung: {title.removeprefix(f'{was.capitalize()} rung: ')}"


def climbs(
    rung: EscalationRung, due: date, today: date, extra: Collection[date] = ()
) -> list[Climb]:
    """The rungs an escalation without an outcome climbs by `today`: each rung's timeframe
    runs from the day the one below ran out, in working days, and it climbs the day after
    its due date. The top rung (contractual) has nowhere to climb: it stays, overdue."""
    steps = []
    while due < today and rung != LADDER[-1]:
        higher = LADDER[LADDER.index(rung) + 1]
        after = add_working_days(due, RUNG_WORKING_DAYS[higher], extra)
        steps.append(Climb(rung, higher, due + timedelta(days=1), due, after))
        rung, due = higher, after
    return steps
