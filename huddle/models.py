"""The service's records as pydantic models.

These are the shapes the store takes and returns. They validate what a person or a file
can get wrong (an NHS number failing its check digit, a blank owner) so that a bad value
is refused before it reaches the database, with the field named.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime
from enum import StrEnum

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    field_validator,
    model_validator,
)

from huddle.nhs_number import nhs_number_problem


def from_json(value: object) -> object:
    """A list or mapping comes back from SQLite as the JSON text it was stored as."""
    return json.loads(value) if isinstance(value, str) else value


class Record(BaseModel):
    """A stored row: `id` is given by the store, `version` guards against lost updates."""

    model_config = ConfigDict(validate_assignment=True, str_strip_whitespace=True)

    id: int | None = None
    version: int = 1


class ProviderKind(StrEnum):
    PRIME = "prime"
    SUBCONTRACTOR = "subcontractor"
    VCSE = "vcse"


class EntryStatus(StrEnum):
    WAITING = "waiting"
    SEEN = "seen"
    DISCHARGED = "discharged"
    REMOVED = "removed"


class ContactKind(StrEnum):
    """How an interim contact with someone waiting was made (seed 002's safety netting)."""

    PHONE = "phone"
    LETTER = "letter/written advice"
    PARTNER_ESCALATION = "partner escalation"
    SENIOR_REVIEW = "senior review"


class EscalationRung(StrEnum):
    """The escalation ladder, lowest rung first."""

    OPERATIONAL = "operational"
    CLINICAL = "clinical"
    CONTRACTUAL = "contractual"


# Working days each rung has to act before the escalation climbs (the design's defaults).
RUNG_WORKING_DAYS: dict[EscalationRung, int] = {
    EscalationRung.OPERATIONAL: 1,
    EscalationRung.CLINICAL: 2,
    EscalationRung.CONTRACTUAL: 5,
}


class MeetingKind(StrEnum):
    SAFETY_BRIEF = "safety brief"
    WAITING_LIST_HUDDLE = "waiting-list huddle"
    MOBILISATION = "mobilisation meeting"
    INTERFACE = "interface meeting"
    CONTRACT_REVIEW = "contract review"


class MeetingState(StrEnum):
    DRAFT = "draft"
    IN_PROGRESS = "in progress"
    SIGNED_OFF = "signed off"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    CLOSED = "closed"


class ActionSource(StrEnum):
    MEETING = "meeting decision"
    BREACH = "breach"
    TRIGGER = "trigger"
    COMMISSIONER_QUERY = "commissioner query"
    AUDIT = "audit"
    BY_HAND = "added by hand"


class Service(Record):
    """The community service this database belongs to (one row)."""

    name: str = Field(min_length=1)
    is_demo: bool = False
    import_account: str | None = None
    """The account a scheduled import runs as (`huddle import ... --user NAME`), the one
    actor of the audit trail that is not a person; None: imports are run by a person."""
    extra_bank_holidays: list[date] | None = None
    """Days set-up adds to England and Wales' bank holidays (huddle.working_days), in date
    order; None: none (m026)."""

    _holidays_from_json = field_validator("extra_bank_holidays", mode="before")(from_json)

    @field_validator("extra_bank_holidays")
    @classmethod
    def _holidays_in_order(cls, value: list[date] | None) -> list[date] | None:
        # None stored as NULL, as for every service before m026.
        return sorted(set(value)) or None if value else None


class Provider(Record):
    name: str = Field(min_length=1)
    kind: ProviderKind
    short_name: str | None = None
    """How a narrow list names it, set in set-up; None: huddle.provider_names makes one."""
    inactive_since: date | None = None
    """Set when the service stops working with it: kept for the record, offered nowhere."""


class Person(Record):
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    provider_id: int
    login: str | None = None
    """The name they log in to the computer with, lower-case (huddle.service_file.login_name),
    unique across people; set in set-up."""
    inactive_since: date | None = None
    """Set when they leave: their name stays on every record, but they are offered in no
    picker, and whatever open they own shows as OWNER LEFT until it is reassigned."""
    read_only: bool | None = None
    """True: a display account (the meeting room's wall screen), which signs in and reads
    but writes nothing. None, as stored for everyone else (m024), is not read-only."""
    assesses: list[Competency] | None = None
    """The competencies set-up names them to assess: they, and only they, may sign off
    someone else's (store.mobilisation.record_training). None: none (m025)."""

    _assesses_from_json = field_validator("assesses", mode="before")(from_json)

    @field_validator("read_only")
    @classmethod
    def _read_only_or_none(cls, value: bool | None) -> bool | None:
        # Not read-only is stored as NULL, as for every person before m024.
        return True if value else None

    @field_validator("assesses")
    @classmethod
    def _assesses_in_order(cls, value: list[Competency] | None) -> list[Competency] | None:
        # In the matrix's order, once each; none is stored as NULL, as before m025.
        return [c for c in Competency if c in value] or None if value else None

    @property
    def active(self) -> bool:
        return self.inactive_since is None


class RiskTier(Record):
    """A risk tier as the service defines it; `interim_contact_days` None means must be seen."""

    number: int = Field(ge=1, le=9)
    name: str = Field(min_length=1)
    max_safe_wait_days: int = Field(ge=0)
    interim_contact_days: int | None = Field(default=None, ge=1)


DEFAULT_RISK_TIERS: tuple[RiskTier, ...] = (
    RiskTier(number=1, name="Urgent", max_safe_wait_days=2, interim_contact_days=None),
    RiskTier(number=2, name="High", max_safe_wait_days=14, interim_contact_days=7),
    RiskTier(number=3, name="Moderate", max_safe_wait_days=42, interim_contact_days=14),
    RiskTier(number=4, name="Routine", max_safe_wait_days=126, interim_contact_days=28),
)


INITIALS_MOST = 4


def script(letter: str) -> str:
    """The writing system a letter belongs to, as the first word of its Unicode name
    ("LATIN", "CYRILLIC", "GREEK", "HANGUL"): the standard library has no script property,
    and this is the usual approximation of one."""
    return unicodedata.name(letter, "?").split()[0]


def initials_problem(text: str) -> str | None:
    """Why `text` is not a person's initials, or None. Initials are what a coordinator
    reads aloud and searches by: one to four letters of one script. A Cyrillic 'Ѕ' beside
    a Latin 'J' looks like "JS" but matches no search for it (a look-alike pasted or
    forged), and a letter in a styled form (full-width, mathematical bold) is not the
    letter a person types."""
    if not text:
        return "blank: initials are required"
    if len(text) > INITIALS_MOST or not text.isalpha():
        return f"{text!r} must be 1 to {INITIALS_MOST} letters"
    if unicodedata.normalize("NFKC", text) != text:
        return (
            f"{text!r} holds a letter in a styled form (full-width, bold, a ligature): "
            "type the plain letters"
        )
    scripts = sorted({script(letter).title() for letter in text})
    if len(scripts) > 1:
        return (
            f"{text!r} mixes letters of {' and '.join(scripts)}: initials are letters of one "
            "script (a look-alike letter from another alphabet?)"
        )
    return None


class WaitingEntry(Record):
    """One person on the waiting list. Needs an NHS number or a local id (or both)."""

    local_id: str | None = None
    nhs_number: str | None = None
    initials: str = Field(min_length=1, max_length=INITIALS_MOST)
    referral_date: date
    tier: int = Field(ge=1, le=9)
    referral_source: str = ""
    provider_id: int
    case_owner_id: int | None = None
    last_interim_contact: date | None = None
    safeguarding: bool = False
    status: EntryStatus = EntryStatus.WAITING
    paused_since: date | None = None
    pause_reason: str | None = None
    paused_days: int = Field(default=0, ge=0)
    clock_resumed_on: date | None = None
    """The day the last pause ended: a new pause cannot start before it (its days would
    count twice)."""
    breach_standing: date | None = None
    """The breach date of a breach that has happened, kept through any later re-dating."""
    outcome: str | None = None
    closed_on: date | None = None
    last_reviewed_on: date | None = None
    reviewed_meeting_id: int | None = None
    tier_by_huddle: bool = False
    """The huddle re-tiered the entry (and no person has accepted an extract's tier since):
    an extract's different tier, whichever way, is held (huddle.extract_ownership)."""

    @field_validator("nhs_number", mode="before")
    @classmethod
    def _valid_nhs_number(cls, value: object) -> object:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValueError("NHS number must be given as text so leading zeros are kept")
        compact = value.replace(" ", "")
        problem = nhs_number_problem(compact)
        if problem:
            raise ValueError(problem)
        return compact

    @field_validator("local_id", mode="before")
    @classmethod
    def _blank_local_id_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("initials")
    @classmethod
    def _one_script(cls, value: str) -> str:
        if (problem := initials_problem(value)) is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _identified(self) -> WaitingEntry:
        if not self.nhs_number and not self.local_id:
            raise ValueError("an entry needs an NHS number or a local id")
        return self


class InterimContact(Record):
    """A contact made with someone while they wait, and what came of it."""

    entry_id: int
    contact_on: date
    kind: ContactKind
    outcome: str = Field(min_length=1)
    made_by: int


class Meeting(Record):
    """One meeting of a series. Times are the wall clock in the room (the audit trail keeps
    UTC). Once signed off it is read-only: `minutes` are rendered then, from the record, and
    `chain_head` names the audit trail's last row at that moment."""

    kind: MeetingKind
    series: str = Field(min_length=1)
    held_on: date
    chair_id: int | None = None
    state: MeetingState = MeetingState.DRAFT
    signed_off_by: int | None = None
    signed_off_at: datetime | None = None
    started_at: datetime | None = None
    timebox_minutes: int = Field(default=30, ge=1)
    section: str = ""
    """The agenda section the runner was on: a meeting resumes there."""
    minutes: str | None = None
    chain_head: str | None = None


class Series(Record):
    """A meeting series the service runs: who chairs it, who is invited, its timebox.
    Meetings name their series; `invitees` are person ids, in the order they are listed."""

    name: str = Field(min_length=1)
    kind: MeetingKind
    chair_id: int | None = None
    invitees: list[int] = Field(default_factory=list)
    timebox_minutes: int | None = Field(default=None, ge=1)
    """None: the kind's usual timebox (huddle.agenda.TIMEBOX_MINUTES)."""
    inactive_since: date | None = None

    _invitees_from_json = field_validator("invitees", mode="before")(from_json)


class Attendance(Record):
    meeting_id: int
    person_id: int
    status: AttendanceStatus


class Decision(Record):
    meeting_id: int
    text: str = Field(min_length=1)
    rationale: str = ""
    owner_id: int
    entry_id: int | None = None
    """The waiting-list entry the cursor was on when it was recorded."""
    section: str = ""


class Risk(Record):
    """A risk or concern raised ("what could make today unsafe?"), with an owner."""

    text: str = Field(min_length=1)
    owner_id: int
    raised_on: date
    meeting_id: int | None = None
    entry_id: int | None = None
    section: str = ""


class RiskClosure(Record):
    """A risk carried forward, recorded closed at a later meeting of its series: with why,
    and by whom (the signed-in person). Until then it is carried to every meeting."""

    risk_id: int
    meeting_id: int
    closed_on: date
    reason: str = Field(min_length=1)
    closed_by: int


class Addendum(Record):
    """A correction to a signed-off meeting: the minutes stand, the addendum follows them."""

    meeting_id: int
    text: str = Field(min_length=1)
    author_id: int
    written_at: datetime


class OnCall(Record):
    """Who answers one escalation route on one day."""

    day: date
    route: str = Field(min_length=1)
    person_id: int
    contact: str = ""


class ShiftCapacity(Record):
    """Staff on a shift against the plan, as entered for the shift, and what was flagged."""

    day: date
    shift: str = Field(min_length=1)
    planned: int = Field(ge=0)
    on_shift: int = Field(ge=0)
    flags: str = ""


class QueryStep(StrEnum):
    """A commissioner query's standard steps, created when it is logged."""

    REVIEW = "review"
    VERIFICATION = "verification"
    RESPONSE = "response"


class Action(Record):
    """Time-bound, with a named owner. Closing needs evidence; a due date that moves keeps
    the first one; a reopened action counts as reopened."""

    title: str = Field(min_length=1)
    owner_id: int
    due_date: date
    status: ActionStatus = ActionStatus.OPEN
    source: ActionSource = ActionSource.BY_HAND
    meeting_id: int | None = None
    entry_id: int | None = None
    query_id: int | None = None
    """The commissioner query this action is a step of."""
    created_on: date
    evidence: str | None = None
    evidence_link: str | None = None
    """A link or file path backing the evidence note."""
    closed_on: date | None = None
    closed_by: int | None = None
    reopened_count: int = Field(default=0, ge=0)
    rung: EscalationRung | None = None
    first_due_date: date | None = None
    """The due date it had before it first moved (None while it never has)."""
    due_moves: int = Field(default=0, ge=0)
    review_on: date | None = None
    """A check, after closing, that the change held."""
    reviewed_on: date | None = None
    review_note: str | None = None
    risk_id: int | None = None
    """The go-live risk this action mitigates."""
    query_step: QueryStep | None = None
    """Which of its commissioner query's standard steps this is (huddle.query_flow); None
    for any other action, a step added by hand among them."""

    @model_validator(mode="after")
    def _closed_with_evidence(self) -> Action:
        if self.status == ActionStatus.CLOSED and not (self.evidence or "").strip():
            raise ValueError("a closed action needs evidence (a note or a link)")
        return self


class QueryStatus(StrEnum):
    """Where a query stands in the assurance flow (huddle.query_flow says it in words)."""

    OPEN = "open"
    """Received, its response not yet sent."""
    RESPONDED = "response sent"
    """Answered before huddle kept the monthly review (m026): a review or the alignment
    moves it on. Nothing new is stored so."""
    UNDER_REVIEW = "under review"
    """The response was sent; governance reviews it monthly until returns, records and
    lived experience align."""
    CLOSED = "closed"
    """Returns, records and lived experience were recorded as aligned, with evidence."""


class CommissionerQuery(Record):
    """A question from the commissioner (external assurance): its standard steps are
    actions under it; after the response it is under monthly review, and it closes only
    when alignment is recorded, with evidence."""

    received_on: date
    asked_by: str = Field(min_length=1)
    matter: str = Field(min_length=1)
    """The measure or matter queried."""
    data_period: str = ""
    deadline: date
    owner_id: int
    status: QueryStatus = QueryStatus.OPEN
    response_sent_on: date | None = None
    response_evidence: str | None = None
    response_link: str | None = None
    responded_by: int | None = None
    """Who recorded the response as sent (None on a query answered before m026, whose
    closed_by says it)."""
    next_review_on: date | None = None
    """Under review: the day its next monthly governance review is due."""
    aligned_on: date | None = None
    aligned_evidence: str | None = None
    """How returns, records and lived experience were found to agree."""
    aligned_link: str | None = None
    closed_by: int | None = None

    @model_validator(mode="after")
    def _sent_with_evidence(self) -> CommissionerQuery:
        if self.status != QueryStatus.OPEN and not (self.response_evidence or "").strip():
            raise ValueError(
                "a query moves on from open only with the response recorded as sent, with evidence"
            )
        if self.status == QueryStatus.UNDER_REVIEW and self.next_review_on is None:
            raise ValueError("next review: a query under review needs its monthly review date")
        if self.status == QueryStatus.CLOSED and not (
            self.aligned_on and (self.aligned_evidence or "").strip()
        ):
            raise ValueError(
                "a query closes only when returns, records and lived experience are "
                "recorded as aligned, with evidence"
            )
        if self.deadline < self.received_on:
            raise ValueError("response deadline: it is before the date the query was received")
        return self


class QueryReview(Record):
    """One monthly governance review of a commissioner query under review: what it found
    (data accuracy audits, family feedback, repeat discrepancies), who recorded it, and
    the next review it set. It stands as recorded."""

    query_id: int
    reviewed_on: date
    note: str = Field(min_length=1)
    reviewed_by: int
    next_review_on: date


class MobilisationProgramme(Record):
    name: str = Field(min_length=1)
    go_live: date


class Rag(StrEnum):
    """Red, amber, green: always shown with its letter, never by colour alone."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def letter(self) -> str:
        return self.value[0].upper()


class Workstream(Record):
    """One of the programme's non-negotiable deliverables by go-live (seed 002), with its
    lead. It has no RAG column: its RAG is the latest `RagRating`, so it has a history."""

    programme_id: int
    name: str = Field(min_length=1)
    lead_id: int
    position: int = 0


class Deliverable(Record):
    """Something a workstream must produce by its due date, met when evidence is recorded."""

    workstream_id: int
    title: str = Field(min_length=1)
    owner_id: int
    due_date: date
    critical: bool = False
    """Go-live cannot be safe without it (a readiness rule reads this)."""
    evidence: str | None = None
    evidence_on: date | None = None


class RagRating(Record):
    """A workstream's (or one deliverable's) RAG as rated on a day, always with why: the
    only way a RAG is ever set, so every RAG has a dated history."""

    workstream_id: int
    deliverable_id: int | None = None
    rag: Rag
    rationale: str = Field(min_length=1)
    rated_on: date
    rated_by: int
    meeting_id: int | None = None


class Competency(StrEnum):
    """The critical competencies of the mobilisation training matrix (seed 002)."""

    SAFEGUARDING = "safeguarding"
    RISK_ASSESSMENT = "risk assessment"
    ESCALATION = "escalation"
    RECORD_STANDARDS = "record standards"
    TRIAGE = "triage (pathway skill)"


class TrainingState(StrEnum):
    """Booked is not trained: only a signed-off competency counts for high-risk work."""

    BOOKED = "booked"
    COMPLETED = "completed"
    SIGNED_OFF = "competency signed off"


class Training(Record):
    person_id: int
    competency: Competency
    state: TrainingState
    booked_on: date | None = None
    completed_on: date | None = None
    signed_off_on: date | None = None
    signed_off_by: int | None = None

    @model_validator(mode="after")
    def _signed_off_by_someone_else(self) -> Training:
        if self.state == TrainingState.SIGNED_OFF:
            if self.signed_off_by is None or self.signed_off_on is None:
                raise ValueError("signed off by: a competency is signed off by a named person")
            if self.signed_off_by == self.person_id:
                raise ValueError("signed off by: nobody signs off their own competency")
        return self


class Supervisor(Record):
    """A named supervisor, how many supervisees they can take and how often they meet."""

    person_id: int
    capacity: int = Field(ge=0)
    frequency: str = Field(min_length=1)


class CohortMember(Record):
    """Someone in the mobilising workforce: whether they will manage higher-risk cases on
    their own (then every competency must be signed off) and who supervises them."""

    person_id: int
    high_risk: bool = True
    supervisor_id: int | None = None
    """The supervisor's person id."""


class RiskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class GoLiveRisk(Record):
    """An answer to the standing item "what could make go-live unsafe?": owned, scored
    likelihood x impact on 1-5 scales, mitigated by actions, reviewed by a date."""

    programme_id: int
    text: str = Field(min_length=1)
    owner_id: int
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    review_on: date
    raised_on: date
    meeting_id: int | None = None
    """The meeting it was raised in, if any."""
    status: RiskStatus = RiskStatus.OPEN
    closed_on: date | None = None
    closed_note: str | None = None

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class EarlyLifeCheck(Record):
    """A scheduled check after go-live (the 4-week audit, consistency to 12 weeks): an
    action with an owner and a due date, so it is tracked like any other."""

    programme_id: int
    week: int = Field(ge=1)
    what: str = Field(min_length=1)
    action_id: int


class Period(StrEnum):
    """How often a metric is observed; an observation is filed under its period's first day
    (a weekly one under its Monday, a monthly one under the 1st)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class GoodDirection(StrEnum):
    LOWER = "lower is better"
    HIGHER = "higher is better"
    WITHIN = "within the range"


class Segmentation(StrEnum):
    """Whether a metric is observed for the service as a whole or for each provider or team."""

    NONE = "whole service"
    PROVIDER = "by provider"
    TEAM = "by team"


class Derivation(StrEnum):
    """Metrics the app works out from others (the formulas are in huddle.oversight)."""

    VS_BASELINE = "percent of baseline"
    PER_CLINICIAN = "caseload per clinician"
    SUSTAINABILITY = "caseload sustainability index"


class Metric(Record):
    """What the service watches: each has a tolerance range, a response pathway (what is
    done when it goes out of range) and a review cycle, and a named owner."""

    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    period: Period
    tolerance_low: FiniteFloat | None = None
    tolerance_high: FiniteFloat | None = None
    baseline: FiniteFloat | None = None
    """e.g. commissioned capacity: a rule may be set relative to it."""
    good: GoodDirection
    response_pathway: str = Field(min_length=1)
    review_cycle: str = Field(min_length=1)
    owner_id: int
    segmentation: Segmentation = Segmentation.NONE
    derivation: Derivation | None = None
    inputs: dict[str, int] = Field(default_factory=dict)
    """A derived metric's inputs by role (e.g. "caseload", "clinicians") to metric ids."""
    reviewed_on: date | None = None
    """When it and its rules were last reviewed (`v` on key 6), from the day it was defined.
    None on a metric from before reviews were kept: its review counts from the day it was
    created (store.oversight_reads)."""
    spc_baseline_first: date | None = None
    spc_baseline_last: date | None = None
    """The periods (first days) whose observations give its Making Data Count limits;
    none: every observation does."""

    _inputs_from_json = field_validator("inputs", mode="before")(from_json)

    @model_validator(mode="after")
    def _a_range(self) -> Metric:
        if self.tolerance_low is None and self.tolerance_high is None:
            raise ValueError("tolerance: give a low or a high limit, or both")
        low, high = self.tolerance_low, self.tolerance_high
        if low is not None and high is not None and low > high:
            raise ValueError(f"tolerance: the low limit {low:g} is above the high limit {high:g}")
        first, last = self.spc_baseline_first, self.spc_baseline_last
        if (first is None) != (last is None):
            raise ValueError("first period: give the baseline's first and last, or neither")
        if first is not None and last is not None and first > last:
            raise ValueError(
                f"first period: {first:%d/%m/%Y} is after the last period {last:%d/%m/%Y}"
            )
        return self


