"""Read-only queries over the store."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from huddle import oversight, rules, spc
from huddle.models import ActionStatus, EscalationRung, Metric
from huddle.readiness import countdown, readiness
from huddle.reconciliation import Reconciliation
from huddle.summary import (
    ActionCounts,
    FiredTriggerSummary,
    GoLive,
    MetricSummary,
    OwnerLeft,
    QuerySummary,
    ReviewDue,
    SegmentSummary,
    SpcSummary,
    StatusSummary,
    TierCounts,
    Triggers,
    WaitingCounts,
)
from store.action_list import OVERDUE
from store.bank_holidays import added_bank_holidays
from store.connection import Store
from store.mobilisation_reads import programme_of, readiness_facts
from store.oversight_reads import (
    MetricLine,
    climbed,
    count_escalations,
    count_metrics,
    fired_triggers,
    ladder_owners,
    metric_lines,
    reviews,
)
from store.query_list import live_queries
from store.reconciliation import read_reconciliation
from store.records import service

# One pass over the open waiting list, grouped by tier. `breach_date` and `contact_due`
# are stored ISO dates, so comparing text compares dates.
_TIER_COUNTS = """
SELECT tier, count(*) AS waiting,
       sum(breach_date < :as_at) AS breached,
       sum(breach_date >= :as_at AND breach_date < :week_end) AS due_this_week,
       sum(contact_due IS NOT NULL AND contact_due < :as_at) AS contact_overdue
FROM waiting_entry WHERE status = 'waiting' GROUP BY tier
"""

_BREACHED_WITHOUT_ESCALATION = """
SELECT e.tier, count(*) FROM waiting_entry AS e
WHERE e.status = 'waiting' AND e.breach_date < :as_at
  AND NOT EXISTS (SELECT 1 FROM action AS a WHERE a.entry_id = e.id AND a.source = 'breach')
GROUP BY e.tier
"""

# Overdue as the Actions screen's overdue view counts it (one definition, one number).
_ACTION_COUNTS = f"""
SELECT count(*), coalesce(sum({OVERDUE}), 0) FROM action AS a WHERE a.status != 'closed'
"""


# Each count reads the few people who have left, then an index per person (case owner,
# action owner), so it stays quick at a million entries.
_OWNER_LEFT = """
WITH gone AS (SELECT id FROM person WHERE inactive_since IS NOT NULL AND {who})
SELECT
    (SELECT count(*) FROM waiting_entry
     WHERE case_owner_id IN gone AND status = 'waiting'),
    (SELECT count(*) FROM action WHERE owner_id IN gone AND status != 'closed'),
    (SELECT count(*) FROM series WHERE chair_id IN gone AND inactive_since IS NULL),
    (SELECT count(*) FROM workstream WHERE lead_id IN gone),
    (SELECT count(*) FROM cohort_member WHERE supervisor_id IN gone)
