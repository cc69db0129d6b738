"""Every form under generated input.

A form's `save` is what ctrl+s calls with the typed values; FormScreen shows any of the
store's REFUSALS beside the field and lets anything else crash the app. So for every
form, built against the demo service as the app builds it, generated values per field
(blank, spaces, control characters and NUL, other scripts' digits, very long text, dates
and numbers in and out of range, names on and off the staff list, the form's own
defaults) must either save or be refused with one of REFUSALS, and a refused save must
have written nothing: the same audit rows, and `huddle check` sound if anything was
written and rolled back. A save may write, each change with its audit row; `huddle
check` runs after each form's last example too. A choice field gets one of its choices,
as its Select can only give those.

Every example starts from the same demo database: after one that saved, the database is
copied back from the seeded file (SQLite's backup), so the forms, built once with the
versions they read, stay current.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.demo import seed_demo
from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from huddle.links import Capture, Link
from huddle.models import Meeting, MeetingKind, MobilisationProgramme, Person, TrainingState
from screens import meeting_forms, mobilisation_forms, oversight_forms
from screens.action_detail import ActionDetailScreen
from screens.action_form import new_action_form
from screens.detail import DetailScreen
from screens.entry_detail import EntryDetailScreen
from screens.form import FormField, FormScreen
from screens.minutes_view import MinutesScreen
from screens.queries import QueriesScreen, QueryDetailScreen
from store import Store, commissioner_queries, entry_changes, meetings, open_store
from store.errors import REFUSALS
from store.meeting_reads import meeting_row, running_meeting
from store.mobilisation_reads import (
    DeliverableLine,
    RiskLine,
    TrainingLine,
    WorkstreamLine,
    deliverable_lines,
    programme_of,
    risk_lines,
    training_lines,
    workstream_lines,
)
from store.oversight_reads import MetricLine, metric_lines
from store.people import everyone
from tests.conftest import TODAY
from tests.test_bad_input import Live, assert_sound, audit_rows, bad_dates, hostile_text

NOW = datetime(2026, 11, 22, 9, 30)
ME = "Helen Marsden"


# --- the demo, and a copy of it the forms write to ----------------------------------------


def seeded(folder: Path) -> Path:
    """The demo as at TODAY, with a safety brief running, one entry's clock paused and a
    commissioner query with no steps open, so that the forms of the room, of a paused
    entry and of a response that can be sent have what they act on."""
    path = folder / "demo.db"
    store = open_store(path, ME)
    seed_demo(store, TODAY)
    chair = next(p for p in everyone(store) if p.name == ME)
    assert chair.id is not None
    meetings.start_meeting(
        store,
        series="Late shift brief",
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=chair.id,
        today=TODAY,
        now=NOW,
    )
    paused = store.conn.execute(
        "SELECT id, version FROM waiting_entry WHERE status = 'waiting' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    entry_changes.pause_clock(store, *paused, reason="patient on holiday", today=TODAY)
    commissioner_queries.log_query(
        store,
        received_on=TODAY,
        asked_by="ICB contracts",
        matter="Missed visits in October",
        data_period="October 2026",
        deadline=TODAY + timedelta(days=5),
        owner_id=chair.id,
        today=TODAY,
    )
    store.close()
    return path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    opened = Live(seeded(tmp_path_factory.mktemp("bad-forms")), ME)
    yield opened
    opened.close()


# --- what the forms are built with ----------------------------------------------------------


@dataclass(frozen=True)
class Room:
    """The records the forms act on, read from the demo as the screens read them."""

    store: Store
    staff: list[Person]
    meeting: Meeting  # running today
    signed: Meeting  # signed off, for an addendum and its minutes
    capture: Capture  # about an entry, in the running meeting
    programme: MobilisationProgramme
    workstream: WorkstreamLine
    deliverable: DeliverableLine
    risk: RiskLine
    trainee: TrainingLine
    whole_service: MetricLine
    by_team: MetricLine
    series: list[str]


def room_of(store: Store) -> Room:
    meeting = running_meeting(store, TODAY)
    assert meeting is not None and meeting.id is not None
    programme = programme_of(store)
    assert programme is not None and programme.id is not None
    (signed,) = store.conn.execute(
        "SELECT id FROM meeting WHERE state = 'signed off' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    entry = first(store, "SELECT id FROM waiting_entry WHERE status = 'waiting'")
    lines = {line.metric.name: line for line in metric_lines(store, 0, 100)}
    return Room(
        store=store,
        staff=everyone(store),
        meeting=meeting,
        signed=meeting_row(store, signed),
        capture=Capture(
            f"{meeting.series} ({meeting.held_on:%d/%m/%Y})",
            meeting.id,
            in_meeting=True,
            about=Link(f"waiting-list entry {entry}", entry_id=entry),
        ),
        programme=programme,
        workstream=workstream_lines(store, programme.id, TODAY)[0],
        deliverable=deliverable_lines(store, programme.id, TODAY)[0],
        risk=risk_lines(store, programme.id, TODAY)[0],
        trainee=training_lines(store)[0],
        whole_service=lines["Referrals received"],
        by_team=lines["Open caseload"],
        series=[s for (s,) in store.conn.execute("SELECT DISTINCT series FROM meeting")],
    )


def first(store: Store, sql: str) -> int:
    return store.conn.execute(f"{sql} ORDER BY id LIMIT 1").fetchone()[0]


@pytest.fixture(scope="module")
def room(live: Live) -> Room:
    return room_of(live.store)


# The forms the factories build, by what they record.
FACTORY_FORMS: dict[str, Callable[[Room], FormScreen]] = {
    "decision": lambda r: meeting_forms.decision_form(
        r.store, r.meeting.section, r.capture, r.staff
    ),
    "risk": lambda r: meeting_forms.risk_form(
        r.store, TODAY, r.meeting.section, r.capture, r.staff
    ),
    "sign-off": lambda r: meeting_forms.sign_off_form(r.store, r.meeting, lambda: NOW, []),
    "addendum": lambda r: meeting_forms.addendum_form(r.store, r.signed, NOW),
    "start a meeting": lambda r: meeting_forms.start_form(r.store, TODAY, NOW, r.staff),
    "on call": lambda r: meeting_forms.on_call_form(r.store, TODAY, r.staff),
    "capacity": lambda r: meeting_forms.capacity_form(r.store, TODAY),
    "attendee": lambda r: meeting_forms.attendee_form(r.store, r.meeting, r.staff),
    "action": lambda r: new_action_form(r.store, TODAY, r.capture, r.staff),
    "rag of a workstream": lambda r: mobilisation_forms.rag_form(
        r.store, TODAY, r.workstream, None, None, r.staff
    ),
    "rag of a deliverable": lambda r: mobilisation_forms.rag_form(
        r.store, TODAY, r.workstream, r.deliverable, None, r.staff
    ),
    "evidence": lambda r: mobilisation_forms.evidence_form(r.store, TODAY, r.deliverable),
    "deliverable": lambda r: mobilisation_forms.deliverable_form(
        r.store, TODAY, r.workstream, r.staff
    ),
    "go-live risk": lambda r: mobilisation_forms.go_live_risk_form(
        r.store, TODAY, r.programme, None, r.staff
    ),
    "review of a go-live risk": lambda r: mobilisation_forms.review_risk_form(
        r.store, TODAY, r.risk
    ),
    "training signed off": lambda r: mobilisation_forms.training_form(
        r.store, TODAY, r.trainee, TrainingState.SIGNED_OFF
    ),
    "training booked": lambda r: mobilisation_forms.training_form(
        r.store, TODAY, r.trainee, TrainingState.BOOKED
    ),
    "observation": lambda r: oversight_forms.observation_form(r.store, TODAY, r.whole_service),
    "observation by team": lambda r: oversight_forms.observation_form(r.store, TODAY, r.by_team),
    "metric": lambda r: oversight_forms.metric_form(r.store, TODAY, r.staff),
    "metric reviewed": lambda r: oversight_forms.review_form(r.store, TODAY, r.whole_service),
    "trigger rule": lambda r: oversight_forms.rule_form(
        r.store, TODAY, r.whole_service, r.staff, r.series
    ),
    "trigger rule by team": lambda r: oversight_forms.rule_form(
        r.store, TODAY, r.by_team, r.staff, r.series
    ),
    "escalation": lambda r: oversight_forms.escalation_form(r.store, TODAY, r.staff),
}


# --- the forms the screens build ---------------------------------------------------------------

OPEN_ACTION = "SELECT id FROM action WHERE status != 'closed'"
REVIEW_DUE = (
    "SELECT id FROM action WHERE status = 'closed' AND review_on IS NOT NULL "
    "AND reviewed_on IS NULL"
)
WAITING = "SELECT id FROM waiting_entry WHERE status = 'waiting' AND paused_since IS NULL"
PAUSED = "SELECT id FROM waiting_entry WHERE status = 'waiting' AND paused_since IS NOT NULL"
# The demo's open query has its verification still open, so most responses are refused
# naming it: each typed value is still parsed and checked before that.
OPEN_QUERY = "SELECT id FROM commissioner_query WHERE status = 'open'"
# Under review; once the alignment form has closed it, the closed one (every save refused).
REVIEWED_QUERY = (
    "SELECT id FROM commissioner_query WHERE status != 'open' AND (status != 'closed' OR "
    "NOT EXISTS (SELECT 1 FROM commissioner_query WHERE status = 'under review'))"
)


def on_detail(kind: Callable[[int], DetailScreen], sql: str, action: str) -> Callable[[Room], None]:
    """Open the form of `action` on a detail screen of the first record `sql` finds, the
    screen holding that record as its own `read` gives it."""

    def opening(room: Room) -> None:
        screen = kind(first(room.store, sql))
        screen.detail = screen.read(room.store)
        getattr(screen, f"action_{action}")()

    return opening


def logging_a_query(room: Room) -> None:
    QueriesScreen().action_log_query()


def writing_minutes(room: Room) -> None:
    assert room.signed.id is not None
    screen = MinutesScreen(room.signed.id)
    screen.meeting = room.signed
    screen.action_write()


def form_opened(app: HuddleApp, room: Room, name: str) -> FormScreen:
    """The form the screen action `name` opens, with the app running as it needs."""
    SCREEN_FORMS[name](room)
    form = app.screen
    assert isinstance(form, FormScreen), form
    return form


# What opens each form a screen builds (with the app running: the screens ask it for the
# store, the date and the meeting in the room, and push the form onto it).
SCREEN_FORMS: dict[str, Callable[[Room], None]] = {
    "query logged": logging_a_query,
    "query response sent": on_detail(QueryDetailScreen, OPEN_QUERY, "respond"),
    "query reviewed monthly": on_detail(QueryDetailScreen, REVIEWED_QUERY, "review"),
    "query aligned and closed": on_detail(QueryDetailScreen, REVIEWED_QUERY, "aligned"),
    "action closed": on_detail(ActionDetailScreen, OPEN_ACTION, "close_action"),
    "action due date moved": on_detail(ActionDetailScreen, OPEN_ACTION, "move_due"),
    "action owner changed": on_detail(ActionDetailScreen, OPEN_ACTION, "change_owner"),
    "action reopened": on_detail(ActionDetailScreen, REVIEW_DUE, "reopen"),
    "action reviewed": on_detail(ActionDetailScreen, REVIEW_DUE, "review"),
    "entry contact logged": on_detail(EntryDetailScreen, WAITING, "log_contact"),
    "entry escalated": on_detail(EntryDetailScreen, WAITING, "escalate"),
    "entry re-tiered": on_detail(EntryDetailScreen, WAITING, "retier"),
    "entry clock paused": on_detail(EntryDetailScreen, WAITING, "pause"),
    "entry clock resumed": on_detail(EntryDetailScreen, PAUSED, "pause"),
    "entry case owner changed": on_detail(EntryDetailScreen, WAITING, "change_owner"),
    "entry closed": on_detail(EntryDetailScreen, WAITING, "close_entry"),
    "minutes written": writing_minutes,
}


# --- what is typed -------------------------------------------------------------------------------

typed_dates = st.one_of(
    st.sampled_from(["today", "tomorrow", "fri", "FRIDAY", "+3d", "+2w", "+999w", "+0d"]),
    st.sampled_from(["+5wd", "+0wd", "+999wd", "+3WD", "+1dw", "+wd"]),
    st.sampled_from(["-1d", "+1000d", "22/11/2026", "31/12/9999", "01/01/0001", "1/1/1"]),
    st.dates().map(lambda day: f"{day.day:02d}/{day.month:02d}/{day.year:04d}"),
    bad_dates,
)
typed_numbers = st.one_of(
    st.sampled_from(["0", "1", "3", "5", "6", "-1", "1.5", " 2 ", "1,000", "nan", "inf"]),
    st.sampled_from(["1e308", "-1.7976931348623157e308", "1e-320", "\u00b2", "\uff13"]),
    st.builds(lambda n: "9" * n, st.integers(10, 5_000)),
    st.integers().map(str),
    st.floats().map(repr),
)


def typed_names(staff: list[Person]) -> st.SearchStrategy[str]:
    """Names as people type them: whole, in another case, part of one (which may match
    several people), or nobody's."""
    names = [p.name for p in staff]
    return st.one_of(
        st.sampled_from(names),
        st.sampled_from(names).map(str.upper),
        st.sampled_from(names).flatmap(
            lambda name: st.integers(1, len(name)).map(lambda n: name[:n])
        ),
        st.sampled_from(["a", "Dr", "  ", "Nobody Atall", f"{names[0]} {names[0]}"]),
    )


