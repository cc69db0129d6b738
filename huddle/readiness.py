"""Are we safe to go live? A verdict that follows stated rules, not a feeling.

Pure rules over facts the store gathers as at a date (`store.mobilisation`), so the same
rules give today's verdict, the verdict at every past meeting (the readiness chart) and
the figures of `huddle status`. The rules are numbered as in docs/mobilisation.md.

A verdict is NOT READY while any blocking rule fails (M1 to M7), READY WITH CONDITIONS
while only conditions remain (C1 to C4), and READY when nothing is outstanding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from huddle.models import Rag

HIGH_RISK_SCORE = 15
"""Likelihood x impact at or above this (on 5 x 5) is a high risk: it needs mitigation."""
STALE_RAG_DAYS = 14
"""A workstream not rated for this long has missed two weekly meetings (condition C3)."""
TREND_LENGTH = 6
"""How many of a workstream's latest ratings its trend shows."""


class Verdict(StrEnum):
    NOT_READY = "NOT READY"
    CONDITIONS = "READY WITH CONDITIONS"
    READY = "READY"


@dataclass(frozen=True)
class WorkstreamFacts:
    name: str
    rag: Rag | None
    rated_on: date | None


@dataclass(frozen=True)
class DeliverableFacts:
    title: str
    rag: Rag | None
    critical: bool
    evidenced: bool
    due_date: date


@dataclass(frozen=True)
class WorkforceFacts:
    cohort: int
    """People in the mobilising workforce."""
    high_risk_required: int
    """Competencies that must be signed off: high-risk staff x the critical competencies."""
    high_risk_signed_off: int
    supervised: int
    """Cohort members with a named supervisor."""
    over_capacity: tuple[str, ...]
    """Supervisors with more supervisees than their capacity."""


@dataclass(frozen=True)
class RiskFacts:
    text: str
    score: int
    mitigated: bool
    """Has at least one mitigation action (open or done)."""
    review_on: date


@dataclass(frozen=True)
class ReadinessFacts:
    as_at: date
    go_live: date
    workstreams: tuple[WorkstreamFacts, ...]
    deliverables: tuple[DeliverableFacts, ...]
    workforce: WorkforceFacts
    risks: tuple[RiskFacts, ...]


@dataclass(frozen=True)
class Readiness:
    verdict: Verdict
    blockers: tuple[str, ...]
    """Why it is not ready: each a failed rule, in words with its figures."""
    conditions: tuple[str, ...]

    @property
    def words(self) -> str:
        reasons = self.blockers or self.conditions
        return f"{self.verdict}: {', '.join(reasons)}" if reasons else f"{self.verdict}"


def percent(part: int, whole: int) -> int:
    """Rounded down, so 99.6% never shows as the 100% a rule requires."""
    return 100 if whole == 0 else part * 100 // whole


def _many(count: int, thing: str, things: str | None = None) -> str:
    return f"{count} {thing if count == 1 else things or thing + 's'}"


def _blockers(facts: ReadinessFacts) -> list[str]:
    found = []
    unrated = [w for w in facts.workstreams if w.rag is None]
    if not facts.workstreams:
        found.append("no workstreams recorded")
    if unrated:  # M1
        found.append(f"{_many(len(unrated), 'workstream')} never rated")
    red = [w for w in facts.workstreams if w.rag == Rag.RED]
    if red:  # M2
        found.append(f"{_many(len(red), 'workstream')} red ({', '.join(w.name for w in red)})")
    red_deliverables = sum(1 for d in facts.deliverables if d.rag == Rag.RED)
    if red_deliverables:  # M3
        found.append(f"{_many(red_deliverables, 'deliverable')} red")
    unevidenced = sum(1 for d in facts.deliverables if d.critical and not d.evidenced)
    if unevidenced:  # M4
        found.append(f"{_many(unevidenced, 'critical deliverable')} without evidence")
    workforce = facts.workforce
    if workforce.cohort == 0:  # M5
        found.append("no mobilising workforce in the training matrix")
    elif workforce.high_risk_signed_off < workforce.high_risk_required:
        signed = percent(workforce.high_risk_signed_off, workforce.high_risk_required)
        found.append(f"competency sign-off {signed}% against 100% required for high-risk tasks")
    if workforce.supervised < workforce.cohort:  # M6
        found.append(
            f"supervision {percent(workforce.supervised, workforce.cohort)}% against 100%"
            f" ({_many(workforce.cohort - workforce.supervised, 'person', 'people')}"
            " without a named supervisor)"
        )
    if workforce.over_capacity:
        found.append(
            f"{_many(len(workforce.over_capacity), 'supervisor')} over capacity"
            f" ({', '.join(workforce.over_capacity)})"
        )
    unmitigated = sum(1 for r in facts.risks if r.score >= HIGH_RISK_SCORE and not r.mitigated)
    if unmitigated:  # M7
        found.append(
            f"{_many(unmitigated, 'go-live risk')} scoring {HIGH_RISK_SCORE}+ without mitigation"
        )
    return found