class ObservationSource(StrEnum):
    BY_HAND = "entered by hand"
    IMPORT = "imported"
    DERIVED = "worked out by the app"


class Observation(Record):
    metric_id: int
    period_start: date
    segment: str = ""
    """The provider or team ("" for the whole service)."""
    value: FiniteFloat
    source: ObservationSource = ObservationSource.BY_HAND
    recorded_on: date


class RuleKind(StrEnum):
    THRESHOLD = "threshold"
    VARIANCE = "variance between segments"
    SPECIAL_CAUSE = "special cause concerning"
    """Holds in a period whose point the metric's Making Data Count chart marks special
    cause concerning; it has no threshold (stored as 0)."""


class Comparison(StrEnum):
    """Said in the rule's own words, so a value exactly on the threshold is decided by the
    rule as written: "exceeded by 15%" is at or above, "variance over 10%" is above."""

    AT_OR_ABOVE = "at or above"
    ABOVE = "above"
    AT_OR_BELOW = "at or below"
    BELOW = "below"


class TriggerRule(Record):
    """A defined threshold: when it holds for `periods` consecutive periods it fires, opens
    an escalation owned by `owner_id` at `rung`, and goes on the agenda of the next meeting
    of `series`."""

    metric_id: int
    name: str = Field(min_length=1)
    kind: RuleKind = RuleKind.THRESHOLD
    comparison: Comparison
    threshold: FiniteFloat
    """An absolute value; a percentage of baseline when `relative_to_baseline`; the
    percentage spread between segments for a variance rule."""
    relative_to_baseline: bool = False
    periods: int = Field(default=1, ge=1)
    series: str = Field(min_length=1)
    owner_id: int
    rung: EscalationRung = EscalationRung.OPERATIONAL
    active: bool = True
    reviewed_on: date | None = None
    """When it was last reviewed, with its metric and on its metric's review cycle (a rule
    has none of its own), from the day it was added. None as for a metric."""

    @model_validator(mode="after")
    def _special_cause_has_no_threshold(self) -> TriggerRule:
        if self.kind == RuleKind.SPECIAL_CAUSE and (self.threshold or self.relative_to_baseline):
            raise ValueError(
                "threshold: a special cause concerning rule has none (the chart's limits"
                " decide); leave it 0"
            )
        return self