# What a person would type in a field with no default, by the field's name. Half the
# time a field gets it, so that a generated value in one field often meets sensible ones
# in the rest and reaches the checks behind theirs.
SENSIBLE = {
    **dict.fromkeys(("owner", "author", "chair", "person", "rated_by", "made_by"), ME),
    **dict.fromkeys(
        ("day", "received_on", "sent_on", "contact_on", "reviewed_on", "aligned_on"), "today"
    ),
    **dict.fromkeys(("due_date", "review_on", "deadline"), "+3d"),
    **{"planned": "7", "on_shift": "6", "likelihood": "3", "impact": "4", "value": "12"},
    **{"threshold": "5", "low": "1", "high": "50", "baseline": "40", "rag": "G"},
    "review": "monthly at the contract review",
}


def typed(spec: FormField, staff: list[Person]) -> st.SearchStrategy[str]:
    if spec.kind == "choice":
        return st.sampled_from([str(choice) for choice in spec.choices])
    sensible = spec.value or SENSIBLE.get(spec.name, "Checked at the huddle")
    anything = st.one_of(typed_names(staff), typed_dates, typed_numbers, hostile_text)
    return st.one_of(st.just(sensible), anything)


def confined_paths(folder: Path) -> st.SearchStrategy[str]:
    """Paths inside `folder` only, however odd: the minutes form writes where it is told."""
    return hostile_text.filter(lambda text: ".." not in text).map(lambda text: f"{folder}/{text}")