"""


def owner_left_counts(conn: sqlite3.Connection, person_id: int | None = None) -> OwnerLeft:
    """What people who have left (or the one person) still own that is open."""
    who = "id = ?" if person_id is not None else "1"
    params = (person_id,) if person_id is not None else ()
    counts = conn.execute(_OWNER_LEFT.format(who=who), params).fetchone()
    names = ("waiting_entries", "actions", "series", "workstreams", "supervisees")
    return OwnerLeft(**dict(zip(names, counts, strict=True)))


def status_summary(store: Store, as_at: date, *, metrics: bool = True) -> StatusSummary:
    """Counts by tier, breaches, breaches without escalation, contacts overdue, actions;
    and, unless `metrics` is False (a screen that shows no metric), where each metric
    stands, with its Making Data Count reading."""
    with store.reading():
        return _status_summary(store, as_at, metrics=metrics)


def status_with_reconciliation(store: Store, as_at: date) -> tuple[StatusSummary, Reconciliation]:
    """What `huddle status` prints: the counts and the reconciliation's counts (no lines),
    from one snapshot so that the two agree."""
    with store.reading():
        return _status_summary(store, as_at), read_reconciliation(store, as_at, shown=0)


def tier_counts(conn: sqlite3.Connection, as_at: date) -> dict[int, TierCounts]:
    """The waiting list by tier as at a date: through a store, or inside an open write (a
    meeting's minutes are rendered in the transaction that signs it off)."""
    params = {"as_at": as_at.isoformat(), "week_end": (as_at + timedelta(days=7)).isoformat()}
    names = dict(conn.execute("SELECT number, name FROM risk_tier"))
    by_tier = {number: TierCounts(name=name) for number, name in names.items()}
    without_escalation = dict(conn.execute(_BREACHED_WITHOUT_ESCALATION, params).fetchall())
    for tier, waiting, breached, due_this_week, contact_overdue in conn.execute(
        _TIER_COUNTS, params
    ):
        by_tier[tier] = TierCounts(
            name=names.get(tier, f"Tier {tier}"),
            waiting=waiting,
            breached=breached,
            due_this_week=due_this_week,
            contact_overdue=contact_overdue,
            breached_without_escalation=without_escalation.get(tier, 0),
        )
    return dict(sorted(by_tier.items()))


def _status_summary(store: Store, as_at: date, *, metrics: bool = True) -> StatusSummary:
    params = {"as_at": as_at.isoformat()}
    by_tier = tier_counts(store.conn, as_at)
    open_actions, overdue_actions = store.db.execute(_ACTION_COUNTS, params).fetchone()
    this_service, this_programme = service(store), programme_of(store)
    go_live = None
    if this_programme is not None:
        facts = readiness_facts(store, this_programme, as_at)
        verdict = readiness(facts)
        days_to_go = rules.days_until(this_programme.go_live, as_at)
        live = days_to_go < 0  # past go-live: the app says LIVE, and so does status
        go_live = GoLive(
            programme=this_programme.name,
            date=this_programme.go_live,
            days_to_go=days_to_go,
            readiness="LIVE" if live else verdict.verdict,
            countdown=countdown(this_programme.go_live, as_at),
            blockers=[] if live else list(verdict.blockers),
            conditions=[] if live else list(verdict.conditions),
            rag={w.name: w.rag.letter if w.rag else "-" for w in facts.workstreams},
        )
    return StatusSummary(
        as_at=as_at,
        service=this_service.name if this_service else "",
        is_demo=bool(this_service and this_service.is_demo),
        waiting=WaitingCounts(
            total=sum(t.waiting for t in by_tier.values()),
            breached=sum(t.breached for t in by_tier.values()),
            due_this_week=sum(t.due_this_week for t in by_tier.values()),
            breached_without_escalation=sum(
                t.breached_without_escalation for t in by_tier.values()
            ),
            contact_overdue=sum(t.contact_overdue for t in by_tier.values()),
            by_tier=by_tier,
        ),
        actions=ActionCounts(open=open_actions, overdue=overdue_actions),
        go_live=go_live,
        triggers=_triggers(store, as_at),
        owner_left=owner_left_counts(store.conn),
        queries=[
            QuerySummary(
                id=line.id,
                matter=line.matter,
                asked_by=line.asked_by,
                owner=line.owner,
                status=(standing := line.standing).state.value,
                deadline=line.deadline,
                next_review=line.next_review_on,
                words=standing.words,
            )
            for line in live_queries(store, as_at)
        ],
        metrics=[_metric(line, as_at) for line in metric_lines(store, 0, count_metrics(store))]
        if metrics
        else [],
        reviews_due=reviews_due(store, as_at),
    )


def reviews_due(store: Store, as_at: date) -> list[ReviewDue]:
    """The metrics whose review is due as at `as_at`, by name."""
    names = dict(store.conn.execute("SELECT id, name FROM metric"))
    due = [
        ReviewDue(name=names[metric_id], review_on=review.review_on, words=review.words(as_at))
        for metric_id, review in reviews(store).items()
        if review.due(as_at)
    ]
    return sorted(due, key=lambda one: one.name)


def _metric(line: MetricLine, as_at: date) -> MetricSummary:
    review = line.review
    charts = dict(line.spc_by_segment)
    return MetricSummary(
        name=line.metric.name,
        period=line.latest_period,
        cadence=line.metric.period.value,
        standing=line.standing.lower(),
        segments_outside=[segment for segment, *_ in line.outside()],
        segments=[
            SegmentSummary(
                name=segment,
                value=value,
                standing=word.value.lower(),
                spc=_spc(line.metric, charts.get(segment)),
            )
            for segment, value, word in line.judged()
        ],
        spc=_spc(line.metric, line.spc),
        review_on=review.review_on if review else None,
        review_due=review.due(as_at) if review else False,
        review=review.words(as_at) if review else "",
    )


def _spc(metric: Metric, chart: spc.XmRChart | spc.NotEnoughPoints | None) -> SpcSummary | None:
    if chart is None:
        return None
    baseline = oversight.baseline_words(metric, chart)
    if isinstance(chart, spc.NotEnoughPoints):
        words = oversight.spc_words(metric, chart)
        return SpcSummary(
            variation=None, assurance=None, words=words, points=chart.have, baseline=baseline
        )
    limits = chart.limits
    return SpcSummary(
        baseline=baseline,
        variation=chart.variation.value,
        assurance=chart.assurance.value if chart.assurance else None,
        words=oversight.spc_words(metric, chart),
        mean=float(limits.mean),
        lower_process_limit=float(limits.lower_process_limit),
        upper_process_limit=float(limits.upper_process_limit),
        points=len(chart.points),
    )


def _triggers(store: Store, as_at: date) -> Triggers:
    _, still_open, overdue = count_escalations(store, as_at)
    extra, owners = added_bank_holidays(store), ladder_owners(store)
    names = dict(store.conn.execute("SELECT id, name FROM person").fetchall())
    fired = []
    for f in fired_triggers(store, as_at):
        owner, rung, due = f.owner, f.rung, f.due_date
        if rung is not None and due is not None and f.status != ActionStatus.CLOSED:
            # As the ladder has climbed by `as_at`, read without writing: the app and the
            # next command that writes record the climb.
            reached, due = climbed(EscalationRung(rung), due, as_at, extra)
            if reached != rung:
                rung = reached.value
                owner = names.get(owners[reached], owner) if reached in owners else owner
        fired.append(
            FiredTriggerSummary(
                rule=f.rule,
                metric=f.metric,
                fired_on=f.fired_on,
                run=[date.fromisoformat(o["period"]) for o in f.observations],
                observations=[o["value"] for o in f.observations],
                why=f.why,
                escalation_owner=owner,
                rung=rung,
                due=due,
                escalation_status=f.status,
                agenda_series=f.series,
            )
        )
    return Triggers(fired=fired, escalations_open=still_open, escalations_overdue=overdue)
