"""Reading mobilisation as at a date: each workstream's RAG and trend, deliverables, the
go-live risk register, training and supervision coverage, and the facts the readiness
rules judge (`huddle.readiness`).

"As at" reads only what had been recorded by that date (ratings, evidence, sign-offs,
risks raised and their mitigations), so the verdict at each past meeting can be drawn as
a chart. The cohort and the supervisors are as they stand now: they carry no dates.
Works through a store or inside an open write (sign-off renders minutes in its write).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle.models import Competency, MeetingKind, MobilisationProgramme, Rag, TrainingState
from huddle.readiness import (
    TREND_LENGTH,
    DeliverableFacts,
    ReadinessFacts,
    RiskFacts,
    WorkforceFacts,
    WorkstreamFacts,
)
from store.connection import Store, Transaction

Source = Store | Transaction


def programme_of(source: Source) -> MobilisationProgramme | None:
    cursor = source.conn.execute("SELECT * FROM mobilisation_programme ORDER BY id LIMIT 1")
    values = cursor.fetchone()
    if values is None:
        return None
    names = [c[0] for c in cursor.description]
    return MobilisationProgramme.model_validate(dict(zip(names, values, strict=True)))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Rating:
    rag: Rag
    rated_on: date
    rationale: str
    rated_by: str
    meeting: str
    """The meeting it was rated in ("series, dd/mm/yyyy"), or "" when between meetings."""


_RATINGS = """
SELECT r.rag, r.rated_on, r.rationale, p.name, m.series, m.held_on
FROM rag_rating AS r
JOIN person AS p ON p.id = r.rated_by
LEFT JOIN meeting AS m ON m.id = r.meeting_id
WHERE r.workstream_id = :workstream AND r.deliverable_id IS {deliverable}
  AND r.rated_on <= :as_at
ORDER BY r.rated_on DESC, r.id DESC
"""


def ratings(
    source: Source,
    workstream_id: int,
    as_at: date,
    *,
    deliverable_id: int | None = None,
    limit: int = -1,
) -> list[Rating]:
    """The RAG history, newest first: every rating with its date, rationale and rater."""
    sql = _RATINGS.format(deliverable="NULL" if deliverable_id is None else ":deliverable")
    rows = source.conn.execute(
        f"{sql} LIMIT :limit",
        {
            "workstream": workstream_id,
            "deliverable": deliverable_id,
            "as_at": as_at.isoformat(),
            "limit": limit,
        },
    ).fetchall()
    return [
        Rating(
            Rag(rag),
            date.fromisoformat(on),
            why,
            by,
            f"{series}, {date.fromisoformat(held):%d/%m/%Y}" if series else "",
        )
        for rag, on, why, by, series, held in rows
    ]


@dataclass(frozen=True)
class WorkstreamLine:
    id: int
    name: str
    lead: str
    latest: Rating | None
    trend: tuple[Rating, ...]
    """The last TREND_LENGTH ratings, oldest first."""
    deliverables: int
    evidenced: int
    lead_left: bool = False
    """The lead has left the service: shown as OWNER LEFT until someone else leads it."""

    @property
    def rag(self) -> Rag | None:
        return self.latest.rag if self.latest else None


def workstream_lines(source: Source, programme_id: int, as_at: date) -> list[WorkstreamLine]:
    rows = source.conn.execute(
        """
        SELECT w.id, w.name, p.name,
               (SELECT count(*) FROM deliverable AS d WHERE d.workstream_id = w.id),
               (SELECT count(*) FROM deliverable AS d WHERE d.workstream_id = w.id
                  AND d.evidence_on <= :as_at),
               p.inactive_since IS NOT NULL
        FROM workstream AS w JOIN person AS p ON p.id = w.lead_id
        WHERE w.programme_id = :programme ORDER BY w.position, w.id
        """,
        {"programme": programme_id, "as_at": as_at.isoformat()},
    ).fetchall()
    lines = []
    for workstream_id, name, lead, deliverables, evidenced, lead_left in rows:
        recent = ratings(source, workstream_id, as_at, limit=TREND_LENGTH)
        lines.append(
            WorkstreamLine(
                workstream_id,
                name,
                lead,
                recent[0] if recent else None,
                tuple(reversed(recent)),
                deliverables,
                evidenced,
                bool(lead_left),
            )
        )
    return lines


def count_workstreams(source: Source, programme_id: int) -> int:
    return source.conn.execute(
        "SELECT count(*) FROM workstream WHERE programme_id = ?", (programme_id,)
    ).fetchone()[0]


@dataclass(frozen=True)
class DeliverableLine:
    id: int
    version: int
    workstream_id: int
    workstream: str
    title: str
    owner: str
    due_date: date
    critical: bool
    rag: Rag | None
    evidence: str | None
    evidence_on: date | None


_LATEST_DELIVERABLE_RAG = """
(SELECT r.rag FROM rag_rating AS r WHERE r.deliverable_id = d.id AND r.rated_on <= :as_at
 ORDER BY r.rated_on DESC, r.id DESC LIMIT 1)
