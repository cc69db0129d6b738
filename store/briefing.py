"""What the service already knows for each agenda section, in words, so nobody reads it out
of another system: the runner shows these lines above the section's list, and the minutes
record them as what was reviewed.

Every function reads through a store or inside an open write (sign-off renders the minutes
in the transaction that locks the meeting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from huddle.action_query import ActionQuery, ActionView
from huddle.agenda import ESCALATION_ROUTES, SectionKey
from huddle.dates import uk
from huddle.models import RUNG_WORKING_DAYS, AttendanceStatus, Meeting, MeetingKind
from huddle.nhs_number import spaced
from huddle.readiness import HIGH_RISK_SCORE, countdown, percent, readiness
from store.action_list import count_actions
from store.connection import Store, Transaction
from store.held_changes import open_count
from store.meeting_reads import attendance, carried_risks, previous_meeting
from store.mobilisation_reads import (
    coverage,
    programme_of,
    ratings_between,
    readiness_facts,
    risk_lines,
    workforce_facts,
)
from store.oversight_reads import fired_between, on_agenda
from store.queries import tier_counts
from store.query_list import agenda_lines
from store.reconciliation import read_reconciliation
from store.waiting_list import ESCALATED, HIGH_RISK

Source = Store | Transaction

_BREACHED_WITHOUT_ESCALATION = f"""
SELECT e.initials, e.local_id, e.nhs_number, e.tier, t.name, e.breach_date
FROM waiting_entry AS e JOIN risk_tier AS t ON t.number = e.tier
WHERE e.status = 'waiting' AND e.breach_date < :as_at AND NOT {ESCALATED}
ORDER BY e.breach_date, e.id
"""


def _days(gap: timedelta) -> str:
    return f"{gap.days} day{'s' if gap.days != 1 else ''}"


def breaches_without_escalation(source: Source, as_at: date) -> list[str]:
    """Every breach with no documented escalation, by name: initials, local id, NHS number,
    tier and how long since the breach."""
    named = []
    for initials, local_id, nhs, tier, name, breach in source.conn.execute(
        _BREACHED_WITHOUT_ESCALATION, {"as_at": as_at.isoformat()}
    ):
        since = date.fromisoformat(breach)
        named.append(
            f"{initials} · {local_id or 'no local id'} · NHS {spaced(nhs)} · tier {tier} {name}"
            f" · breached {_days(as_at - since)} (since {uk(since)})"
        )
    return named


def _attendance(source: Source, meeting: Meeting) -> tuple[str, ...]:
    lines = attendance(source, meeting)
    present = sum(1 for line in lines if line.status == "present")
    apologies = sum(1 for line in lines if line.status == "apologies")
    unmarked = len(lines) - present - apologies
    return (f"Present {present} · apologies {apologies} · not yet marked {unmarked}",)


def _routes(source: Source, meeting: Meeting, as_at: date) -> tuple[str, ...]:
    """Each route and who is on call for it today, flagged in words when nobody is, or
    when that person is not here: marked apologies, or not (yet) marked present."""
    ladder = " → ".join(f"{rung} ({days} working d)" for rung, days in RUNG_WORKING_DAYS.items())
    on_call = {
        route: (name, contact, status)
        for route, name, contact, status in source.conn.execute(
            "SELECT c.route, p.name, c.contact, a.status FROM on_call AS c "
            "JOIN person AS p ON p.id = c.person_id "
            "LEFT JOIN attendance AS a ON a.person_id = c.person_id AND a.meeting_id = ? "
            "WHERE c.day = ?",
            (meeting.id, as_at.isoformat()),
        )
    }
    lines = [f"Escalation ladder: {ladder}"]
    for route in ESCALATION_ROUTES:
        if route not in on_call:
            lines.append(f"{route.capitalize()}: NOBODY ON CALL entered today (o names someone)")
            continue
        name, contact, status = on_call[route]
        line = f"{route.capitalize()}: {name}" + (f", {contact}" if contact else "")
        if status == AttendanceStatus.APOLOGIES:
            line += " — SENT APOLOGIES: check they can be reached, or name cover (o)"
        elif status != AttendanceStatus.PRESENT:
            line += " — NOT MARKED PRESENT: check they can be reached"
        lines.append(line)
    return tuple(lines)


def _high_risk(source: Source, as_at: date) -> tuple[str, ...]:
    row = source.conn.execute(
        f"""
        SELECT count(*), coalesce(sum(e.tier = 1), 0), coalesce(sum(e.breach_date < :as_at), 0),
               coalesce(sum(e.breach_date = :as_at), 0), coalesce(sum(e.safeguarding = 1), 0),
               coalesce(sum(e.contact_due < :as_at), 0)
        FROM waiting_entry AS e WHERE e.status = 'waiting' AND ({HIGH_RISK})
        """,
        {"as_at": as_at.isoformat()},
    ).fetchone()
    total, tier_one, breached, today, safeguarding, contact = row
    return (
        f"{total} high-risk people waiting: tier 1 {tier_one} · breached {breached} · "
        f"breaching today {today} · safeguarding flag {safeguarding} · contact overdue {contact}",
    )


def _capacity(source: Source, as_at: date) -> tuple[str, ...]:
    rows = source.conn.execute(
        "SELECT shift, planned, on_shift, flags FROM shift_capacity WHERE day = ? ORDER BY id",
        (as_at.isoformat(),),
    ).fetchall()
    if not rows:
        return ("Staff planned and on shift: NOT ENTERED for today",)
    lines = []
    for shift, planned, on_shift, flags in rows:
        gap = planned - on_shift
        short = f" — {gap} SHORT" if gap > 0 else ""
        lines.append(f"{shift.capitalize()} shift: {on_shift} on shift of {planned} planned{short}")
        if flags:
            lines.append(f"  Flagged: {flags}")
    return tuple(lines)


def _actions(source: Source, meeting: Meeting, as_at: date, key: SectionKey) -> tuple[str, ...]:
    if key == SectionKey.SAFETY_ACTIONS:
        due = count_actions(source, ActionQuery(as_at, view=ActionView.DUE_NOW))
        late = count_actions(source, ActionQuery(as_at, view=ActionView.OVERDUE))
        return (f"{due} open actions due today or overdue ({late} OVERDUE)",)
    carried = ActionQuery(as_at, view=ActionView.EVERY, carried_into=meeting.id)
    every = count_actions(source, carried)
    still_open = count_actions(
        source, ActionQuery(as_at, view=ActionView.OPEN, carried_into=meeting.id)
    )
    late = count_actions(
        source, ActionQuery(as_at, view=ActionView.OVERDUE, carried_into=meeting.id)
    )
    before = previous_meeting(source, meeting)
    if before is None:
        return ("The first meeting of this series: nothing carried forward",)
    return (
        f"{every} actions from earlier meetings of the series (last held {uk(before.held_on)}): "
        f"{still_open} still open ({late} OVERDUE), {every - still_open} closed since",
    )


def _carried_risks(source: Source, meeting: Meeting) -> tuple[str, ...]:
    """The series' risks still open, each with its owner, carried like actions until a
    meeting closes one with why (k in the room)."""
    carried = carried_risks(source, meeting)
    if not carried:
        return ()
    still_open = sum(1 for risk in carried if risk.closed_here is None)
    lines = [f"{len(carried)} risks carried forward: {still_open} still open"]
    for risk in carried:
        state = "OPEN" if risk.closed_here is None else f"closed here: {risk.closed_here}"
        lines.append(
            f"  RISK {risk.text} — owner {risk.owner}, raised {uk(risk.raised_on)} — {state}"
        )
    return tuple(lines)


def _tiers(source: Source, as_at: date) -> tuple[str, ...]:
    lines = []
    for number, tier in tier_counts(source.conn, as_at).items():
        lines.append(
            f"Tier {number} {tier.name}: {tier.waiting} waiting · {tier.breached} breached "
            f"({tier.breached_without_escalation} WITHOUT ESCALATION) · {tier.due_this_week} "
            f"breaching this week · {tier.contact_overdue} contacts overdue"
        )
    return tuple(lines)


def _count(source: Source, where: str, as_at: date) -> int:
    return source.conn.execute(
        f"SELECT count(*) FROM waiting_entry AS e WHERE e.status = 'waiting' AND {where}",
        {"as_at": as_at.isoformat(), "week_end": (as_at + timedelta(days=7)).isoformat()},
    ).fetchone()[0]


def _waiting(source: Source, as_at: date, key: SectionKey) -> tuple[str, ...]:
    if key == SectionKey.BREACHES:
        breached = _count(source, "e.breach_date < :as_at", as_at)
        without = _count(source, f"e.breach_date < :as_at AND NOT {ESCALATED}", as_at)
        verdict = (
            f"{without} WITHOUT ESCALATION: sign-off will list them by name"
            if without
            else "every one has an escalation"
        )
        return (f"{breached} breached; {verdict}",)
    if key == SectionKey.THIS_WEEK:
        where = "e.breach_date >= :as_at AND e.breach_date < :week_end"
        return (f"{_count(source, where, as_at)} will breach within 7 days unless seen",)
    if key == SectionKey.CONTACTS:
        return (f"{_count(source, 'e.contact_due < :as_at', as_at)} interim contacts overdue",)
    if key == SectionKey.HELD:
        held = open_count(source.conn)
        return (f"{held} changes from providers' extracts held for a person to resolve",)
    found = _count(source, "e.not_in_extract_since IS NOT NULL", as_at)
    return (f"{found} entries not in their provider's latest extract",)


def _reconciliation(source: Source, as_at: date) -> tuple[str, ...]:
    found = read_reconciliation(source, as_at, shown=0)
    return (
        f"One person with two providers: {found.duplicates.count} · no case owner: "
        f"{found.no_case_owner.count} · closed without outcome: "
        f"{found.closed_without_outcome.count} · not in extract: {found.not_in_extract.count} · "
        f"long-wait outliers: {found.long_wait_outliers.count} · held from extracts: "
        f"{found.held_changes.count}",
    )


def _risks(source: Source, meeting: Meeting) -> tuple[str, ...]:
    count = source.conn.execute(
        "SELECT count(*) FROM risk WHERE meeting_id = ?", (meeting.id,)
    ).fetchone()[0]
    recorded = "1 risk or concern" if count == 1 else f"{count} risks or concerns"
    return (f"{recorded} recorded in this meeting",)


def _workstreams(source: Source, meeting: Meeting, as_at: date) -> tuple[str, ...]:
    programme = programme_of(source)
    if programme is None:
        return ("No mobilisation programme is recorded",)
    facts = readiness_facts(source, programme, as_at)
    rated_here = source.conn.execute(
        "SELECT count(DISTINCT workstream_id) FROM rag_rating "
        "WHERE meeting_id = ? AND deliverable_id IS NULL",
        (meeting.id,),
    ).fetchone()[0]
    rags = " · ".join(f"{w.name} {w.rag.letter if w.rag else '—'}" for w in facts.workstreams)
    return (
        f"{programme.name}: go-live {uk(programme.go_live)}, {countdown(programme.go_live, as_at)}",
        f"Verdict: {readiness(facts).words}",
        f"RAG: {rags}",
        f"Rated in this meeting: {rated_here} of {len(facts.workstreams)} workstreams",
    )


def _workforce(source: Source, as_at: date) -> tuple[str, ...]:
    cells = coverage(source, as_at)
    workforce = workforce_facts(source, as_at)
    if workforce.cohort == 0:
        return ("No mobilising workforce is recorded in the training matrix",)
    signed, required = workforce.high_risk_signed_off, workforce.high_risk_required
    cohort, supervised = workforce.cohort, workforce.supervised
    by_competency = " · ".join(
        f"{c.competency.value.split(' (')[0]} {percent(c.signed_off, c.cohort)}%" for c in cells
    )
    return (
        f"Competency sign-off for high-risk tasks: {signed} of {required} "
        f"({percent(signed, required)}%) against 100% required",
        f"Signed off, by competency: {by_competency}",
        f"Supervision: {supervised} of {cohort} with a named supervisor "
        f"({percent(supervised, cohort)}%)",
    )


def _go_live_risks(source: Source, meeting: Meeting, as_at: date) -> tuple[str, ...]:
    programme = programme_of(source)
    if programme is None:
        return _risks(source, meeting)
    risks = risk_lines(source, programme.id, as_at)
    high = [r for r in risks if r.score >= HIGH_RISK_SCORE]
    unmitigated = sum(1 for r in high if not r.mitigations)
    late = sum(1 for r in risks if r.review_on < as_at)
    raised = source.conn.execute(
        "SELECT count(*) FROM go_live_risk WHERE meeting_id = ?", (meeting.id,)
    ).fetchone()[0]
    return (
        f"{len(risks)} open go-live risks: {len(high)} scoring {HIGH_RISK_SCORE}+ "
        f"({unmitigated} WITHOUT MITIGATION), {late} past their review date",
        f"Raised in this meeting: {raised}",
    )


def _triggers(source: Source, meeting: Meeting, as_at: date) -> tuple[str, ...]:
    fired = on_agenda(source, meeting.id)  # type: ignore[arg-type]
    if not fired:
        return (f"No trigger has fired for {meeting.series} since it last met",)
    return tuple(trigger.words(as_at) for trigger in fired)


def section_facts(
    source: Source, meeting: Meeting, key: SectionKey, as_at: date
) -> tuple[str, ...]:
    """What the service knows for `key`, as at `as_at`, in words."""
    if key == SectionKey.ATTENDANCE:
        return _attendance(source, meeting)
    if key == SectionKey.ROUTES:
        return _routes(source, meeting, as_at)
    if key == SectionKey.HIGH_RISK:
        return _high_risk(source, as_at)
    if key == SectionKey.CAPACITY:
        return _capacity(source, as_at)
    if key == SectionKey.SAFETY_ACTIONS:
        return _actions(source, meeting, as_at, key)
    if key == SectionKey.CARRIED:
        return (*_actions(source, meeting, as_at, key), *_carried_risks(source, meeting))
    if key == SectionKey.TIERS:
        return _tiers(source, as_at)
    if key in (
        SectionKey.BREACHES,
        SectionKey.THIS_WEEK,
        SectionKey.CONTACTS,
        SectionKey.NOT_IN_EXTRACT,
        SectionKey.HELD,
    ):
        return _waiting(source, as_at, key)
    if key == SectionKey.RECONCILIATION:
        return _reconciliation(source, as_at)
    if key == SectionKey.WORKSTREAMS:
        return _workstreams(source, meeting, as_at)
    if key == SectionKey.WORKFORCE:
        return _workforce(source, as_at)
    if key == SectionKey.UNSAFE_GO_LIVE:
        return _go_live_risks(source, meeting, as_at)
    if key == SectionKey.TRIGGERS:
        return _triggers(source, meeting, as_at)
    if key == SectionKey.QUERIES:
        return agenda_lines(source, as_at)
    return _risks(source, meeting)


@dataclass(frozen=True)
class SinceItem:
    """One new breach or newly overdue action, by name, for the room to open."""

    kind: str  # "entry" or "action"
    id: int
    words: str
    short: str
    """Few enough words for the runner's side panel: initials and local id; a title."""


