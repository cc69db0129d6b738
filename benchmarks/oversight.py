"""`python -m benchmarks oversight [--quick] [--sizes METRICS,YEARS] [--runs N]`: trigger
evaluation at 100 metrics with 3 years of daily observations.

The store's own calls, timed in this process on a database made in a temporary folder:
loading every observation in one import transaction (which evaluates the rules), the
start-up evaluation with nothing new, a forced evaluation of every rule (rolled back), one
hand-entered observation that fires a trigger, and the escalation ladder's climb; then
the same start-up and a hand entry with a second rule on every metric, one that has never
fired and so reads its metric's whole history (docs/benchmarks.md). Every
sample that does not change the data is repeated and its median given; a sample that
writes is taken once, or on a metric of its own. Everything is dated 2026-11-22, never
the real clock. Figures are printed, never asserted; the command exits 1 only when a count
disagrees (a start-up that wrote, a re-evaluation that found something new).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from random import Random
from statistics import median
from time import perf_counter
from typing import Any

import store.oversight as store_oversight
from benchmarks.data import ACTOR, TODAY
from huddle.models import (
    Comparison,
    EscalationRung,
    GoodDirection,
    Metric,
    ObservationSource,
    Period,
    Person,
    Provider,
    ProviderKind,
    TriggerRule,
)
from store import Store, open_store, records
from store.oversight import (
    Evaluation,
    Reading,
    add_rule,
    climb_escalations,
    define_metric,
    evaluate_all,
    evaluate_in,
    record_observation,
    record_readings,
)


@dataclass(frozen=True)
class OversightSettings:
    metrics: int  # daily metrics, each with one rule
    days: int  # daily observations of each, up to the day before TODAY
    runs: int  # samples of each repeatable figure, medians taken
    seed: int = 15


FULL = OversightSettings(metrics=100, days=3 * 365, runs=5)
QUICK = OversightSettings(metrics=20, days=365, runs=3)

BASELINE = 100.0
TOLERANCE_HIGH = 110.0
OVER_BY = 15.0  # percent over baseline: the rule holds at or above 115
RUN_DAYS = 5
SERIES = "Waiting-list huddle — therapy"
SURGE_CHANCE = 1 / 70  # each ordinary day, the chance that a surge starts
LATER = 14  # days after TODAY: every escalation still open has run out of its rungs
# The hand entries: a breach on a metric whose last four days breached (it fires), and an
# ordinary value on a metric with no firing open (nothing fires or clears).
HAND_BREACH = 121.0
HAND_ORDINARY = 101.0
# Rules that never fire on this data (no value comes near 150), added afterwards to every
# metric: evaluating one reads every observation since the rule began, three years of them.
NEVER_OVER_BY = 50.0


@dataclass(frozen=True)
class Counts:
    """What the database holds at one moment."""

    rules: int
    observations: int
    firings: int
    cleared: int
    open_escalations: int  # open actions on a rung of the ladder
    climbs: int
    agenda_items: int
    audit_rows: int
    pending_reads: int  # observations an evaluation of every rule reads: each rule's since
    # its last firing (while open) or clearing, every one for a rule that has never fired

    @property
    def open_firings(self) -> int:
        return self.firings - self.cleared


@dataclass(frozen=True)
class OversightMeasurements:
    settings: OversightSettings
    hand_metrics: int  # hand entries of each kind: one metric each
    setup_s: float  # define every metric and add its rule, each its own transaction
    load_s: float  # record_readings of every observation in one write, committed
    load_evaluation_s: float  # of which evaluate_in (inside record_readings)
    loaded: Evaluation
    after_load: Counts
    startup_s: list[float]  # evaluate_all on a freshly opened store, nothing new
    startup_found: int  # firings and clearings the start-up samples found
    startup_changes: int  # rows the start-up samples changed (sqlite total_changes)
    forced_s: list[float]  # evaluate_in(txn, TODAY, None) inside a write rolled back
    forced_found: int  # firings and clearings the first forced evaluation recorded
    again_found: int  # and a second one straight after, in the same write
    rolled_back: bool  # the database was as before once each forced write rolled back
    hand_fire_s: list[float]  # record_observation of a breach that completes a run
    hand_fired: int
    hand_ordinary_s: list[float]  # record_observation of an ordinary value
    hand_ordinary_found: int
    climb_idle_s: list[float]  # climb_escalations on TODAY: nothing has run out yet
    climb_idle: int
    after_hand: Counts
    never_add_s: list[float]  # add_rule of a rule that never fires, over the whole history
    never_add_found: int
    after_never: Counts
    never_startup_s: list[float]  # evaluate_all with those rules too, nothing new
    never_startup_found: int
    never_startup_changes: int
    never_hand_s: list[float]  # record_observation of an ordinary value the next day
    never_hand_found: int
    climb_later_s: float  # climb_escalations LATER days on: every open escalation climbs
    climbed: int
    end: Counts
    db_bytes: int

    @property
    def readings(self) -> int:
        return self.settings.metrics * self.settings.days

    def problems(self) -> list[str]:
        """Counts that should agree and do not: each one a fault, not noise."""
        found = []
        load, hand = self.after_load, self.after_hand

        def check(ok: bool, words: str) -> None:
            if not ok:
                found.append(words)

        check(load.observations == self.readings, f"stored {load.observations:,} observations")
        check(len(self.loaded.fired) == load.firings, "the load's firings are not all stored")
        check(len(self.loaded.cleared) == load.cleared, "the load's clearings are not all stored")
        check(load.open_escalations == load.open_firings, "an open firing without escalation")
        check(load.agenda_items == load.open_firings, "an open firing not on the agenda")
        check(load.firings > load.cleared > 0, "no firing cleared, or none left open")
        check(self.startup_found == 0, f"the start-up found {self.startup_found} events")
        check(self.startup_changes == 0, f"the start-up changed {self.startup_changes} rows")
        check(self.forced_found == 0, f"a forced evaluation recorded {self.forced_found}")
        check(self.again_found == 0, f"a second evaluation recorded {self.again_found}")
        check(self.rolled_back, "a forced evaluation's write was not rolled back")
        check(self.hand_fired == self.hand_metrics, f"hand breaches fired {self.hand_fired}")
        check(self.hand_ordinary_found == 0, "an ordinary hand entry fired or cleared")
        check(hand.firings == load.firings + self.hand_metrics, "hand firings not stored")
        check(hand.open_escalations == hand.open_firings, "an open firing without escalation")
        check(self.climb_idle == 0, f"{self.climb_idle} escalations climbed before due")
        check(self.never_add_found == 0, f"a never-firing rule found {self.never_add_found}")
        check(self.never_startup_found == 0, f"the start-up found {self.never_startup_found}")
        check(self.never_startup_changes == 0, "the start-up with every rule wrote")
        check(self.never_hand_found == 0, "an ordinary hand entry fired or cleared")
        check(self.end.rules == 2 * self.settings.metrics, f"{self.end.rules} rules")
        check(self.end.observations == self.readings + 3 * self.hand_metrics, "hand entries")
        check(self.end.firings == hand.firings, "a firing after the hand breaches")
        check(self.climbed == hand.open_escalations, f"{self.climbed} escalations climbed")
        check(self.end.climbs == 2 * self.climbed, f"{self.end.climbs} climbs recorded")
        return found


# --- the data ----------------------------------------------------------------------------


def first_day(settings: OversightSettings) -> date:
    return TODAY - timedelta(days=settings.days)


def hand_metrics(settings: OversightSettings) -> int:
    """Metrics set aside for each kind of hand entry: one per sample, while leaving the
    last metric for the surge still standing at the end."""
    return max(1, min(settings.runs, (settings.metrics - 1) // 2))


def series(rng: Random, days: int) -> list[float]:
    """One metric's daily values: ordinary days around the baseline (now and then one over
    115 alone), and surges of 3 to 14 days mostly over it, some broken by a day under."""
    values: list[float] = []
    surge = 0
    for _ in range(days):
        if surge == 0 and rng.random() < SURGE_CHANCE:
            surge = rng.randint(3, 14)
        if surge:
            surge -= 1
            values.append(round(rng.gauss(123, 5), 1))
        else:
            values.append(round(rng.gauss(BASELINE, 5), 1))
    return values


def all_series(settings: OversightSettings) -> list[list[float]]:
    """Every metric's values (seeded), with the ends the hand entries need: the first
    `hand_metrics` end an ordinary day then four breaching days (a breach entered for
    TODAY completes a run of five); the next as many end on ordinary days (no firing open);
    the last ends in a surge of eight days, so at least one firing is open at the end."""
    rng = Random(settings.seed)
    made = [series(rng, settings.days) for _ in range(settings.metrics)]
    hand = hand_metrics(settings)
    for values in made[:hand]:
        values[-5:] = [BASELINE, 118.5, 124.0, 119.2, 126.3]
    for values in made[hand : 2 * hand]:
        values[-2:] = [BASELINE, 99.4]
    made[-1][-8:] = [116.0, 121.5, 119.0, 125.2, 117.8, 122.4, 120.1, 118.7]
    return made


def setup(store: Store, settings: OversightSettings) -> list[int]:
    """An owner, then each metric and its rule (each its own transaction, as a person
    defines them); the metrics' ids."""
    with store.write("benchmark: the service's oversight lead") as txn:
        provider = records.insert(txn, Provider(name="Benchmark trust", kind=ProviderKind.PRIME))
        owner = records.insert(
            txn, Person(name="Oversight Lead", role="Service manager", provider_id=provider.id)
        )
    assert owner.id is not None
    ids = []
    for n in range(1, settings.metrics + 1):
        metric = define_metric(
            store,
            Metric(
                name=f"Therapy waiting list, team {n:03d}",
                unit="people waiting",
                period=Period.DAILY,
                tolerance_high=TOLERANCE_HIGH,
                baseline=BASELINE,
                good=GoodDirection.LOWER,
                response_pathway="Team lead reviews capacity; escalate to the therapy lead",
                review_cycle="weekly at the waiting-list huddle",
                owner_id=owner.id,
            ),
            TODAY,
        )
        assert metric.id is not None
        add_rule(store, rule(metric.id, n, OVER_BY, owner.id), TODAY)
        ids.append(metric.id)
    return ids


