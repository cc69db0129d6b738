"""Corrections re-evaluate (issue 22, Deliver 4): correcting an observation inside a fired
run re-checks the standing firing over its run, against the rule as it stood when it fired.
A run that no longer holds clears the firing with the reason "corrected", audited, and its
escalation is told in its title and history (never closed: a person decides); a run the
corrected values now support fires. Observations that correct nothing behave as before.
Real SQLite files and fixed dates.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from huddle.models import (
    ActionStatus,
    Comparison,
    RuleKind,
    TriggerRule,
)
from store import Store
from store.check import check_database
from store.oversight import (
    CLEARED_AS_CORRECTED,
    Reading,
    Recorded,
    add_rule,
    edit_rule,
    record_observation,
)
from store.oversight_reads import escalation_lines, fired_triggers
from tests.test_oversight_store import (
    FIRST,
    FRIDAY,
    HIGH,
    OPERATIONAL,
    SATURDAY,
    SERIES,
    SURGE_RULE,
    TODAY,
    WITHIN,
    Caseload,
    Service,
    action,
    add_people,
    agenda_items,
    audit_reasons,
    caseload_by_team,
    defined,
    firings,
    in_one_write,
    surge_rule,
    trigger_actions,
)

WEDNESDAY = FIRST + timedelta(days=2)
TITLE = f"Trigger fired: {SURGE_RULE} (Referrals received)"
TOLD = f"{TITLE} — {CLEARED_AS_CORRECTED} 22/11/2026"


@pytest.fixture
def service(store: Store, db_path: Path) -> Service:
    """As in tests/test_oversight_store.py: referrals received (daily, baseline 100) with
    the surge rule, at or above 15% over the baseline for 5 consecutive days."""
    ann, ian, ben = add_people(store, "Ann Okafor", "Ian Fairbairn", "Ben Shaw")
    referrals = defined(store, "Referrals received", ann, baseline=100)
    add_rule(store, surge_rule(referrals, ian), FIRST - timedelta(days=30))
    return Service(store, db_path, ann, ian, ben, referrals)


def correct(service: Service, day: date, value: float) -> Recorded:
    """A different value for a day already recorded, entered on Sunday 22/11."""
    return record_observation(service.store, Reading(service.referrals, day, value), TODAY)


def audit_ok(store: Store) -> None:
    report = check_database(store.conn)
    assert report.ok, report.lines()


# --- a run that no longer holds ----------------------------------------------------------


def test_a_day_corrected_back_within_clears_the_standing_firing_as_corrected(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)
    (fired,) = firings(service.store)
    done = correct(service, WEDNESDAY, WITHIN)
    (firing,) = firings(service.store)
    assert (firing.cleared_on, firing.cleared_period) == (TODAY, WEDNESDAY)
    assert firing.cleared_why == (
        "corrected: 18/11 is now 100, not at or above 115 referrals;"
        " the run 16/11/2026 to 20/11/2026 no longer holds"
    )
    assert [f.id for f in done.evaluation.corrected] == [fired.id]
    assert [f.id for f in done.evaluation.cleared] == [fired.id]
    assert done.evaluation.fired == []
    assert audit_reasons(service.store, "trigger_firing", "update") == [
        f"trigger cleared as corrected: {SURGE_RULE}"
    ]
    assert fired_triggers(service.store, TODAY) == []
    # What fired stands as recorded: only the clearing is added.
    assert (firing.why, firing.observations) == (fired.why, fired.observations)
    audit_ok(service.store)


def test_its_escalation_is_told_in_its_title_and_history_and_left_to_a_person(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)
    (fired,) = firings(service.store)
    assert action(service.store, fired.action_id).title == TITLE
    correct(service, WEDNESDAY, WITHIN)
    escalation = action(service.store, fired.action_id)
    assert escalation.title == TOLD
    assert escalation.status == ActionStatus.OPEN and escalation.evidence is None
    (told,) = audit_reasons(service.store, "action", "update")
    assert told.startswith(
        "the firing behind this escalation was cleared as corrected: 18/11 is now 100"
    )
    assert told.endswith("whether the escalation still stands is for a person to decide")
    # The escalation log says so in words.
    (line,) = escalation_lines(service.store, TODAY, 0, 10)
    assert "cleared as corrected" in line.title
    assert trigger_actions(service.store) == 1
    audit_ok(service.store)


def test_a_closed_escalation_is_told_too_and_stays_closed(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 5)
    (fired,) = firings(service.store)
    with service.store.write("closed for the test") as txn:
        txn.update(
            "action",
            fired.action_id,  # type: ignore[arg-type]
            {
                "status": ActionStatus.CLOSED.value,
                "evidence": "extra clinic",
                "closed_on": TODAY.isoformat(),
            },
            action(service.store, fired.action_id).version,
        )
    correct(service, WEDNESDAY, WITHIN)
    escalation = action(service.store, fired.action_id)
    assert escalation.title == TOLD
    assert escalation.status == ActionStatus.CLOSED


def test_a_correction_that_moves_the_run_clears_it_and_the_run_now_supported_fires(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 6)  # fired on Friday; Saturday belongs to the same run
    (old,) = firings(service.store)
    done = correct(service, FIRST, WITHIN)
    cleared, new = firings(service.store)
    assert cleared.id == old.id
    assert (cleared.cleared_period, cleared.cleared_why is not None) == (FIRST, True)
    assert cleared.cleared_why.startswith("corrected: 16/11 is now 100")  # type: ignore[union-attr]
    assert (new.run_start, new.fired_period, new.fired_on) == (
        FIRST + timedelta(days=1),
        SATURDAY,
        TODAY,
    )
    assert new.cleared_on is None and new.action_id not in (None, old.action_id)
    assert [f.id for f in done.evaluation.fired] == [new.id]
    assert [f.id for f in done.evaluation.corrected] == [old.id]
    assert action(service.store, old.action_id).title == TOLD
    assert action(service.store, new.action_id).title == TITLE
    assert trigger_actions(service.store) == 2
    assert [item[1] for item in agenda_items(service.store)] == [old.id, new.id]
    assert [f.firing_id for f in fired_triggers(service.store, TODAY)] == [new.id]
    audit_ok(service.store)


def test_an_import_correcting_two_days_clears_at_the_first_that_no_longer_holds(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)
    readings = [
        Reading(service.referrals, FRIDAY, WITHIN),
        Reading(service.referrals, WEDNESDAY, WITHIN),
    ]
    done = in_one_write(service.store, readings)
    (firing,) = firings(service.store)
    assert firing.cleared_period == WEDNESDAY
    assert len(done.evaluation.corrected) == 1 and done.evaluation.fired == []


# --- what a correction leaves standing ---------------------------------------------------


def test_a_correction_that_still_breaches_leaves_the_firing_and_escalation_as_they_are(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)
    done = correct(service, WEDNESDAY, 116)
    (firing,) = firings(service.store)
    assert firing.cleared_on is None
    assert (done.changed, done.evaluation.cleared, done.evaluation.fired) == (1, [], [])
    assert audit_reasons(service.store, "trigger_firing", "update") == []
    assert audit_reasons(service.store, "action", "update") == []
    assert action(service.store, firing.action_id).title == TITLE


def test_the_run_is_judged_by_the_rule_as_it_fired_not_as_edited_since(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 5)
    rule_id, version = service.store.conn.execute(
        "SELECT id, version FROM trigger_rule WHERE name = ?", (SURGE_RULE,)
    ).fetchone()
    edit_rule(service.store, rule_id, version, {"threshold": 25}, "tighter from December", TODAY)
    correct(service, WEDNESDAY, 119)  # over 115 as it fired, under 125 as it is now
    (firing,) = firings(service.store)
    assert firing.cleared_on is None
    correct(service, WEDNESDAY, 114)
    (firing,) = firings(service.store)
    assert firing.cleared_why is not None
    assert firing.cleared_why.startswith("corrected: 18/11 is now 114, not at or above 115")


def test_a_firing_already_cleared_stands_as_recorded(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 5 + [WITHIN])
    (before,) = firings(service.store)
    done = correct(service, WEDNESDAY, WITHIN)
    (after,) = firings(service.store)
    assert after == before
    assert after.cleared_why == "back within the rule on 21/11 100"
    assert done.evaluation.cleared == [] and done.evaluation.fired == []
    assert action(service.store, after.action_id).title == TITLE


def test_a_correction_after_the_run_clears_as_any_day_back_within_does(
    service: Service,
) -> None:
    service.enter(FIRST, [HIGH] * 6)
    done = correct(service, SATURDAY, WITHIN)
    (firing,) = firings(service.store)
    assert (firing.cleared_period, firing.cleared_why) == (
        SATURDAY,
        "back within the rule on 21/11 100",
    )
    assert done.evaluation.corrected == []
    assert audit_reasons(service.store, "trigger_firing", "update") == [
        f"trigger cleared: {SURGE_RULE}"
    ]
    assert action(service.store, firing.action_id).title == TITLE


def test_a_day_corrected_into_a_breach_completes_a_run_that_fires(service: Service) -> None:
    service.enter(FIRST, [HIGH] * 4 + [WITHIN])
    assert firings(service.store) == []
    done = correct(service, FRIDAY, HIGH)
    (firing,) = firings(service.store)
    assert (firing.run_start, firing.fired_period, firing.fired_on) == (FIRST, FRIDAY, TODAY)
    assert [f.id for f in done.evaluation.fired] == [firing.id]
    assert done.evaluation.corrected == []


# --- a worked-out metric whose inputs are corrected --------------------------------------

NORTH, SOUTH = "Therapy North", "Therapy South"


@pytest.fixture
def teams(store: Store) -> Caseload:
    """Caseload per clinician by team (worked out: `caseload_by_team`), with a variance
    rule: teams more than 10% apart in any week fire. North 100 cases on 4 WTE (25),
    South 80 on 4 (20): the spread is 2.5 from a mean of 22.5, 11.11%, so it fires."""
    caseload = caseload_by_team(store)
    lead = store.conn.execute("SELECT id FROM person WHERE name = 'Nadia Bello'").fetchone()[0]
    rule = TriggerRule(
        metric_id=caseload.per_clinician,
        name="Caseload variance between teams over 10%",
        kind=RuleKind.VARIANCE,
        comparison=Comparison.ABOVE,
        threshold=10,
        periods=1,
        series=SERIES,
        owner_id=lead,
        rung=OPERATIONAL,
    )
    add_rule(store, rule, TODAY - timedelta(days=30))
    for team, cases in ((NORTH, 100), (SOUTH, 80)):
        caseload.record(caseload.caseload, cases, team)
        caseload.record(caseload.clinicians, 4, team)
    assert len(firings(store)) == 1
    return caseload


def test_an_input_corrected_so_the_teams_no_longer_vary_clears_as_corrected(
    teams: Caseload,
) -> None:
    done = teams.record(teams.caseload, 92, SOUTH)  # South 23: 1 from a mean of 24, 4.17%
    (firing,) = firings(teams.store)
    assert firing.cleared_why == (
        "corrected: 16/11 is now 4.17% (Therapy North 25, Therapy South 23), not above 10%;"
        " the run 16/11/2026 no longer holds"
    )
    assert [f.id for f in done.evaluation.corrected] == [firing.id]
    assert "cleared as corrected" in action(teams.store, firing.action_id).title
    audit_ok(teams.store)


def test_an_input_corrected_so_a_team_has_no_value_leaves_no_run(teams: Caseload) -> None:
    teams.record(teams.clinicians, 0, SOUTH)  # no caseload per clinician for South
    (firing,) = firings(teams.store)
    assert firing.cleared_why == (
        "corrected: 16/11 has no value now; the run 16/11/2026 no longer holds"
    )
    assert firing.cleared_period == teams.week
    audit_ok(teams.store)


def test_an_input_corrected_so_the_teams_still_vary_leaves_the_firing(teams: Caseload) -> None:
    done = teams.record(teams.caseload, 76, SOUTH)  # South 19: further apart still
    (firing,) = firings(teams.store)
    assert firing.cleared_on is None
    assert done.evaluation.corrected == [] and done.evaluation.cleared == []