"""


def deliverable_lines(
    source: Source,
    programme_id: int,
    as_at: date,
    offset: int = 0,
    limit: int = -1,
    workstream_id: int | None = None,
) -> list[DeliverableLine]:
    """The programme's deliverables (or one workstream's), by workstream, then due date."""
    rows = source.conn.execute(
        f"""
        SELECT d.id, d.version, d.workstream_id, w.name, d.title, p.name, d.due_date,
               d.critical, {_LATEST_DELIVERABLE_RAG},
               CASE WHEN d.evidence_on <= :as_at THEN d.evidence END,
               CASE WHEN d.evidence_on <= :as_at THEN d.evidence_on END
        FROM deliverable AS d
        JOIN workstream AS w ON w.id = d.workstream_id
        JOIN person AS p ON p.id = d.owner_id
        WHERE w.programme_id = :programme AND (:workstream IS NULL OR w.id = :workstream)
        ORDER BY w.position, w.id, d.due_date, d.id LIMIT :limit OFFSET :offset
        """,
        {
            "programme": programme_id,
            "workstream": workstream_id,
            "as_at": as_at.isoformat(),
            "limit": limit,
            "offset": offset,
        },
    ).fetchall()
    return [
        DeliverableLine(
            *row[:6],
            date.fromisoformat(row[6]),
            bool(row[7]),
            Rag(row[8]) if row[8] else None,
            row[9],
            _date(row[10]),
        )
        for row in rows
    ]


def count_deliverables(source: Source, programme_id: int, workstream_id: int | None) -> int:
    return source.conn.execute(
        "SELECT count(*) FROM deliverable AS d JOIN workstream AS w ON w.id = d.workstream_id "
        "WHERE w.programme_id = :programme AND (:workstream IS NULL OR w.id = :workstream)",
        {"programme": programme_id, "workstream": workstream_id},
    ).fetchone()[0]


@dataclass(frozen=True)
class RiskLine:
    id: int
    version: int
    text: str
    owner: str
    likelihood: int
    impact: int
    review_on: date
    raised_on: date
    mitigations: int
    open_mitigations: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


_RISKS = """
SELECT g.id, g.version, g.text, p.name, g.likelihood, g.impact, g.review_on, g.raised_on,
       (SELECT count(*) FROM action AS a WHERE a.risk_id = g.id AND a.created_on <= :as_at),
       (SELECT count(*) FROM action AS a WHERE a.risk_id = g.id AND a.created_on <= :as_at
          AND (a.status != 'closed' OR a.closed_on > :as_at))
FROM go_live_risk AS g JOIN person AS p ON p.id = g.owner_id
WHERE g.programme_id = :programme AND g.raised_on <= :as_at
  AND (g.status = 'open' OR g.closed_on > :as_at)