def rule(metric_id: int, n: int, over_by: float, owner_id: int) -> TriggerRule:
    """At or above `over_by`% over baseline for RUN_DAYS consecutive days."""
    return TriggerRule(
        metric_id=metric_id,
        name=f"Team {n:03d} {over_by:g}% over baseline for {RUN_DAYS} days",
        comparison=Comparison.AT_OR_ABOVE,
        threshold=over_by,
        relative_to_baseline=True,
        periods=RUN_DAYS,
        series=SERIES,
        owner_id=owner_id,
        rung=EscalationRung.OPERATIONAL,
    )


def readings(settings: OversightSettings, metric_ids: list[int]) -> list[Reading]:
    start = first_day(settings)
    return [
        Reading(metric_id, start + timedelta(days=day), value)
        for metric_id, values in zip(metric_ids, all_series(settings), strict=True)
        for day, value in enumerate(values)
    ]


def counts(store: Store) -> Counts:
    def one(sql: str) -> int:
        return store.conn.execute(sql).fetchone()[0]

    return Counts(
        rules=one("SELECT count(*) FROM trigger_rule WHERE active = 1"),
        observations=one("SELECT count(*) FROM observation"),
        firings=one("SELECT count(*) FROM trigger_firing"),
        cleared=one("SELECT count(*) FROM trigger_firing WHERE cleared_on IS NOT NULL"),
        open_escalations=one(
            "SELECT count(*) FROM action WHERE rung IS NOT NULL AND status != 'closed'"
        ),
        climbs=one("SELECT count(*) FROM escalation_climb"),
        agenda_items=one("SELECT count(*) FROM agenda_item"),
        audit_rows=one("SELECT count(*) FROM audit"),
        pending_reads=one(_PENDING_READS),
    )


