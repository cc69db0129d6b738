"""Meetings as they happen: started, attended, moved through, recorded in, signed off.

Each function is one audited write. Anything recorded in a meeting is saved the moment it
is entered, so a crash mid-meeting loses nothing. A signed-off meeting refuses every change
here, in words; the database's triggers (migration m011) refuse the same on every other
path. A correction after sign-off is an addendum.
"""

from __future__ import annotations

from datetime import date, datetime

from huddle.agenda import TIMEBOX_MINUTES, agenda, section_of
from huddle.models import (
    Addendum,
    Attendance,
    AttendanceStatus,
    Decision,
    Meeting,
    MeetingKind,
    MeetingState,
    OnCall,
    Risk,
    RiskClosure,
    Series,
    ShiftCapacity,
)
from store import audit, records
from store.connection import Store, Transaction
from store.meeting_reads import carried_risks, meeting_row
from store.minutes import minutes_of
from store.oversight import take_agenda_items
from store.people import acting_person, checked_person

LOCKED = "this meeting is signed off and cannot be changed: add an addendum instead"


def _required(text: str, field: str, what: str) -> str:
    if not text.strip():
        raise ValueError(f"{field}: {what}")
    return text.strip()


def _open(txn: Transaction, meeting_id: int) -> Meeting:
    """The meeting, refused in words if it is signed off."""
    meeting = meeting_row(txn, meeting_id)
    if meeting.state == MeetingState.SIGNED_OFF:
        raise ValueError(LOCKED)
    return meeting


def start_meeting(
    store: Store,
    *,
    series: str,
    kind: MeetingKind,
    chair_id: int | None,
    today: date,
    now: datetime,
) -> Meeting:
    """A new meeting of `series`, in progress from `now`, at its first section. It starts
    with the open items of the series' earlier meetings (the carried-forward section reads
    them) and the people invited to the last one."""
    name = _required(" ".join(series.split()), "series", "name the series, e.g. Early shift brief")
    with store.write(f"{kind} started: {name}") as txn:
        checked_person(txn, chair_id, "chair")
        already = txn.conn.execute(
            "SELECT held_on FROM meeting WHERE series = ? AND state != ?",
            (name, MeetingState.SIGNED_OFF),
        ).fetchone()
        if already:
            raise ValueError(
                f"series: a meeting of {name!r} from {date.fromisoformat(already[0]):%d/%m/%Y} "
                "is still open; resume it (enter) or sign it off first"
            )
        return records.insert(
            txn,
            Meeting(
                kind=kind,
                series=name,
                held_on=today,
                chair_id=chair_id,
                state=MeetingState.IN_PROGRESS,
                started_at=now,
                timebox_minutes=_series_timebox(txn, name, kind, chair_id),
                section=agenda(kind)[0].key,
            ),
        )


def _series_timebox(txn: Transaction, name: str, kind: MeetingKind, chair_id: int | None) -> int:
    """The timebox of the series as set up. A series first started here (`n` on key 3) is
    set up as it starts, with its chair, so it is offered from then on."""
    found = txn.conn.execute(
        "SELECT kind, timebox_minutes, inactive_since FROM series WHERE name = ?", (name,)
    ).fetchone()
    if found is None:
        records.insert(txn, Series(name=name, kind=kind, chair_id=chair_id))
        return TIMEBOX_MINUTES.get(kind, 30)
    set_kind, timebox, inactive_since = found
    if inactive_since is not None:
        raise ValueError(
            f"series: {name!r} is no longer run; reactivate it in Set-up (key 7) or name a new one"
        )
    if set_kind != kind:
        raise ValueError(f"kind: {name!r} is a series of {set_kind}s; pick that kind")
    return timebox or TIMEBOX_MINUTES.get(kind, 30)


def move_to(store: Store, meeting_id: int, section: str) -> Meeting:
    """Remember where the meeting is, so it resumes there after a restart or a crash."""
    with store.write(f"moved to {section}") as txn:
        current = _open(txn, meeting_id)
        key = section_of(current.kind, section).key
        if current.section == key:
            return current
        after = txn.update("meeting", meeting_id, {"section": key}, current.version)
        return Meeting.model_validate(after)


