"""Oversight writes: metrics, their observations (by hand, imported, or worked out by the
app), trigger rules and what happens when one fires or clears, and the escalation ladder.

The rules are evaluated in the transaction that changes an observation, so a firing, its
escalation and its agenda item commit with the observation that caused them or not at all.
At start-up `evaluate_all` and `climb_escalations` catch up with what arrived by other
routes and with the days that have passed; each reads first and opens a write only when
there is something to record, so an idle start-up writes nothing.

A correction (a different value for a period already recorded, or a worked-out value its
corrected inputs change or no longer give) re-checks the standing firing whose run holds
that period (for a special-cause rule, any period of its metric, since the whole chart
marks its run), against the rule as it stood when it fired: a run that no longer holds is
cleared as corrected, its escalation told, and the rule evaluated again from there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from huddle import oversight, spc
from huddle.dates import uk
from huddle.models import (
    Action,
    ActionSource,
    EscalationRung,
    Metric,
    MetricReview,
    Observation,
    ObservationSource,
    Record,
    RuleKind,
    Segmentation,
    TriggerFiring,
    TriggerRule,
)
from huddle.oversight import Cleared, Fired, Point, shown
from huddle.review_cycle import read_cycle
from store import actions, records
from store.bank_holidays import added_bank_holidays
from store.connection import Store, Transaction
from store.errors import NotFound
from store.oversight_reads import ladder_owners, rows
from store.people import acting_person, checked_person

Source = Store | Transaction
R = TypeVar("R", bound=Record)


def _all(source: Source, model: type[R], sql: str, params: tuple = ()) -> list[R]:
    return [model.model_validate(row) for row in rows(source, sql, params)]


def _metric(source: Source, metric_id: int) -> Metric:
    found = _all(source, Metric, "SELECT * FROM metric WHERE id = ?", (metric_id,))
    if not found:
        raise NotFound("metric", metric_id)
    return found[0]


# --- definitions ------------------------------------------------------------------------


def define_metric(store: Store, metric: Metric, today: date) -> Metric:
    """A new metric, checked: a unique name, a named owner, a review cycle that says how
    often, and for a derived metric the inputs its formula needs, each an entered metric of
    the same period and segmentation. Its review clock starts `today`."""
    metric = Metric.model_validate({**metric.model_dump(), "reviewed_on": today})
    read_cycle(metric.review_cycle)
    with store.write(f"metric defined: {metric.name}") as txn:
        if txn.conn.execute("SELECT 1 FROM metric WHERE name = ?", (metric.name,)).fetchone():
            raise ValueError(f"name: a metric called {metric.name!r} already exists")
        checked_person(txn, metric.owner_id, "owner")
        if metric.derivation is not None:
            _check_inputs(txn, metric)
        return records.insert(txn, metric)


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValueError("reason: say why it changes (the audit trail keeps it)")
    return " ".join(reason.split())


# What may change in a metric once observations are recorded against it: its name, unit,
# period and segmentation say what those observations are, so they stay.
METRIC_EDITABLE = (
    "tolerance_low",
    "tolerance_high",
    "baseline",
    "good",
    "response_pathway",
    "review_cycle",
    "owner_id",
)


def _edit(
    txn: Transaction,
    record_type: type[Metric] | type[TriggerRule],
    row_id: int,
    changes: dict,
    editable: tuple[str, ...],
    otherwise: str,
) -> dict:
    """`changes` to a stored metric or rule as they are stored, once checked: only the
    `editable` columns, and the whole record valid with them applied."""
    fixed = set(changes) - set(editable)
    if fixed:
        raise ValueError(f"{sorted(fixed)[0]}: cannot change; {otherwise}")
    table = records.table_of(record_type)
    stored = txn.row(table, row_id)
    if stored is None:
        raise NotFound(table, row_id)
    return records.checked_changes(record_type, stored, changes)


def edit_metric(store: Store, metric_id: int, version: int, changes: dict, reason: str) -> Metric:
    """Change a metric's tolerance, baseline, pathway, review cycle or owner, with why."""
    with store.write(f"metric changed: {_reason(reason)}") as txn:
        row = _edit(txn, Metric, metric_id, changes, METRIC_EDITABLE, "it says what is observed")
        if "review_cycle" in changes:
            read_cycle(row["review_cycle"])
        if "owner_id" in changes:
            checked_person(txn, changes["owner_id"], "owner")
        if "baseline" in changes and changes["baseline"] is None:
            # A rule set relative to the baseline would have nothing to compare with, and
            # could never fire again: the rule is changed first, in words.
            leaning = txn.conn.execute(
                "SELECT name FROM trigger_rule WHERE metric_id = ? AND relative_to_baseline = 1"
                " AND active = 1 ORDER BY id",
                (metric_id,),
            ).fetchall()
            if leaning:
                names = ", ".join(repr(name) for (name,) in leaning)
                raise ValueError(
                    f"baseline: the rule {names} is set relative to it; change that rule or "
                    "switch it off (R) before removing the baseline"
                )
        return Metric.model_validate(txn.update("metric", metric_id, row, version))