_PENDING_READS = """
SELECT count(*) FROM trigger_rule AS r JOIN observation AS o ON o.metric_id = r.metric_id
WHERE r.active = 1 AND o.period_start > coalesce((
    SELECT CASE WHEN f.cleared_on IS NULL THEN f.fired_period ELSE f.cleared_period END
    FROM trigger_firing AS f WHERE f.rule_id = r.id ORDER BY f.id DESC LIMIT 1), '')
"""


# --- the measurements --------------------------------------------------------------------


@contextmanager
def _timing_evaluation(spent: list[float]) -> Iterator[None]:
    """Time store.oversight.evaluate_in wherever the module calls it (record_readings does),
    by swapping the module's name for a timed wrapper while the block runs."""
    original = store_oversight.evaluate_in

    def timed(*args: Any, **kwargs: Any) -> Evaluation:
        started = perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(perf_counter() - started)

    store_oversight.evaluate_in = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        store_oversight.evaluate_in = original  # type: ignore[assignment]


class _RollBack(Exception):
    """Raised inside a write to undo it."""


def _found(evaluation: Evaluation) -> int:
    return len(evaluation.fired) + len(evaluation.cleared)


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = perf_counter()
    result = call()
    return perf_counter() - started, result


def _startups(path: Path, runs: int) -> tuple[list[float], int, int]:
    """`evaluate_all` on TODAY, each sample on a freshly opened store as at the app's
    start (opening it not timed): the seconds, the events found, the rows changed."""
    seconds, found, changed = [], 0, 0
    for _ in range(runs):
        fresh = open_store(path, ACTOR)
        try:
            before = fresh.conn.total_changes
            elapsed, evaluation = _timed(lambda s=fresh: evaluate_all(s, TODAY))
            changed += fresh.conn.total_changes - before
        finally:
            fresh.close()
        seconds.append(elapsed)
        found += _found(evaluation)
    return seconds, found, changed


