"""What the meeting runner shows at one moment, read from one snapshot off the UI thread:
the meeting, the section's facts, what changed since the series last met, and what has
been recorded so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle.agenda import SectionKey, section_of
from huddle.dates import uk
from huddle.models import AttendanceStatus, Meeting, MeetingKind, Person
from store.briefing import SinceLast, breaches_without_escalation, section_facts, since_last
from store.connection import Store
from store.meeting_reads import CarriedRisk, attendance, carried_risks, meeting_row
from store.mobilisation_reads import programme_of
from store.oversight_reads import on_agenda
from store.people import everyone

RECORDED_SHOWN = 12
_KINDS = ("decision", "action", "risk")


@dataclass(frozen=True)
class Recorded:
    kind: str  # "decision", "action", "risk"
    words: str
    section: str


@dataclass(frozen=True)
class RoomView:
    meeting: Meeting
    section: SectionKey
    facts: tuple[str, ...]
    since_last: SinceLast
    recorded: tuple[Recorded, ...]
    """Decisions, then actions, then risks, each the latest first; at most RECORDED_SHOWN."""
    decisions: int
    actions: int
    risks: int
    present: int
    apologies: int
    invited: int
    without_escalation: tuple[str, ...]
    staff: list[Person]
    programme_id: int | None
    """The mobilisation programme a mobilisation meeting reviews (None for others)."""
    triggers: int
    """Fired triggers on this meeting's agenda."""
    carried_risks: tuple[CarriedRisk, ...] = ()
    """Risks of the series' earlier meetings carried into this one."""


_RECORDED = """
SELECT kind, words, section, id FROM (
    SELECT 'decision' AS kind, d.text || ' — owner ' || p.name AS words, d.section, d.id
    FROM decision AS d JOIN person AS p ON p.id = d.owner_id WHERE d.meeting_id = :meeting
    UNION ALL
    SELECT 'action', a.title || ' — owner ' || p.name || ', due ' || a.due_date, '', a.id
    FROM action AS a JOIN person AS p ON p.id = a.owner_id WHERE a.meeting_id = :meeting
    UNION ALL
    SELECT 'risk', r.text || ' — owner ' || p.name, r.section, r.id
    FROM risk AS r JOIN person AS p ON p.id = r.owner_id WHERE r.meeting_id = :meeting
)
"""


def _words(kind: str, words: str) -> str:
    if kind == "action":
        head, _, due = words.rpartition(", due ")
        return f"{head}, due {uk(date.fromisoformat(due))}"
    return words


def room_view(store: Store, meeting_id: int, section: str, as_at: date) -> RoomView:
    with store.reading():
        meeting = meeting_row(store, meeting_id)
        key = section_of(meeting.kind, section or meeting.section).key
        rows = store.conn.execute(_RECORDED, {"meeting": meeting_id}).fetchall()
        counts = {kind: sum(1 for row in rows if row[0] == kind) for kind in _KINDS}
        people = attendance(store, meeting)
        latest = sorted(rows, key=lambda row: (_KINDS.index(row[0]), -row[3]))[:RECORDED_SHOWN]
        return RoomView(
            meeting=meeting,
            section=key,
            facts=section_facts(store, meeting, key, as_at),
            since_last=since_last(store, meeting, as_at),
            recorded=tuple(
                Recorded(kind, _words(kind, words), part) for kind, words, part, _ in latest
            ),
            decisions=counts["decision"],
            actions=counts["action"],
            risks=counts["risk"],
            present=sum(1 for p in people if p.status == AttendanceStatus.PRESENT),
            apologies=sum(1 for p in people if p.status == AttendanceStatus.APOLOGIES),
            invited=len(people),
            without_escalation=tuple(breaches_without_escalation(store, as_at)),
            staff=everyone(store),
            programme_id=programme.id
            if meeting.kind == MeetingKind.MOBILISATION and (programme := programme_of(store))
            else None,
            triggers=len(on_agenda(store, meeting_id)),
            carried_risks=tuple(carried_risks(store, meeting)),
        )