SPC_BASELINE = ("spc_baseline_first", "spc_baseline_last")


def fix_spc_baseline(
    store: Store,
    metric_id: int,
    version: int,
    first: date | None,
    last: date | None,
    reason: str,
    today: date,
) -> tuple[Metric, Evaluation]:
    """Fix the periods whose observations give a metric's Making Data Count limits (each
    day taken as its period), or clear it (both None) so every observation does, with why.
    A baseline with fewer points than the limits need is refused, saying how many it has.
    The rules are evaluated again at once: a special-cause rule reads the new limits."""
    with store.write(f"SPC baseline changed: {_reason(reason)}") as txn:
        metric = _metric(txn, metric_id)
        if metric.segmentation != Segmentation.NONE:
            raise ValueError(
                f"metric: {metric.name} is {metric.segmentation}; its Making Data Count"
                " chart is not read yet, so it has no baseline to fix"
            )
        if (first is None) != (last is None):
            which = "last period" if last is None else "first period"
            raise ValueError(f"{which}: give the baseline's first and last, or neither to clear")
        changes: dict = {"spc_baseline_first": None, "spc_baseline_last": None}
        if first is not None and last is not None:
            first = oversight.period_start(first, metric.period)
            last = oversight.period_start(last, metric.period)
            if first > last:
                raise ValueError(f"last period: {uk(last)} is before the first, {uk(first)}")
            have = txn.conn.execute(
                "SELECT count(*) FROM observation WHERE metric_id = ? AND segment = ''"
                " AND period_start BETWEEN ? AND ?",
                (metric_id, first.isoformat(), last.isoformat()),
            ).fetchone()[0]
            if have < spc.MINIMUM_POINTS:
                raise ValueError(
                    f"last period: {uk(first)} to {uk(last)} has {have} point"
                    f"{'' if have == 1 else 's'}; limits need at least {spc.MINIMUM_POINTS}"
                )
            changes = {"spc_baseline_first": first, "spc_baseline_last": last}
        row = _edit(txn, Metric, metric_id, changes, SPC_BASELINE, "it says what is observed")
        saved = Metric.model_validate(txn.update("metric", metric_id, row, version))
        return saved, evaluate_in(txn, today, [metric_id])


RULE_EDITABLE = ("threshold", "periods", "series", "owner_id", "rung", "active")


def edit_rule(
    store: Store, rule_id: int, version: int, changes: dict, reason: str, today: date
) -> tuple[TriggerRule, Evaluation]:
    """Change a trigger rule (its threshold, run, series, owner or rung) or switch it off
    or on, with why; evaluated again at once. Its firings stand as they were recorded."""
    with store.write(f"trigger rule changed: {_reason(reason)}") as txn:
        row = _edit(txn, TriggerRule, rule_id, changes, RULE_EDITABLE, "add a new rule instead")
        rule = TriggerRule.model_validate({**txn.row("trigger_rule", rule_id), **row})
        if rule.active:
            checked_person(txn, rule.owner_id, "owner")
            _check_series(txn, rule.series)
            metric = _metric(txn, rule.metric_id)
            if rule.relative_to_baseline and metric.baseline is None:
                raise ValueError(
                    f"relative to baseline: {metric.name} has no baseline; give it one (E)"
                    " before this rule is on"
                )
        saved = TriggerRule.model_validate(txn.update("trigger_rule", rule_id, row, version))
        return saved, evaluate_in(txn, today, [saved.metric_id])


def _check_inputs(txn: Transaction, metric: Metric) -> None:
    assert metric.derivation is not None
    needed = oversight.DERIVATION_INPUTS[metric.derivation]
    if set(metric.inputs) != set(needed):
        raise ValueError(f"inputs: {metric.derivation} needs {', '.join(needed)}")
    for role, metric_id in metric.inputs.items():
        given = _metric(txn, metric_id)
        if given.derivation is not None:
            raise ValueError(
                f"inputs: {role} ({given.name}) is itself worked out; give an entered one"
            )
        if given.period != metric.period or given.segmentation != metric.segmentation:
            raise ValueError(
                f"inputs: {role} ({given.name}) is {given.period}, {given.segmentation};"
                f" this metric is {metric.period}, {metric.segmentation}"
            )
        if metric.derivation == oversight.Derivation.VS_BASELINE and given.baseline is None:
            raise ValueError(f"inputs: {given.name} has no baseline to compare with")


