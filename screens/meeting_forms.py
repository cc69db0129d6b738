"""The forms of a meeting: a decision, a risk or concern, sign-off, an addendum, a new
series, who is on call, the shift's capacity, someone joining. Each saves at once, through
one audited write, and keeps what was typed when it is refused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from textual import on
from textual.widgets import Input, Select, Static

from huddle.agenda import ESCALATION_ROUTES, SHIFTS
from huddle.links import Capture
from huddle.models import (
    Addendum,
    AttendanceStatus,
    Decision,
    Meeting,
    MeetingKind,
    OnCall,
    Person,
    Risk,
    RiskClosure,
    ShiftCapacity,
)
from huddle.people import match_person
from screens.form import FormField, FormScreen
from store import meeting_reads as meetings_read
from store import meetings
from store.connection import Store
from store.meeting_reads import CarriedRisk


def person_field(name: str, label: str, staff: Sequence[Person], value: str = "") -> FormField:
    """A person picked by typing part of their name, the names of staff still here offered."""
    return FormField(
        name,
        label,
        value=value,
        placeholder="type part of a name",
        suggestions=tuple(p.name for p in staff if p.active),
    )


def _name_of(staff: Sequence[Person], person_id: int | None) -> str:
    return next((p.name for p in staff if p.id == person_id), "")


def _meeting_chosen(capture: Capture, what: str) -> int:
    """The meeting the record goes into, or refused in words naming the key that chooses
    it: a decision or risk outside a meeting would be in no minutes."""
    meeting_id = capture.link().meeting_id
    if meeting_id is None:
        raise ValueError(
            f"meeting: {what} is recorded in a meeting: ctrl+o records it in "
            f"{capture.meeting_label}"
        )
    return meeting_id


def decision_form(
    store: Store, section: str, capture: Capture, staff: Sequence[Person]
) -> FormScreen[Decision]:
    """A decision; `capture` says which meeting it is in and what it is about, both shown
    and changeable on the form (a general decision in a list section is about nothing)."""

    def save(typed: dict[str, str]) -> Decision:
        owner_id = match_person(staff, typed["owner"], "owner").id
        return meetings.record_decision(
            store,
            _meeting_chosen(capture, "a decision"),
            text=typed["text"],
            rationale=typed["rationale"],
            owner_id=owner_id,
            section=section,
            entry_id=capture.link().entry_id,
        )

    return FormScreen(
        "New decision",
        [
            FormField("text", "Decision", placeholder="what was decided"),
            FormField("rationale", "Rationale", placeholder="why (the minutes carry it)"),
            person_field("owner", "Owner", staff),
        ],
        save,
        capture=capture,
    )


def risk_form(
    store: Store,
    today: date,
    section: str,
    capture: Capture,
    staff: Sequence[Person],
) -> FormScreen[Risk]:
    meeting = meetings_read.meeting_row(store, capture.meeting_id) if capture.meeting_id else None
    chair = _name_of(staff, meeting.chair_id) if meeting else ""

    def save(typed: dict[str, str]) -> Risk:
        owner_id = match_person(staff, typed["owner"], "owner").id
        return meetings.record_risk(
            store,
            text=typed["text"],
            owner_id=owner_id,
            today=today,
            meeting_id=_meeting_chosen(capture, "a risk or concern"),
            section=section,
            entry_id=capture.link().entry_id,
        )

    return FormScreen(
        "New risk or concern",
        [
            FormField("text", "Risk", placeholder="what could cause harm, and to whom"),
            person_field("owner", "Owner", staff, chair),
        ],
        save,
        capture=capture,
    )


def sign_off_form(
    store: Store,
    meeting: Meeting,
    now: Callable[[], datetime],
    without_escalation: Sequence[str],
) -> FormScreen[Meeting]:
    """Sign off as the signed-in person: nobody chooses who signs (the store refuses
    anyone but the chair or someone marked present, in words naming who may). Signed at
    the moment it is saved (`now()` then), not when the form opened."""

    def save(_: dict[str, str]) -> Meeting:
        assert meeting.id is not None
        return meetings.sign_off(store, meeting.id, meeting.version, now=now())

    if without_escalation:
        shown = "\n".join(f"  {name}" for name in without_escalation[:8])
        more = len(without_escalation) - 8
        warning = (
            f"WARNING: {len(without_escalation)} breaches have no escalation; the minutes "
            f"will list them by name:\n{shown}" + (f"\n  … and {more} more" if more > 0 else "")
        )
    else:
        warning = "Every breach has a documented escalation."
    return FormScreen(
        "Sign off: the meeting then cannot be changed (corrections are addenda)",
        [],
        save,
        note=f"Signed off by you, {store.actor}, now.\n{warning}",
    )


def addendum_form(store: Store, meeting: Meeting, now: datetime) -> FormScreen[Addendum]:
    def save(typed: dict[str, str]) -> Addendum:
        assert meeting.id is not None
        return meetings.add_addendum(store, meeting.id, text=typed["text"], now=now)

    return FormScreen(
        "Addendum to signed-off minutes",
        [FormField("text", "Addendum", placeholder="what is corrected or added, and why")],
        save,
        note=(
            "The signed minutes stand as they were; this follows them, written by you, "
            f"{store.actor}, now."
        ),
    )


def start_form(
    store: Store,
    today: date,
    now: datetime,
    staff: Sequence[Person],
    series: str = "",
    kind: MeetingKind = MeetingKind.SAFETY_BRIEF,
    chair: str = "",
) -> FormScreen[Meeting]:
    def save(typed: dict[str, str]) -> Meeting:
        return meetings.start_meeting(
            store,
            series=typed["series"],
            kind=MeetingKind(typed["kind"]),
            chair_id=match_person(staff, typed["chair"], "chair").id,
            today=today,
            now=now,
        )

    return FormScreen(
        "Start a meeting",
        [
            FormField("series", "Series", value=series, placeholder="e.g. Late shift brief"),
            FormField("kind", "Kind", "choice", value=kind, choices=tuple(MeetingKind)),
            person_field("chair", "Chair", staff, chair),
        ],
        save,
        note="The countdown starts when it is saved.",
    )


def on_call_form(store: Store, today: date, staff: Sequence[Person]) -> FormScreen[OnCall]:
    def save(typed: dict[str, str]) -> OnCall:
        return meetings.set_on_call(
            store,
            day=today,
            route=typed["route"],
            person_id=match_person(staff, typed["person"], "on call").id,
            contact=typed["contact"],
        )

    return FormScreen(
        f"On call today ({today:%d/%m/%Y})",
        [
            FormField("route", "Route", "choice", choices=ESCALATION_ROUTES),
            person_field("person", "On call", staff),
            FormField("contact", "Contact", placeholder="phone or bleep (optional)"),
        ],
        save,
    )


def _count(typed: str, field: str) -> int:
    words = typed.strip()
    # ASCII digits (int() refuses a superscript '²'), and at most four of them: no shift
    # has more staff, and a number past SQLite's integers could not even be stored.
    if not (words.isascii() and words.isdigit()) or len(words) > 4:
        raise ValueError(f"{field}: give a whole number of staff, e.g. 7")
    return int(words)


class CapacityForm(FormScreen[ShiftCapacity]):
    """The shift's capacity, opened with the figures last entered for the shift shown (to
    confirm or change); choosing another shift brings its own, unless they were typed."""

    def __init__(self, store: Store, today: date, series: str) -> None:
        self.last = meetings_read.last_capacity(store, today)
        # The brief's own shift where its name says it ("Early shift brief"), else the first.
        shift = next((s for s in SHIFTS if s in series.lower()), SHIFTS[0])

        def save(typed: dict[str, str]) -> ShiftCapacity:
            return meetings.set_capacity(
                store,
                day=today,
                shift=typed["shift"],
                planned=_count(typed["planned"], "planned"),
                on_shift=_count(typed["on_shift"], "on shift"),
                flags=typed["flags"],
            )

        super().__init__(
            f"Capacity for a shift today ({today:%d/%m/%Y})",
            [
                FormField("shift", "Shift", "choice", value=shift, choices=SHIFTS),
                *self._figures(shift),
            ],
            save,
            note=self._said(shift),
        )

    def _figures(self, shift: str) -> list[FormField]:
        last = self.last.get(shift)
        return [
            FormField(
                "planned",
                "Planned",
                value=str(last.planned) if last else "",
                placeholder="staff planned for the shift",
            ),
            FormField(
                "on_shift",
                "On shift",
                value=str(last.on_shift) if last else "",
                placeholder="staff actually on shift",
            ),
            FormField(
                "flags",
                "Flags",
                value=last.flags if last else "",
                placeholder="anything limiting capacity (optional)",
            ),
        ]

    def _said(self, shift: str) -> str:
        last = self.last.get(shift)
        if last is None:
            return f"Nothing entered yet for the {shift} shift."
        return (
            f"Last entered for the {shift} shift on {last.day:%d/%m/%Y}: {last.planned} "
            f"planned, {last.on_shift} on shift. Confirm or change."
        )

    @on(Select.Changed, "#field-shift")
    def _shift_chosen(self, event: Select.Changed) -> None:
        shift = str(event.value)
        if self.typed():
            return  # what was typed stands; only the untouched figures follow the shift
        self.fields = (self.fields[0], *self._figures(shift))
        for spec in self.fields[1:]:
            self.query_one(f"#field-{spec.name}", Input).value = spec.value
        self.query_one("#form-note", Static).update(self._said(shift))


def capacity_form(store: Store, today: date, series: str = "") -> FormScreen[ShiftCapacity]:
    return CapacityForm(store, today, series)


def close_risk_form(
    store: Store, meeting: Meeting, today: date, carried: Sequence[CarriedRisk]
) -> FormScreen[RiskClosure]:
    """Close a risk carried into this meeting, with why; it is then carried no further."""
    still_open = [risk for risk in carried if risk.closed_here is None]
    labels = tuple(f"{n}. {risk.text} — {risk.owner}" for n, risk in enumerate(still_open, 1))

    def save(typed: dict[str, str]) -> RiskClosure:
        assert meeting.id is not None
        risk = still_open[labels.index(typed["risk"])]
        return meetings.close_risk(store, meeting.id, risk.id, reason=typed["reason"], today=today)

    return FormScreen(
        "Close a risk carried forward",
        [
            FormField("risk", "Risk", "choice", choices=labels),
            FormField("reason", "Reason", placeholder="why it is no longer a risk: what changed"),
        ],
        save,
        note="Closed by you, today; it is carried to no later meeting.",
    )


def attendee_form(store: Store, meeting: Meeting, staff: Sequence[Person]) -> FormScreen[object]:
    def save(typed: dict[str, str]) -> object:
        assert meeting.id is not None
        return meetings.mark_attendance(
            store,
            meeting.id,
            match_person(staff, typed["person"], "person").id,
            AttendanceStatus(typed["status"]),
        )

    return FormScreen(
        "Add someone to the attendance",
        [
            person_field("person", "Person", staff),
            FormField("status", "Status", "choice", choices=tuple(AttendanceStatus)),
        ],
        save,
    )
