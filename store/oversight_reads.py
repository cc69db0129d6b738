"""Oversight reads: the metrics with their latest value against tolerance, one metric's
series for its chart, the fired triggers still standing, and the escalation log.

Each reads through a store or inside an open write (sign-off renders the minutes in the
transaction that locks the meeting)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from huddle import oversight, rules, spc
from huddle.models import (
    ActionSource,
    ActionStatus,
    EscalationRung,
    Metric,
    RuleKind,
    Segmentation,
    TriggerRule,
)
from huddle.review_cycle import Review, review_of
from store.bank_holidays import added_bank_holidays
from store.connection import Store, Transaction

Source = Store | Transaction


def rows(source: Source, sql: str, params: dict | tuple = ()) -> list[dict]:
    cursor = source.conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


# --- metrics ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LastReview:
    """The last review of a metric recorded with `v`: when, what was decided, by whom."""

    reviewed_on: date
    note: str
    by: str


@dataclass(frozen=True)
class MetricLine:
    metric: Metric
    owner: str
    latest_period: date | None
    latest: float | None
    """The latest value; for a metric by team or provider, their mean."""
    spread: float | None
    """For a metric by team or provider: the variance between them in the latest period."""
    segments: int
    rules: tuple[TriggerRule, ...]
    open_firings: int
    by_segment: tuple[tuple[str, float], ...] = ()
    """For a metric by team or provider: each one's value in the latest period, by name."""
    spc: spc.XmRChart | spc.NotEnoughPoints | None = None
    """A whole-service metric's observations read as Making Data Count reads them."""
    review: Review | None = None
    """When it and its rules are next reviewed, on its review cycle."""
    last_review: LastReview | None = None
    """The last review recorded with `v`, with what was decided."""
    spc_by_segment: tuple[tuple[str, spc.XmRChart | spc.NotEnoughPoints], ...] = ()
    """For a metric by team or provider: each one's observations read the same way, as
    their mean would hide a team drifting while another improves."""

    def judged(self) -> list[tuple[str, float, oversight.Standing]]:
        """Each segment's latest value and where it stands against the tolerance."""
        low, high = self.metric.tolerance_low, self.metric.tolerance_high
        return [
            (segment, value, oversight.standing(value, low, high))
            for segment, value in self.by_segment
        ]

    def outside(self) -> list[tuple[str, float, oversight.Standing]]:
        return [judged for judged in self.judged() if judged[2] != oversight.Standing.WITHIN]

    @property
    def standing(self) -> str:
        """Where the latest value stands against the tolerance range, in words; for a
        metric by team or provider, outside when any one of them is (never their mean)."""
        if self.latest is None:
            return "NO DATA"
        low, high = self.metric.tolerance_low, self.metric.tolerance_high
        if self.by_segment:
            return oversight.overall([standing for *_, standing in self.judged()]).value
        return oversight.standing(self.latest, low, high).value

    @property
    def tolerance(self) -> str:
        low, high = self.metric.tolerance_low, self.metric.tolerance_high
        if low is None:
            return f"≤ {oversight.shown(high or 0)}"
        if high is None:
            return f"≥ {oversight.shown(low)}"
        return f"{oversight.shown(low)}–{oversight.shown(high)}"


def count_metrics(source: Source) -> int:
    return source.conn.execute("SELECT count(*) FROM metric").fetchone()[0]