def add_rule(store: Store, rule: TriggerRule, today: date) -> tuple[TriggerRule, Evaluation]:
    """A new trigger rule, evaluated at once over the observations already recorded. Its
    review clock, on its metric's cycle, starts `today`."""
    rule = TriggerRule.model_validate({**rule.model_dump(), "reviewed_on": today})
    with store.write(f"trigger rule added: {rule.name}") as txn:
        metric = _metric(txn, rule.metric_id)
        checked_person(txn, rule.owner_id, "owner")
        segmented = metric.segmentation != Segmentation.NONE
        if rule.kind == RuleKind.VARIANCE and not segmented:
            raise ValueError("kind: a variance between segments needs a metric by team or provider")
        if rule.kind == RuleKind.THRESHOLD and segmented:
            raise ValueError("kind: a metric by team or provider takes a variance rule")
        if rule.kind == RuleKind.SPECIAL_CAUSE and segmented:
            # Its Making Data Count chart is read for the whole service only, as on key 6.
            raise ValueError(
                "kind: a metric by team or provider has no Making Data Count chart to read"
                " special cause from; give it a variance rule"
            )
        if rule.relative_to_baseline and metric.baseline is None:
            raise ValueError(f"relative to baseline: {metric.name} has no baseline")
        if not rule.series.strip():
            raise ValueError("series: name the meetings whose agenda takes it when it fires")
        _check_series(txn, rule.series)
        saved = records.insert(txn, rule)
        return saved, evaluate_in(txn, today, [saved.metric_id])


def _check_series(txn: Transaction, series: str) -> None:
    """A fired trigger goes on the agenda of the series named exactly: a name that matches
    no series set up would put it on no agenda at all, so it is refused. (A database from
    before series were set up has none to match against.)"""
    if txn.conn.execute("SELECT 1 FROM series LIMIT 1").fetchone() is None:
        return
    running = [
        name
        for (name,) in txn.conn.execute(
            "SELECT name FROM series WHERE inactive_since IS NULL ORDER BY name"
        )
    ]
    if series not in running:
        known = ", ".join(running) or "none running"
        raise ValueError(
            f"series: {series!r} is not a meeting series the service runs ({known}); "
            "pick one, or add it in Set-up (key 7)"
        )


# --- reviews ---------------------------------------------------------------------------


def review_metric(store: Store, metric_id: int, note: str, today: date) -> MetricReview:
    """The metric and its active rules reviewed `today` by the person the store acts as,
    with what was decided: recorded, and each one's review date moves on a cycle."""
    note = " ".join(note.split())
    if not note:
        raise ValueError("what was decided: say it (kept, changed, retired…); it is the record")
    with store.write(f"metric reviewed: {note}") as txn:
        metric = _metric(txn, metric_id)
        read_cycle(metric.review_cycle)  # a review date needs a cycle that says how often
        reviewed = records.insert(
            txn,
            MetricReview(
                metric_id=metric_id,
                reviewed_on=today,
                note=note,
                reviewed_by=acting_person(txn, "reviewed by").id,  # type: ignore[arg-type]
            ),
        )
        on = {"reviewed_on": today.isoformat()}
        txn.update("metric", metric_id, on, metric.version, reason=f"reviewed: {note}")
        for rule in _rules(txn, [metric_id]):
            txn.update("trigger_rule", rule.id, on, rule.version, reason=f"reviewed: {note}")  # type: ignore[arg-type]
        return reviewed


# --- observations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One value to record: for `metric_id`, the period `day` falls in, one segment."""

    metric_id: int
    day: date
    value: float
    segment: str = ""


@dataclass
class Evaluation:
    fired: list[TriggerFiring] = field(default_factory=list)
    cleared: list[TriggerFiring] = field(default_factory=list)
    corrected: list[TriggerFiring] = field(default_factory=list)
    """Of those cleared, the firings a correction left unsupported ("corrected: ...")."""

    def add(self, other: Evaluation) -> None:
        self.fired.extend(other.fired)
        self.cleared.extend(other.cleared)
        self.corrected.extend(other.corrected)


@dataclass
class Recorded:
    new: int = 0
    changed: int = 0
    same: int = 0
    evaluation: Evaluation = field(default_factory=Evaluation)


def record_observation(
    store: Store,
    reading: Reading,
    today: date,
    source: ObservationSource = ObservationSource.BY_HAND,
) -> Recorded:
    """Record one value (a different value for a period already recorded corrects it, with
    the old value kept in the audit trail), then evaluate the rules it touches."""
    with store.write(f"observation recorded ({source})") as txn:
        return record_readings(txn, [reading], today, source)


