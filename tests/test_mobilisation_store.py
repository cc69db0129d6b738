"""Mobilisation in the store (store.mobilisation, store.mobilisation_reads) on real SQLite
files and a fixed date.

A workstream's RAG is only ever a rating, with its rationale, rater, day and meeting, so
its history is the record itself: nothing sets a RAG without a rationale or edits one
once recorded, on any path (the store in words, the model, records.add and records.update,
raw SQL on the store's connection and on a plain one). The training matrix keeps the dates
of earlier steps; go-live risks are re-scored with an audit row and mitigated by actions;
the demo, six weeks before go-live, is NOT READY for the reasons its fixtures set up.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from huddle.cli import main
from huddle.models import (
    ActionSource,
    AttendanceStatus,
    Competency,
    MeetingKind,
    MeetingState,
    MobilisationProgramme,
    Person,
    Provider,
    ProviderKind,
    Rag,
    RagRating,
    TrainingState,
)
from huddle.readiness import Verdict, readiness, trend
from store import Store, actions, records
from store.check import check_database
from store.meeting_reads import meeting_row
from store.meetings import mark_attendance, sign_off, start_meeting
from store.mobilisation import (
    add_deliverable,
    add_to_cohort,
    raise_risk,
    rate,
    record_training,
    review_risk,
    start_programme,
)
from store.mobilisation_reads import (
    coverage,
    early_life_checks,
    programme_of,
    ratings,
    ratings_between,
    readiness_facts,
    risk_lines,
    workstream_lines,
)
from tests.acting import acting_as

TODAY = date(2026, 11, 22)
SERIES = "Mobilisation board"
MEETING_DAYS = (TODAY - timedelta(days=14), TODAY - timedelta(days=7), TODAY)


# --- helpers ------------------------------------------------------------------------------


def add_people(store: Store, *names: str) -> list[int]:
    provider = records.add(store, Provider(name="Community therapy", kind=ProviderKind.PRIME), "p")
    assert provider.id is not None
    people = [
        records.add(store, Person(name=name, role="Lead", provider_id=provider.id), "p")
        for name in names
    ]
    return [person.id for person in people if person.id is not None]


def count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def rating_rows(store: Store) -> list[tuple]:
    return store.conn.execute("SELECT * FROM rag_rating ORDER BY id").fetchall()


def meet(store: Store, chair: int, day: date) -> int:
    meeting = start_meeting(
        store,
        series=SERIES,
        kind=MeetingKind.MOBILISATION,
        chair_id=chair,
        today=day,
        now=datetime.combine(day, time(10)),
    )
    assert meeting.id is not None
    return meeting.id


def signed(store: Store, meeting_id: int, by: int) -> None:
    mark_attendance(store, meeting_id, by, AttendanceStatus.PRESENT)
    current = meeting_row(store, meeting_id)
    assert current.started_at is not None
    sign_off(
        acting_as(store, by),
        meeting_id,
        current.version,
        now=current.started_at + timedelta(minutes=45),
    )


def assessing(store: Store, person_id: int, *competencies: Competency) -> None:
    """Name the person an assessor of these competencies (as set-up does: person.assesses)."""
    (version,) = store.conn.execute(
        "SELECT version FROM person WHERE id = ?", (person_id,)
    ).fetchone()
    with store.write("assessor named") as txn:
        txn.update("person", person_id, {"assesses": [c.value for c in competencies]}, version)


@contextmanager
def plain_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """The file as the sqlite3 shell opens it: foreign keys on, no recursive triggers."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        yield conn
    finally:
        conn.close()


@dataclass
class Programme:
    store: Store
    programme: MobilisationProgramme
    lead: int
    """Ann Okafor: leads the workforce workstream and owns the checks after go-live."""
    chair: int
    """Ben Shaw: chairs the mobilisation meetings and rates."""
    trainee: int
    workforce: int
    """The workstream id of "Workforce readiness"."""
    data: int
    """The workstream id of "Data and reporting"."""

    @property
    def id(self) -> int:
        assert self.programme.id is not None
        return self.programme.id


