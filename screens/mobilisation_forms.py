"""The forms of mobilisation: a RAG rating (never without why), a deliverable's evidence,
a new deliverable, a go-live risk and its review. Each saves through one audited write and
keeps what was typed when it is refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from huddle.dates import parse_when
from huddle.models import (
    Competency,
    Deliverable,
    GoLiveRisk,
    Meeting,
    MobilisationProgramme,
    Person,
    RagRating,
    Training,
    TrainingState,
)
from huddle.people import match_person
from screens.action_form import WHEN, due
from screens.form import FormField, FormScreen
from screens.meeting_forms import person_field
from store import mobilisation
from store.bank_holidays import added_bank_holidays
from store.connection import Store
from store.mobilisation_reads import DeliverableLine, RiskLine, TrainingLine, WorkstreamLine


def _where(meeting: Meeting | None, today: date) -> str:
    if meeting is None:
        return f"Recorded against {today:%d/%m/%Y} (no mobilisation meeting in progress)"
    return f"Recorded in {meeting.series} ({meeting.held_on:%d/%m/%Y})"


def _score(typed: str, field: str) -> int:
    words = typed.strip()
    if not words.isdigit() or not 1 <= int(words) <= 5:
        raise ValueError(f"{field}: give a whole number from 1 (lowest) to 5 (highest)")
    return int(words)


def rag_form(
    store: Store,
    today: date,
    workstream: WorkstreamLine,
    deliverable: DeliverableLine | None,
    meeting: Meeting | None,
    staff: Sequence[Person],
) -> FormScreen[RagRating]:
    """Rate a workstream (or one deliverable): the RAG and why, both required."""
    now = deliverable.rag if deliverable else workstream.rag
    what = f"deliverable: {deliverable.title}" if deliverable else f"workstream: {workstream.name}"
    latest = workstream.latest if deliverable is None else None
    was = (
        f"Now {latest.rag.letter} since {latest.rated_on:%d/%m/%Y}: {latest.rationale}"
        if latest
        else ("Now " + (now.letter if now else "not yet rated"))
    )

    def save(typed: dict[str, str]) -> RagRating:
        return mobilisation.rate(
            store,
            workstream_id=workstream.id,
            deliverable_id=deliverable.id if deliverable else None,
            rag=typed["rag"],
            rationale=typed["rationale"],
            rated_by=match_person(staff, typed["rated_by"], "rated by").id,
            today=today,
            meeting_id=meeting.id if meeting else None,
        )

    return FormScreen(
        f"RAG for the {what}",
        [
            FormField("rag", "RAG", value=now.letter if now else "", placeholder="R, A or G"),
            FormField(
                "rationale",
                "Rationale",
                placeholder="why this colour: what it rests on (required, kept in its history)",
            ),
            person_field("rated_by", "Rated by", staff, workstream.lead),
        ],
        save,
        note=f"{was}\n{_where(meeting, today)}",
    )


def evidence_form(store: Store, today: date, deliverable: DeliverableLine) -> FormScreen:
    def save(typed: dict[str, str]) -> Deliverable:
        return mobilisation.record_evidence(
            store, deliverable.id, deliverable.version, evidence=typed["evidence"], today=today
        )

    return FormScreen(
        "Evidence for the deliverable",
        [
            FormField(
                "evidence",
                "Evidence",
                value=deliverable.evidence or "",
                placeholder="what shows it is met, and where it is filed",
            )
        ],
        save,
        note=f"{deliverable.title} — owner {deliverable.owner}, due {deliverable.due_date:%d/%m/%Y}"
        " (the date recorded is today's)",
    )


def deliverable_form(
    store: Store, today: date, workstream: WorkstreamLine, staff: Sequence[Person]
) -> FormScreen[Deliverable]:
    def save(typed: dict[str, str]) -> Deliverable:
        return mobilisation.add_deliverable(
            store,
            workstream_id=workstream.id,
            title=typed["title"],
            owner_id=match_person(staff, typed["owner"], "owner").id,
            due_date=due(typed["due_date"], today, "due date", added_bank_holidays(store)),
            critical=typed["critical"] == "critical: go-live is unsafe without it",
        )

    return FormScreen(
        f"New deliverable of {workstream.name}",
        [
            FormField("title", "Deliverable", placeholder="what must be produced by go-live"),
            person_field("owner", "Owner", staff, workstream.lead),
            FormField("due_date", "Due date", placeholder=WHEN),
            FormField(
                "critical",
                "Critical?",
                kind="choice",
                choices=("critical: go-live is unsafe without it", "not critical"),
            ),
        ],
        save,
    )


def go_live_risk_form(
    store: Store,
    today: date,
    programme: MobilisationProgramme,
    meeting: Meeting | None,
    staff: Sequence[Person],
    owner: str = "",
) -> FormScreen[GoLiveRisk]:
    """The standing item: what could make go-live unsafe, its owner and its score."""

    def save(typed: dict[str, str]) -> GoLiveRisk:
        return mobilisation.raise_risk(
            store,
            programme_id=programme.id,
            text=typed["text"],
            owner_id=match_person(staff, typed["owner"], "owner").id,
            likelihood=_score(typed["likelihood"], "likelihood"),
            impact=_score(typed["impact"], "impact"),
            review_on=due(typed["review_on"], today, "review on", added_bank_holidays(store)),
            today=today,
            meeting_id=meeting.id if meeting else None,
        )

    return FormScreen(
        "What could make go-live unsafe?",
        [
            FormField("text", "Risk", placeholder="what could make go-live unsafe, and for whom"),
            person_field("owner", "Owner", staff, owner),
            FormField("likelihood", "Likelihood", placeholder="1 (rare) to 5 (almost certain)"),
            FormField("impact", "Impact", placeholder="1 (negligible) to 5 (catastrophic)"),
            FormField("review_on", "Review on", value="+1w", placeholder=WHEN),
        ],
        save,
        note=f"{_where(meeting, today)}. a on the risk adds a mitigation action.",
    )


def review_risk_form(store: Store, today: date, risk: RiskLine) -> FormScreen[GoLiveRisk]:
    def save(typed: dict[str, str]) -> GoLiveRisk:
        return mobilisation.review_risk(
            store,
            risk.id,
            risk.version,
            likelihood=_score(typed["likelihood"], "likelihood"),
            impact=_score(typed["impact"], "impact"),
            review_on=parse_when(
                typed["review_on"], today, "next review", added_bank_holidays(store)
            ),
            today=today,
        )

    return FormScreen(
        "Review the go-live risk",
        [
            FormField("likelihood", "Likelihood", value=str(risk.likelihood), placeholder="1-5"),
            FormField("impact", "Impact", value=str(risk.impact), placeholder="1-5"),
            FormField("review_on", "Next review", value="+1w", placeholder=WHEN),
        ],
        save,
        note=f"{risk.text} — owner {risk.owner}, score {risk.score}, "
        f"{risk.mitigations} mitigation action(s)",
    )


def training_form(
    store: Store,
    today: date,
    person: TrainingLine,
    state: TrainingState,
) -> FormScreen[Training]:
    """One cell of the matrix moved to `state` today; a sign-off is the signed-in person's,
    who must be an assessor of the competency (the store refuses anyone else, naming who
    may)."""
    # The first competency not yet at this state is offered first.
    waiting = [c for c in Competency if person.states[c] != state] or list(Competency)
    fields = [
        FormField(
            "competency",
            "Competency",
            kind="choice",
            choices=tuple(c.value for c in waiting),
        )
    ]

    def save(typed: dict[str, str]) -> Training:
        return mobilisation.record_training(
            store,
            person_id=person.person_id,
            competency=Competency(typed["competency"]),
            state=state,
            on=today,
        )

    note = f"{person.role}; recorded as {state} on {today:%d/%m/%Y}"
    if state == TrainingState.SIGNED_OFF:
        note += f", signed off by you, {store.actor}"
    return FormScreen(f"{person.name}: {state}", fields, save, note=note)