def check_form(
    live: Live,
    room: Room,
    form: FormScreen,
    fields: dict[str, st.SearchStrategy[str]] | None = None,
) -> None:
    """Generated values for every field of `form`: saved, or refused having written
    nothing. `fields` gives some fields their own values."""
    chosen = fields or {}
    values = st.fixed_dictionaries(
        {
            spec.name: chosen[spec.name] if spec.name in chosen else typed(spec, room.staff)
            for spec in form.fields
        }
    )

    @given(typed_values=values)
    def saves_or_refuses(typed_values: dict[str, str]) -> None:
        store = live.fresh()
        before, changes = audit_rows(store), store.conn.total_changes
        try:
            form.save(typed_values)
        except REFUSALS:
            assert audit_rows(store) == before
            # Rows written and rolled back count as changes: then the database must
            # still be whole and every record match its audit trail.
            if store.conn.total_changes != changes:
                assert_sound(store)
            return
        # Saved: whatever it wrote came with its audit rows.
        assert store.conn.total_changes == changes or audit_rows(store) > before

    saves_or_refuses()
    assert_sound(live.store)


@pytest.mark.parametrize("name", sorted(FACTORY_FORMS))
def test_every_form_saves_or_refuses_whatever_is_typed(live: Live, room: Room, name: str) -> None:
    check_form(live, room, FACTORY_FORMS[name](room))