@pytest.fixture
def programme(store: Store) -> Programme:
    lead, chair, trainee = add_people(store, "Ann Okafor", "Ben Shaw", "Cara Doyle")
    started = start_programme(
        store,
        name="  Community   therapy contract ",
        go_live=TODAY + timedelta(weeks=6),
        workstreams=[("Workforce readiness", lead), ("Data and reporting", chair)],
        audit_owner_id=lead,
        today=MEETING_DAYS[0] - timedelta(days=7),
    )
    assert started.id is not None
    workstreams = dict(
        store.conn.execute(
            "SELECT name, id FROM workstream WHERE programme_id = ?", (started.id,)
        ).fetchall()
    )
    return Programme(
        store,
        started,
        lead,
        chair,
        trainee,
        workstreams["Workforce readiness"],
        workstreams["Data and reporting"],
    )


@dataclass
class Rated:
    """Three signed-off mobilisation meetings, the workforce workstream rated G, A, R."""

    programme: Programme
    meetings: list[int]


RATED = (
    (Rag.GREEN, "Recruitment on plan: all posts offered"),
    (Rag.AMBER, "Two posts start late; supervision plan covers the gap"),
    (Rag.RED, "Sign-off at 60%: new starters would hold high-risk cases unsupervised"),
)


@pytest.fixture
def rated(programme: Programme) -> Rated:
    store, chair = programme.store, programme.chair
    meetings = []
    for day, (rag, why) in zip(MEETING_DAYS, RATED, strict=True):
        meeting_id = meet(store, chair, day)
        rate(
            store,
            workstream_id=programme.workforce,
            rag=rag,
            rationale=why,
            rated_by=chair,
            today=day,
            meeting_id=meeting_id,
        )
        signed(store, meeting_id, chair)
        meetings.append(meeting_id)
    return Rated(programme, meetings)


def insert_rating(
    conn: sqlite3.Connection,
    programme: Programme,
    *,
    rag: str = "red",
    rationale: str | None = "Raw SQL rating",
    meeting_id: int | None = None,
    rating_id: int | None = None,
    verb: str = "INSERT",
) -> None:
    conn.execute(
        f"{verb} INTO rag_rating (id, workstream_id, rag, rationale, rated_on, rated_by, "
        "meeting_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            rating_id,
            programme.data,
            rag,
            rationale,
            TODAY.isoformat(),
            programme.chair,
            meeting_id,
        ),
    )


# --- the programme ------------------------------------------------------------------------


def test_a_programme_starts_with_its_workstreams_in_order_and_unrated(
    programme: Programme,
) -> None:
    assert programme.programme.name == "Community therapy contract"
    lines = workstream_lines(programme.store, programme.id, TODAY)
    assert [(line.name, line.lead, line.rag) for line in lines] == [
        ("Workforce readiness", "Ann Okafor", None),
        ("Data and reporting", "Ben Shaw", None),
    ]
    found = readiness(readiness_facts(programme.store, programme.programme, TODAY))
    assert found.verdict == Verdict.NOT_READY
    assert "2 workstreams never rated" in found.blockers


def test_the_workstream_table_has_no_rag_column(store: Store) -> None:
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(workstream)")}
    assert columns == {"id", "programme_id", "name", "lead_id", "position", "version"}
    assert not {"rag", "rationale", "rated_on"} & columns


def test_the_action_table_keeps_its_lock_triggers_after_m014(store: Store) -> None:
    triggers = {
        name
        for (name,) in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'action'"
        )
    }
    locks = {name for name in triggers if name.startswith("action_locked_")}
    assert locks == {
        f"action_locked_{event}" for event in ("insert", "move", "replace", "renumber", "delete")
    }
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(action)")}
    assert "risk_id" in columns


# --- RAG history --------------------------------------------------------------------------


def test_ratings_are_newest_first_with_day_rationale_rater_and_meeting(rated: Rated) -> None:
    programme = rated.programme
    found = ratings(programme.store, programme.workforce, TODAY)
    assert [(r.rag, r.rated_on, r.rationale, r.rated_by) for r in found] == [
        (Rag.RED, MEETING_DAYS[2], RATED[2][1], "Ben Shaw"),
        (Rag.AMBER, MEETING_DAYS[1], RATED[1][1], "Ben Shaw"),
        (Rag.GREEN, MEETING_DAYS[0], RATED[0][1], "Ben Shaw"),
    ]
    assert [r.meeting for r in found] == [
        f"{SERIES}, 22/11/2026",
        f"{SERIES}, 15/11/2026",
        f"{SERIES}, 08/11/2026",
    ]
    assert all(
        meeting_row(programme.store, m).state == MeetingState.SIGNED_OFF for m in rated.meetings
    )