def record_readings(
    txn: Transaction,
    readings: Sequence[Reading],
    today: date,
    source: ObservationSource,
) -> Recorded:
    """Inside an open write (an import records thousands in one): store each reading, work
    out the derived metrics it feeds, and evaluate the rules of every metric touched."""
    done = Recorded()
    metrics: dict[int, Metric] = {}
    touched: set[tuple[int, date, str]] = set()
    corrected: set[tuple[int, date]] = set()
    new_rows: dict[tuple, Observation] = {}
    seen: set[tuple] = set()
    for reading in readings:
        metric = metrics.get(reading.metric_id) or _metric(txn, reading.metric_id)
        metrics[metric.id] = metric  # type: ignore[index]
        if metric.derivation is not None:
            raise ValueError(f"metric: {metric.name} is worked out by the app, not entered")
        _check_segment(metric, reading.segment)
        if reading.day > today:
            raise ValueError(f"period: {uk(reading.day)} has not happened yet")
        observation = Observation(
            metric_id=reading.metric_id,
            period_start=oversight.period_start(reading.day, metric.period),
            segment=reading.segment.strip(),
            value=reading.value,
            source=source,
            recorded_on=today,
        )
        key = (observation.metric_id, observation.period_start, observation.segment)
        if key in seen:
            raise ValueError(
                f"period: {uk(observation.period_start)} {observation.segment} is given twice"
            )
        seen.add(key)
        outcome = _store(txn, observation, new_rows)
        setattr(done, outcome, getattr(done, outcome) + 1)
        if outcome != "same":
            touched.add((metric.id, observation.period_start, observation.segment))  # type: ignore[arg-type]
        if outcome == "changed":
            corrected.add((metric.id, observation.period_start))  # type: ignore[arg-type]
    if new_rows:
        records.insert_many(txn, list(new_rows.values()))
    derived = _derive(txn, touched, today, corrected)
    done.evaluation = recheck_corrected(txn, today, corrected)
    done.evaluation.add(evaluate_in(txn, today, {m for m, _, _ in touched} | derived))
    return done


def _check_segment(metric: Metric, segment: str) -> None:
    if metric.segmentation == Segmentation.NONE and segment.strip():
        raise ValueError(f"segment: {metric.name} is for the whole service; leave it blank")
    if metric.segmentation != Segmentation.NONE and not segment.strip():
        kind = "team" if metric.segmentation == Segmentation.TEAM else "provider"
        raise ValueError(f"segment: {metric.name} is {metric.segmentation}; name the {kind}")


def _store(txn: Transaction, observation: Observation, new_rows: dict[tuple, Observation]) -> str:
    """'new', 'changed' or 'same'. New rows are gathered for one bulk insert."""
    stored = txn.conn.execute(
        "SELECT id, value, version FROM observation "
        "WHERE metric_id = ? AND period_start = ? AND segment = ?",
        (observation.metric_id, observation.period_start.isoformat(), observation.segment),
    ).fetchone()
    if stored is None:
        new_rows[(observation.metric_id, observation.period_start, observation.segment)] = (
            observation
        )
        return "new"
    row_id, value, version = stored
    if oversight.exact(value) == oversight.exact(observation.value):
        return "same"
    txn.update(
        "observation",
        row_id,
        {
            "value": observation.value,
            "source": observation.source.value,
            "recorded_on": observation.recorded_on.isoformat(),
        },
        version,
        reason=f"corrected: {shown(value)} became {shown(observation.value)}",
    )
    return "changed"


def _derive(
    txn: Transaction,
    touched: set[tuple[int, date, str]],
    today: date,
    corrected: set[tuple[int, date]],
) -> set[int]:
    """Work out again every derived value whose inputs changed; the derived metrics' ids.
    A derived value changed or forgotten is a correction: its period joins `corrected`."""
    if not touched:
        return set()
    dependants = _all(txn, Metric, "SELECT * FROM metric WHERE derivation IS NOT NULL")
    changed: set[int] = set()
    new_rows: dict[tuple, Observation] = {}
    for metric in dependants:
        inputs = set(metric.inputs.values())
        for period, segment in sorted({(p, s) for m, p, s in touched if m in inputs}):
            value = _derived_value(txn, metric, period, segment)
            if value is None:
                # An input corrected so that it can no longer be worked out (no clinicians)
                # leaves no value rather than a stale one; the audit trail keeps it.
                if _forget(txn, metric, period, segment):
                    changed.add(metric.id)  # type: ignore[arg-type]
                    corrected.add((metric.id, period))  # type: ignore[arg-type]
                continue
            derived = Observation(
                metric_id=metric.id,  # type: ignore[arg-type]
                period_start=period,
                segment=segment,
                value=float(value),
                source=ObservationSource.DERIVED,
                recorded_on=today,
            )
            outcome = _store(txn, derived, new_rows)
            if outcome != "same":
                changed.add(metric.id)  # type: ignore[arg-type]
            if outcome == "changed":
                corrected.add((metric.id, period))  # type: ignore[arg-type]
    if new_rows:
        records.insert_many(txn, list(new_rows.values()))
    return changed