@pytest.mark.parametrize("name", sorted(SCREEN_FORMS))
async def test_every_form_of_a_screen_saves_or_refuses_whatever_is_typed(
    live: Live, room: Room, name: str, tmp_path: Path
) -> None:
    app = make_app(live.fresh(), FixedClock(TODAY))
    async with app.run_test(size=(120, 40)):
        form = form_opened(app, room, name)
        check_form(live, room, form, {"path": confined_paths(tmp_path)})


# --- faults the generated values found, each pinned -------------------------------------------


def refused(live: Live, form: FormScreen, typed: dict[str, str]) -> str:
    """Why `form` refuses `typed`, having written nothing."""
    store = live.fresh()
    before = audit_rows(store)
    with pytest.raises(REFUSALS) as refusal:
        form.save(typed)
    assert audit_rows(store) == before
    return str(refusal.value)


def test_a_count_of_staff_past_sqlite_integers_is_refused_by_name(live: Live, room: Room) -> None:
    """Nineteen nines passed isdigit() and reached SQLite, whose OverflowError (not a
    refusal) would have ended the app."""
    form = FACTORY_FORMS["capacity"](room)
    typed = {"shift": form.fields[0].choices[0], "planned": "9" * 19, "on_shift": "3", "flags": ""}
    assert refused(live, form, typed).startswith("planned: give a whole number of staff")


