"""The mix of a working day, for the writer processes of the crash and backup harnesses: a
huddle in progress (decisions, risks, attendance, moving on, signing off), actions (added,
started, closed, due dates moved, owners changed) and the waiting list (entries added one
at a time and in a batch, interim contacts, re-tiers, reviews, escalations), each through
the store's own functions, on records picked at random from what the database holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from benchmarks.acks import Written
from benchmarks.writer import Operations, Planned, Writer, written
from huddle.agenda import agenda, section_of
from huddle.models import (
    ActionStatus,
    AttendanceStatus,
    ContactKind,
    EscalationRung,
    MeetingKind,
    WaitingEntry,
)
from store import actions, entry_changes, meetings, records

# Tier 1's safe wait is two days, so entries put there soon breach, and a waiting-list
# huddle's minutes name every breach not yet escalated: the workload keeps to tiers 2 to 4
# and recent referrals, or every sign-off would grow with the list.
TIERS = (2, 3, 4)
REFERRED_WITHIN_DAYS = 3
BATCH = (20, 80)  # entries in one batch of referrals: a write of many rows

Meeting = tuple[int, int, str, str]  # id, version, kind, section


def _in_meeting(w: Writer, step: Callable[[Meeting], Planned | None]) -> Planned | None:
    """`step` in the writer's huddle, or the huddle started if none is open."""
    meeting = w.store.conn.execute(
        "SELECT id, version, kind, section FROM meeting WHERE series = ? AND state != ?",
        (w.series, "signed off"),
    ).fetchone()
    if meeting is not None:
        return step(meeting)
    # The first meeting of the writer's series also sets the series up.
    known = w.store.conn.execute("SELECT 1 FROM series WHERE name = ?", (w.series,)).fetchone()
    return Planned(
        "start_meeting",
        {"meeting insert": 1} if known else {"meeting insert": 1, "series insert": 1},
        lambda: written(
            meetings.start_meeting(
                w.store,
                series=w.series,
                kind=MeetingKind.WAITING_LIST_HUDDLE,
                chair_id=w.me,
                today=w.today,
                now=w.started_at,
            )
        ),
    )


def decision(w: Writer) -> Planned:
    return _in_meeting(
        w,
        lambda meeting: Planned(
            "record_decision",
            {"decision insert": 1},
            lambda: written(
                meetings.record_decision(
                    w.store,
                    meeting[0],
                    text=f"Decision {next(w.serial)}: visit the tier 1 waits first",
                    rationale="capacity on the early shift",
                    owner_id=w.person(),
                )
            ),
        ),
    )


def risk(w: Writer) -> Planned:
    return _in_meeting(
        w,
        lambda meeting: Planned(
            "record_risk",
            {"risk insert": 1},
            lambda: written(
                meetings.record_risk(
                    w.store,
                    text=f"Risk {next(w.serial)}: weekend cover for rapid response",
                    owner_id=w.person(),
                    today=w.today,
                    meeting_id=meeting[0],
                )
            ),
        ),
    )


def attendance(w: Writer) -> Planned:
    def mark(meeting: Meeting) -> Planned:
        person = w.person()
        found = w.store.conn.execute(
            "SELECT status FROM attendance WHERE meeting_id = ? AND person_id = ?",
            (meeting[0], person),
        ).fetchone()
        # Always a change: the same mark twice writes nothing, which is not a write to test.
        status = (
            w.rng.choice(list(AttendanceStatus))
            if found is None
            else next(s for s in AttendanceStatus if s != found[0])
        )
        return Planned(
            "mark_attendance",
            {f"attendance {'insert' if found is None else 'update'}": 1},
            lambda: written(meetings.mark_attendance(w.store, meeting[0], person, status)),
        )

    return _in_meeting(w, mark)


def move_on(w: Writer) -> Planned:
    def move(meeting: Meeting) -> Planned:
        kind = MeetingKind(meeting[2])
        here = section_of(kind, meeting[3]).key
        key = w.rng.choice([s.key for s in agenda(kind) if s.key != here])
        return Planned(
            "move_to",
            {"meeting update": 1},
            lambda: written(meetings.move_to(w.store, meeting[0], key)),
        )

    return _in_meeting(w, move)


def sign_off(w: Writer) -> Planned | None:
    """The writer signs off the open huddle of its series when it may (the chair, or
    marked present, with someone present: store.meetings.may_sign_off); until then it
    gives way, as the workload means no refusals (a writer started again after a kill is
    not the chair of the huddle its earlier self started)."""

    def signed(meeting: Meeting) -> Planned | None:
        present = {
            person
            for (person,) in w.store.conn.execute(
                "SELECT person_id FROM attendance WHERE meeting_id = ? AND status = ?",
                (meeting[0], AttendanceStatus.PRESENT),
            )
        }
        (chair,) = w.store.conn.execute(
            "SELECT chair_id FROM meeting WHERE id = ?", (meeting[0],)
        ).fetchone()
        if not present or w.me not in present | {chair}:
            return None
        return Planned(
            "sign_off",
            {"meeting update": 1},
            lambda: written(
                meetings.sign_off(
                    w.store, meeting[0], meeting[1], now=w.started_at + timedelta(minutes=20)
                )
            ),
        )

    return _in_meeting(w, signed)


def add_action(w: Writer) -> Planned:
    return Planned(
        "add_action",
        {"action insert": 1},
        lambda: written(
            actions.add_action(
                w.store,
                title=f"Chase discharge summary {next(w.serial)}",
                owner_id=w.person(),
                due_date=w.today + timedelta(days=w.rng.randint(0, 30)),
                today=w.today,
            )
        ),
    )


def _an_action(w: Writer, *statuses: ActionStatus) -> tuple | None:
    marks = ", ".join("?" * len(statuses))
    return w.pick("action", "id, version, due_date, owner_id", f"+status IN ({marks})", *statuses)