def _forget(txn: Transaction, metric: Metric, period: date, segment: str) -> bool:
    stored = txn.conn.execute(
        "SELECT id FROM observation WHERE metric_id = ? AND period_start = ? AND segment = ?",
        (metric.id, period.isoformat(), segment),
    ).fetchone()
    if stored is None:
        return False
    txn.delete("observation", stored[0], reason="its inputs no longer give a value")
    return True


def _derived_value(txn: Transaction, metric: Metric, period: date, segment: str) -> object:
    values: dict[str, float] = {}
    for role, metric_id in metric.inputs.items():
        found = txn.conn.execute(
            "SELECT value FROM observation "
            "WHERE metric_id = ? AND period_start = ? AND segment = ?",
            (metric_id, period.isoformat(), segment),
        ).fetchone()
        if found is not None:
            values[role] = found[0]
    baseline = None
    if metric.derivation == oversight.Derivation.VS_BASELINE:
        baseline = _metric(txn, metric.inputs["measure"]).baseline
    assert metric.derivation is not None
    return oversight.derive(metric.derivation, values, baseline)


# --- triggers ---------------------------------------------------------------------------


def _rules(source: Source, metric_ids: Iterable[int] | None) -> list[TriggerRule]:
    rules = _all(source, TriggerRule, "SELECT * FROM trigger_rule WHERE active = 1 ORDER BY id")
    if metric_ids is None:
        return rules
    wanted = set(metric_ids)
    return [rule for rule in rules if rule.metric_id in wanted]


def _last_firing(source: Source, rule_id: int) -> TriggerFiring | None:
    found = _all(
        source,
        TriggerFiring,
        "SELECT * FROM trigger_firing WHERE rule_id = ? ORDER BY id DESC LIMIT 1",
        (rule_id,),
    )
    return found[0] if found else None


def _points(
    source: Source, rule: TriggerRule, after: date | None, until: date | None = None
) -> list[Point]:
    """The rule's points after `after` (from the first when None), up to `until` if given."""
    since = after.isoformat() if after else ""
    bounded = "" if until is None else " AND period_start <= ?"
    params = (rule.metric_id, since) + (() if until is None else (until.isoformat(),))
    rows = source.conn.execute(
        "SELECT period_start, segment, value FROM observation "
        f"WHERE metric_id = ? AND period_start > ?{bounded} ORDER BY period_start, segment",
        params,
    ).fetchall()
    if rule.kind == RuleKind.VARIANCE:
        return oversight.variance_points([(date.fromisoformat(p), s, v) for p, s, v in rows])
    return [Point(date.fromisoformat(p), oversight.exact(v)) for p, s, v in rows if s == ""]


def _meets(source: Source, rule: TriggerRule, metric: Metric) -> Callable[[Point], bool]:
    """Whether the rule holds on a point: its threshold, or, for a special-cause rule, the
    metric's chart over every observation marking the point's period concerning."""
    if rule.kind == RuleKind.SPECIAL_CAUSE:
        concerning = oversight.special_cause_concerning(metric, _points(source, rule, None))
        return lambda point: point.period in concerning
    bound = oversight.limit(rule, metric.baseline)
    return lambda point: oversight.holds(rule.comparison, point.value, bound)


@dataclass(frozen=True)
class _Pending:
    rule: TriggerRule
    metric: Metric
    last: TriggerFiring | None
    events: list[Fired | Cleared]


def _pending(source: Source, rule: TriggerRule, metrics: dict[int, Metric]) -> _Pending:
    metric = metrics.get(rule.metric_id) or _metric(source, rule.metric_id)
    metrics[rule.metric_id] = metric
    last = _last_firing(source, rule.id)  # type: ignore[arg-type]
    is_open = last is not None and last.cleared_on is None
    after = None if last is None else (last.fired_period if is_open else last.cleared_period)
    events = oversight.evaluate(
        _points(source, rule, after),
        _meets(source, rule, metric),
        rule.periods,
        metric.period,
        open_firing=is_open,
    )
    return _Pending(rule, metric, last, events)


def evaluate_in(txn: Transaction, today: date, metric_ids: Iterable[int] | None) -> Evaluation:
    """Evaluate the rules of `metric_ids` (every rule when None) inside an open write and
    record what they find."""
    found = Evaluation()
    metrics: dict[int, Metric] = {}
    for rule in _rules(txn, metric_ids):
        found.add(_apply(txn, _pending(txn, rule, metrics), today))
    return found