def test_a_run_of_periods_past_sqlite_integers_is_refused_by_name(live: Live, room: Room) -> None:
    form = FACTORY_FORMS["trigger rule"](room)
    typed = {spec.name: str(spec.value or (spec.choices or ("",))[0]) for spec in form.fields}
    typed |= {"name": "Surge", "threshold": "5", "periods": "9" * 30, "owner": ME}
    assert refused(live, form, typed).startswith("periods in a row: give a whole number")


def test_referrals_too_many_to_set_against_the_baseline_save_without_that_figure(
    live: Live, room: Room
) -> None:
    """1e308 referrals against a baseline of 40 is 2.5e308%, past the largest float: the
    sum raised OverflowError. The reading is kept; the percentage cannot be worked out."""
    store = live.fresh()
    FACTORY_FORMS["observation"](room).save({"day": "today", "value": "1e308"})
    recorded = store.conn.execute(
        "SELECT m.name, o.value FROM observation AS o JOIN metric AS m ON m.id = o.metric_id "
        "WHERE o.period_start = ?",
        (TODAY.isoformat(),),
    ).fetchall()
    assert recorded == [("Referrals received", 1e308)]
    assert_sound(store)


def test_a_rationale_holding_a_nul_is_refused_by_name(live: Live, room: Room) -> None:
    """SQLite's length() stops at a NUL, so the database's own check took '\\x00' for a
    blank rationale and raised IntegrityError, which no form catches."""
    form = FACTORY_FORMS["rag of a workstream"](room)
    typed = {"rag": "G", "rationale": "\x00", "rated_by": ME}
    assert refused(live, form, typed).startswith("rationale: remove the NUL character")


async def test_minutes_written_to_a_folder_or_an_impossible_name_are_refused(
    live: Live, room: Room, tmp_path: Path
) -> None:
    """Writing to a folder, or a name longer than the file system allows, raised OSError,
    which no form catches."""
    app = make_app(live.fresh(), FixedClock(TODAY))
    async with app.run_test(size=(120, 40)):
        form = form_opened(app, room, "minutes written")
        assert refused(live, form, {"path": str(tmp_path)}).startswith(
            f"file: {tmp_path} already exists"
        )
        too_long = tmp_path / ("x" * 300)
        assert refused(live, form, {"path": str(too_long)}).startswith(
            f"file: cannot create {too_long}: File name too long"
        )