def measure_oversight(
    settings: OversightSettings,
    folder: Path | None = None,
    say: Callable[[str], None] | None = None,
) -> OversightMeasurements:
    """Every figure, on a database made in `folder` (a temporary one, deleted afterwards,
    when not given)."""
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="huddle-benchmarks-oversight-") as tmp:
            return measure_oversight(settings, Path(tmp), say)
    if say is None:
        from benchmarks.run import _say as say
    assert say is not None
    path = folder / "oversight.db"
    runs, hand = settings.runs, hand_metrics(settings)
    store = open_store(path, ACTOR)
    try:
        say(f"defining {settings.metrics} metrics and their rules")
        setup_s, metric_ids = _timed(lambda: setup(store, settings))
        made = readings(settings, metric_ids)

        say(f"loading {len(made):,} observations in one import")
        spent: list[float] = []

        def load() -> Evaluation:
            with (
                _timing_evaluation(spent),
                store.write(f"benchmark: {len(made):,} observations imported") as txn,
            ):
                return record_readings(txn, made, TODAY, ObservationSource.IMPORT).evaluation

        load_s, loaded = _timed(load)
        after_load = counts(store)
    finally:
        store.close()

    say("start-up with nothing new")
    startup_s, startup_found, startup_changes = _startups(path, runs)

    store = open_store(path, ACTOR)
    try:
        say("every rule evaluated again, rolled back")
        forced_s, forced_found, again_found, rolled_back = [], 0, 0, True
        for _ in range(runs):
            before_counts = counts(store)
            try:
                with store.write("benchmark: every rule evaluated again (rolled back)") as txn:
                    elapsed, first = _timed(lambda t=txn: evaluate_in(t, TODAY, None))
                    second = evaluate_in(txn, TODAY, None)
                    raise _RollBack
            except _RollBack:
                pass
            forced_s.append(elapsed)
            forced_found += _found(first)
            again_found += _found(second)
            rolled_back = rolled_back and counts(store) == before_counts

        say("hand-entered observations")
        breaches = [Reading(metric_ids[n], TODAY, HAND_BREACH) for n in range(hand)]
        ordinary = [Reading(metric_ids[hand + n], TODAY, HAND_ORDINARY) for n in range(hand)]
        hand_fire_s, hand_fired, hand_ordinary_s, hand_ordinary_found = [], 0, [], 0
        for breach, value in zip(breaches, ordinary, strict=True):
            elapsed, recorded = _timed(lambda r=breach: record_observation(store, r, TODAY))
            hand_fire_s.append(elapsed)
            hand_fired += len(recorded.evaluation.fired)
            elapsed, recorded = _timed(lambda r=value: record_observation(store, r, TODAY))
            hand_ordinary_s.append(elapsed)
            hand_ordinary_found += _found(recorded.evaluation)
        after_hand = counts(store)

        say("the escalation ladder, nothing due")
        climb_idle_s, climb_idle = [], 0
        for _ in range(runs):
            elapsed, climbed = _timed(lambda: climb_escalations(store, TODAY))
            climb_idle_s.append(elapsed)
            climb_idle += climbed

        say(f"{len(metric_ids)} more rules that never fire")
        owner = store.conn.execute("SELECT min(id) FROM person").fetchone()[0]
        never_add_s, never_add_found = [], 0
        for n, metric_id in enumerate(metric_ids, 1):
            never = rule(metric_id, n, NEVER_OVER_BY, owner)
            elapsed, (_, found) = _timed(lambda r=never: add_rule(store, r, TODAY))
            never_add_s.append(elapsed)
            never_add_found += _found(found)
        after_never = counts(store)
    finally:
        store.close()

    say("start-up with those rules too")
    never_startup_s, never_startup_found, never_startup_changes = _startups(path, runs)

    store = open_store(path, ACTOR)
    try:
        say("hand-entered observations the next day")
        tomorrow = TODAY + timedelta(days=1)
        never_hand_s, never_hand_found = [], 0
        for n in range(hand):
            value = Reading(metric_ids[hand + n], tomorrow, HAND_ORDINARY)
            elapsed, recorded = _timed(lambda r=value: record_observation(store, r, tomorrow))
            never_hand_s.append(elapsed)
            never_hand_found += _found(recorded.evaluation)

        say(f"the escalation ladder, {LATER} days on")
        later = TODAY + timedelta(days=LATER)
        climb_later_s, climbed = _timed(lambda: climb_escalations(store, later))
        end = counts(store)
    finally:
        store.close()  # the last connection folds the WAL back into the file
    return OversightMeasurements(
        settings=settings,
        hand_metrics=hand,
        setup_s=setup_s,
        load_s=load_s,
        load_evaluation_s=sum(spent),
        loaded=loaded,
        after_load=after_load,
        startup_s=startup_s,
        startup_found=startup_found,
        startup_changes=startup_changes,
        forced_s=forced_s,
        forced_found=forced_found,
        again_found=again_found,
        rolled_back=rolled_back,
        hand_fire_s=hand_fire_s,
        hand_fired=hand_fired,
        hand_ordinary_s=hand_ordinary_s,
        hand_ordinary_found=hand_ordinary_found,
        climb_idle_s=climb_idle_s,
        climb_idle=climb_idle,
        after_hand=after_hand,
        never_add_s=never_add_s,
        never_add_found=never_add_found,
        after_never=after_never,
        never_startup_s=never_startup_s,
        never_startup_found=never_startup_found,
        never_startup_changes=never_startup_changes,
        never_hand_s=never_hand_s,
        never_hand_found=never_hand_found,
        climb_later_s=climb_later_s,
        climbed=climbed,
        end=end,
        db_bytes=path.stat().st_size,
    )