def metric_lines(source: Source, offset: int, limit: int) -> list[MetricLine]:
    """A page of metrics, those with a fired trigger standing first, then by name; each
    with its latest period's value and its rules."""
    lines = []
    for row in rows(
        source,
        # A metric whose trigger has fired and stands comes first.
        "SELECT m.*, p.name AS owner_name FROM metric AS m JOIN person AS p ON p.id = m.owner_id "
        "ORDER BY EXISTS (SELECT 1 FROM trigger_firing AS f JOIN trigger_rule AS r "
        "ON r.id = f.rule_id WHERE r.metric_id = m.id AND f.cleared_on IS NULL) DESC, m.name "
        "LIMIT ? OFFSET ?",
        (limit, offset),
    ):
        owner = row.pop("owner_name")
        metric = Metric.model_validate(row)
        latest = source.conn.execute(
            "SELECT max(period_start) FROM observation WHERE metric_id = ?", (metric.id,)
        ).fetchone()[0]
        observed = source.conn.execute(
            "SELECT segment, value FROM observation WHERE metric_id = ? AND period_start = ? "
            "ORDER BY segment",
            (metric.id, latest),
        ).fetchall()
        values = [value for _, value in observed]
        segmented = metric.segmentation != Segmentation.NONE
        spread = oversight.variance(values) if segmented else None
        rules_of = _rules_of(source, metric.id)  # type: ignore[arg-type]
        open_firings = source.conn.execute(
            "SELECT count(*) FROM trigger_firing AS f JOIN trigger_rule AS r ON r.id = f.rule_id "
            "WHERE r.metric_id = ? AND f.cleared_on IS NULL",
            (metric.id,),
        ).fetchone()[0]
        chart = None if segmented else oversight.spc_chart(metric, spc_points(source, metric))
        review = reviews(source, [metric.id])[metric.id]  # type: ignore[index]
        lines.append(
            MetricLine(
                metric,
                owner,
                date.fromisoformat(latest) if latest else None,
                sum(values) / len(values) if values else None,
                float(spread) if spread is not None else None,
                len(values),
                tuple(rules_of),
                open_firings,
                tuple((segment, value) for segment, value in observed) if segmented else (),
                chart,
                review,
                _last_review(source, metric.id),  # type: ignore[arg-type]
                tuple(
                    (segment, oversight.spc_chart(metric, spc_points(source, metric, segment)))
                    for segment, _ in observed
                )
                if segmented
                else (),
            )
        )
    return lines


# A row's last review: as recorded, else (a row from before reviews were kept, m029) the
# day it was created, the date of its first audit row in this computer's zone as every
# "today" is; NULL when the trail has none.
_REVIEWED = (
    "coalesce({t}.reviewed_on, (SELECT date(min(a.at), 'localtime') FROM audit AS a "
    "WHERE a.table_name = '{table}' AND a.row_id = {t}.id))"
)


def reviews(source: Source, metric_ids: Collection[int] | None = None) -> dict[int, Review]:
    """When each metric (or those of `metric_ids`) and its active rules are next reviewed,
    by metric id. Cheap: no observations are read."""
    where, params = "", tuple(metric_ids or ())
    if metric_ids is not None:
        where = f"WHERE m.id IN ({', '.join('?' * len(params))})"
    reviewed: dict[int, list[date | None]] = {}
    cycles: dict[int, str] = {}
    for metric_id, cycle, on in source.conn.execute(
        f"SELECT m.id, m.review_cycle, {_REVIEWED.format(t='m', table='metric')} "
        f"FROM metric AS m {where}",
        params,
    ):
        cycles[metric_id] = cycle
        reviewed[metric_id] = [date.fromisoformat(on) if on else None]
    for metric_id, on in source.conn.execute(
        f"SELECT r.metric_id, {_REVIEWED.format(t='r', table='trigger_rule')} "
        f"FROM trigger_rule AS r JOIN metric AS m ON m.id = r.metric_id {where} "
        f"{'AND' if where else 'WHERE'} r.active = 1",
        params,
    ):
        reviewed[metric_id].append(date.fromisoformat(on) if on else None)
    return {metric_id: review_of(cycles[metric_id], on) for metric_id, on in reviewed.items()}


def _last_review(source: Source, metric_id: int) -> LastReview | None:
    found = source.conn.execute(
        "SELECT r.reviewed_on, r.note, p.name FROM metric_review AS r "
        "JOIN person AS p ON p.id = r.reviewed_by WHERE r.metric_id = ? "
        "ORDER BY r.reviewed_on DESC, r.id DESC LIMIT 1",
        (metric_id,),
    ).fetchone()
    return LastReview(date.fromisoformat(found[0]), found[1], found[2]) if found else None


def spc_points(source: Source, metric: Metric, segment: str = "") -> list[tuple[date, float]]:
    """A metric's observations, (period, value) in period order: the whole service's, or
    one team's or provider's."""
    return [
        (date.fromisoformat(period), value)
        for period, value in source.conn.execute(
            "SELECT period_start, value FROM observation WHERE metric_id = ? AND segment = ?"
            " ORDER BY period_start",
            (metric.id, segment),
        )
    ]


