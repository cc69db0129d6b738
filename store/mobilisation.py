"""Mobilisation as it is recorded: the programme and its workstreams, deliverables and their
evidence, RAG ratings, the training matrix, supervision, and the go-live risk register.

Each function is one audited write. A RAG is only ever set by `rate`, which needs a
rationale and records who rated it, when, and in which meeting; the database refuses a
rating without a rationale, and any edit or delete of one (migration m014), so a
workstream's RAG history is the record itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from huddle.dates import uk
from huddle.models import (
    Action,
    ActionSource,
    CohortMember,
    Competency,
    Deliverable,
    EarlyLifeCheck,
    GoLiveRisk,
    MeetingState,
    MobilisationProgramme,
    Rag,
    RagRating,
    RiskStatus,
    Supervisor,
    Training,
    TrainingState,
    Workstream,
)
from huddle.readiness import EARLY_LIFE_CHECKS
from store import records
from store.actions import insert_action
from store.connection import Store, Transaction
from store.errors import NotFound
from store.meetings import LOCKED
from store.people import acting_person, checked_person


def _required(text: str, field: str, what: str) -> str:
    # SQLite's length() ends a text at a NUL, so the database takes a rationale starting
    # with one for blank and refuses it with an error no form can show: refused here.
    if "\x00" in text:
        raise ValueError(f"{field}: remove the NUL character (pasted from another program?)")
    if not text.strip():
        raise ValueError(f"{field}: {what}")
    return " ".join(text.split())


def _row(txn: Transaction, table: str, row_id: int) -> dict:
    found = txn.row(table, row_id)
    if found is None:
        raise NotFound(table, row_id)
    return found


def start_programme(
    store: Store,
    *,
    name: str,
    go_live: date,
    workstreams: Sequence[tuple[str, int]],
    audit_owner_id: int,
    today: date,
) -> MobilisationProgramme:
    """A programme with its workstreams (name, lead) and the checks after go-live, each
    scheduled as an action owned by `audit_owner_id` (the clinical and quality lead)."""
    title = _required(name, "programme", "name the programme")
    with store.write(f"mobilisation programme started: {title}") as txn:
        return insert_programme(
            txn,
            name=title,
            go_live=go_live,
            workstreams=workstreams,
            audit_owner_id=audit_owner_id,
            today=today,
        )


def insert_programme(
    txn: Transaction,
    *,
    name: str,
    go_live: date,
    workstreams: Sequence[tuple[str, int]],
    audit_owner_id: int,
    today: date,
) -> MobilisationProgramme:
    """`start_programme` inside an open write (the service file's set-up is one write)."""
    programme = records.insert(
        txn, MobilisationProgramme(name=_required(name, "programme", "name it"), go_live=go_live)
    )
    for position, (workstream, lead) in enumerate(workstreams, 1):
        add_workstream(txn, programme.id, workstream, lead, position)
    owner = checked_person(txn, audit_owner_id, "audit owner")
    for week, what in EARLY_LIFE_CHECKS:
        action = insert_action(
            txn,
            Action(
                title=what,
                owner_id=owner,
                due_date=go_live + timedelta(weeks=week),
                source=ActionSource.AUDIT,
                created_on=today,
            ),
            today,
        )
        check = EarlyLifeCheck(programme_id=programme.id, week=week, what=what, action_id=action.id)
        records.insert(txn, check)
    return programme


def add_workstream(
    txn: Transaction, programme_id: int | None, name: str, lead_id: int, position: int
) -> Workstream:
    assert programme_id is not None
    return records.insert(
        txn,
        Workstream(
            programme_id=programme_id,
            name=_required(name, "workstream", "name it"),
            lead_id=checked_person(txn, lead_id, "lead"),
            position=position,
        ),
    )


def add_deliverable(
    store: Store,
    *,
    workstream_id: int,
    title: str,
    owner_id: int | None,
    due_date: date,
    critical: bool,
) -> Deliverable:
    words = _required(title, "deliverable", "say what must be produced")
    with store.write(f"deliverable added: {words}") as txn:
        _row(txn, "workstream", workstream_id)
        return records.insert(
            txn,
            Deliverable(
                workstream_id=workstream_id,
                title=words,
                owner_id=checked_person(txn, owner_id, "owner"),
                due_date=due_date,
                critical=critical,
            ),
        )


def record_evidence(
    store: Store, deliverable_id: int, version: int, *, evidence: str, today: date
) -> Deliverable:
    """What shows the deliverable met (a signed-off pack, simulation results, a log)."""
    words = _required(evidence, "evidence", "say what shows it is met, or where it is filed")
    with store.write("deliverable evidence recorded") as txn:
        stored = _row(txn, "deliverable", deliverable_id)
        changes = records.checked_changes(
            Deliverable, stored, {"evidence": words, "evidence_on": today}
        )
        return Deliverable.model_validate(
            txn.update("deliverable", deliverable_id, changes, version)
        )


def _rag(typed: Rag | str) -> Rag:
    """A RAG as typed: R, A or G, or the word."""
    words = str(typed).strip().lower()
    found = next((r for r in Rag if words in (r.value, r.letter.lower())), None)
    if found is None:
        raise ValueError(f"RAG: {str(typed).strip()!r} is not R, A or G (red, amber, green)")
    return found


def rate(
    store: Store,
    *,
    workstream_id: int,
    rag: Rag | str,
    rationale: str,
    rated_by: int | None,
    today: date,
    deliverable_id: int | None = None,
    meeting_id: int | None = None,
) -> RagRating:
    """Record a RAG for a workstream (or one of its deliverables): the only way a RAG is
    set. Without a rationale it is refused, here, in the model and in the database."""
    why = _required(rationale, "rationale", "say why it is this colour: what it rests on")
    colour = _rag(rag)
    with store.write(f"RAG {colour.letter}: {why}") as txn:
        _row(txn, "workstream", workstream_id)
        if deliverable_id is not None:
            deliverable = _row(txn, "deliverable", deliverable_id)
            if deliverable["workstream_id"] != workstream_id:
                raise ValueError("deliverable: it belongs to another workstream")
        if meeting_id is not None:
            meeting = _row(txn, "meeting", meeting_id)
            if meeting["state"] == MeetingState.SIGNED_OFF:
                raise ValueError(LOCKED)
        return records.insert(
            txn,
            RagRating(
                workstream_id=workstream_id,
                deliverable_id=deliverable_id,
                rag=colour,
                rationale=why,
                rated_on=today,
                rated_by=checked_person(txn, rated_by, "rated by"),
                meeting_id=meeting_id,
            ),
        )


def raise_risk(
    store: Store,
    *,
    programme_id: int,
    text: str,
    owner_id: int | None,
    likelihood: int,
    impact: int,
    review_on: date,
    today: date,
    meeting_id: int | None = None,
) -> GoLiveRisk:
    """An answer to "what could make go-live unsafe?", with an owner and a score."""
    words = _required(text, "risk", "say what could make go-live unsafe")
    if review_on < today:
        raise ValueError(f"review on: {uk(review_on)} has passed; give today or later")
    with store.write(f"go-live risk raised: {words}") as txn:
        _row(txn, "mobilisation_programme", programme_id)
        if meeting_id is not None and _row(txn, "meeting", meeting_id)["state"] == (
            MeetingState.SIGNED_OFF
        ):
            raise ValueError(LOCKED)
        return records.insert(
            txn,
            GoLiveRisk(
                programme_id=programme_id,
                text=words,
                owner_id=checked_person(txn, owner_id, "owner"),
                likelihood=likelihood,
                impact=impact,
                review_on=review_on,
                raised_on=today,
                meeting_id=meeting_id,
            ),
        )


def review_risk(
    store: Store,
    risk_id: int,
    version: int,
    *,
    likelihood: int,
    impact: int,
    review_on: date,
    today: date,
) -> GoLiveRisk:
    """A re-score at review, with the next review date (the audit trail keeps the old)."""
    if review_on <= today:
        raise ValueError(f"next review: {uk(review_on)} is not after today; give a later date")
    with store.write("go-live risk reviewed") as txn:
        stored = _row(txn, "go_live_risk", risk_id)
        if stored["status"] == RiskStatus.CLOSED:
            raise ValueError("this risk is closed")
        changes = records.checked_changes(
            GoLiveRisk,
            stored,
            {"likelihood": likelihood, "impact": impact, "review_on": review_on},
        )
        return GoLiveRisk.model_validate(txn.update("go_live_risk", risk_id, changes, version))


def record_training(
    store: Store,
    *,
    person_id: int,
    competency: Competency,
    state: TrainingState,
    on: date,
) -> Training:
    """Move one cell of the training matrix: booked, completed, or competency signed off,
    by the person the store acts as (the signed-in person), who must be an assessor of
    that competency and not the trainee (`may_sign_off_competency`). The dates of earlier
    steps are kept; moving back (a sign-off withdrawn, training to repeat) clears the later
    steps' dates, so a withdrawn sign-off is never counted (the audit trail keeps what
    they were)."""
    with store.write(f"training {state}: {competency}") as txn:
        checked_person(txn, person_id, "person")
        signed_off_by = None
        if state == TrainingState.SIGNED_OFF:
            signed_off_by = may_sign_off_competency(txn, person_id, competency)
        found = txn.conn.execute(
            "SELECT * FROM training WHERE person_id = ? AND competency = ?",
            (person_id, competency),
        ).fetchone()
        steps = {
            TrainingState.BOOKED: {"booked_on": on},
            TrainingState.COMPLETED: {"completed_on": on},
            TrainingState.SIGNED_OFF: {"signed_off_on": on, "signed_off_by": signed_off_by},
        }
        later = list(steps)[list(steps).index(state) + 1 :]
        stamp = {**steps[state], **{c: None for step in later for c in steps[step]}}
        if found is None:
            return records.insert(
                txn, Training(person_id=person_id, competency=competency, state=state, **stamp)
            )
        columns = [c[0] for c in txn.conn.execute("SELECT * FROM training LIMIT 0").description]
        stored = dict(zip(columns, found, strict=True))
        changes = records.checked_changes(Training, stored, {"state": state, **stamp})
        return Training.model_validate(
            txn.update("training", stored["id"], changes, stored["version"])
        )


def may_sign_off_competency(txn: Transaction, trainee_id: int, competency: Competency) -> int:
    """The id of the acting person, who may sign `competency` off for the trainee: someone
    set-up names as its assessor (person.assesses), still here, and not the trainee. A
    colleague whose own training is incomplete is not evidence of competence. Refused in
    words naming who may."""
    signer = acting_person(txn, "sign off")
    assessors = dict(
        txn.conn.execute(
            "SELECT p.id, p.name FROM person AS p, json_each(p.assesses) AS j "
            "WHERE j.value = ? AND p.inactive_since IS NULL AND p.id != ? ORDER BY p.name",
            (competency, trainee_id),
        ).fetchall()
    )
    if signer.id in assessors:
        return signer.id
    if not assessors:
        raise ValueError(
            f"sign off: nobody is named to assess {competency} for this person: name an "
            "assessor in Set-up (key 7, a person's Assesses; the service file's `assesses`)"
        )
    names = list(assessors.values())
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    why = (
        "nobody signs off their own competency"
        if signer.id == trainee_id
        else f"you ({signer.name}) are not one"
    )
    raise ValueError(f"sign off: only an assessor of {competency} ({shown}) may sign it off; {why}")


def add_supervisor(store: Store, *, person_id: int, capacity: int, frequency: str) -> Supervisor:
    with store.write("supervisor named") as txn:
        checked_person(txn, person_id, "supervisor")
        return records.insert(
            txn, Supervisor(person_id=person_id, capacity=capacity, frequency=frequency)
        )


def add_to_cohort(
    store: Store, *, person_id: int, high_risk: bool, supervisor_id: int | None
) -> CohortMember:
    with store.write("added to the mobilising workforce") as txn:
        checked_person(txn, person_id, "person")
        if (
            supervisor_id is not None
            and not txn.conn.execute(
                "SELECT 1 FROM supervisor WHERE person_id = ?", (supervisor_id,)
            ).fetchone()
        ):
            raise ValueError("supervisor: name them as a supervisor (with a capacity) first")
        return records.insert(
            txn,
            CohortMember(person_id=person_id, high_risk=high_risk, supervisor_id=supervisor_id),
        )