def test_the_trend_is_oldest_first_and_as_at_shows_the_rag_of_the_day(rated: Rated) -> None:
    programme = rated.programme
    workforce, data = workstream_lines(programme.store, programme.id, TODAY)
    assert trend([r.rag for r in workforce.trend]) == "G A R"
    assert workforce.rag == Rag.RED and data.rag is None

    before_last = workstream_lines(programme.store, programme.id, TODAY - timedelta(days=1))[0]
    assert before_last.rag == Rag.AMBER
    assert trend([r.rag for r in before_last.trend]) == "G A"
    before_any = workstream_lines(programme.store, programme.id, MEETING_DAYS[0] - timedelta(1))
    assert before_any[0].rag is None and before_any[0].trend == ()


def test_ratings_in_a_meeting_show_the_rag_they_replaced(rated: Rated) -> None:
    store = rated.programme.store
    first, second, last = (
        ratings_between(store, None, TODAY, meeting_id=meeting) for meeting in rated.meetings
    )
    assert [change.arrow for change in first] == ["—→G"]
    assert [change.arrow for change in second] == ["G→A"]
    assert [(c.workstream, c.arrow, c.rationale, c.rated_by) for c in last] == [
        ("Workforce readiness", "A→R", RATED[2][1], "Ben Shaw")
    ]
    since_last_week = ratings_between(store, MEETING_DAYS[1], TODAY)
    assert [change.arrow for change in since_last_week] == ["A→R"]


def test_a_rating_between_meetings_has_no_meeting(programme: Programme) -> None:
    rate(
        programme.store,
        workstream_id=programme.data,
        rag="Amber",
        rationale="  KPI definitions   agreed; extract not yet run ",
        rated_by=programme.chair,
        today=TODAY,
    )
    (found,) = ratings(programme.store, programme.data, TODAY)
    assert (found.rag, found.meeting) == (Rag.AMBER, "")
    assert found.rationale == "KPI definitions agreed; extract not yet run"


# --- no RAG without a rationale, and none edited --------------------------------------------


@pytest.mark.parametrize("rationale", ["", "   ", "\t\n"])
def test_rate_refuses_a_blank_rationale(programme: Programme, rationale: str) -> None:
    audited = count(programme.store, "audit")
    with pytest.raises(ValueError, match=r"^rationale: "):
        rate(
            programme.store,
            workstream_id=programme.data,
            rag=Rag.RED,
            rationale=rationale,
            rated_by=programme.chair,
            today=TODAY,
        )
    assert count(programme.store, "rag_rating") == 0
    assert count(programme.store, "audit") == audited


@pytest.mark.parametrize("rationale", ["", "   "])
def test_the_model_refuses_a_blank_rationale(rationale: str) -> None:
    with pytest.raises(ValidationError, match="rationale"):
        RagRating(workstream_id=1, rag=Rag.RED, rationale=rationale, rated_on=TODAY, rated_by=1)


def test_records_add_refuses_a_blank_rationale(programme: Programme) -> None:
    unchecked = RagRating.model_construct(
        workstream_id=programme.data,
        deliverable_id=None,
        rag=Rag.RED,
        rationale="   ",
        rated_on=TODAY,
        rated_by=programme.chair,
        meeting_id=None,
        id=None,
        version=1,
    )
    with pytest.raises(ValidationError, match="rationale"):
        records.add(programme.store, unchecked, "no reason")
    assert count(programme.store, "rag_rating") == 0


@pytest.mark.parametrize("through", ["store.conn", "plain sqlite3"])
@pytest.mark.parametrize("rationale", ["", "   ", None])
def test_the_database_refuses_a_rating_without_a_rationale(
    programme: Programme, rationale: str | None, through: str
) -> None:
    store = programme.store
    if through == "store.conn":
        with pytest.raises(sqlite3.IntegrityError, match="rationale"):
            insert_rating(store.conn, programme, rationale=rationale)
        assert not store.conn.in_transaction
    else:
        with (
            plain_connection(store.path) as conn,
            pytest.raises(sqlite3.IntegrityError, match="rationale"),
        ):
            insert_rating(conn, programme, rationale=rationale)
    assert count(store, "rag_rating") == 0