def _conditions(facts: ReadinessFacts) -> list[str]:
    found = []
    amber = [w for w in facts.workstreams if w.rag == Rag.AMBER]
    if amber:  # C1
        found.append(f"{_many(len(amber), 'workstream')} amber")
    amber_deliverables = sum(1 for d in facts.deliverables if d.rag == Rag.AMBER)
    if amber_deliverables:
        found.append(f"{_many(amber_deliverables, 'deliverable')} amber")
    late = sum(1 for d in facts.deliverables if d.due_date < facts.as_at and not d.evidenced)
    if late:  # C2
        found.append(f"{_many(late, 'deliverable')} past due without evidence")
    stale_before = facts.as_at - timedelta(days=STALE_RAG_DAYS)
    stale = sum(1 for w in facts.workstreams if w.rated_on and w.rated_on < stale_before)
    if stale:  # C3
        found.append(f"{_many(stale, 'workstream')} not rated for {STALE_RAG_DAYS}+ days")
    overdue_reviews = sum(1 for r in facts.risks if r.review_on < facts.as_at)
    if overdue_reviews:  # C4
        their = "its" if overdue_reviews == 1 else "their"
        found.append(f"{_many(overdue_reviews, 'go-live risk')} past {their} review date")
    return found


def readiness(facts: ReadinessFacts) -> Readiness:
    blockers, conditions = _blockers(facts), _conditions(facts)
    if blockers:
        verdict = Verdict.NOT_READY
    elif conditions:
        verdict = Verdict.CONDITIONS
    else:
        verdict = Verdict.READY
    return Readiness(verdict, tuple(blockers), tuple(conditions))


def trend(rags: list[Rag]) -> str:
    """The latest ratings, oldest first, as letters: `G G A A R`."""
    return " ".join(rag.letter for rag in rags[-TREND_LENGTH:])


def countdown(go_live: date, as_at: date) -> str:
    """Days to go-live, or how long the service has been live."""
    days = (go_live - as_at).days
    if days > 0:
        weeks, rest = divmod(days, 7)
        if weeks == 0:
            return f"{_many(days, 'day')} to go-live"
        spelt = _many(weeks, "week") + (f" {rest} d" if rest else "")
        return f"{days} days to go-live ({spelt})"
    if days == 0:
        return "GO-LIVE TODAY"
    live = -days
    return f"LIVE for {live} day{'s' if live != 1 else ''} (week {live // 7 + 1} of early life)"


EARLY_LIFE_CHECKS: tuple[tuple[int, str], ...] = (
    (
        4,
        "Post-go-live audit: sample records against the thin-slice standards "
        "(risk rationale, plan clarity, escalation advice)",
    ),
    (8, "Consistency audit at 8 weeks: repeat the sample; is practice more consistent?"),
    (10, "Consistency audit at 10 weeks: repeat the sample; act on what still varies"),
    (12, "Consistency audit at 12 weeks: compare weeks 4 to 12 and report to the commissioner"),
)
"""Seed 002: a 4-week post-go-live audit, then improving consistency over 8 to 12 weeks."""