def evaluate_all(store: Store, today: date) -> Evaluation:
    """Start-up: every rule, written only when one fires or clears."""
    metrics: dict[int, Metric] = {}
    with store.reading():
        due = any(_pending(store, rule, metrics).events for rule in _rules(store, None))
    if not due:
        return Evaluation()
    with store.write(f"trigger rules evaluated at start-up on {uk(today)}") as txn:
        return evaluate_in(txn, today, None)


def _apply(txn: Transaction, pending: _Pending, today: date) -> Evaluation:
    found = Evaluation()
    open_firing = pending.last if pending.last and pending.last.cleared_on is None else None
    events = pending.events
    for position, event in enumerate(events):
        if isinstance(event, Fired):
            # A run found already over (a history imported) is recorded as fired and
            # cleared; only a firing still standing opens an escalation.
            later = events[position + 1] if position + 1 < len(events) else None
            open_firing = _fire(txn, pending, event, today, later)
            found.fired.append(open_firing)
            if open_firing.cleared_on is not None:
                found.cleared.append(open_firing)
                open_firing = None
        elif open_firing is not None:
            if open_firing.id is not None and open_firing.cleared_on is None:
                found.cleared.append(_clear(txn, pending, open_firing, event, today))
            open_firing = None
    return found


def _point_words(point: Point) -> str:
    if point.segments:
        teams = ", ".join(f"{name} {shown(value)}" for name, value in point.segments.items())
        return f"{point.period:%d/%m} {shown(point.value)}% ({teams})"
    return f"{point.period:%d/%m} {shown(point.value)}"


def _fire(
    txn: Transaction, pending: _Pending, fired: Fired, today: date, later: Fired | Cleared | None
) -> TriggerFiring:
    rule, metric = pending.rule, pending.metric
    run = fired.run
    when = uk(run[0].period) if len(run) == 1 else f"{uk(run[0].period)} to {uk(run[-1].period)}"
    why = (
        f"{metric.name} {oversight.describe(rule, metric)}, {when}: "
        f"{'; '.join(_point_words(p) for p in run)}"
    )
    if rule.kind == RuleKind.SPECIAL_CAUSE:
        marked = oversight.special_cause_concerning(metric, _points(txn, rule, None))
        why += f" ({marked[run[-1].period]})"
    cleared = later if isinstance(later, Cleared) else None
    action_id = None
    if cleared is None:
        action = actions.insert_action(
            txn,
            Action(
                title=f"Trigger fired: {rule.name} ({metric.name})",
                owner_id=rule.owner_id,
                due_date=oversight.due_on(rule.rung, today, added_bank_holidays(txn)),
                source=ActionSource.TRIGGER,
                created_on=today,
                rung=rule.rung,
            ),
            today,
        )
        action_id = action.id
    firing = records.insert(
        txn,
        TriggerFiring(
            rule_id=rule.id,  # type: ignore[arg-type]
            fired_on=today,
            run_start=run[0].period,
            fired_period=run[-1].period,
            observations=[
                {"period": p.period.isoformat(), "value": float(p.value), "segments": p.segments}
                for p in run
            ],
            why=why,
            action_id=action_id,
            cleared_on=today if cleared else None,
            cleared_period=cleared.point.period if cleared else None,
            cleared_why=_cleared_why(cleared) if cleared else None,
        ),
    )
    if cleared is None:
        txn.insert(
            "agenda_item",
            {
                "series": rule.series,
                "firing_id": firing.id,
                "added_on": today.isoformat(),
                "meeting_id": None,
            },
        )
    return firing


def _cleared_why(cleared: Cleared) -> str:
    return f"back within the rule on {_point_words(cleared.point)}"


def _clear(
    txn: Transaction, pending: _Pending, firing: TriggerFiring, cleared: Cleared, today: date
) -> TriggerFiring:
    after = txn.update(
        "trigger_firing",
        firing.id,  # type: ignore[arg-type]
        {
            "cleared_on": today.isoformat(),
            "cleared_period": cleared.point.period.isoformat(),
            "cleared_why": _cleared_why(cleared),
        },
        firing.version,
        reason=f"trigger cleared: {pending.rule.name}",
    )
    return TriggerFiring.model_validate(after)


# --- corrections -----------------------------------------------------------------------