@pytest.mark.parametrize("rationale", ["\t", "\n", " \r\n "])
def test_the_database_refuses_a_rationale_of_other_whitespace(
    programme: Programme, rationale: str
) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="rationale"):
        insert_rating(programme.store.conn, programme, rationale=rationale)


RAW_EDITS = {
    "update the rag": "UPDATE rag_rating SET rag = 'green' WHERE id = :id",
    "update the rationale": "UPDATE rag_rating SET rationale = 'Rewritten' WHERE id = :id",
    "update to the same": "UPDATE rag_rating SET rag = rag WHERE id = :id",
    "update or replace": "UPDATE OR REPLACE rag_rating SET rated_on = '2026-01-01' WHERE id = :id",
    "delete": "DELETE FROM rag_rating WHERE id = :id",
    "insert or replace": (
        "INSERT OR REPLACE INTO rag_rating (id, workstream_id, rag, rationale, rated_on, "
        "rated_by) SELECT id, workstream_id, 'green', 'Better now', rated_on, rated_by "
        "FROM rag_rating WHERE id = :id"
    ),
    "replace": (
        "REPLACE INTO rag_rating (id, workstream_id, rag, rationale, rated_on, rated_by) "
        "SELECT id, workstream_id, 'green', 'Better now', rated_on, rated_by "
        "FROM rag_rating WHERE id = :id"
    ),
}


@pytest.mark.parametrize("through", ["store.conn", "plain sqlite3"])
@pytest.mark.parametrize("sql", RAW_EDITS.values(), ids=RAW_EDITS.keys())
def test_raw_sql_cannot_edit_or_delete_a_rating(
    programme: Programme, sql: str, through: str
) -> None:
    store = programme.store
    rating = rate(
        store,
        workstream_id=programme.data,
        rag=Rag.RED,
        rationale="KPI definitions not agreed",
        rated_by=programme.chair,
        today=TODAY,
    )
    before = rating_rows(store)
    if through == "store.conn":
        with pytest.raises(sqlite3.IntegrityError, match="stands as recorded"):
            store.conn.execute(sql, {"id": rating.id})
        assert not store.conn.in_transaction
    else:
        with (
            plain_connection(store.path) as conn,
            pytest.raises(sqlite3.IntegrityError, match="stands as recorded"),
        ):
            conn.execute(sql, {"id": rating.id})
    assert rating_rows(store) == before


def test_records_update_refuses_a_rating(programme: Programme) -> None:
    store = programme.store
    rating = rate(
        store,
        workstream_id=programme.data,
        rag=Rag.AMBER,
        rationale="Extract not yet run",
        rated_by=programme.chair,
        today=TODAY,
    )
    before = rating_rows(store)
    greener = rating.model_copy(update={"rag": Rag.GREEN, "rationale": "Better now"})
    with pytest.raises(ValueError, match="stands as recorded"):
        records.update(store, greener, "tidy up")
    assert rating_rows(store) == before


@pytest.mark.parametrize("rag", ["purple", "", "   ", "X", "grey", "redd"])
def test_rate_refuses_a_rag_that_is_not_red_amber_or_green(programme: Programme, rag: str) -> None:
    with pytest.raises(ValueError, match=r"^RAG: "):
        rate(
            programme.store,
            workstream_id=programme.data,
            rag=rag,
            rationale="A reason",
            rated_by=programme.chair,
            today=TODAY,
        )
    assert count(programme.store, "rag_rating") == 0


@pytest.mark.parametrize(
    ("typed", "rag"),
    [("R", Rag.RED), (" a ", Rag.AMBER), ("Green", Rag.GREEN), (Rag.RED, Rag.RED)],
)
def test_rate_takes_a_rag_as_its_letter_or_its_word(
    programme: Programme, typed: str, rag: Rag
) -> None:
    rating = rate(
        programme.store,
        workstream_id=programme.data,
        rag=typed,
        rationale="A reason",
        rated_by=programme.chair,
        today=TODAY,
    )
    assert rating.rag == rag
    assert programme.store.conn.execute("SELECT rag FROM rag_rating").fetchall() == [(rag.value,)]


