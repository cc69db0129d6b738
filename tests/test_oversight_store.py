"""Oversight in the store (store.oversight, store.oversight_reads, migration m015, sign-off)
on real SQLite files and fixed dates (never the real clock).

Observations are recorded day by day (or a history in one go) and the rules they touch are
evaluated in the same write: five days at or above 115% of a baseline of 100 fire once,
open one escalation owned by the rule's owner on the rule's rung, due by the rung's working
days, and put the firing on the agenda of the rule's series until a meeting of it is signed
off. The first day back within the rule clears the firing; the escalation stays open until
a person records an outcome, and climbs the ladder in working days until then. A history
that fired and cleared within itself is recorded with no escalation. What fired stands as
recorded on every path, raw SQL on a plain connection included. The demo tells the story
its fixtures set up.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from fixtures.oversight import SURGE
from fixtures.series import WAITING_LIST_HUDDLE
from huddle.models import (
    Action,
    ActionSource,
    ActionStatus,
    AttendanceStatus,
    Comparison,
    Derivation,
    EscalationRung,
    GoodDirection,
    MeetingKind,
    Metric,
    Observation,
    ObservationSource,
    Period,
    Person,
    Provider,
    ProviderKind,
    RuleKind,
    Segmentation,
    TriggerFiring,
    TriggerRule,
)
from huddle.oversight import period_start
from store import Store, actions, records
from store.meeting_reads import meeting_row
from store.meetings import mark_attendance, sign_off, start_meeting
from store.oversight import (
    Reading,
    Recorded,
    add_rule,
    climb_escalations,
    define_metric,
    evaluate_all,
    raise_escalation,
    record_observation,
    record_readings,
)
from store.oversight_reads import (
    ClimbLine,
    climbs_of,
    count_escalations,
    escalation_lines,
    fired_between,
    fired_triggers,
    metric_lines,
    on_agenda,
    series,
)
from store.queries import status_summary
from tests.acting import acting_as

TODAY = date(2026, 11, 22)  # a Sunday
FIRST = date(2026, 11, 16)  # a Monday: a surge entered Monday to Friday fires on Friday
FRIDAY = date(2026, 11, 20)
SATURDAY = date(2026, 11, 21)
MONDAY = date(2026, 11, 23)
SERIES = "Waiting-list huddle — therapy"
OTHER_SERIES = "Early shift brief — rapid response"
SURGE_RULE = "Surge: referrals 15% over baseline capacity for 5 days"
HIGH, WITHIN = 120, 100
OPERATIONAL = EscalationRung.OPERATIONAL
CLINICAL = EscalationRung.CLINICAL
CONTRACTUAL = EscalationRung.CONTRACTUAL


# --- helpers ------------------------------------------------------------------------------


def add_people(store: Store, *names: str) -> list[int]:
    provider = records.add(store, Provider(name="Community therapy", kind=ProviderKind.PRIME), "p")
    assert provider.id is not None
    people = [
        records.add(store, Person(name=name, role="Lead", provider_id=provider.id), "p")
        for name in names
    ]
    return [person.id for person in people if person.id is not None]


def count(store: Store, table: str, where: str = "1", *params: object) -> int:
    return store.conn.execute(f"SELECT count(*) FROM [{table}] WHERE {where}", params).fetchone()[0]


def audit_reasons(store: Store, table: str, operation: str) -> list[str]:
    return [
        reason
        for (reason,) in store.conn.execute(
            "SELECT reason FROM audit WHERE table_name = ? AND operation = ? ORDER BY id",
            (table, operation),
        )
    ]


def metric(name: str, owner: int, **fields: object) -> Metric:
    base = {
        "name": name,
        "unit": "referrals",
        "period": Period.DAILY,
        "tolerance_high": 110,
        "good": GoodDirection.LOWER,
        "response_pathway": "Daily review of the holding list by the pathway coordinator",
        "review_cycle": "monthly at the contract review",
        "owner_id": owner,
    }
    return Metric.model_validate({**base, **fields})


def defined(store: Store, name: str, owner: int, **fields: object) -> int:
    saved = define_metric(store, metric(name, owner, **fields), TODAY)
    assert saved.id is not None
    return saved.id


def surge_rule(metric_id: int, owner: int, **fields: object) -> TriggerRule:
    base = {
        "metric_id": metric_id,
        "name": SURGE_RULE,
        "comparison": Comparison.AT_OR_ABOVE,
        "threshold": 15,
        "relative_to_baseline": True,
        "periods": 5,
        "series": SERIES,
        "owner_id": owner,
        "rung": OPERATIONAL,
    }
    return TriggerRule.model_validate({**base, **fields})


def in_one_write(store: Store, readings: Sequence[Reading], today: date = TODAY) -> Recorded:
    """Readings recorded in one write, as an import records them."""
    with store.write("observations imported") as txn:
        return record_readings(txn, readings, today, ObservationSource.IMPORT)


def firings(store: Store) -> list[TriggerFiring]:
    cursor = store.conn.execute("SELECT * FROM trigger_firing ORDER BY id")
    names = [c[0] for c in cursor.description]
    return [TriggerFiring.model_validate(dict(zip(names, row, strict=True))) for row in cursor]


def action(store: Store, action_id: int | None) -> Action:
    assert action_id is not None
    return records.get(store, Action, action_id)


def trigger_actions(store: Store) -> int:
    return count(store, "action", "source = ?", ActionSource.TRIGGER.value)


def agenda_items(store: Store) -> list[tuple]:
    return store.conn.execute(
        "SELECT series, firing_id, added_on, meeting_id FROM agenda_item ORDER BY id"
    ).fetchall()


@dataclass
class Service:
    store: Store
    path: Path
    metric_owner: int
    """Ann Okafor: owns the metrics."""
    rule_owner: int
    """Ian Fairbairn: owns the surge rule and so its escalations."""
    chair: int
    """Ben Shaw: chairs the meetings."""
    referrals: int
    """Referrals received, daily, against a baseline of 100."""

    def enter(self, first: date, values: Sequence[float | None]) -> list[Recorded]:
        """One value a day from `first`, each entered on its own day; None skips a day."""
        done = []
        for offset, value in enumerate(values):
            day = first + timedelta(days=offset)
            if value is not None:
                reading = Reading(self.referrals, day, value)
                done.append(record_observation(self.store, reading, day))
        return done

    def imported(self, first: date, values: Sequence[float], today: date = TODAY) -> Recorded:
        """A history of one value a day from `first`, imported in one write on `today`."""
        readings = [
            Reading(self.referrals, first + timedelta(days=n), v) for n, v in enumerate(values)
        ]
        return in_one_write(self.store, readings, today)


@pytest.fixture
def service(store: Store, db_path: Path) -> Service:
    """Referrals received (daily, baseline 100) with the surge rule: at or above 15% over
    the baseline for 5 consecutive days, operational, for the waiting-list huddle."""
    ann, ian, ben = add_people(store, "Ann Okafor", "Ian Fairbairn", "Ben Shaw")
    referrals = defined(store, "Referrals received", ann, baseline=100)
    add_rule(store, surge_rule(referrals, ian), FIRST - timedelta(days=30))
    return Service(store, db_path, ann, ian, ben, referrals)


def meet(service: Service, day: date, series_name: str = SERIES) -> int:
    meeting = start_meeting(
        service.store,
        series=series_name,
        kind=MeetingKind.WAITING_LIST_HUDDLE,
        chair_id=service.chair,
        today=day,
        now=datetime.combine(day, time(11)),
    )
    assert meeting.id is not None
    return meeting.id


def signed(service: Service, meeting_id: int) -> str:
    """Sign the meeting off and return its minutes."""
    current = meeting_row(service.store, meeting_id)
    assert current.started_at is not None
    mark_attendance(service.store, meeting_id, service.chair, AttendanceStatus.PRESENT)
    current = meeting_row(service.store, meeting_id)
    done = sign_off(
        acting_as(service.store, service.chair),
        meeting_id,
        current.version,
        now=current.started_at + timedelta(minutes=30),
    )
    assert done.minutes is not None
    return done.minutes


def fired_section(minutes: str) -> str:
    """The "Fired triggers" section of the minutes, heading to the next heading."""
    start = minutes.index(". Fired triggers")
    end = minutes.find("\n## ", start)
    return minutes[start:end]


# --- runs through the store ---------------------------------------------------------------


def test_four_consecutive_days_over_do_not_fire_and_the_fifth_does(service: Service) -> None:
    days = service.enter(FIRST, [HIGH] * 4)
    assert all(not r.evaluation.fired for r in days)
    assert firings(service.store) == []
    fifth = service.enter(FRIDAY, [HIGH])[0]
    assert [f.fired_on for f in fifth.evaluation.fired] == [FRIDAY]
    (firing,) = firings(service.store)
    assert (firing.run_start, firing.fired_period, firing.fired_on) == (FIRST, FRIDAY, FRIDAY)
    assert [o["value"] for o in firing.observations] == [HIGH] * 5


def test_115_against_a_baseline_of_100_is_on_the_rule_and_114_99_is_not(service: Service) -> None:
    service.enter(FIRST, [115, 115, 115, 115, 114.99])
    assert firings(service.store) == []
    service.enter(FIRST + timedelta(days=5), [115] * 5)
    assert len(firings(service.store)) == 1


def test_a_missing_day_inside_the_run_breaks_it_in_the_store(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 4 + [None] + [HIGH] * 4)
    assert firings(service.store) == []
    assert trigger_actions(service.store) == 0


def test_the_firing_says_why_in_the_rules_words_with_each_value(service: Service) -> None:
    service.enter(FIRST, [116, 117, 118, 119, 120])
    (firing,) = firings(service.store)
    assert firing.why == (
        "Referrals received at or above 115 referrals (baseline 100 + 15%) for 5 consecutive"
        " days, 16/11/2026 to 20/11/2026: 16/11 116; 17/11 117; 18/11 118; 19/11 119; 20/11 120"
    )


# --- firing once --------------------------------------------------------------------------


def test_further_breaching_days_even_after_a_gap_do_not_fire_again(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 5 + [HIGH, HIGH, None, HIGH, HIGH, HIGH, HIGH, HIGH])
    (firing,) = firings(service.store)
    assert firing.cleared_on is None
    assert trigger_actions(service.store) == 1
    assert len(agenda_items(service.store)) == 1


# --- the escalation a firing opens --------------------------------------------------------


def test_a_firing_opens_an_escalation_from_its_rule_due_by_the_rungs_working_days(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)  # the fifth day is a Friday
    (firing,) = firings(service.store)
    opened = action(service.store, firing.action_id)
    assert opened.source == ActionSource.TRIGGER
    assert opened.rung == OPERATIONAL
    assert opened.owner_id == service.rule_owner != service.metric_owner
    assert (opened.created_on, opened.due_date) == (FRIDAY, MONDAY)
    assert opened.status == ActionStatus.OPEN
    assert opened.title == f"Trigger fired: {SURGE_RULE} (Referrals received)"


@pytest.mark.parametrize(
    ("rung", "due"),
    [(OPERATIONAL, MONDAY), (CLINICAL, date(2026, 11, 24)), (CONTRACTUAL, date(2026, 11, 27))],
)
def test_the_escalation_is_on_the_rules_rung_and_due_by_its_timeframe(
    store: Store, rung: EscalationRung, due: date
) -> None:
    (owner,) = add_people(store, "Ian Fairbairn")
    referrals = defined(store, "Referrals received", owner, baseline=100)
    add_rule(store, surge_rule(referrals, owner, periods=1, rung=rung), FRIDAY)
    fired = record_observation(store, Reading(referrals, FRIDAY, HIGH), FRIDAY).evaluation.fired
    opened = action(store, fired[0].action_id)
    assert (opened.rung, opened.due_date) == (rung, due)


def test_a_firing_puts_itself_on_the_agenda_of_the_rules_series(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 5)
    (firing,) = firings(service.store)
    assert agenda_items(service.store) == [(SERIES, firing.id, FRIDAY.isoformat(), None)]


def test_fired_triggers_show_what_fired_and_who_has_the_escalation(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 5)
    (shown,) = fired_triggers(service.store, FRIDAY)
    assert (shown.rule, shown.metric, shown.series) == (SURGE_RULE, "Referrals received", SERIES)
    assert (shown.owner, shown.rung, shown.due_date) == ("Ian Fairbairn", OPERATIONAL, MONDAY)
    assert shown.words(FRIDAY).endswith(
        "· escalation: Ian Fairbairn, operational rung, due 23/11, open"
    )
    assert "OVERDUE, due 23/11" in shown.words(date(2026, 11, 24))
    assert fired_triggers(service.store, FRIDAY - timedelta(days=1)) == []


def test_fired_between_lists_what_fired_after_a_day_up_to_another(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 5)
    assert [f.rule for f in fired_between(service.store, FIRST, FRIDAY)] == [SURGE_RULE]
    assert fired_between(service.store, FRIDAY, TODAY) == []
    assert fired_between(service.store, FIRST, FRIDAY - timedelta(days=1)) == []


# --- clearing -----------------------------------------------------------------------------


def test_the_first_day_back_within_clears_the_firing_in_one_audited_update(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5 + [HIGH, None, WITHIN, WITHIN])
    (firing,) = firings(service.store)
    back = FIRST + timedelta(days=7)
    assert (firing.cleared_on, firing.cleared_period) == (back, back)
    assert firing.cleared_why == "back within the rule on 23/11 100"
    assert audit_reasons(service.store, "trigger_firing", "update") == [
        f"trigger cleared: {SURGE_RULE}"
    ]
    assert fired_triggers(service.store, back) == []
    assert len(fired_triggers(service.store, back - timedelta(days=1))) == 1


def test_clearing_leaves_the_escalation_open_for_a_person_to_record_the_outcome(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5 + [WITHIN])
    (firing,) = firings(service.store)
    assert firing.cleared_on is not None
    escalation = action(service.store, firing.action_id)
    assert escalation.status == ActionStatus.OPEN and escalation.evidence is None


def test_a_new_run_of_five_after_clearing_fires_again_with_a_second_escalation(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5 + [WITHIN] + [HIGH] * 5)
    first, second = firings(service.store)
    assert first.cleared_period == FIRST + timedelta(days=5)
    assert (second.run_start, second.cleared_on) == (FIRST + timedelta(days=6), None)
    assert first.action_id != second.action_id
    assert trigger_actions(service.store) == 2
    assert [item[1] for item in agenda_items(service.store)] == [first.id, second.id]


# --- a history imported in one go ---------------------------------------------------------


def test_a_history_that_fired_and_cleared_within_itself_opens_no_escalation(
    service: Service,
) -> None:
    done = service.imported(FIRST - timedelta(days=14), [HIGH] * 5 + [WITHIN] * 3)
    (firing,) = firings(service.store)
    assert (firing.fired_on, firing.cleared_on) == (TODAY, TODAY)
    assert firing.cleared_period == FIRST - timedelta(days=9)
    assert firing.action_id is None
    assert trigger_actions(service.store) == 0
    assert agenda_items(service.store) == []
    assert [f.id for f in done.evaluation.fired] == [f.id for f in done.evaluation.cleared]
    assert "no escalation (found already over)" in fired_between(service.store, FIRST, TODAY)[
        0
    ].words(TODAY)


def test_a_run_still_open_at_the_end_of_a_history_opens_exactly_one_escalation(
    service: Service,
) -> None:
    service.imported(FIRST - timedelta(days=14), [HIGH] * 5 + [WITHIN] + [HIGH] * 6)
    over, standing = firings(service.store)
    assert (over.action_id, over.cleared_on) == (None, TODAY)
    assert standing.cleared_on is None and standing.action_id is not None
    assert trigger_actions(service.store) == 1
    assert agenda_items(service.store) == [(SERIES, standing.id, TODAY.isoformat(), None)]


def test_a_rule_added_over_a_standing_run_fires_at_once(store: Store) -> None:
    (owner,) = add_people(store, "Ian Fairbairn")
    referrals = defined(store, "Referrals received", owner, baseline=100)
    readings = [Reading(referrals, FIRST + timedelta(days=n), HIGH) for n in range(5)]
    in_one_write(store, readings, FRIDAY)
    _, evaluation = add_rule(store, surge_rule(referrals, owner), SATURDAY)
    assert [f.fired_on for f in evaluation.fired] == [SATURDAY]
    assert trigger_actions(store) == 1


# --- start-up: evaluation and the ladder, written only when due ---------------------------


def test_evaluate_all_catches_up_with_observations_stored_without_evaluation(
    service: Service,
) -> None:
    with service.store.write("observations stored by another route") as txn:
        records.insert_many(
            txn,
            [
                Observation(
                    metric_id=service.referrals,
                    period_start=FIRST + timedelta(days=n),
                    value=HIGH,
                    recorded_on=FRIDAY,
                )
                for n in range(5)
            ],
        )
    assert firings(service.store) == []
    found = evaluate_all(service.store, SATURDAY)
    assert [f.fired_on for f in found.fired] == [SATURDAY]
    assert evaluate_all(service.store, SATURDAY).fired == []
    assert len(firings(service.store)) == 1


def test_evaluate_all_and_climbing_write_nothing_on_an_unchanged_database(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)
    climb_escalations(service.store, TODAY)  # due Monday: nothing yet
    before = count(service.store, "audit")
    assert evaluate_all(service.store, TODAY).fired == []
    assert climb_escalations(service.store, TODAY) == 0
    assert count(service.store, "audit") == before


# --- the ladder in the store --------------------------------------------------------------


@pytest.fixture
def escalation(service: Service) -> int:
    """Raised by hand on Thursday 19/11 at operational, so due on Friday 20/11."""
    raised = raise_escalation(
        service.store,
        title="Therapy South caseload unsafe",
        owner_id=service.rule_owner,
        rung=OPERATIONAL,
        today=FRIDAY - timedelta(days=1),
    )
    assert raised.id is not None and raised.due_date == FRIDAY
    return raised.id


def test_a_day_past_its_due_date_the_escalation_climbs_a_rung_with_a_reason(
    service: Service, escalation: int
) -> None:
    assert climb_escalations(service.store, SATURDAY) == 1
    assert climbs_of(service.store, escalation) == [
        ClimbLine(OPERATIONAL, CLINICAL, SATURDAY, FRIDAY, date(2026, 11, 24))
    ]
    climbed = action(service.store, escalation)
    assert (climbed.rung, climbed.due_date) == (CLINICAL, date(2026, 11, 24))
    assert audit_reasons(service.store, "action", "update") == [
        "escalation climbed to clinical: no outcome recorded within the operational"
        " timeframe (due 20/11/2026)"
    ]


def test_climbing_again_the_same_day_records_nothing(service: Service, escalation: int) -> None:
    climb_escalations(service.store, SATURDAY)
    before = count(service.store, "audit")
    assert climb_escalations(service.store, SATURDAY) == 0
    assert count(service.store, "audit") == before
    assert len(climbs_of(service.store, escalation)) == 1


def test_by_the_next_wednesday_it_has_climbed_twice_to_contractual(
    service: Service, escalation: int
) -> None:
    wednesday = date(2026, 11, 25)
    assert climb_escalations(service.store, wednesday) == 1
    assert climbs_of(service.store, escalation) == [
        ClimbLine(OPERATIONAL, CLINICAL, SATURDAY, FRIDAY, date(2026, 11, 24)),
        ClimbLine(CLINICAL, CONTRACTUAL, wednesday, date(2026, 11, 24), date(2026, 12, 1)),
    ]
    climbed = action(service.store, escalation)
    assert (climbed.rung, climbed.due_date) == (CONTRACTUAL, date(2026, 12, 1))
    assert climb_escalations(service.store, date(2027, 3, 1)) == 0  # contractual is the top
    (line,) = escalation_lines(service.store, date(2027, 3, 1), 0, 10)
    assert (line.climbs, line.last_climb, line.overdue) == (2, wednesday, True)


def test_a_closed_escalation_never_climbs(service: Service, escalation: int) -> None:
    current = action(service.store, escalation)
    actions.close(
        acting_as(service.store, service.rule_owner),
        escalation,
        current.version,
        evidence="Allocation moved to North and West",
        today=FRIDAY,
    )
    assert climb_escalations(service.store, date(2026, 12, 31)) == 0
    assert climbs_of(service.store, escalation) == []
    assert count_escalations(service.store, date(2026, 12, 31)) == (1, 0, 0)


def test_an_action_without_a_rung_never_climbs(service: Service) -> None:
    plain = actions.add_action(
        service.store,
        title="Chase the referral letter",
        owner_id=service.chair,
        due_date=FRIDAY,
        today=FRIDAY - timedelta(days=1),
    )
    assert climb_escalations(service.store, date(2026, 12, 31)) == 0
    assert action(service.store, plain.id).rung is None
    assert count(service.store, "escalation_climb") == 0


def test_an_escalation_raised_by_hand_needs_what_is_escalated(service: Service) -> None:
    with pytest.raises(ValueError, match="^what:"):
        raise_escalation(
            service.store, title="  ", owner_id=service.chair, rung=CLINICAL, today=FRIDAY
        )


# --- what the database refuses on a plain connection --------------------------------------


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
class OnRecord:
    service: Service
    ids: dict[str, int]


@pytest.fixture
def recorded(service: Service) -> OnRecord:
    """A cleared firing, an open one with its agenda item, and a climb of its escalation."""
    service.enter(FIRST, [HIGH] * 5 + [WITHIN] + [HIGH] * 5)
    cleared, standing = firings(service.store)
    climb_escalations(service.store, date(2026, 12, 1))
    assert cleared.id is not None and standing.id is not None
    ids = {
        "cleared": cleared.id,
        "open": standing.id,
        "climb": service.store.conn.execute("SELECT max(id) FROM escalation_climb").fetchone()[0],
        "item": service.store.conn.execute(
            "SELECT id FROM agenda_item WHERE firing_id = ?", (standing.id,)
        ).fetchone()[0],
    }
    assert cleared.cleared_on is not None and standing.cleared_on is None
    assert all(ids.values())
    return OnRecord(service, ids)


def snapshot(store: Store) -> dict[str, list[tuple]]:
    tables = ("trigger_firing", "escalation_climb", "agenda_item")
    return {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in tables}


REFUSED = {
    "change why a firing fired": "UPDATE trigger_firing SET why = 'nothing much' WHERE id = :open",
    "change the observations that fired it": (
        "UPDATE trigger_firing SET observations = '[]' WHERE id = :open"
    ),
    "clear an already cleared firing": (
        "UPDATE trigger_firing SET cleared_on = '2026-12-02', cleared_why = 'again' "
        "WHERE id = :cleared"
    ),
    "delete a firing": "DELETE FROM trigger_firing WHERE id = :cleared",
    "delete a climb": "DELETE FROM escalation_climb WHERE id = :climb",
    "change a climb": "UPDATE escalation_climb SET to_rung = 'operational' WHERE id = :climb",
    "delete an agenda item": "DELETE FROM agenda_item WHERE id = :item",
    "replace a firing": (
        "INSERT OR REPLACE INTO trigger_firing SELECT * FROM trigger_firing WHERE id = :open"
    ),
    "replace a climb": (
        "INSERT OR REPLACE INTO escalation_climb SELECT * FROM escalation_climb WHERE id = :climb"
    ),
    "replace an agenda item": (
        "INSERT OR REPLACE INTO agenda_item SELECT * FROM agenda_item WHERE id = :item"
    ),
}


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_raw_sql_on_a_plain_connection_cannot_rewrite_what_fired(
    recorded: OnRecord, sql: str
) -> None:
    store = recorded.service.store
    before = snapshot(store)
    with (
        plain_connection(recorded.service.path) as conn,
        pytest.raises(sqlite3.IntegrityError, match="stands as recorded|an agenda item stays"),
    ):
        conn.execute(sql, recorded.ids)
    assert snapshot(store) == before


def test_raw_sql_may_only_add_the_clearing_of_an_open_firing(recorded: OnRecord) -> None:
    with plain_connection(recorded.service.path) as conn:
        conn.execute(
            "UPDATE trigger_firing SET cleared_on = '2026-12-02', cleared_period = '2026-12-01', "
            "cleared_why = 'back within' WHERE id = :open",
            recorded.ids,
        )
        with pytest.raises(sqlite3.IntegrityError, match="only its clearing is added, once"):
            conn.execute(
                "UPDATE trigger_firing SET cleared_why = 'changed my mind' WHERE id = :open",
                recorded.ids,
            )


# --- the agenda of the rule's series ------------------------------------------------------


def test_a_meeting_of_the_series_on_or_after_the_firing_day_has_it_on_its_agenda(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)
    same_day = meet(service, FRIDAY)
    (listed,) = on_agenda(service.store, same_day)
    assert (listed.rule, listed.fired_on) == (SURGE_RULE, FRIDAY)
    other = meet(service, MONDAY, OTHER_SERIES)
    assert on_agenda(service.store, other) == []


def test_a_meeting_held_before_the_firing_day_neither_lists_nor_takes_it(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 3)
    before = meet(service, FIRST + timedelta(days=3))
    service.enter(FIRST + timedelta(days=3), [HIGH] * 2)
    assert on_agenda(service.store, before) == []
    minutes = signed(service, before)
    assert SURGE_RULE not in minutes
    assert [item[3] for item in agenda_items(service.store)] == [None]


def test_sign_off_takes_the_fired_trigger_into_the_minutes_and_off_the_next_agenda(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)
    (firing,) = firings(service.store)
    huddle = meet(service, MONDAY)
    minutes = signed(service, huddle)
    assert agenda_items(service.store) == [(SERIES, firing.id, FRIDAY.isoformat(), huddle)]
    section = fired_section(minutes)
    assert f"- Reviewed: FIRED 20/11: {firing.why}" in section
    assert "escalation: Ian Fairbairn, operational rung" in section
    assert [f.firing_id for f in on_agenda(service.store, huddle)] == [firing.id]
    next_week = meet(service, MONDAY + timedelta(days=7))
    assert on_agenda(service.store, next_week) == []


def test_an_agenda_item_taken_at_a_meeting_stays_with_it_on_a_plain_connection(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)
    signed(service, meet(service, MONDAY))
    with (
        plain_connection(service.path) as conn,
        pytest.raises(sqlite3.IntegrityError, match="stays on the agenda of that meeting"),
    ):
        conn.execute("UPDATE agenda_item SET meeting_id = NULL")


def test_a_trigger_fired_after_a_meeting_was_signed_off_is_not_on_that_meetings_agenda(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 4)
    earlier = meet(service, FRIDAY)
    minutes = signed(service, earlier)
    service.enter(FRIDAY, [HIGH])  # the fifth day's count comes in after the huddle
    assert SURGE_RULE not in minutes
    assert on_agenda(service.store, earlier) == []


# --- derived metrics in the store ---------------------------------------------------------


@dataclass
class Caseload:
    store: Store
    caseload: int
    clinicians: int
    per_clinician: int
    week: date

    def record(self, metric_id: int, value: float, team: str = "Therapy North") -> Recorded:
        return record_observation(self.store, Reading(metric_id, self.week, value, team), TODAY)

    def derived(self, team: str = "Therapy North") -> list[tuple]:
        return self.store.conn.execute(
            "SELECT value, source FROM observation WHERE metric_id = ? AND segment = ?",
            (self.per_clinician, team),
        ).fetchall()


@pytest.fixture
def caseload(store: Store) -> Caseload:
    return caseload_by_team(store)


def caseload_by_team(store: Store) -> Caseload:
    """Open caseload and clinicians in post by team, Nadia Bello's, and the caseload per
    clinician the app works out from them."""
    (lead,) = add_people(store, "Nadia Bello")
    weekly = {"period": Period.WEEKLY, "segmentation": Segmentation.TEAM}
    cases = defined(store, "Open caseload", lead, unit="cases", tolerance_high=130, **weekly)
    wte = defined(store, "Clinicians in post", lead, unit="WTE", tolerance_low=4, **weekly)
    per = defined(
        store,
        "Caseload per clinician",
        lead,
        unit="cases per WTE",
        tolerance_low=18,
        tolerance_high=26,
        derivation=Derivation.PER_CLINICIAN,
        inputs={"caseload": cases, "clinicians": wte},
        **weekly,
    )
    return Caseload(store, cases, wte, per, period_start(TODAY, Period.WEEKLY))


def test_recording_caseload_and_wte_works_out_the_caseload_per_clinician(
    caseload: Caseload,
) -> None:
    caseload.record(caseload.caseload, 100)
    assert caseload.derived() == []  # no WTE yet: no number made up
    caseload.record(caseload.clinicians, 4)
    assert caseload.derived() == [(25.0, ObservationSource.DERIVED.value)]
    assert ObservationSource.DERIVED.value == "worked out by the app"


def test_correcting_an_input_works_the_derived_value_out_again(caseload: Caseload) -> None:
    caseload.record(caseload.caseload, 100)
    caseload.record(caseload.clinicians, 4)
    done = caseload.record(caseload.caseload, 110)
    assert (done.new, done.changed) == (0, 1)
    assert caseload.derived() == [(27.5, ObservationSource.DERIVED.value)]
    assert audit_reasons(caseload.store, "observation", "update") == [
        "corrected: 100 became 110",
        "corrected: 25 became 27.5",
    ]


def test_zero_wte_gives_no_caseload_per_clinician(caseload: Caseload) -> None:
    caseload.record(caseload.caseload, 100)
    caseload.record(caseload.clinicians, 0)
    assert caseload.derived() == []


def test_correcting_an_input_so_it_cannot_be_worked_out_leaves_no_stale_value(
    caseload: Caseload,
) -> None:
    caseload.record(caseload.caseload, 100)
    caseload.record(caseload.clinicians, 4)
    caseload.record(caseload.clinicians, 0)
    assert caseload.derived() == []


def test_the_sustainability_index_is_worked_out_in_the_store(caseload: Caseload) -> None:
    store = caseload.store
    lead = store.conn.execute("SELECT id FROM person").fetchone()[0]
    weekly = {"period": Period.WEEKLY, "segmentation": Segmentation.TEAM}
    acuity = defined(store, "Mean acuity", lead, unit="weighting", tolerance_high=1.5, **weekly)
    sick = defined(store, "Sickness rate", lead, unit="%", tolerance_high=6, **weekly)
    index = defined(
        store,
        "Caseload sustainability index",
        lead,
        unit="weighted cases per WTE at work",
        tolerance_high=30,
        derivation=Derivation.SUSTAINABILITY,
        inputs={
            "caseload": caseload.caseload,
            "clinicians": caseload.clinicians,
            "acuity": acuity,
            "sickness": sick,
        },
        **weekly,
    )
    for metric_id, value in ((caseload.caseload, 100), (caseload.clinicians, 4), (acuity, 1.2)):
        caseload.record(metric_id, value)
    stored = "SELECT value FROM observation WHERE metric_id = ?"
    assert store.conn.execute(stored, (index,)).fetchall() == []
    caseload.record(sick, 10)
    assert store.conn.execute(stored, (index,)).fetchall() == [(100 / 3,)]


def test_a_measure_against_its_baseline_is_worked_out_in_the_store(service: Service) -> None:
    vs = defined(
        service.store,
        "Referrals against baseline capacity",
        service.metric_owner,
        unit="% of capacity",
        derivation=Derivation.VS_BASELINE,
        inputs={"measure": service.referrals},
    )
    service.enter(FRIDAY, [46])
    assert service.store.conn.execute(
        "SELECT period_start, value, source FROM observation WHERE metric_id = ?", (vs,)
    ).fetchall() == [(FRIDAY.isoformat(), 46.0, ObservationSource.DERIVED.value)]


def test_a_derived_metric_is_not_entered_by_hand(caseload: Caseload) -> None:
    with pytest.raises(ValueError, match="^metric: Caseload per clinician is worked out"):
        caseload.record(caseload.per_clinician, 25)


def test_a_derived_metric_needs_the_inputs_its_formula_names(caseload: Caseload) -> None:
    lead = caseload.store.conn.execute("SELECT id FROM person").fetchone()[0]
    with pytest.raises(ValueError, match="^inputs: caseload per clinician needs"):
        defined(
            caseload.store,
            "Caseload per clinician again",
            lead,
            period=Period.WEEKLY,
            segmentation=Segmentation.TEAM,
            derivation=Derivation.PER_CLINICIAN,
            inputs={"caseload": caseload.caseload},
        )


# --- validation ---------------------------------------------------------------------------


def test_a_period_that_has_not_happened_yet_is_refused(service: Service) -> None:
    tomorrow = Reading(service.referrals, TODAY + timedelta(days=1), 40)
    with pytest.raises(ValueError, match="^period: 23/11/2026 has not happened yet"):
        record_observation(service.store, tomorrow, TODAY)
    assert count(service.store, "observation") == 0


def test_a_segment_on_a_whole_service_metric_is_refused(service: Service) -> None:
    with pytest.raises(ValueError, match="^segment: Referrals received is for the whole service"):
        record_observation(
            service.store, Reading(service.referrals, TODAY, 40, "Therapy North"), TODAY
        )


def test_a_metric_by_team_needs_the_team_named(caseload: Caseload) -> None:
    with pytest.raises(ValueError, match="^segment: Open caseload is by team; name the team"):
        caseload.record(caseload.caseload, 100, team=" ")


def test_a_variance_rule_on_a_whole_service_metric_is_refused(service: Service) -> None:
    spread = surge_rule(
        service.referrals,
        service.rule_owner,
        kind=RuleKind.VARIANCE,
        relative_to_baseline=False,
        comparison=Comparison.ABOVE,
        threshold=10,
    )
    with pytest.raises(ValueError, match="^kind: a variance between segments needs"):
        add_rule(service.store, spread, TODAY)


def test_a_threshold_rule_on_a_metric_by_team_is_refused(caseload: Caseload) -> None:
    owner = caseload.store.conn.execute("SELECT id FROM person").fetchone()[0]
    threshold = surge_rule(caseload.caseload, owner, relative_to_baseline=False)
    with pytest.raises(ValueError, match="^kind: a metric by team or provider takes a variance"):
        add_rule(caseload.store, threshold, TODAY)


def test_a_rule_relative_to_a_baseline_the_metric_lacks_is_refused(service: Service) -> None:
    visits = defined(service.store, "Missed visits", service.metric_owner, unit="visits")
    with pytest.raises(ValueError, match="^relative to baseline: Missed visits has no baseline"):
        add_rule(service.store, surge_rule(visits, service.rule_owner), TODAY)
    assert count(service.store, "trigger_rule") == 1


def test_a_metric_with_neither_tolerance_limit_is_refused(service: Service) -> None:
    with pytest.raises(ValidationError, match="tolerance: give a low or a high limit"):
        metric("Missed visits", service.metric_owner, tolerance_high=None)


def test_a_second_metric_of_the_same_name_is_refused(service: Service) -> None:
    with pytest.raises(ValueError, match="^name: a metric called 'Referrals received' already"):
        defined(service.store, "Referrals received", service.metric_owner)
    assert count(service.store, "metric") == 1


def test_a_different_value_for_a_recorded_period_corrects_it_with_the_old_one_audited(
    service: Service,
) -> None:
    service.enter(FRIDAY, [40])
    done = service.enter(FRIDAY, [42])[0]
    assert (done.new, done.changed, done.same) == (0, 1, 0)
    assert audit_reasons(service.store, "observation", "update") == ["corrected: 40 became 42"]
    assert service.store.conn.execute("SELECT value FROM observation").fetchall() == [(42.0,)]


def test_the_same_value_again_counts_as_same_and_writes_no_audit_row(service: Service) -> None:
    service.enter(FRIDAY, [40])
    before = count(service.store, "audit")
    done = service.enter(FRIDAY, [40.0])[0]
    assert (done.new, done.changed, done.same) == (0, 0, 1)
    assert count(service.store, "audit") == before


def test_a_new_period_given_twice_in_one_batch_is_refused(service: Service) -> None:
    twice = [Reading(service.referrals, FRIDAY, v) for v in (40, 41)]
    with pytest.raises(ValueError, match="^period: 20/11/2026  is given twice"):
        in_one_write(service.store, twice)
    assert count(service.store, "observation") == 0


def test_a_recorded_period_given_twice_in_one_batch_is_refused(service: Service) -> None:
    service.enter(FRIDAY, [40])
    twice = [Reading(service.referrals, FRIDAY, v) for v in (41, 42)]
    with pytest.raises(ValueError, match="^period: 20/11/2026  is given twice"):
        in_one_write(service.store, twice)


def test_a_new_period_given_twice_far_apart_in_one_batch_is_refused_in_words(
    service: Service,
) -> None:
    """Sixty rows apart: the check is over the whole batch, not a window of recent rows."""
    start = date(2026, 8, 1)
    readings = [Reading(service.referrals, start + timedelta(days=n), 40) for n in range(60)]
    readings.append(Reading(service.referrals, start, 41))
    with pytest.raises(ValueError, match="^period: 01/08/2026  is given twice"):
        in_one_write(service.store, readings)
    assert count(service.store, "observation") == 0


# --- reads --------------------------------------------------------------------------------


def test_the_metric_line_shows_the_latest_value_against_tolerance(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 5)
    (line,) = metric_lines(service.store, 0, 10)
    assert (line.owner, line.latest_period, line.latest) == ("Ann Okafor", FRIDAY, HIGH)
    assert (line.standing, line.tolerance, line.open_firings) == ("ABOVE", "≤ 110", 1)
    assert [r.name for r in line.rules] == [SURGE_RULE]


def test_the_series_keeps_its_latest_periods_and_marks_the_firing(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 5 + [WITHIN])
    (referrals,) = [line.metric for line in metric_lines(service.store, 0, 10)]
    drawn = series(service.store, referrals, 3)
    assert [p for p, _ in drawn.points] == [FIRST + timedelta(days=n) for n in (3, 4, 5)]
    assert (drawn.fired, drawn.cleared) == ([FRIDAY], [SATURDAY])
    assert (drawn.low, drawn.high, drawn.plotted) == (None, 110, "referrals")


# --- the demo -----------------------------------------------------------------------------


def firing_of(store: Store, rule_name: str) -> TriggerFiring:
    cursor = store.conn.execute(
        "SELECT f.* FROM trigger_firing AS f JOIN trigger_rule AS r ON r.id = f.rule_id "
        "WHERE r.name = ?",
        (rule_name,),
    )
    names = [c[0] for c in cursor.description]
    (row,) = cursor.fetchall()
    return TriggerFiring.model_validate(dict(zip(names, row, strict=True)))


def test_the_demo_has_one_trigger_fired_the_surge_owned_by_ian_fairbairn(demo: Store) -> None:
    (fired,) = status_summary(demo, TODAY).triggers.fired
    assert fired.rule == SURGE_RULE
    assert fired.fired_on == SATURDAY
    assert fired.run == [date(2026, 11, 17) + timedelta(days=n) for n in range(5)]
    assert fired.observations == [47, 48, 46, 49, 47] == list(SURGE)
    assert fired.escalation_owner == "Ian Fairbairn"
    assert fired.escalation_status == ActionStatus.OPEN
    assert (fired.rung, fired.due, fired.agenda_series) == (
        OPERATIONAL,
        MONDAY,
        WAITING_LIST_HUDDLE.name,
    )


def test_a_waiting_list_huddle_started_in_the_demo_today_lists_the_surge(demo: Store) -> None:
    chair = demo.conn.execute("SELECT id FROM person WHERE name = 'Ian Fairbairn'").fetchone()[0]
    huddle = start_meeting(
        demo,
        series=WAITING_LIST_HUDDLE.name,
        kind=WAITING_LIST_HUDDLE.kind,
        chair_id=chair,
        today=TODAY,
        now=datetime.combine(TODAY, time(10)),
    )
    assert huddle.id is not None
    assert [f.rule for f in on_agenda(demo, huddle.id)] == [SURGE_RULE]


def test_the_demos_caseload_variance_fired_climbed_was_closed_and_cleared(demo: Store) -> None:
    firing = firing_of(demo, "Caseload variance between teams over 10%")
    assert firing.cleared_on is not None and firing.cleared_on < TODAY
    escalation = action(demo, firing.action_id)
    assert escalation.status == ActionStatus.CLOSED
    assert (escalation.evidence or "").startswith("Supervision for Therapy South moved to weekly")
    (climb,) = climbs_of(demo, escalation.id or 0)
    assert (climb.from_rung, climb.to_rung) == (OPERATIONAL, CLINICAL)


def test_opening_the_demo_on_its_day_evaluates_and_climbs_nothing(demo: Store) -> None:
    before = count(demo, "audit")
    assert evaluate_all(demo, TODAY).fired == []
    assert evaluate_all(demo, TODAY).cleared == []
    assert climb_escalations(demo, TODAY) == 0
    assert count(demo, "audit") == before
