"""What each kind of meeting goes through, in order, and its timebox.

Pure data and rules, no store and no textual: the runner shows these sections one at a
time, the minutes report each one, and a meeting remembers which one it was on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from huddle.models import MeetingKind


class SectionKey(StrEnum):
    ATTENDANCE = "attendance"
    ROUTES = "escalation routes and on call"
    HIGH_RISK = "high-risk patients"
    CAPACITY = "capacity"
    SAFETY_ACTIONS = "safety actions due or overdue"
    UNSAFE_TODAY = "what could make today unsafe?"
    TIERS = "tier summary"
    BREACHES = "breaches"
    THIS_WEEK = "breaching this week"
    CONTACTS = "interim contacts overdue"
    NOT_IN_EXTRACT = "not in latest extract"
    HELD = "held from extracts"
    CARRIED = "carried forward"
    TRIGGERS = "fired triggers"
    RECONCILIATION = "reconciliation"
    UNSAFE_GO_LIVE = "what could make go-live unsafe?"
    WORKSTREAMS = "workstream RAG"
    WORKFORCE = "training and supervision"
    RISKS = "risks and concerns"
    QUERIES = "commissioner queries"


@dataclass(frozen=True)
class Section:
    key: SectionKey
    title: str
    prompt: str
    """What the chair asks or checks in this section."""


_ATTENDANCE = Section(
    SectionKey.ATTENDANCE,
    "Attendance",
    "Who is here? One key per person: p present, x apologies.",
)
_CARRIED = Section(
    SectionKey.CARRIED,
    "Carried forward",
    "Open actions from earlier meetings of this series, with their status: done, or why not?",
)
# Every agenda takes the triggers that fired for its series since it last met.
_TRIGGERS = Section(
    SectionKey.TRIGGERS,
    "Fired triggers",
    "What fired, on which observations, and who owns the escalation: d records the decision,"
    " a an action; ⏎ opens the escalation.",
)

AGENDAS: dict[MeetingKind, tuple[Section, ...]] = {
    MeetingKind.SAFETY_BRIEF: (
        _ATTENDANCE,
        Section(
            SectionKey.ROUTES,
            "Escalation routes and on call",
            "Who do we call today, and how? Check every route has a name.",
        ),
        Section(
            SectionKey.HIGH_RISK,
            "High-risk patients",
            "Tier 1, breached, breaching today, safeguarding flags, contacts overdue.",
        ),
        Section(
            SectionKey.CAPACITY,
            "Capacity",
            "Staff on shift against planned; anything that limits what we can do today.",
        ),
        Section(
            SectionKey.SAFETY_ACTIONS,
            "Safety actions",
            "Open actions due today or overdue: who is on each?",
        ),
        _CARRIED,
        _TRIGGERS,
        Section(
            SectionKey.UNSAFE_TODAY,
            "What could make today unsafe?",
            "Ask everyone. Record each risk or concern with r, each decision with d.",
        ),
    ),
    MeetingKind.WAITING_LIST_HUDDLE: (
        _ATTENDANCE,
        Section(
            SectionKey.TIERS,
            "Tier summary",
            "Waiting, breached, breaching this week and contacts overdue, by risk tier.",
        ),
        Section(
            SectionKey.BREACHES,
            "Breaches",
            "Each breach needs an escalation with an owner: e escalates the highlighted one.",
        ),
        Section(
            SectionKey.THIS_WEEK,
            "Breaching this week",
            "Who will breach in the next 7 days unless seen? Re-tier, book, or escalate.",
        ),
        Section(
            SectionKey.CONTACTS,
            "Interim contacts overdue",
            "Who has not been contacted within their tier's cadence? Who will call them?",
        ),
        Section(
            SectionKey.NOT_IN_EXTRACT,
            "Not in latest extract",
            "Entries missing from the latest extract: seen, discharged, or an extract fault?",
        ),
        Section(
            SectionKey.HELD,
            "Held from extracts",
            "Changes a provider's extract asked for that lower risk or rewrite what we"
            " recorded: ⏎ opens the entry, where A accepts each and K keeps ours, with a reason.",
        ),
        _CARRIED,
        _TRIGGERS,
        Section(
            SectionKey.RECONCILIATION,
            "Reconciliation",
            "Duplicates across providers, unowned cases, missing outcomes, long-wait outliers.",
        ),
        Section(
            SectionKey.RISKS,
            "Risks and concerns",
            "Anything else that could cause harm to someone waiting? Record it with r.",
        ),
    ),
    MeetingKind.MOBILISATION: (
        _ATTENDANCE,
        Section(
            SectionKey.WORKSTREAMS,
            "Workstream RAG",
            "Each workstream in turn, from its lead: g rates it, R, A or G with why (required);"
            " ⏎ shows its history.",
        ),
        Section(
            SectionKey.WORKFORCE,
            "Training and supervision",
            "Competency sign-off for high-risk tasks and supervisors against capacity:"
            " what stands between us and 100%?",
        ),
        _CARRIED,
        _TRIGGERS,
        Section(
            SectionKey.UNSAFE_GO_LIVE,
            "What could make go-live unsafe?",
            "The standing item: ask everyone. r records each with its owner and score;"
            " a on one adds a mitigation action; ⏎ reviews it.",
        ),
    ),
    MeetingKind.CONTRACT_REVIEW: (
        _ATTENDANCE,
        Section(
            SectionKey.QUERIES,
            "Commissioner queries",
            "Each query open or under review: is the response on time, with verified figures"
            " and evidence? Under review: do returns, records and lived experience align yet?"
            " (4 then k: v records the monthly review, c the alignment.)",
        ),
        _CARRIED,
        _TRIGGERS,
        Section(SectionKey.RISKS, "Risks and concerns", "Record each risk with r and its owner."),
    ),
}
# Meetings without an agenda of their own (the interface meeting) take this one.
GENERAL_AGENDA: tuple[Section, ...] = (
    _ATTENDANCE,
    _CARRIED,
    _TRIGGERS,
    Section(SectionKey.RISKS, "Risks and concerns", "Record each risk with r and its owner."),
)

TIMEBOX_MINUTES: dict[MeetingKind, int] = {
    MeetingKind.SAFETY_BRIEF: 5,
    MeetingKind.WAITING_LIST_HUDDLE: 30,
    MeetingKind.MOBILISATION: 45,
    MeetingKind.INTERFACE: 45,
    MeetingKind.CONTRACT_REVIEW: 60,
}


def agenda(kind: MeetingKind) -> tuple[Section, ...]:
    return AGENDAS.get(kind, GENERAL_AGENDA)


def section_of(kind: MeetingKind, key: str) -> Section:
    """The section named `key`, or the first one (a meeting not yet moved on)."""
    sections = agenda(kind)
    return next((s for s in sections if s.key == key), sections[0])


def section_after(kind: MeetingKind, key: str, step: int) -> Section:
    """The section `step` places on from `key`, stopping at either end."""
    sections = agenda(kind)
    position = sections.index(section_of(kind, key))
    return sections[max(0, min(len(sections) - 1, position + step))]


class TimerPhase(StrEnum):
    ON_TIME = "on time"
    LAST_MINUTE = "last minute"
    OVERRUN = "overrun"


@dataclass(frozen=True)
class Timer:
    phase: TimerPhase
    words: str
    """What the countdown says, so its colour is never the only signal."""


def _clock(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}:{seconds:02d}"


def timer(started_at: datetime, now: datetime, timebox_minutes: int) -> Timer:
    """The countdown: time left, amber in the last minute, red with the overrun after."""
    left = timebox_minutes * 60 - max(0, int((now - started_at).total_seconds()))
    if left < 0:
        return Timer(TimerPhase.OVERRUN, f"OVERRUN +{_clock(-left)}")
    if left <= 60:
        return Timer(TimerPhase.LAST_MINUTE, f"LAST MINUTE {_clock(left)} left")
    return Timer(TimerPhase.ON_TIME, f"{_clock(left)} left")


def duration_words(started_at: datetime, ended_at: datetime, timebox_minutes: int) -> str:
    """How long it took against its timebox, for the minutes."""
    taken = max(0, int((ended_at - started_at).total_seconds()))
    over = taken - timebox_minutes * 60
    verdict = f"over by {_clock(over)}" if over > 0 else "within it"
    return f"{_clock(taken)} against a {timebox_minutes}-minute timebox ({verdict})"


# The routes the brief checks a name against every day: the ladder's rungs and safeguarding.
ESCALATION_ROUTES: tuple[str, ...] = ("operational", "clinical", "safeguarding", "contractual")
SHIFTS: tuple[str, ...] = ("early", "late", "night")