def _rules_of(source: Source, metric_id: int) -> list[TriggerRule]:
    return [
        TriggerRule.model_validate(row)
        for row in rows(
            source, "SELECT * FROM trigger_rule WHERE metric_id = ? ORDER BY id", (metric_id,)
        )
    ]


@dataclass(frozen=True)
class Series:
    """What a metric's chart draws: its values by period (for a metric by team or
    provider, the spread between them, which is what its variance rule judges), and the
    periods at which its triggers fired and cleared."""

    points: list[tuple[date, float]]
    low: float | None
    high: float | None
    fired: list[date]
    cleared: list[date]
    plotted: str
    thresholds: tuple[float, ...] = ()
    """The level of each threshold rule switched on (a rule relative to the baseline at the
    value it compares with)."""
    segments: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    """For a metric by team or provider: each one's values by period, by name."""


def series(source: Source, metric: Metric, periods: int) -> Series:
    """The latest `periods` periods of `metric`."""
    rows = source.conn.execute(
        "SELECT period_start, segment, value FROM observation WHERE metric_id = :id "
        "AND period_start >= coalesce((SELECT DISTINCT period_start FROM observation "
        "WHERE metric_id = :id ORDER BY period_start DESC LIMIT 1 OFFSET :back), '') "
        "ORDER BY period_start, segment",
        {"id": metric.id, "back": periods - 1},
    ).fetchall()
    firings = source.conn.execute(
        "SELECT f.fired_period, f.cleared_period FROM trigger_firing AS f "
        "JOIN trigger_rule AS r ON r.id = f.rule_id WHERE r.metric_id = ? ORDER BY f.id",
        (metric.id,),
    ).fetchall()
    fired = [date.fromisoformat(f) for f, _ in firings]
    cleared = [date.fromisoformat(c) for _, c in firings if c]
    rules_of = _rules_of(source, metric.id)  # type: ignore[arg-type]
    if metric.segmentation == Segmentation.NONE:
        points = [(date.fromisoformat(p), v) for p, _, v in rows]
        thresholds = tuple(
            float(oversight.limit(r, metric.baseline))
            for r in rules_of
            # A baseline since taken away leaves a relative rule no level to draw.
            if r.kind == RuleKind.THRESHOLD
            and r.active
            and (metric.baseline is not None or not r.relative_to_baseline)
        )
        return Series(
            points,
            metric.tolerance_low,
            metric.tolerance_high,
            fired,
            cleared,
            metric.unit,
            thresholds,
        )
    spreads = oversight.variance_points([(date.fromisoformat(p), s, v) for p, s, v in rows])
    variance_rules = [r for r in rules_of if r.kind == RuleKind.VARIANCE]
    limit = variance_rules[0].threshold if variance_rules else None
    segments: dict[str, list[tuple[date, float]]] = {}
    for p, s, v in sorted(rows, key=lambda row: (row[1], row[0])):
        segments.setdefault(s, []).append((date.fromisoformat(p), v))
    return Series(
        [(point.period, float(point.value)) for point in spreads],
        None,
        limit,
        fired,
        cleared,
        f"% variance between {_segments_word(metric)}",
        segments=segments,
    )


def _segments_word(metric: Metric) -> str:
    return "teams" if metric.segmentation == Segmentation.TEAM else "providers"


# --- fired triggers ---------------------------------------------------------------------


@dataclass(frozen=True)
class FiredTrigger:
    firing_id: int
    rule: str
    metric: str
    fired_on: date
    run_start: date
    fired_period: date
    why: str
    observations: list[dict]
    series: str
    action_id: int | None
    owner: str | None
    rung: EscalationRung | None
    due_date: date | None
    status: ActionStatus | None
    cleared_on: date | None
    cleared_why: str | None

    def words(self, as_at: date) -> str:
        """One line for Today, the agenda and the minutes: what fired and who has it."""
        if self.action_id is None:
            escalation = "no escalation (found already over)"
        else:
            late = (
                self.due_date is not None
                and self.status != ActionStatus.CLOSED
                and (rules.is_action_overdue(False, self.due_date, as_at))
            )
            due = f"{'OVERDUE, ' if late else ''}due {self.due_date:%d/%m}"
            escalation = f"escalation: {self.owner}, {self.rung} rung, {due}, {self.status}"
        cleared = f" · cleared {self.cleared_on:%d/%m}" if self.cleared_on else ""
        return f"FIRED {self.fired_on:%d/%m}: {self.why} · {escalation}{cleared}"