ORDER BY g.likelihood * g.impact DESC, g.review_on, g.id
LIMIT :limit OFFSET :offset
"""


def risk_lines(
    source: Source, programme_id: int, as_at: date, offset: int = 0, limit: int = -1
) -> list[RiskLine]:
    """The open go-live risks, highest score first."""
    rows = source.conn.execute(
        _RISKS,
        {"programme": programme_id, "as_at": as_at.isoformat(), "limit": limit, "offset": offset},
    ).fetchall()
    return [
        RiskLine(*row[:6], date.fromisoformat(row[6]), date.fromisoformat(row[7]), row[8], row[9])
        for row in rows
    ]


def count_risks(source: Source, programme_id: int) -> int:
    return source.conn.execute(
        "SELECT count(*) FROM go_live_risk WHERE programme_id = ? AND status = 'open'",
        (programme_id,),
    ).fetchone()[0]


@dataclass(frozen=True)
class CompetencyCoverage:
    competency: Competency
    cohort: int
    booked: int
    """Booked or further on: booking alone assures nothing, so it is counted, not trusted."""
    completed: int
    signed_off: int
    high_risk: int
    high_risk_signed_off: int


def coverage(source: Source, as_at: date) -> list[CompetencyCoverage]:
    """Per competency, across the mobilising workforce, as at a date."""
    params = {"as_at": as_at.isoformat()}
    cohort, high_risk = source.conn.execute(
        "SELECT count(*), coalesce(sum(high_risk), 0) FROM cohort_member"
    ).fetchone()
    found = {
        row[0]: row[1:]
        for row in source.conn.execute(
            """
            SELECT t.competency,
                   count(CASE WHEN coalesce(t.booked_on, t.completed_on, t.signed_off_on)
                              <= :as_at THEN 1 END),
                   count(CASE WHEN coalesce(t.completed_on, t.signed_off_on) <= :as_at
                              THEN 1 END),
                   count(CASE WHEN t.signed_off_on <= :as_at THEN 1 END),
                   count(CASE WHEN t.signed_off_on <= :as_at AND c.high_risk THEN 1 END)
            FROM training AS t JOIN cohort_member AS c ON c.person_id = t.person_id
            GROUP BY t.competency
            """,
            params,
        )
    }
    lines = []
    for competency in Competency:
        booked, completed, signed_off, high_signed_off = found.get(competency, (0, 0, 0, 0))
        lines.append(
            CompetencyCoverage(
                competency, cohort, booked, completed, signed_off, high_risk, high_signed_off
            )
        )
    return lines


@dataclass(frozen=True)
class SupervisorLine:
    name: str
    supervisees: int
    capacity: int
    frequency: str

    @property
    def over_capacity(self) -> bool:
        return self.supervisees > self.capacity


def supervisors(source: Source) -> list[SupervisorLine]:
    return [
        SupervisorLine(*row)
        for row in source.conn.execute(
            """
            SELECT p.name, (SELECT count(*) FROM cohort_member AS c
                            WHERE c.supervisor_id = s.person_id),
                   s.capacity, s.frequency
            FROM supervisor AS s JOIN person AS p ON p.id = s.person_id ORDER BY p.name
            """
        )
    ]


def workforce_facts(source: Source, as_at: date) -> WorkforceFacts:
    cells = coverage(source, as_at)
    cohort, supervised = source.conn.execute(
        "SELECT count(*), count(supervisor_id) FROM cohort_member"
    ).fetchone()
    return WorkforceFacts(
        cohort=cohort,
        high_risk_required=sum(c.high_risk for c in cells),
        high_risk_signed_off=sum(c.high_risk_signed_off for c in cells),
        supervised=supervised,
        over_capacity=tuple(s.name for s in supervisors(source) if s.over_capacity),
    )


def readiness_facts(
    source: Source, programme: MobilisationProgramme, as_at: date
) -> ReadinessFacts:
    workstreams = workstream_lines(source, programme.id, as_at)
    return ReadinessFacts(
        as_at=as_at,
        go_live=programme.go_live,
        workstreams=tuple(
            WorkstreamFacts(w.name, w.rag, w.latest.rated_on if w.latest else None)
            for w in workstreams
        ),
        deliverables=tuple(
            DeliverableFacts(d.title, d.rag, d.critical, d.evidence is not None, d.due_date)
            for d in deliverable_lines(source, programme.id, as_at)
        ),
        workforce=workforce_facts(source, as_at),
        risks=tuple(
            RiskFacts(r.text, r.score, r.mitigations > 0, r.review_on)
            for r in risk_lines(source, programme.id, as_at)
        ),
    )


def meeting_dates(source: Source, as_at: date, limit: int) -> list[date]:
    """The days the mobilisation meeting met, up to `as_at`, oldest first (the last few)."""
    rows = source.conn.execute(
        "SELECT DISTINCT held_on FROM meeting WHERE kind = ? AND held_on <= ? "
        "ORDER BY held_on DESC LIMIT ?",
        (MeetingKind.MOBILISATION, as_at.isoformat(), limit),
    ).fetchall()
    return sorted(date.fromisoformat(held_on) for (held_on,) in rows)


@dataclass(frozen=True)
class TrainingLine:
    person_id: int
    name: str
    role: str
    high_risk: bool
    supervisor: str
    states: dict[Competency, TrainingState | None]
    signed_off_by: dict[Competency, str]
    """Who signed each signed-off competency off."""


def training_lines(source: Source, offset: int = 0, limit: int = -1) -> list[TrainingLine]:
    """The training matrix: one line per person in the mobilising workforce, by name."""
    people = source.conn.execute(
        """
        SELECT c.person_id, p.name, p.role, c.high_risk, coalesce(s.name, '')
        FROM cohort_member AS c JOIN person AS p ON p.id = c.person_id
        LEFT JOIN person AS s ON s.id = c.supervisor_id
        ORDER BY p.name, p.id LIMIT ? OFFSET ?
        """,
        (limit, offset),
    ).fetchall()
    if not people:
        return []
    ids = [row[0] for row in people]
    cells: dict[int, dict[Competency, TrainingState]] = {pid: {} for pid in ids}
    signers: dict[int, dict[Competency, str]] = {pid: {} for pid in ids}
    for person_id, competency, state, signer in source.conn.execute(
        f"SELECT t.person_id, t.competency, t.state, s.name FROM training AS t "
        f"LEFT JOIN person AS s ON s.id = t.signed_off_by "
        f"WHERE t.person_id IN ({', '.join('?' * len(ids))})",
        ids,
    ):
        cells[person_id][Competency(competency)] = TrainingState(state)
        if signer and state == TrainingState.SIGNED_OFF:
            signers[person_id][Competency(competency)] = signer
    return [
        TrainingLine(
            pid,
            name,
            role,
            bool(high),
            supervisor,
            {c: cells[pid].get(c) for c in Competency},
            signers[pid],
        )
        for pid, name, role, high, supervisor in people
    ]


def count_cohort(source: Source) -> int:
    return source.conn.execute("SELECT count(*) FROM cohort_member").fetchone()[0]


@dataclass(frozen=True)
class CheckLine:
    week: int
    what: str
    action_id: int
    owner: str
    due_date: date
    status: str
    closed_on: date | None


def early_life_checks(source: Source, programme_id: int) -> list[CheckLine]:
    rows = source.conn.execute(
        """
        SELECT k.week, k.what, a.id, p.name, a.due_date, a.status, a.closed_on
        FROM early_life_check AS k JOIN action AS a ON a.id = k.action_id
        JOIN person AS p ON p.id = a.owner_id
        WHERE k.programme_id = ? ORDER BY k.week
        """,
        (programme_id,),
    ).fetchall()
    return [CheckLine(*row[:4], date.fromisoformat(row[4]), row[5], _date(row[6])) for row in rows]


@dataclass(frozen=True)
class RagChange:
    workstream: str
    deliverable: str | None
    before: Rag | None
    after: Rag
    rated_on: date
    rationale: str
    rated_by: str
    meeting_id: int | None

    @property
    def arrow(self) -> str:
        before = self.before.letter if self.before else "—"
        return f"{before}→{self.after.letter}"


def ratings_between(
    source: Source, since: date | None, until: date, *, meeting_id: int | None = None
) -> list[RagChange]:
    """Ratings recorded after `since` up to `until` (or in one meeting), each with the RAG
    it replaced, oldest first."""
    where = (
        "r.meeting_id = :meeting"
        if meeting_id is not None
        else ("r.rated_on > :since AND r.rated_on <= :until")
    )
    rows = source.conn.execute(
        f"""
        SELECT w.name, d.title,
               (SELECT b.rag FROM rag_rating AS b
                WHERE b.workstream_id = r.workstream_id
                  AND b.deliverable_id IS r.deliverable_id
                  AND (b.rated_on < r.rated_on OR (b.rated_on = r.rated_on AND b.id < r.id))
                ORDER BY b.rated_on DESC, b.id DESC LIMIT 1),
               r.rag, r.rated_on, r.rationale, p.name, r.meeting_id
        FROM rag_rating AS r JOIN workstream AS w ON w.id = r.workstream_id
        LEFT JOIN deliverable AS d ON d.id = r.deliverable_id
        JOIN person AS p ON p.id = r.rated_by
        WHERE {where}
        ORDER BY r.rated_on, r.id
        """,
        {
            "meeting": meeting_id,
            "since": since.isoformat() if since else "",
            "until": until.isoformat(),
        },
    ).fetchall()
    return [
        RagChange(
            name,
            title,
            Rag(before) if before else None,
            Rag(after),
            date.fromisoformat(on),
            why,
            by,
            meeting,
        )
        for name, title, before, after, on, why, by, meeting in rows
    ]