@pytest.mark.parametrize("through", ["store.conn", "plain sqlite3"])
@pytest.mark.parametrize("rag", ["purple", "RED", "R", ""])
def test_the_database_refuses_a_rag_that_is_not_red_amber_or_green(
    programme: Programme, rag: str, through: str
) -> None:
    store = programme.store
    if through == "store.conn":
        with pytest.raises(sqlite3.IntegrityError, match="red, amber or green"):
            insert_rating(store.conn, programme, rag=rag)
    else:
        with (
            plain_connection(store.path) as conn,
            pytest.raises(sqlite3.IntegrityError, match="red, amber or green"),
        ):
            insert_rating(conn, programme, rag=rag)
    assert count(store, "rag_rating") == 0


def test_rating_into_a_signed_off_meeting_is_refused(rated: Rated) -> None:
    programme = rated.programme
    store, last = programme.store, rated.meetings[-1]
    before = rating_rows(store)
    with pytest.raises(ValueError, match="signed off"):
        rate(
            store,
            workstream_id=programme.data,
            rag=Rag.GREEN,
            rationale="Forgot to rate it in the meeting",
            rated_by=programme.chair,
            today=TODAY,
            meeting_id=last,
        )
    with pytest.raises(sqlite3.IntegrityError, match="signed off"):
        insert_rating(store.conn, programme, meeting_id=last)
    with (
        plain_connection(store.path) as conn,
        pytest.raises(sqlite3.IntegrityError, match="signed off"),
    ):
        insert_rating(conn, programme, meeting_id=last)
    assert rating_rows(store) == before


def test_the_check_passes_after_ratings_and_refused_edits(rated: Rated) -> None:
    store = rated.programme.store
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("DELETE FROM rag_rating")
    assert check_database(store.conn).ok


# --- the training matrix ------------------------------------------------------------------


def test_training_moves_on_and_keeps_the_dates_of_earlier_steps(programme: Programme) -> None:
    store, trainee = programme.store, programme.trainee
    add_to_cohort(store, person_id=trainee, high_risk=True, supervisor_id=None)
    booked_on, completed_on, signed_on = (TODAY - timedelta(days=d) for d in (20, 10, 3))
    booked = record_training(
        store,
        person_id=trainee,
        competency=Competency.ESCALATION,
        state=TrainingState.BOOKED,
        on=booked_on,
    )
    completed = record_training(
        store,
        person_id=trainee,
        competency=Competency.ESCALATION,
        state=TrainingState.COMPLETED,
        on=completed_on,
    )
    assessing(store, programme.chair, Competency.ESCALATION)
    signed_off = record_training(
        acting_as(store, programme.chair),
        person_id=trainee,
        competency=Competency.ESCALATION,
        state=TrainingState.SIGNED_OFF,
        on=signed_on,
    )
    assert signed_off.id == completed.id == booked.id and signed_off.version == 3
    assert signed_off.state == TrainingState.SIGNED_OFF
    assert (signed_off.booked_on, signed_off.completed_on, signed_off.signed_off_on) == (
        booked_on,
        completed_on,
        signed_on,
    )
    assert signed_off.signed_off_by == programme.chair
    assert count(store, "training") == 1


def test_nobody_signs_off_their_own_competency(programme: Programme) -> None:
    store, trainee = programme.store, programme.trainee
    assessing(store, trainee, Competency.TRIAGE)  # an assessor, but not of their own
    assessing(store, programme.chair, Competency.TRIAGE)
    with pytest.raises(ValueError) as caught:
        record_training(
            acting_as(store, trainee),
            person_id=trainee,
            competency=Competency.TRIAGE,
            state=TrainingState.SIGNED_OFF,
            on=TODAY,
        )
    assert str(caught.value) == (
        "sign off: only an assessor of triage (pathway skill) (Ben Shaw) may sign it off; "
        "nobody signs off their own competency"
    )
    assert count(store, "training") == 0