_FIRED = """
SELECT f.id, r.name AS rule, m.name AS metric, f.fired_on, f.run_start, f.fired_period, f.why,
       f.observations, r.series, f.action_id, p.name AS owner, a.rung, a.due_date, a.status,
       f.cleared_on, f.cleared_why
FROM trigger_firing AS f
JOIN trigger_rule AS r ON r.id = f.rule_id
JOIN metric AS m ON m.id = r.metric_id
LEFT JOIN action AS a ON a.id = f.action_id
LEFT JOIN person AS p ON p.id = a.owner_id
"""


def _fired(source: Source, where: str, params: dict) -> list[FiredTrigger]:
    found = []
    for row in rows(source, f"{_FIRED} WHERE {where} ORDER BY f.fired_on DESC, f.id DESC", params):
        found.append(
            FiredTrigger(
                firing_id=row["id"],
                rule=row["rule"],
                metric=row["metric"],
                fired_on=date.fromisoformat(row["fired_on"]),
                run_start=date.fromisoformat(row["run_start"]),
                fired_period=date.fromisoformat(row["fired_period"]),
                why=row["why"],
                observations=json.loads(row["observations"]),
                series=row["series"],
                action_id=row["action_id"],
                owner=row["owner"],
                rung=EscalationRung(row["rung"]) if row["rung"] else None,
                due_date=date.fromisoformat(row["due_date"]) if row["due_date"] else None,
                status=ActionStatus(row["status"]) if row["status"] else None,
                cleared_on=date.fromisoformat(row["cleared_on"]) if row["cleared_on"] else None,
                cleared_why=row["cleared_why"],
            )
        )
    return found


def firing_of(source: Source, action_id: int) -> FiredTrigger | None:
    """The firing a trigger's escalation was opened for, if the action is one."""
    found = _fired(source, "f.action_id = :id", {"id": action_id})
    return found[0] if found else None


def fired_triggers(source: Source, as_at: date) -> list[FiredTrigger]:
    """Triggers fired by `as_at` and not cleared by then: what Today and status show."""
    day = as_at.isoformat()
    return _fired(
        source,
        "f.fired_on <= :day AND (f.cleared_on IS NULL OR f.cleared_on > :day)",
        {"day": day},
    )


def fired_between(source: Source, since: date, as_at: date) -> list[FiredTrigger]:
    """Fired after `since` up to `as_at` (what changed since the series last met)."""
    return _fired(
        source,
        "f.fired_on > :since AND f.fired_on <= :day",
        {"since": since.isoformat(), "day": as_at.isoformat()},
    )


# The fired triggers on the agenda of meeting :triggered_for: those of its series waiting
# for a meeting (while it is open), and those it took at its sign-off.
ON_AGENDA_OF = (
    "SELECT i.firing_id FROM agenda_item AS i JOIN meeting AS this ON this.id = :triggered_for "
    "WHERE i.series = this.series AND (i.meeting_id = this.id "
    "OR (i.meeting_id IS NULL AND i.added_on <= this.held_on AND this.state != 'signed off'))"
)


def on_agenda(source: Source, meeting_id: int) -> list[FiredTrigger]:
    """The fired triggers on this meeting's agenda: those of its series waiting for a
    meeting on or after the day they fired, or taken by this one at its sign-off."""
    return _fired(source, f"f.id IN ({ON_AGENDA_OF})", {"triggered_for": meeting_id})


# --- the escalation log -----------------------------------------------------------------


@dataclass(frozen=True)
class EscalationLine:
    """One escalation: an action on a rung of the ladder, from a trigger, a breach or by
    hand, with its climbs."""

    id: int
    version: int
    title: str
    source: ActionSource
    owner: str
    rung: EscalationRung
    opened: date
    due_date: date
    status: ActionStatus
    closed_on: date | None
    outcome: str | None
    climbs: int
    last_climb: date | None
    as_at: date
    owner_left: bool = False
    """The owner has left the service: OWNER LEFT until someone else is given it."""

    @property
    def overdue(self) -> bool:
        return rules.is_action_overdue(
            self.status == ActionStatus.CLOSED, self.due_date, self.as_at
        )