# --- the report ----------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    digits = 2 if seconds < 0.001 else 1 if seconds < 0.1 else 0
    return f"{seconds * 1000:,.{digits}f} ms"


def _median(samples: list[float]) -> str:
    return _ms(median(samples)) + (
        f" (median of {len(samples)}; {_ms(min(samples))} to {_ms(max(samples))})"
        if len(samples) > 1
        else ""
    )


def sizes_line(m: OversightMeasurements) -> str:
    s = m.settings
    return (
        f"{s.metrics:,} daily metrics × {s.days:,} days ({first_day(s):%Y-%m-%d} to "
        f"{TODAY - timedelta(days=1):%Y-%m-%d}, seed {s.seed}): {m.readings:,} observations; "
        f"each rule: at or above {OVER_BY:g}% over a baseline of {BASELINE:g} for "
        f"{RUN_DAYS} consecutive days; today {TODAY:%Y-%m-%d}."
    )


def table(m: OversightMeasurements) -> str:
    hand = m.hand_metrics
    rules = m.settings.metrics
    rows = [
        (
            f"load {m.readings:,} observations",
            "one import write: `record_readings` (store, derive, evaluate the rules of the "
            "metrics touched), committed",
            f"{_ms(m.load_s)}, of which evaluation {_ms(m.load_evaluation_s)}; "
            f"{m.readings / m.load_s:,.0f} rows/s; fired {len(m.loaded.fired):,}, "
            f"cleared {len(m.loaded.cleared):,}",
        ),
        (
            "start-up, nothing new",
            f"`evaluate_all` over {rules} rules, reading {m.after_load.pending_reads:,} "
            "observations, on a freshly opened store",
            f"{_median(m.startup_s)}; found {m.startup_found}, rows written {m.startup_changes}",
        ),
        (
            "forced evaluation of every rule",
            f"`evaluate_in(txn, today, None)` over {rules} rules inside a write, rolled back",
            f"{_median(m.forced_s)}; recorded {m.forced_found}, and a second evaluation "
            f"{m.again_found}",
        ),
        (
            "one hand entry that fires",
            "`record_observation`: a breach completing a run of 5 (one transaction: the "
            "observation, its evaluation, the firing, escalation and agenda item)",
            f"{_median(m.hand_fire_s)}; fired {m.hand_fired} of {hand}",
        ),
        (
            "one hand entry within range",
            "`record_observation`: an ordinary value (nothing fires or clears)",
            f"{_median(m.hand_ordinary_s)}; fired or cleared {m.hand_ordinary_found}",
        ),
        (
            "escalation ladder, nothing due",
            "`climb_escalations` on today",
            f"{_median(m.climb_idle_s)}; climbed {m.climb_idle}",
        ),
        (
            "add a rule over the whole history",
            f"`add_rule` (evaluated at once over {m.settings.days:,} days) of a rule that "
            f"never fires here (at or above {NEVER_OVER_BY:g}% over), one per metric",
            f"{_median(m.never_add_s)}; found {m.never_add_found}",
        ),
        (
            "start-up, with those rules too",
            f"`evaluate_all` over {m.after_never.rules} rules, {rules} of which have never fired "
            f"(each reads every observation of its metric): {m.after_never.pending_reads:,} "
            "observations, on a freshly opened store",
            f"{_median(m.never_startup_s)}; found {m.never_startup_found}, rows written "
            f"{m.never_startup_changes}",
        ),
        (
            "one hand entry within range, the next day",
            "`record_observation` on a metric that also has a rule that has never fired",
            f"{_median(m.never_hand_s)}; fired or cleared {m.never_hand_found}",
        ),
        (
            f"escalation ladder, {LATER} days later",
            f"`climb_escalations` on today + {LATER}: every open escalation climbs to contractual",
            f"{_ms(m.climb_later_s)}; {m.climbed} escalations climbed ({m.end.climbs} climbs)",
        ),
    ]
    lines = [
        "| figure | measured as | measured |",
        "|---|---|---|",
        *(f"| {name} | {how} | {result} |" for name, how, result in rows),
    ]
    return "\n".join(lines)