def test_a_competency_is_signed_off_only_by_an_assessor_of_it(programme: Programme) -> None:
    """Signed off by the acting person (the signed-in one), who must be someone set-up
    names as an assessor of that competency and still here; each refusal says who may,
    and writes nothing."""
    store, trainee = programme.store, programme.trainee
    record_training(
        store,
        person_id=trainee,
        competency=Competency.TRIAGE,
        state=TrainingState.COMPLETED,
        on=TODAY - timedelta(days=2),
    )
    (dara,) = add_people(store, "Dara Quinn")

    def refused(by: Store, said: str) -> None:
        before = (store.conn.execute("SELECT * FROM training").fetchall(), audit_total(store))
        with pytest.raises(ValueError) as caught:
            record_training(
                by,
                person_id=trainee,
                competency=Competency.TRIAGE,
                state=TrainingState.SIGNED_OFF,
                on=TODAY,
            )
        assert str(caught.value) == said
        assert (store.conn.execute("SELECT * FROM training").fetchall(), audit_total(store)) == (
            before
        )

    refused(
        store,
        "sign off: only a person on the staff list may do this, and 'tester' is nobody on it; "
        "sign in as yourself (a person of the set-up)",
    )
    refused(
        acting_as(store, programme.chair),
        "sign off: nobody is named to assess triage (pathway skill) for this person: name an "
        "assessor in Set-up (key 7, a person's Assesses; the service file's `assesses`)",
    )
    assessing(store, programme.lead, Competency.TRIAGE)
    assessing(store, dara, Competency.TRIAGE, Competency.SAFEGUARDING)
    assessing(store, programme.chair, Competency.SAFEGUARDING)  # of another competency
    refused(
        acting_as(store, programme.chair),
        "sign off: only an assessor of triage (pathway skill) (Ann Okafor, Dara Quinn) may "
        "sign it off; you (Ben Shaw) are not one",
    )
    # An assessor who has left signs off nothing, and is no longer named as one.
    with store.write("Dara leaves") as txn:
        txn.update("person", dara, {"inactive_since": TODAY.isoformat()}, 2)
    refused(
        acting_as(store, dara),
        "sign off: Dara Quinn has left the service and can no longer do this",
    )
    refused(
        acting_as(store, programme.chair),
        "sign off: only an assessor of triage (pathway skill) (Ann Okafor) may sign it off; "
        "you (Ben Shaw) are not one",
    )
    done = record_training(
        acting_as(store, programme.lead),
        person_id=trainee,
        competency=Competency.TRIAGE,
        state=TrainingState.SIGNED_OFF,
        on=TODAY,
    )
    assert (done.state, done.signed_off_by) == (TrainingState.SIGNED_OFF, programme.lead)