def mark_attendance(
    store: Store, meeting_id: int, person_id: int, status: AttendanceStatus
) -> Attendance:
    """Present or apologies: a second key for the same person changes their mark."""
    with store.write(f"attendance: {status}") as txn:
        _open(txn, meeting_id)
        checked_person(txn, person_id, "person")
        found = txn.conn.execute(
            "SELECT id, version, status FROM attendance WHERE meeting_id = ? AND person_id = ?",
            (meeting_id, person_id),
        ).fetchone()
        if found is None:
            return records.insert(
                txn, Attendance(meeting_id=meeting_id, person_id=person_id, status=status)
            )
        row_id, version, was = found
        if was == status:
            return Attendance(
                id=row_id,
                version=version,
                meeting_id=meeting_id,
                person_id=person_id,
                status=status,
            )
        return Attendance.model_validate(
            txn.update("attendance", row_id, {"status": status}, version)
        )


def record_decision(
    store: Store,
    meeting_id: int,
    *,
    text: str,
    rationale: str,
    owner_id: int | None,
    section: str = "",
    entry_id: int | None = None,
) -> Decision:
    decision_text = _required(text, "decision", "say what was decided")
    with store.write(f"decision recorded: {decision_text}") as txn:
        _open(txn, meeting_id)
        return records.insert(
            txn,
            Decision(
                meeting_id=meeting_id,
                text=decision_text,
                rationale=rationale.strip(),
                owner_id=checked_person(txn, owner_id, "owner"),
                section=section,
                entry_id=entry_id,
            ),
        )


def record_risk(
    store: Store,
    *,
    text: str,
    owner_id: int | None,
    today: date,
    meeting_id: int | None = None,
    section: str = "",
    entry_id: int | None = None,
) -> Risk:
    risk_text = _required(text, "risk", "say what could cause harm")
    with store.write(f"risk or concern raised: {risk_text}") as txn:
        if meeting_id is not None:
            _open(txn, meeting_id)
        return records.insert(
            txn,
            Risk(
                text=risk_text,
                owner_id=checked_person(txn, owner_id, "owner"),
                raised_on=today,
                meeting_id=meeting_id,
                section=section,
                entry_id=entry_id,
            ),
        )


def close_risk(
    store: Store, meeting_id: int, risk_id: int, *, reason: str, today: date
) -> RiskClosure:
    """A risk carried into this meeting is closed here, with why, by the signed-in person:
    from then on it is carried no further. A risk closes once."""
    why = _required(reason, "reason", "say why it is no longer a risk (what changed)")
    with store.write(f"risk closed: {why}") as txn:
        meeting = _open(txn, meeting_id)
        carried = {risk.id: risk for risk in carried_risks(txn, meeting)}
        if risk_id not in carried:
            raise ValueError("risk: choose one carried forward into this meeting")
        if carried[risk_id].closed_here is not None:
            raise ValueError(f"risk: already closed here ({carried[risk_id].closed_here})")
        closed_by = acting_person(txn, "closed by").id
        return records.insert(
            txn,
            RiskClosure(
                risk_id=risk_id,
                meeting_id=meeting_id,
                closed_on=today,
                reason=why,
                closed_by=closed_by,
            ),
        )


def sign_off(store: Store, meeting_id: int, version: int, *, now: datetime) -> Meeting:
    """Lock the meeting with its minutes, rendered now from the record, signed off by the
    person the store acts as (who must be its chair or marked present: `may_sign_off`)."""
    with store.write("meeting signed off") as txn:
        return sign_off_in(txn, meeting_id, version, now=now)


def sign_off_in(txn: Transaction, meeting_id: int, version: int, *, now: datetime) -> Meeting:
    """As `sign_off`, inside an open write, signed off by its actor (the demo signs off
    its history this way, each meeting in a write of its chair's)."""
    current = _open(txn, meeting_id)
    signer = may_sign_off(txn, current)
    head_id, head_hash = audit.chain_head(txn.conn)
    chain_head = f"audit row {head_id}, SHA-256 {head_hash}"
    signed = current.model_copy(
        update={
            "state": MeetingState.SIGNED_OFF,
            "signed_off_by": signer,
            "signed_off_at": now,
            "chain_head": chain_head,
        }
    )
    take_agenda_items(txn, meeting_id, current.series, current.held_on)
    minutes = minutes_of(txn, signed)
    after = txn.update(
        "meeting",
        meeting_id,
        records.checked_changes(
            Meeting,
            current.model_dump(mode="json"),
            {
                "state": MeetingState.SIGNED_OFF,
                "signed_off_by": signer,
                "signed_off_at": now,
                "minutes": minutes,
                "chain_head": chain_head,
            },
        ),
        version,
    )
    return Meeting.model_validate(after)


