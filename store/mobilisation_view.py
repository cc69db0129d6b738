"""What the mobilisation dashboard shows at one moment, read in one snapshot off the UI
thread: the verdict, workforce coverage, supervisors, the checks after go-live, and the
readiness at each of the last meetings (the chart). The lists under it (workstreams,
deliverables, risks) page on their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle.models import MobilisationProgramme, Rag
from huddle.readiness import Readiness, percent, readiness
from store.connection import Store
from store.mobilisation_reads import (
    CheckLine,
    CompetencyCoverage,
    SupervisorLine,
    coverage,
    early_life_checks,
    meeting_dates,
    programme_of,
    readiness_facts,
    supervisors,
    workforce_facts,
    workstream_lines,
)

CHART_POINTS = 7
"""The last six meetings and today."""


@dataclass(frozen=True)
class ReadinessPoint:
    day: date
    readiness: Readiness
    signed_off: int
    """Competency sign-off for high-risk tasks, %."""
    evidenced: int
    """Critical deliverables with evidence, %."""
    rags: tuple[Rag | None, ...]
    """Each workstream's RAG that day, in the dashboard's order."""


@dataclass(frozen=True)
class MobilisationView:
    programme: MobilisationProgramme
    as_at: date
    readiness: Readiness
    workstreams: tuple[tuple[int, str], ...]
    """Each workstream's id and name, in the dashboard's order."""
    coverage: tuple[CompetencyCoverage, ...]
    supervisors: tuple[SupervisorLine, ...]
    cohort: int
    supervised: int
    checks: tuple[CheckLine, ...]
    history: tuple[ReadinessPoint, ...]
    """Oldest first, today last."""


def _point(store: Store, programme: MobilisationProgramme, day: date) -> ReadinessPoint:
    facts = readiness_facts(store, programme, day)
    critical = [d for d in facts.deliverables if d.critical]
    workforce = facts.workforce
    return ReadinessPoint(
        day=day,
        readiness=readiness(facts),
        signed_off=percent(workforce.high_risk_signed_off, workforce.high_risk_required),
        evidenced=percent(sum(1 for d in critical if d.evidenced), len(critical)),
        rags=tuple(w.rag for w in facts.workstreams),
    )


def mobilisation_view(store: Store, as_at: date) -> MobilisationView | None:
    with store.reading():
        programme = programme_of(store)
        if programme is None:
            return None
        days = [d for d in meeting_dates(store, as_at, CHART_POINTS) if d < as_at]
        history = tuple(_point(store, programme, day) for day in [*days, as_at][-CHART_POINTS:])
        workforce = workforce_facts(store, as_at)
        return MobilisationView(
            programme=programme,
            as_at=as_at,
            readiness=history[-1].readiness,
            workstreams=tuple((w.id, w.name) for w in workstream_lines(store, programme.id, as_at)),
            coverage=tuple(coverage(store, as_at)),
            supervisors=tuple(supervisors(store)),
            cohort=workforce.cohort,
            supervised=workforce.supervised,
            checks=tuple(early_life_checks(store, programme.id)),
            history=history,
        )