def audit_total(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def test_coverage_as_at_a_day_before_a_sign_off_does_not_count_it(programme: Programme) -> None:
    store, trainee = programme.store, programme.trainee
    add_to_cohort(store, person_id=trainee, high_risk=True, supervisor_id=None)
    assessing(store, programme.lead, Competency.SAFEGUARDING)
    for state, day in (
        (TrainingState.BOOKED, TODAY - timedelta(days=20)),
        (TrainingState.COMPLETED, TODAY - timedelta(days=10)),
        (TrainingState.SIGNED_OFF, TODAY - timedelta(days=3)),
    ):
        record_training(
            acting_as(store, programme.lead),
            person_id=trainee,
            competency=Competency.SAFEGUARDING,
            state=state,
            on=day,
        )

    def cell(as_at: date) -> tuple[int, int, int, int, int]:
        (found,) = [c for c in coverage(store, as_at) if c.competency == Competency.SAFEGUARDING]
        assert (found.cohort, found.high_risk) == (1, 1)
        return (
            found.booked,
            found.completed,
            found.signed_off,
            found.high_risk_signed_off,
            found.cohort,
        )

    assert cell(TODAY) == (1, 1, 1, 1, 1)
    assert cell(TODAY - timedelta(days=4)) == (1, 1, 0, 0, 1)
    assert cell(TODAY - timedelta(days=15)) == (1, 0, 0, 0, 1)
    assert cell(TODAY - timedelta(days=21)) == (0, 0, 0, 0, 1)


def test_a_competency_moved_back_after_sign_off_is_not_still_counted(
    programme: Programme,
) -> None:
    store, trainee = programme.store, programme.trainee
    add_to_cohort(store, person_id=trainee, high_risk=True, supervisor_id=None)
    assessing(store, programme.chair, Competency.TRIAGE)
    record_training(
        acting_as(store, programme.chair),
        person_id=trainee,
        competency=Competency.TRIAGE,
        state=TrainingState.SIGNED_OFF,
        on=TODAY - timedelta(days=5),
    )
    try:
        again = record_training(
            store,
            person_id=trainee,
            competency=Competency.TRIAGE,
            state=TrainingState.BOOKED,
            on=TODAY,
        )
    except ValueError:
        return  # refusing to move a cell back is a fix too
    (cell,) = [c for c in coverage(store, TODAY) if c.competency == Competency.TRIAGE]
    assert again.state == TrainingState.BOOKED
    assert cell.signed_off == 0 and cell.high_risk_signed_off == 0


# --- the go-live risk register ------------------------------------------------------------


def test_a_risk_with_a_review_date_in_the_past_is_refused(programme: Programme) -> None:
    with pytest.raises(ValueError, match=r"^review on: 21/11/2026 has passed"):
        raise_risk(
            programme.store,
            programme_id=programme.id,
            text="Supervisors over capacity",
            owner_id=programme.lead,
            likelihood=4,
            impact=5,
            review_on=TODAY - timedelta(days=1),
            today=TODAY,
        )
    assert count(programme.store, "go_live_risk") == 0


def test_review_re_scores_a_risk_and_the_audit_keeps_the_old_score(
    programme: Programme,
) -> None:
    store = programme.store
    risk = raise_risk(
        store,
        programme_id=programme.id,
        text="Discharge referrals arrive without risk status",
        owner_id=programme.lead,
        likelihood=4,
        impact=4,
        review_on=TODAY,
        today=TODAY,
    )
    assert risk.id is not None and risk.score == 16
    reviewed = review_risk(
        store,
        risk.id,
        risk.version,
        likelihood=2,
        impact=4,
        review_on=TODAY + timedelta(days=14),
        today=TODAY,
    )
    assert (reviewed.score, reviewed.review_on, reviewed.version) == (
        8,
        TODAY + timedelta(days=14),
        2,
    )
    (line,) = risk_lines(store, programme.id, TODAY)
    assert (line.likelihood, line.impact, line.score) == (2, 4, 8)
    updates = store.conn.execute(
        "SELECT before, after FROM audit "
        "WHERE table_name = 'go_live_risk' AND row_id = ? AND operation = 'update'",
        (risk.id,),
    ).fetchall()
    assert len(updates) == 1
    before, after = (json.loads(row) for row in updates[0])
    assert (before["likelihood"], before["impact"], before["review_on"]) == (4, 4, "2026-11-22")
    assert (after["likelihood"], after["impact"], after["review_on"]) == (2, 4, "2026-12-06")


def test_a_review_needs_a_next_review_date_after_today(programme: Programme) -> None:
    store = programme.store
    risk = raise_risk(
        store,
        programme_id=programme.id,
        text="Lone working procedure not applied",
        owner_id=programme.lead,
        likelihood=2,
        impact=4,
        review_on=TODAY,
        today=TODAY,
    )
    assert risk.id is not None
    with pytest.raises(ValueError, match=r"^next review: "):
        review_risk(store, risk.id, 1, likelihood=1, impact=4, review_on=TODAY, today=TODAY)


def test_an_action_on_a_risk_counts_as_its_mitigation(programme: Programme) -> None:
    store = programme.store
    risk = raise_risk(
        store,
        programme_id=programme.id,
        text="Supervisors over capacity: new therapists hold high-risk cases",
        owner_id=programme.lead,
        likelihood=3,
        impact=5,
        review_on=TODAY + timedelta(days=3),
        today=TODAY - timedelta(days=2),
    )
    assert risk.id is not None
    (unmitigated,) = risk_lines(store, programme.id, TODAY)
    assert (unmitigated.score, unmitigated.mitigations) == (15, 0)
    blockers = readiness(readiness_facts(store, programme.programme, TODAY)).blockers
    assert "1 go-live risk scoring 15+ without mitigation" in blockers

    actions.add_action(
        store,
        title="Name a second supervisor for the new starters",
        owner_id=programme.lead,
        due_date=TODAY + timedelta(days=7),
        today=TODAY,
        risk_id=risk.id,
    )
    (mitigated,) = risk_lines(store, programme.id, TODAY)
    assert (mitigated.mitigations, mitigated.open_mitigations) == (1, 1)
    blockers = readiness(readiness_facts(store, programme.programme, TODAY)).blockers
    assert not any("go-live risk" in blocker for blocker in blockers)
    # As at the day before the action, the risk was not yet mitigated.
    (earlier,) = risk_lines(store, programme.id, TODAY - timedelta(days=1))
    assert earlier.mitigations == 0


# --- the demo, six weeks before go-live -----------------------------------------------------


def test_the_demo_is_not_ready_for_the_reasons_it_was_set_up_with(demo: Store) -> None:
    programme = programme_of(demo)
    assert programme is not None
    found = readiness(readiness_facts(demo, programme, TODAY))
    assert found.verdict == Verdict.NOT_READY
    for reason in (
        "1 workstream red (Workforce readiness)",
        "competency sign-off 72% against 100% required for high-risk tasks",
        "1 go-live risk scoring 15+ without mitigation",
    ):
        assert reason in found.blockers
        assert reason in found.words


def test_the_demo_workforce_trend_went_from_green_to_red(demo: Store) -> None:
    programme = programme_of(demo)
    assert programme is not None and programme.id is not None
    lines = {line.name: line for line in workstream_lines(demo, programme.id, TODAY)}
    workforce = lines["Workforce readiness"]
    assert trend([r.rag for r in workforce.trend]) == "G G A R"
    assert workforce.latest is not None and workforce.latest.rationale.startswith(
        "Competency sign-off at 60%"
    )
    assert all(r.meeting for r in workforce.trend)


def test_the_demo_goes_live_in_six_weeks_with_four_checks_after(demo: Store) -> None:
    programme = programme_of(demo)
    assert programme is not None and programme.id is not None
    assert programme.go_live == TODAY + timedelta(weeks=6)
    checks = early_life_checks(demo, programme.id)
    assert [(c.week, c.due_date) for c in checks] == [
        (week, programme.go_live + timedelta(weeks=week)) for week in (4, 8, 10, 12)
    ]
    assert all(c.status == "open" and c.closed_on is None for c in checks)
    sources = demo.conn.execute(
        "SELECT a.source FROM early_life_check AS k JOIN action AS a ON a.id = k.action_id"
    ).fetchall()
    assert sources == [(ActionSource.AUDIT.value,)] * 4


def test_the_demo_passes_huddle_check(demo: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_database(demo.conn).ok
    code = main(["check", "--db", str(demo.path)])
    output = capsys.readouterr()
    assert code == 0, output.out + output.err
    assert "records: ok" in output.out


def test_the_database_refuses_a_rating_of_another_workstreams_deliverable(
    programme: Programme,
) -> None:
    store = programme.store
    deliverable = add_deliverable(
        store,
        workstream_id=programme.workforce,
        title="Named supervisors",
        owner_id=programme.lead,
        due_date=TODAY + timedelta(days=7),
        critical=True,
    )
    with pytest.raises(sqlite3.IntegrityError, match="another workstream"):
        store.conn.execute(
            "INSERT INTO rag_rating (workstream_id, deliverable_id, rag, rationale, rated_on,"
            " rated_by) VALUES (?, ?, 'red', 'Raw SQL', ?, ?)",
            (programme.data, deliverable.id, TODAY.isoformat(), programme.chair),
        )


def test_the_database_refuses_signing_off_your_own_competency(programme: Programme) -> None:
    conn = programme.store.conn
    with pytest.raises(sqlite3.IntegrityError, match="their own competency"):
        conn.execute(
            "INSERT INTO training (person_id, competency, state, signed_off_on, signed_off_by)"
            " VALUES (?, 'triage (pathway skill)', 'competency signed off', ?, ?)",
            (programme.trainee, TODAY.isoformat(), programme.trainee),
        )