def recheck_corrected(
    txn: Transaction, today: date, corrected: set[tuple[int, date]]
) -> Evaluation:
    """Inside an open write, after observations were corrected: each standing firing whose
    run holds a corrected (metric, period) is checked against the rule as it stood when it
    fired (a rule edited since does not undo it). If its run no longer holds, the firing
    is cleared with the reason "corrected", audited, and its escalation is told; the
    rule's evaluation that follows starts again after that period, so a run the corrected
    values now support fires. A firing already cleared stands as recorded."""
    found = Evaluation()
    if not corrected:
        return found
    metric_ids = sorted({metric_id for metric_id, _ in corrected})
    standing = _all(
        txn,
        TriggerFiring,
        "SELECT f.* FROM trigger_firing AS f JOIN trigger_rule AS r ON r.id = f.rule_id "
        f"WHERE f.cleared_on IS NULL AND r.metric_id IN ({', '.join('?' * len(metric_ids))}) "
        "ORDER BY f.id",
        tuple(metric_ids),
    )
    for firing in standing:
        rule = TriggerRule.model_validate(txn.row("trigger_rule", firing.rule_id))
        # A special-cause rule's run is marked by the whole chart (its mean and limits, a
        # shift's other points), so a correction anywhere in its metric may unmark it.
        anywhere = rule.kind == RuleKind.SPECIAL_CAUSE
        if not any(
            metric_id == rule.metric_id
            and (anywhere or firing.run_start <= period <= firing.fired_period)
            for metric_id, period in corrected
        ):
            continue
        fired_at = _fired_at(txn, firing)
        rule = _as_it_was(txn, rule, fired_at)
        metric = _as_it_was(txn, _metric(txn, rule.metric_id), fired_at)
        why = _unsupported(txn, firing, rule, metric)
        if why is None:
            continue
        period, words = why
        cleared = _clear_corrected(txn, rule, firing, period, words, today)
        found.cleared.append(cleared)
        found.corrected.append(cleared)
    return found


def _fired_at(txn: Transaction, firing: TriggerFiring) -> int | None:
    """The audit row that recorded the firing (None for one written without the trail)."""
    found = txn.conn.execute(
        "SELECT min(id) FROM audit WHERE table_name = 'trigger_firing' AND row_id = ? "
        "AND operation = 'insert'",
        (firing.id,),
    ).fetchone()
    return found[0] if found else None


def _as_it_was(txn: Transaction, record: R, audit_id: int | None) -> R:
    """`record` as it stood just before audit row `audit_id`, from the audit trail (as it
    stands now when the trail does not say)."""
    if audit_id is None:
        return record
    found = txn.conn.execute(
        "SELECT after FROM audit WHERE table_name = ? AND row_id = ? AND id < ? "
        "AND after IS NOT NULL ORDER BY id DESC LIMIT 1",
        (records.table_of(type(record)), record.id, audit_id),
    ).fetchone()
    return type(record).model_validate(json.loads(found[0])) if found else record


def _unsupported(
    txn: Transaction, firing: TriggerFiring, rule: TriggerRule, metric: Metric
) -> tuple[date, str] | None:
    """The first period of the firing's run that no longer meets the rule (or has no value
    now), with why in words; None while every period of the run still does."""
    meets = _meets(txn, rule, metric)
    points = {
        point.period: point
        for point in _points(
            txn, rule, firing.run_start - timedelta(days=1), until=firing.fired_period
        )
    }
    run = f"{uk(firing.run_start)} to {uk(firing.fired_period)}"
    if firing.run_start == firing.fired_period:
        run = uk(firing.run_start)
    period = firing.run_start
    while period <= firing.fired_period:
        point = points.get(period)
        if point is None:
            return period, f"{period:%d/%m} has no value now; the run {run} no longer holds"
        if not meets(point):
            return (
                period,
                f"{_not_met(rule, metric, point)}; the run {run} no longer holds",
            )
        period = oversight.next_period(period, metric.period)
    return None


def _not_met(rule: TriggerRule, metric: Metric, point: Point) -> str:
    if rule.kind == RuleKind.SPECIAL_CAUSE:
        return f"{point.period:%d/%m} {shown(point.value)} is no longer special cause concerning"
    unit = "%" if rule.kind == RuleKind.VARIANCE else f" {metric.unit}"
    bound = shown(oversight.limit(rule, metric.baseline))
    return f"{_now_words(point)}, not {rule.comparison} {bound}{unit}"


def _now_words(point: Point) -> str:
    if point.segments:
        teams = ", ".join(f"{name} {shown(value)}" for name, value in point.segments.items())
        return f"{point.period:%d/%m} is now {shown(point.value)}% ({teams})"
    return f"{point.period:%d/%m} is now {shown(point.value)}"