def start_action(w: Writer) -> Planned | None:
    if (found := _an_action(w, ActionStatus.OPEN)) is None:
        return None
    action_id, version, _, _ = found
    return Planned(
        "start",
        {"action update": 1},
        lambda: written(actions.start(w.store, action_id, version)),
    )


def close_action(w: Writer) -> Planned | None:
    if (found := _an_action(w, ActionStatus.OPEN, ActionStatus.IN_PROGRESS)) is None:
        return None
    action_id, version, _, _ = found
    return Planned(
        "close",
        {"action update": 1},
        lambda: written(
            actions.close(
                w.store,
                action_id,
                version,
                evidence="summary received and filed",
                today=w.today,
            )
        ),
    )


def due_moved(w: Writer, action_id: int, version: int, due: date) -> Planned:
    return Planned(
        "move_due_date",
        {"action update": 1},
        lambda: written(
            actions.move_due_date(
                w.store, action_id, version, due_date=due, reason="awaiting GP reply", today=w.today
            )
        ),
    )


def owner_changed(w: Writer, action_id: int, version: int, owner: int) -> Planned:
    return Planned(
        "change_owner",
        {"action update": 1},
        lambda: written(
            actions.change_owner(w.store, action_id, version, owner_id=owner, reason="handover")
        ),
    )


def move_due_date(w: Writer) -> Planned | None:
    if (found := _an_action(w, ActionStatus.OPEN, ActionStatus.IN_PROGRESS)) is None:
        return None
    action_id, version, due, _ = found
    later = max(w.today, date.fromisoformat(due)) + timedelta(days=w.rng.randint(1, 30))
    return due_moved(w, action_id, version, later)


def change_owner(w: Writer) -> Planned | None:
    if (found := _an_action(w, ActionStatus.OPEN, ActionStatus.IN_PROGRESS)) is None:
        return None
    action_id, version, _, owner = found
    return owner_changed(w, action_id, version, w.person(owner))


def _new_entry(w: Writer) -> WaitingEntry:
    return WaitingEntry(
        local_id=w.marker(),
        initials="RL",
        referral_date=w.today - timedelta(days=w.rng.randint(0, REFERRED_WITHIN_DAYS)),
        tier=w.rng.choice(TIERS),
        referral_source="GP",
        provider_id=w.rng.choice(w.providers),
        case_owner_id=w.person(),
    )


def add_entry(w: Writer) -> Planned:
    return Planned(
        "add_entry",
        {"waiting_entry insert": 1},
        lambda: written(records.add(w.store, _new_entry(w), "referral received")),
    )


def add_referrals(w: Writer) -> Planned:
    """Many entries in one write: all of them must land, or none."""
    batch = [_new_entry(w) for _ in range(w.rng.randint(*BATCH))]

    def run() -> list[Written]:
        with w.store.write(f"{len(batch)} referrals received") as txn:
            ids = records.insert_many(txn, batch, records.risk_tiers(txn))
        return [Written("waiting_entry", entry_id, 1) for entry_id in ids]

    return Planned("add_referrals", {"waiting_entry insert": len(batch)}, run)


def _an_entry(w: Writer) -> tuple | None:
    return w.pick("waiting_entry", "id, version, tier", "+status = 'waiting'")


def contacted(w: Writer, entry_id: int, version: int) -> Planned:
    """Two rows in one write: the contact and the entry's next contact date."""
    return Planned(
        "log_contact",
        {"interim_contact insert": 1, "waiting_entry update": 1},
        lambda: written(
            *entry_changes.log_contact(
                w.store,
                entry_id,
                version,
                kind=w.rng.choice(list(ContactKind)),
                outcome="safety-netting advice given",
                made_by=w.person(),
                contact_on=w.today,
                today=w.today,
            )
        ),
    )


def reviewed(w: Writer, entry_id: int, version: int) -> Planned:
    return Planned(
        "mark_reviewed",
        {"waiting_entry update": 1},
        lambda: written(entry_changes.mark_reviewed(w.store, entry_id, version, today=w.today)),
    )


def log_contact(w: Writer) -> Planned | None:
    if (found := _an_entry(w)) is None:
        return None
    return contacted(w, found[0], found[1])


def retier(w: Writer) -> Planned | None:
    if (found := _an_entry(w)) is None:
        return None
    entry_id, version, tier = found
    to = w.rng.choice([t for t in TIERS if t != tier])
    return Planned(
        "retier",
        {"waiting_entry update": 1},
        lambda: written(
            entry_changes.retier(
                w.store, entry_id, version, tier=to, reason="clinical review", today=w.today
            )
        ),
    )


def mark_reviewed(w: Writer) -> Planned | None:
    if (found := _an_entry(w)) is None:
        return None
    return reviewed(w, found[0], found[1])


def escalate(w: Writer) -> Planned | None:
    if (found := _an_entry(w)) is None:
        return None
    return Planned(
        "escalate",
        {"action insert": 1},
        lambda: written(
            entry_changes.escalate(
                w.store,
                found[0],
                rung=w.rng.choice(list(EscalationRung)),
                owner_id=w.person(),
                due_date=w.today + timedelta(days=5),
                today=w.today,
            )
        ),
    )


# Mostly small writes, as a huddle makes them.
MIXED: Operations = (
    (6, decision),
    (2, risk),
    (4, attendance),
    (3, move_on),
    (1, sign_off),
    (4, add_action),
    (2, start_action),
    (2, close_action),
    (3, move_due_date),
    (3, change_owner),
    (3, add_entry),
    (1, add_referrals),
    (5, log_contact),
    (3, retier),
    (3, mark_reviewed),
    (2, escalate),
)