@dataclass(frozen=True)
class SinceLast:
    lines: tuple[str, ...]
    """In words: since when, then the counts, RAG changes and fired triggers."""
    breaches: tuple[SinceItem, ...] = ()
    overdue: tuple[SinceItem, ...] = ()


def since_last(source: Source, meeting: Meeting, as_at: date) -> SinceLast:
    """What changed since the series last met: new breaches and newly overdue actions,
    each by name, RAG changes and fired triggers."""
    before = previous_meeting(source, meeting)
    if before is None:
        return SinceLast(("The first meeting of this series: nothing to compare with",))
    params = {"since": before.held_on.isoformat(), "as_at": as_at.isoformat()}
    breaches = tuple(
        SinceItem(
            "entry",
            entry_id,
            f"{initials} · {local_id or spaced(nhs)} · NHS {spaced(nhs)} · breached "
            f"{uk(date.fromisoformat(breach))}",
            f"{initials} {local_id or spaced(nhs)}",
        )
        for entry_id, initials, local_id, nhs, breach in source.conn.execute(
            "SELECT e.id, e.initials, e.local_id, e.nhs_number, e.breach_date "
            "FROM waiting_entry AS e WHERE e.status = 'waiting' "
            "AND e.breach_date >= :since AND e.breach_date < :as_at "
            "ORDER BY e.breach_date, e.id",
            params,
        )
    )
    overdue = tuple(
        SinceItem(
            "action", action_id, f"{title} — {owner}, due {uk(date.fromisoformat(due))}", title
        )
        for action_id, title, owner, due in source.conn.execute(
            "SELECT a.id, a.title, p.name, a.due_date FROM action AS a "
            "JOIN person AS p ON p.id = a.owner_id WHERE a.status != 'closed' "
            "AND a.due_date >= :since AND a.due_date < :as_at ORDER BY a.due_date, a.id",
            params,
        )
    )
    lines = (
        f"Since {uk(before.held_on)} ({_days(as_at - before.held_on)}):",
        f"New breaches: {len(breaches)}",
        f"Newly overdue actions: {len(overdue)}",
        _rag_changes(source, meeting, before.held_on, as_at),
        _fired_since(source, before.held_on, as_at),
    )
    return SinceLast(lines, breaches, overdue)


def _fired_since(source: Source, since: date, as_at: date) -> str:
    fired = fired_between(source, since, as_at)
    if not fired:
        return "Fired triggers: none recorded"
    named = "; ".join(f"{f.rule} ({f.fired_on:%d/%m})" for f in fired)
    return f"Fired triggers: {len(fired)}: {named}"


def _rag_changes(source: Source, meeting: Meeting, since: date, as_at: date) -> str:
    """Named in the mobilisation meeting; elsewhere counted, with where to see them."""
    changes = [
        f"{c.deliverable or c.workstream} {c.arrow} ({c.rated_on:%d/%m})"
        for c in ratings_between(source, since, as_at)
        if c.before != c.after
    ]
    if not changes:
        return "RAG changes: none recorded"
    if meeting.kind == MeetingKind.MOBILISATION:
        return f"RAG changes: {'; '.join(changes)}"
    return f"RAG changes: {len(changes)} (5 Mobilisation shows them)"
