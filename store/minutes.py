"""Minutes in Markdown, rendered from the structured record and never typed twice.

A meeting's minutes are rendered once, in the write that signs it off, and stored with it:
months later an inspector reads exactly what was signed, whatever has happened to its
actions since. Addenda follow the signed minutes, each with its author and time. A meeting
still open renders as a draft that says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from huddle.action_query import ActionQuery, ActionView
from huddle.agenda import SectionKey, agenda, duration_words
from huddle.dates import long_uk, uk
from huddle.markdown_text import md
from huddle.models import Meeting, MeetingState
from store.action_list import ActionLine, each_action
from store.briefing import Source, breaches_without_escalation, section_facts
from store.connection import Store
from store.meeting_reads import attendance, meeting_row
from store.mobilisation_reads import ratings_between


def _name(source: Source, person_id: int | None) -> str:
    if person_id is None:
        return "nobody named"
    row = source.conn.execute("SELECT name FROM person WHERE id = ?", (person_id,)).fetchone()
    return md(row[0]) if row else f"person {person_id}"


def _entry(local_id: str | None, nhs: str | None, initials: str | None) -> str:
    if initials is None:
        return ""
    return md(f"{initials} ({local_id or nhs})")


def _decisions(source: Source, meeting: Meeting) -> list[tuple[str, str, str, str, str]]:
    return source.conn.execute(
        "SELECT d.section, d.text, d.rationale, p.name, e.local_id, e.nhs_number, e.initials "
        "FROM decision AS d JOIN person AS p ON p.id = d.owner_id "
        "LEFT JOIN waiting_entry AS e ON e.id = d.entry_id WHERE d.meeting_id = ? ORDER BY d.id",
        (meeting.id,),
    ).fetchall()


def _risks(source: Source, meeting: Meeting) -> list[tuple]:
    return source.conn.execute(
        "SELECT r.section, r.text, p.name, e.local_id, e.nhs_number, e.initials "
        "FROM risk AS r JOIN person AS p ON p.id = r.owner_id "
        "LEFT JOIN waiting_entry AS e ON e.id = r.entry_id WHERE r.meeting_id = ? ORDER BY r.id",
        (meeting.id,),
    ).fetchall()


def _action_line(action: ActionLine) -> str:
    shown = action.linked_to.startswith(("entry", "query", "go-live risk"))
    linked = f" · {action.linked_to}" if shown else ""
    status = "OVERDUE" if action.overdue else action.status.value
    return (
        f"- {md(action.title)} — owner {md(action.owner)}, due {uk(action.due_date)}, {status}"
        f" ({action.source.value}){md(linked)}"
    )


def _header(source: Source, meeting: Meeting) -> Iterator[str]:
    service = source.conn.execute("SELECT name, is_demo FROM service LIMIT 1").fetchone()
    yield f"# Minutes: {md(meeting.series)}"
    yield ""
    if meeting.state != MeetingState.SIGNED_OFF:
        yield "**DRAFT: this meeting is still open and these minutes are not signed off.**"
        yield ""
    if service:
        yield f"- Service: {md(service[0])}{' (DEMO: fictional)' if service[1] else ''}"
    yield f"- Meeting: {meeting.kind} on {long_uk(meeting.held_on)}"
    yield f"- Series: {md(meeting.series)}"
    yield f"- Chair: {_name(source, meeting.chair_id)}"
    if meeting.started_at:
        yield f"- Started: {meeting.started_at:%H:%M:%S}"
    if meeting.signed_off_at:
        yield (
            f"- Signed off: {meeting.signed_off_at:%d/%m/%Y %H:%M:%S} by "
            f"{_name(source, meeting.signed_off_by)}"
        )
        if meeting.started_at:
            yield "- Duration: " + duration_words(
                meeting.started_at, meeting.signed_off_at, meeting.timebox_minutes
            )
    else:
        yield f"- Timebox: {meeting.timebox_minutes} minutes"


def _attendance(source: Source, meeting: Meeting) -> Iterator[str]:
    lines = attendance(source, meeting)
    for status, title in (
        ("present", "Present"),
        ("apologies", "Apologies"),
        (None, "Not recorded"),
    ):
        people = [md(f"{line.name} ({line.role})") for line in lines if line.status == status]
        if people:
            yield f"- {title} ({len(people)}): " + "; ".join(people)


def _sections(source: Source, meeting: Meeting) -> Iterator[str]:
    decisions, risks = _decisions(source, meeting), _risks(source, meeting)
    for number, section in enumerate(agenda(meeting.kind), 1):
        yield f"## {number}. {section.title}"
        yield ""
        if section.key == SectionKey.ATTENDANCE:
            yield from _attendance(source, meeting)
        else:
            for fact in section_facts(source, meeting, section.key, meeting.held_on):
                yield f"- Reviewed: {md(fact.strip())}"
        discussed = sorted(
            {
                _entry(*row[-3:])
                for row in [*decisions, *risks]
                if row[0] == section.key and row[-1] is not None
            }
        )
        if discussed:
            yield "- Entries discussed: " + ", ".join(discussed)
        if section.key == SectionKey.WORKSTREAMS:
            yield from _ratings(source, meeting)
        if section.key == SectionKey.UNSAFE_GO_LIVE:
            yield from _go_live_risks(source, meeting)
        for row in decisions:
            if row[0] == section.key:
                yield f"- Decision: {md(row[1])} (owner {md(row[3])})"
        for row in risks:
            if row[0] == section.key:
                yield f"- Risk or concern: {md(row[1])} (owner {md(row[2])})"
        yield ""


def _ratings(source: Source, meeting: Meeting) -> Iterator[str]:
    for change in ratings_between(source, None, meeting.held_on, meeting_id=meeting.id):
        what = change.workstream + (f" / {change.deliverable}" if change.deliverable else "")
        yield (
            f"- RAG {change.arrow}: {md(what)} — {md(change.rationale)} "
            f"(rated by {md(change.rated_by)})"
        )


def _go_live_risks(source: Source, meeting: Meeting) -> Iterator[str]:
    for text, owner, likelihood, impact, review_on in source.conn.execute(
        "SELECT g.text, p.name, g.likelihood, g.impact, g.review_on FROM go_live_risk AS g "
        "JOIN person AS p ON p.id = g.owner_id WHERE g.meeting_id = ? ORDER BY g.id",
        (meeting.id,),
    ):
        yield (
            f"- Go-live risk raised: {md(text)} (owner {md(owner)}; likelihood {likelihood} x "
            f"impact {impact} = {likelihood * impact}; review {uk(date.fromisoformat(review_on))})"
        )


def _decision_list(source: Source, meeting: Meeting) -> Iterator[str]:
    rows = _decisions(source, meeting)
    yield f"## Decisions ({len(rows)})"
    yield ""
    if not rows:
        yield "None recorded."
    for number, (_, text, rationale, owner, local_id, nhs, initials) in enumerate(rows, 1):
        entry = _entry(local_id, nhs, initials)
        yield f"{number}. **{md(text)}**"
        yield f"   - Owner: {md(owner)}"
        yield f"   - Rationale: {md(rationale or 'none given')}"
        if entry:
            yield f"   - About: {entry}"
    yield ""


def _actions(source: Source, meeting: Meeting) -> Iterator[str]:
    held_on, every = meeting.held_on, ActionView.EVERY
    recorded = list(each_action(source, ActionQuery(held_on, view=every, meeting_id=meeting.id)))
    yield f"## Actions ({len(recorded)})"
    yield ""
    if not recorded:
        yield "None recorded."
    yield from (_action_line(action) for action in recorded)
    yield ""
    carried = list(each_action(source, ActionQuery(held_on, view=every, carried_into=meeting.id)))
    yield f"## Carried forward from earlier meetings ({len(carried)})"
    yield ""
    if not carried:
        yield "None."
    yield from (_action_line(action) for action in carried)
    yield ""


def _risk_list(source: Source, meeting: Meeting) -> Iterator[str]:
    rows = _risks(source, meeting)
    yield f"## Risks and concerns ({len(rows)})"
    yield ""
    if not rows:
        yield "None recorded."
    for _, text, owner, local_id, nhs, initials in rows:
        entry = _entry(local_id, nhs, initials)
        yield f"- {md(text)} — owner {md(owner)}" + (f" · about {entry}" if entry else "")
    yield ""


def _breaches(source: Source, meeting: Meeting) -> Iterator[str]:
    names = breaches_without_escalation(source, meeting.held_on)
    yield f"## Breaches without escalation ({len(names)})"
    yield ""
    if not names:
        yield "None: every breach has a documented escalation."
    yield from (f"- {md(name)}" for name in names)
    yield ""


def minutes_of(source: Source, meeting: Meeting) -> str:
    """The minutes of `meeting` as its record stands (the sign-off's own fields included)."""
    parts = [
        _header(source, meeting),
        [""],
        _sections(source, meeting),
        _decision_list(source, meeting),
        _actions(source, meeting),
        _risk_list(source, meeting),
        _breaches(source, meeting),
    ]
    lines = [line for part in parts for line in part]
    lines += ["## Audit", ""]
    if meeting.chain_head:
        lines.append(f"- Audit chain head at sign-off: {meeting.chain_head}")
    else:
        lines.append("- Not signed off: the audit chain head is recorded at sign-off")
    return "\n".join(lines) + "\n"


def addenda(store: Store, meeting_id: int) -> list[str]:
    return [
        f"- {written_at[:16].replace('T', ' ')} by {md(name)}: {md(text)}"
        for written_at, name, text in store.conn.execute(
            "SELECT a.written_at, p.name, a.text FROM addendum AS a "
            "JOIN person AS p ON p.id = a.author_id WHERE a.meeting_id = ? ORDER BY a.id",
            (meeting_id,),
        )
    ]


def minutes_for_export(store: Store, meeting_id: int) -> str:
    """What `huddle export minutes` writes: the signed minutes as stored, then any addenda;
    or, for a meeting still open, a draft rendered now."""
    meeting = meeting_row(store, meeting_id)
    if meeting.state != MeetingState.SIGNED_OFF or meeting.minutes is None:
        return minutes_of(store, meeting)
    later = addenda(store, meeting_id)
    if not later:
        return meeting.minutes
    return meeting.minutes + "\n## Addenda (after sign-off)\n\n" + "\n".join(later) + "\n"