_ESCALATIONS = """
SELECT a.id, a.version, a.title, a.source, p.name, a.rung, a.created_on, a.due_date, a.status,
       a.closed_on, a.evidence,
       (SELECT count(*) FROM escalation_climb AS c WHERE c.action_id = a.id),
       (SELECT max(c.climbed_on) FROM escalation_climb AS c WHERE c.action_id = a.id),
       p.inactive_since IS NOT NULL
FROM action AS a JOIN person AS p ON p.id = a.owner_id
WHERE a.rung IS NOT NULL AND a.created_on <= :as_at
ORDER BY a.status = 'closed', a.due_date, a.id
LIMIT :limit OFFSET :offset
"""


def count_escalations(source: Source, as_at: date) -> tuple[int, int, int]:
    """Every escalation, those open, and those open past their due date once the ladder
    has climbed as at `as_at` (only one on the top rung stays overdue): what the app shows
    after climbing, read without writing (`huddle status`)."""
    every, still_open = source.conn.execute(
        "SELECT count(*), coalesce(sum(status != 'closed'), 0) "
        "FROM action WHERE rung IS NOT NULL AND created_on <= :as_at",
        {"as_at": as_at.isoformat()},
    ).fetchone()
    extra = added_bank_holidays(source)
    overdue = sum(
        1
        for rung, due in source.conn.execute(
            "SELECT rung, due_date FROM action WHERE rung IS NOT NULL AND status != 'closed' "
            "AND created_on <= :as_at AND due_date < :as_at",
            {"as_at": as_at.isoformat()},
        )
        if climbed(EscalationRung(rung), date.fromisoformat(due), as_at, extra)[1] < as_at
    )
    return every, still_open, overdue


def ladder_owners(source: Store | Transaction) -> dict[EscalationRung, int]:
    """Each rung's owner as set up (`[ladder]`), for those still here: an escalation
    climbing to a rung whose owner has left stays with whoever has it."""
    return {
        EscalationRung(rung): owner_id
        for rung, owner_id in source.conn.execute(
            "SELECT l.rung, l.owner_id FROM ladder_rung AS l JOIN person AS p "
            "ON p.id = l.owner_id WHERE p.inactive_since IS NULL"
        )
    }


def climbed(
    rung: EscalationRung, due: date, as_at: date, extra: Collection[date] = ()
) -> tuple[EscalationRung, date]:
    """The rung and due date an open escalation has once the ladder has climbed."""
    steps = oversight.climbs(rung, due, as_at, extra)
    return (steps[-1].to_rung, steps[-1].due_after) if steps else (rung, due)


def escalation_lines(source: Source, as_at: date, offset: int, limit: int) -> list[EscalationLine]:
    """Open escalations first, soonest due first; then the closed, with their outcomes."""
    lines = []
    params = {"as_at": as_at.isoformat(), "limit": limit, "offset": offset}
    for row in source.conn.execute(_ESCALATIONS, params):
        (
            action_id,
            version,
            title,
            source_name,
            owner,
            rung,
            created,
            due,
            status,
            closed,
            evidence,
            climbs,
            last_climb,
            owner_left,
        ) = row
        lines.append(
            EscalationLine(
                action_id,
                version,
                title,
                ActionSource(source_name),
                owner,
                EscalationRung(rung),
                date.fromisoformat(created),
                date.fromisoformat(due),
                ActionStatus(status),
                date.fromisoformat(closed) if closed else None,
                evidence,
                climbs,
                date.fromisoformat(last_climb) if last_climb else None,
                as_at,
                bool(owner_left),
            )
        )
    return lines


@dataclass(frozen=True)
class ClimbLine:
    from_rung: EscalationRung
    to_rung: EscalationRung
    climbed_on: date
    due_before: date
    due_after: date


def climbs_of(source: Source, action_id: int) -> list[ClimbLine]:
    return [
        ClimbLine(
            EscalationRung(a), EscalationRung(b), *(date.fromisoformat(d) for d in (c, d1, d2))
        )
        for a, b, c, d1, d2 in source.conn.execute(
            "SELECT from_rung, to_rung, climbed_on, due_before, due_after FROM escalation_climb "
            "WHERE action_id = ? ORDER BY id",
            (action_id,),
        )
    ]