def _clear_corrected(
    txn: Transaction,
    rule: TriggerRule,
    firing: TriggerFiring,
    period: date,
    words: str,
    today: date,
) -> TriggerFiring:
    """Clear the firing as corrected, and tell its escalation, open or closed, in its
    title and history: whether the escalation still stands is for a person to decide."""
    why = f"corrected: {words}"
    after = TriggerFiring.model_validate(
        txn.update(
            "trigger_firing",
            firing.id,  # type: ignore[arg-type]
            {
                "cleared_on": today.isoformat(),
                "cleared_period": period.isoformat(),
                "cleared_why": why,
            },
            firing.version,
            reason=f"trigger cleared as corrected: {rule.name}",
        )
    )
    if firing.action_id is not None:
        escalation = txn.row("action", firing.action_id)
        if escalation is not None:
            txn.update(
                "action",
                firing.action_id,
                {"title": f"{escalation['title']} — {CLEARED_AS_CORRECTED} {uk(today)}"},
                escalation["version"],
                reason=(
                    f"the firing behind this escalation was cleared as {why}; whether the"
                    " escalation still stands is for a person to decide"
                ),
            )
    return after


CLEARED_AS_CORRECTED = "firing cleared as corrected on"
"""What an escalation's title gains when the firing behind it is cleared as corrected."""


# --- the escalation ladder --------------------------------------------------------------

_CLIMBING = (
    "SELECT id, rung, due_date, version, owner_id, title FROM action WHERE rung IS NOT NULL "
    "AND rung != :top AND status != 'closed' AND due_date < :today"
)


def climb_in(txn: Transaction, today: date) -> int:
    """Every open escalation past its rung's timeframe climbs (perhaps several rungs, each
    on the day it ran out), each climb recorded; it is given to the owner of the rung it
    reaches, if set-up names one, and its title says that rung. Returns how many climbed."""
    params = {"top": oversight.LADDER[-1].value, "today": today.isoformat()}
    climbed, extra, owners = 0, added_bank_holidays(txn), ladder_owners(txn)
    for action_id, rung, due, version, owner_id, title in txn.conn.execute(
        _CLIMBING, params
    ).fetchall():
        steps = oversight.climbs(EscalationRung(rung), date.fromisoformat(due), today, extra)
        last = steps[-1]
        new_owner = owners.get(last.to_rung, owner_id)
        for step in steps:
            title = oversight.title_on_rung(title, step.from_rung, step.to_rung)
            handed = step is last and new_owner != owner_id
            txn.insert(
                "escalation_climb",
                {
                    "action_id": action_id,
                    "from_rung": step.from_rung,
                    "to_rung": step.to_rung,
                    "climbed_on": step.climbed_on.isoformat(),
                    "due_before": step.due_before.isoformat(),
                    "due_after": step.due_after.isoformat(),
                    "owner_before": owner_id if handed else None,
                    "owner_after": new_owner if handed else None,
                },
            )
        given = f", given to the {last.to_rung} rung's owner" if new_owner != owner_id else ""
        txn.update(
            "action",
            action_id,
            {
                "rung": last.to_rung,
                "due_date": last.due_after.isoformat(),
                "owner_id": new_owner,
                "title": title,
            },
            version,
            reason=(
                f"escalation climbed to {last.to_rung}: no outcome recorded within the"
                f" {steps[0].from_rung} timeframe (due {uk(steps[0].due_before)}){given}"
            ),
        )
        climbed += 1
    return climbed


def climb_escalations(store: Store, today: date) -> int:
    """Start-up: climb what has run out, writing only when something has."""
    params = {"top": oversight.LADDER[-1].value, "today": today.isoformat()}
    if store.conn.execute(f"SELECT EXISTS ({_CLIMBING})", params).fetchone()[0] == 0:
        return 0
    with store.write(f"escalation ladder climbed on {uk(today)}") as txn:
        return climb_in(txn, today)


def raise_escalation(
    store: Store,
    *,
    title: str,
    owner_id: int | None,
    rung: EscalationRung,
    today: date,
    meeting_id: int | None = None,
) -> Action:
    """An escalation raised by hand: owned, on a rung, due by the rung's timeframe."""
    if not title.strip():
        raise ValueError("what: say what is escalated and why")
    with store.write(f"{rung} escalation raised by hand") as txn:
        checked_person(txn, owner_id, "owner")
        return actions.insert_action(
            txn,
            Action(
                title=title.strip(),
                owner_id=owner_id,  # type: ignore[arg-type]
                due_date=oversight.due_on(rung, today, added_bank_holidays(txn)),
                source=ActionSource.BY_HAND,
                created_on=today,
                rung=rung,
                meeting_id=meeting_id,
            ),
            today,
        )


def take_agenda_items(txn: Transaction, meeting_id: int, series: str, held_on: date) -> int:
    """At sign-off: the fired triggers waiting for this series are taken by this meeting
    (its minutes list them), so the next meeting does not carry them again."""
    waiting = txn.conn.execute(
        "SELECT id, version FROM agenda_item WHERE series = ? AND meeting_id IS NULL "
        "AND added_on <= ?",
        (series, held_on.isoformat()),
    ).fetchall()
    for item_id, version in waiting:
        txn.update("agenda_item", item_id, {"meeting_id": meeting_id}, version)
    return len(waiting)