def may_sign_off(txn: Transaction, meeting: Meeting) -> int:
    """The id of the acting person, who may sign `meeting` off: its chair, or someone
    marked present. Minutes signed by someone who was not there are not evidence of what
    was decided, and a meeting nobody is marked present at has no one to vouch for it.
    Refused in words naming who may."""
    signer = acting_person(txn, "sign off")
    present = dict(
        txn.conn.execute(
            "SELECT p.id, p.name FROM attendance AS a JOIN person AS p ON p.id = a.person_id "
            "WHERE a.meeting_id = ? AND a.status = ? ORDER BY p.name",
            (meeting.id, AttendanceStatus.PRESENT),
        ).fetchall()
    )
    if not present:
        raise ValueError(
            "sign off: nobody is marked present at this meeting; mark who attended (key p in "
            "Attendance), then the chair or someone present signs it off"
        )
    if signer.id == meeting.chair_id or signer.id in present:
        assert signer.id is not None
        return signer.id
    chair = txn.row("person", meeting.chair_id) if meeting.chair_id is not None else None
    who = f"the chair ({chair['name']}) or someone" if chair else "someone"
    others = [name for person_id, name in present.items() if person_id != meeting.chair_id]
    shown = ", ".join(others[:6]) + (f" and {len(others) - 6} more" if len(others) > 6 else "")
    raise ValueError(
        f"sign off: only {who} marked present{f' ({shown})' if others else ''} may sign off; "
        f"you ({signer.name}) are not marked present"
    )


def add_addendum(store: Store, meeting_id: int, *, text: str, now: datetime) -> Addendum:
    """A correction to signed-off minutes, with its own time; its author is the person
    writing it (the signed-in person), never one picked in a form."""
    words = _required(text, "addendum", "say what is corrected or added")
    with store.write("addendum to signed-off minutes") as txn:
        found = meeting_row(txn, meeting_id)
        if found.state != MeetingState.SIGNED_OFF:
            raise ValueError(
                "addendum: this meeting is still open; record it in the meeting instead"
            )
        return records.insert(
            txn,
            Addendum(
                meeting_id=meeting_id,
                text=words,
                author_id=acting_person(txn, "author").id,
                written_at=now,
            ),
        )


def set_on_call(
    store: Store, *, day: date, route: str, person_id: int | None, contact: str
) -> OnCall:
    """Who answers `route` on `day` (entering it again replaces the name)."""
    with store.write(f"on call for {route} on {day:%d/%m/%Y}") as txn:
        person = checked_person(txn, person_id, "on call")
        found = txn.conn.execute(
            "SELECT id, version FROM on_call WHERE day = ? AND route = ?", (day.isoformat(), route)
        ).fetchone()
        record = OnCall(day=day, route=route, person_id=person, contact=contact.strip())
        if found is None:
            return records.insert(txn, record)
        changes = {"person_id": person, "contact": record.contact}
        return OnCall.model_validate(txn.update("on_call", found[0], changes, found[1]))


def set_capacity(
    store: Store, *, day: date, shift: str, planned: int, on_shift: int, flags: str
) -> ShiftCapacity:
    """Staff on `shift` against planned, and anything flagged, as entered for the shift."""
    record = ShiftCapacity(
        day=day, shift=shift, planned=planned, on_shift=on_shift, flags=flags.strip()
    )
    with store.write(f"capacity for the {shift} shift on {day:%d/%m/%Y}") as txn:
        found = txn.conn.execute(
            "SELECT id, version FROM shift_capacity WHERE day = ? AND shift = ?",
            (day.isoformat(), record.shift),
        ).fetchone()
        if found is None:
            return records.insert(txn, record)
        changes = record.model_dump(mode="json", exclude={"id", "version"})
        return ShiftCapacity.model_validate(
            txn.update("shift_capacity", found[0], changes, found[1])
        )