def count_lines(m: OversightMeasurements) -> list[str]:
    load, end = m.after_load, m.end
    problems = m.problems()
    return [
        f"Defining the {m.settings.metrics} metrics and rules (one transaction each): "
        f"{_ms(m.setup_s)}.",
        f"After the load: {load.observations:,} observations, {load.firings:,} firings "
        f"({load.cleared:,} cleared, {load.open_firings} open), {load.open_escalations} open "
        f"escalations, {load.agenda_items} agenda items, {load.audit_rows:,} audit rows.",
        f"At the end ({3 * m.hand_metrics} hand entries, {end.rules} rules, the climb): "
        f"{end.observations:,} observations, {end.firings:,} firings ({end.open_firings} "
        f"open), {end.open_escalations} open escalations, {end.audit_rows:,} audit rows; "
        f"database {m.db_bytes / 2**20:,.1f} MiB.",
        "Checks: " + ("every count agrees" if not problems else "FAILED: " + "; ".join(problems)),
    ]


def main(args: Any, error: Callable[[str], Any]) -> int:
    """The `oversight` subcommand of `python -m benchmarks`, from its parsed arguments."""
    from datetime import datetime

    from benchmarks.run import machine

    chosen = QUICK if args.quick else FULL
    if args.sizes:
        try:
            metrics, years = (int(part.replace("_", "")) for part in args.sizes.split(","))
        except ValueError:
            error(f"--sizes takes two whole numbers, METRICS,YEARS, not {args.sizes!r}")
        if metrics < 3 or years < 1:
            error("--sizes: at least 3 metrics and 1 year")
        chosen = OversightSettings(metrics=metrics, days=years * 365, runs=chosen.runs)
    if args.runs is not None:
        if args.runs < 1:
            error("--runs must be 1 or more")
        chosen = OversightSettings(chosen.metrics, chosen.days, args.runs, chosen.seed)
    started = datetime.now().astimezone()
    measured = measure_oversight(chosen)
    print(f"Run {started:%Y-%m-%d %H:%M %Z} on {machine()}")
    print(sizes_line(measured))
    print()
    print(table(measured))
    print()
    print("\n".join(count_lines(measured)))
    return 0 if not measured.problems() else 1
