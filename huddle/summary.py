"""The since-last-huddle picture: the counts `huddle status` prints and Today shows.

One model, filled by one store query, so the screen and the command can never disagree.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class TierCounts(BaseModel):
    name: str
    waiting: int = 0
    breached: int = 0
    due_this_week: int = 0
    """Not yet breached, but will be within 7 days of the as-at date."""
    contact_overdue: int = 0
    breached_without_escalation: int = 0


class WaitingCounts(BaseModel):
    total: int = 0
    breached: int = 0
    due_this_week: int = 0
    breached_without_escalation: int = 0
    contact_overdue: int = 0
    by_tier: dict[int, TierCounts] = Field(default_factory=dict)


class ActionCounts(BaseModel):
    open: int = 0
    overdue: int = 0


class GoLive(BaseModel):
    programme: str
    date: date
    days_to_go: int
    readiness: str = ""
    """The verdict of the readiness rules (huddle.readiness): NOT READY, READY WITH
    CONDITIONS or READY; LIVE once the go-live date has passed (the app's early life)."""
    countdown: str = ""
    """In words, as the app says it: "12 days to go-live (1 week 5 d)", "GO-LIVE TODAY",
    "LIVE for 34 days (week 5 of early life)"."""
    blockers: list[str] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    rag: dict[str, str] = Field(default_factory=dict)
    """Each workstream's RAG letter (R, A, G, or "-" never rated)."""


class FiredTriggerSummary(BaseModel):
    rule: str
    metric: str
    fired_on: date
    run: list[date]
    """The periods that fired it."""
    observations: list[float]
    why: str
    escalation_owner: str | None
    rung: str | None
    due: date | None
    escalation_status: str | None
    agenda_series: str


class Triggers(BaseModel):
    fired: list[FiredTriggerSummary] = Field(default_factory=list)
    """Fired and not yet cleared as at the date."""
    escalations_open: int = 0
    escalations_overdue: int = 0


class OwnerLeft(BaseModel):
    """What is still open and owned by people who have left: shown as OWNER LEFT, in
    words, until someone else is given it."""

    waiting_entries: int = 0
    """Waiting entries whose case owner has left."""
    actions: int = 0
    """Open actions, escalations among them."""
    series: int = 0
    """Meeting series in use that they chair."""
    workstreams: int = 0
    """Mobilisation workstreams they lead."""
    supervisees: int = 0
    """People in the mobilising cohort they supervise."""

    @property
    def total(self) -> int:
        return (
            self.waiting_entries + self.actions + self.series + self.workstreams + self.supervisees
        )

    def said(self) -> str:
        """e.g. "12 waiting entries as case owner, 3 open actions"; "" when nothing."""
        parts = (
            (self.waiting_entries, "waiting entry", "waiting entries", " as case owner"),
            (self.actions, "open action", "open actions", ""),
            (self.series, "series chaired", "series chaired", ""),
            (self.workstreams, "workstream led", "workstreams led", ""),
            (self.supervisees, "supervisee", "supervisees", ""),
        )
        return ", ".join(
            f"{n} {one if n == 1 else many}{suffix}" for n, one, many, suffix in parts if n
        )


class QuerySummary(BaseModel):
    """A commissioner query not yet closed (huddle.query_flow)."""

    id: int
    matter: str
    asked_by: str
    owner: str
    status: str
    """In words: open, response due, OVERDUE, responded, under review, review OVERDUE."""
    deadline: date
    """The response deadline."""
    next_review: date | None = None
    """Under review: the next monthly governance review."""
    words: str
    """Where it stands, as a sentence."""


class SpcSummary(BaseModel):
    """A whole-service metric, or one team's or provider's values, read as NHS England's
    Making Data Count reads them."""

    variation: str | None
    """common cause, special cause improving, special cause concerning, special cause
    neither; None with fewer points than the limits need."""
    assurance: str | None
    """consistently passes, consistently fails, hit and miss; None without a target."""
    words: str
    mean: float | None = None
    lower_process_limit: float | None = None
    upper_process_limit: float | None = None
    points: int
    """Points charted; with too few for limits, those the limits would come from."""
    baseline: str | None = None
    """Where a fixed baseline puts the limits: "limits from baseline 05/10/2026–18/01/2027
    (15 points)"; None when they come from every point."""


class SegmentSummary(BaseModel):
    name: str
    value: float
    standing: str
    """above, below or within its metric's tolerance."""
    spc: SpcSummary | None = None
    """Its own observations read as Making Data Count reads them."""


class MetricSummary(BaseModel):
    """Where a metric's latest period stands; for one recorded by team or provider, each
    of them judged on its own value, never on their mean."""

    name: str
    period: date | None
    """The latest period observed (None: no observation yet)."""
    cadence: str
    """How often it is observed: weekly, monthly…"""
    standing: str
    """above, below or within; for a metric by team or provider, above (or below) when
    any one of them is; "no data" before the first observation."""
    segments_outside: list[str] = Field(default_factory=list)
    segments: list[SegmentSummary] = Field(default_factory=list)
    spc: SpcSummary | None = None
    """None for a metric by team or provider (each is judged on its own value)."""
    review_on: date | None = None
    """When it and its rules are next reviewed, on its review cycle (None: the cycle's
    words do not say how often, or no review is recorded)."""
    review_due: bool = False
    """The review date is today or past (or no review is recorded at all)."""
    review: str = ""
    """In words: "Review OVERDUE since 21/11/2026 (monthly at the contract review; ...)",
    or "Review cycle not understood: ..."."""


class ReviewDue(BaseModel):
    """A metric whose review (of it and its rules, on its review cycle) is due."""

    name: str
    review_on: date | None
    words: str


class StatusSummary(BaseModel):
    as_at: date
    service: str
    is_demo: bool
    waiting: WaitingCounts
    actions: ActionCounts
    go_live: GoLive | None = None
    triggers: Triggers = Field(default_factory=Triggers)
    owner_left: OwnerLeft = Field(default_factory=OwnerLeft)
    queries: list[QuerySummary] = Field(default_factory=list)
    """Commissioner queries not yet closed: open first, the nearest deadline first."""
    metrics: list[MetricSummary] = Field(default_factory=list)
    """Every metric, as Oversight lists them (those with a fired trigger first)."""
    reviews_due: list[ReviewDue] = Field(default_factory=list)
    """The metrics whose review is due, by name: always counted (cheap), even when
    `metrics` is not asked for."""