class MetricReview(Record):
    """A review of a metric and its active rules on its review cycle: what was decided,
    who recorded it and when. It stands as recorded."""

    metric_id: int
    reviewed_on: date
    note: str = Field(min_length=1)
    reviewed_by: int


class LadderRung(Record):
    """Who owns a rung of the escalation ladder: an escalation that climbs to it becomes
    theirs (set-up's `[ladder]`)."""

    rung: EscalationRung
    owner_id: int


class TriggerFiring(Record):
    """One firing of a rule: what fired, the observations that fired it, when, and the
    escalation it opened; cleared (with when and why) once back within the rule."""

    rule_id: int
    fired_on: date
    run_start: date
    fired_period: date
    observations: list[dict] = Field(default_factory=list)
    why: str = Field(min_length=1)
    action_id: int | None = None
    cleared_on: date | None = None
    cleared_period: date | None = None
    cleared_why: str | None = None

    _observations_from_json = field_validator("observations", mode="before")(from_json)


class HeldState(StrEnum):
    OPEN = "open"  # waiting for a person
    ACCEPTED = "accepted"  # the extract's value was taken
    KEPT = "kept"  # huddle's value stands
    AGREED = "agreed"  # a later extract said what huddle holds: nothing left to decide

    def resolved(self, on: date, reason: str) -> dict:
        """The changes to an open held change's row that resolve it in this state."""
        return {"state": self.value, "resolved_on": on.isoformat(), "reason": reason}


class HeldChange(Record):
    """A change a provider's extract asked for that lowers risk or rewrites what the huddle
    recorded, so it waits for a person (huddle.extract_ownership). Values are stored as
    the entry stores them, JSON-encoded; `field` "status" is a closed entry the extract
    still lists as waiting."""

    entry_id: int
    field: str = Field(min_length=1)
    extract_value: str
    huddle_value: str
    source: str = Field(min_length=1)
    """The extract that asked for it, as the import's reason names it."""
    held_on: date
    state: HeldState = HeldState.OPEN
    resolved_on: date | None = None
    reason: str | None = None
    """Why the person accepted or kept it (AGREED: which extract agreed)."""
