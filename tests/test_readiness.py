"""The readiness rules (huddle.readiness): pure functions over plain facts, no store.

Each case starts from a fact set that is READY and breaks one thing, so the verdict and
its words name that one rule: M1 to M7 block (NOT READY), C1 to C4 are conditions (READY
WITH CONDITIONS). The boundaries are exact: a risk scoring 15 needs mitigation and 12
does not; a rating 14 days old is not stale and 15 is; due today is not past due.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from huddle.models import Rag
from huddle.readiness import (
    EARLY_LIFE_CHECKS,
    HIGH_RISK_SCORE,
    STALE_RAG_DAYS,
    TREND_LENGTH,
    DeliverableFacts,
    Readiness,
    ReadinessFacts,
    RiskFacts,
    Verdict,
    WorkforceFacts,
    WorkstreamFacts,
    countdown,
    percent,
    readiness,
    trend,
)

TODAY = date(2026, 11, 22)
LAST_WEEK = TODAY - timedelta(days=7)
GO_LIVE = TODAY + timedelta(weeks=6)


# --- helpers ------------------------------------------------------------------------------


def workstream(name: str = "Pathway clarity", **changes: object) -> WorkstreamFacts:
    return replace(WorkstreamFacts(name, Rag.GREEN, LAST_WEEK), **changes)


def deliverable(title: str = "Triage pack signed", **changes: object) -> DeliverableFacts:
    return replace(
        DeliverableFacts(title, Rag.GREEN, True, True, TODAY + timedelta(days=14)), **changes
    )


def workforce(**changes: object) -> WorkforceFacts:
    return replace(
        WorkforceFacts(
            cohort=4,
            high_risk_required=15,
            high_risk_signed_off=15,
            supervised=4,
            over_capacity=(),
        ),
        **changes,
    )


def risk(text: str = "Backlog floods go-live week", **changes: object) -> RiskFacts:
    return replace(RiskFacts(text, 12, False, TODAY + timedelta(days=7)), **changes)


def facts(**changes: object) -> ReadinessFacts:
    """Ready on every rule: two green workstreams rated last week, an evidenced critical
    deliverable not yet due, the workforce signed off and supervised, a risk below 15."""
    return replace(
        ReadinessFacts(
            as_at=TODAY,
            go_live=GO_LIVE,
            workstreams=(workstream(), workstream("Workforce readiness")),
            deliverables=(deliverable(),),
            workforce=workforce(),
            risks=(risk(),),
        ),
        **changes,
    )


def not_ready(found: Readiness, blocker: str) -> None:
    assert found.verdict == Verdict.NOT_READY
    assert found.blockers == (blocker,)
    assert found.words == f"NOT READY: {blocker}"


def with_conditions(found: Readiness, condition: str) -> None:
    assert found.verdict == Verdict.CONDITIONS
    assert found.blockers == ()
    assert found.conditions == (condition,)
    assert found.words == f"READY WITH CONDITIONS: {condition}"


# --- all clear ----------------------------------------------------------------------------


def test_all_clear_is_ready_with_nothing_outstanding() -> None:
    found = readiness(facts())
    assert found == Readiness(Verdict.READY, (), ())
    assert found.words == "READY"


def test_a_ready_programme_with_no_risks_and_no_deliverables_is_still_ready() -> None:
    assert readiness(facts(risks=(), deliverables=())).verdict == Verdict.READY


# --- the blocking rules, one at a time ----------------------------------------------------


def test_no_workstreams_at_all_is_not_ready() -> None:
    not_ready(readiness(facts(workstreams=())), "no workstreams recorded")


def test_m1_a_workstream_never_rated_blocks() -> None:
    unrated = workstream("Data and reporting", rag=None, rated_on=None)
    found = readiness(facts(workstreams=(workstream(), unrated)))
    not_ready(found, "1 workstream never rated")


def test_m1_counts_every_unrated_workstream() -> None:
    unrated = workstream(rag=None, rated_on=None)
    found = readiness(facts(workstreams=(unrated, unrated)))
    not_ready(found, "2 workstreams never rated")


def test_m2_a_red_workstream_blocks_and_is_named() -> None:
    red = workstream("Workforce readiness", rag=Rag.RED)
    not_ready(
        readiness(facts(workstreams=(workstream(), red))),
        "1 workstream red (Workforce readiness)",
    )


def test_m2_names_every_red_workstream_in_order() -> None:
    reds = (workstream("Risk controls", rag=Rag.RED), workstream("Data", rag=Rag.RED))
    not_ready(readiness(facts(workstreams=reds)), "2 workstreams red (Risk controls, Data)")


def test_m3_a_red_deliverable_blocks() -> None:
    found = readiness(facts(deliverables=(deliverable(rag=Rag.RED),)))
    not_ready(found, "1 deliverable red")


def test_m4_a_critical_deliverable_without_evidence_blocks() -> None:
    found = readiness(facts(deliverables=(deliverable(evidenced=False),)))
    not_ready(found, "1 critical deliverable without evidence")


def test_m4_a_deliverable_that_is_not_critical_may_wait_for_its_evidence() -> None:
    found = readiness(facts(deliverables=(deliverable(critical=False, evidenced=False),)))
    assert found.verdict == Verdict.READY


def test_m4_an_unrated_deliverable_with_evidence_does_not_block() -> None:
    assert readiness(facts(deliverables=(deliverable(rag=None),))).verdict == Verdict.READY


def test_m5_no_mobilising_workforce_blocks() -> None:
    empty = workforce(cohort=0, high_risk_required=0, high_risk_signed_off=0, supervised=0)
    not_ready(readiness(facts(workforce=empty)), "no mobilising workforce in the training matrix")


def test_m5_competency_sign_off_short_of_100_percent_blocks() -> None:
    short = workforce(high_risk_required=25, high_risk_signed_off=18)
    not_ready(
        readiness(facts(workforce=short)),
        "competency sign-off 72% against 100% required for high-risk tasks",
    )


def test_m5_one_short_of_200_shows_99_percent_never_100() -> None:
    short = workforce(high_risk_required=200, high_risk_signed_off=199)
    not_ready(
        readiness(facts(workforce=short)),
        "competency sign-off 99% against 100% required for high-risk tasks",
    )


def test_m5_a_workforce_without_high_risk_tasks_needs_no_sign_off() -> None:
    none_high_risk = workforce(high_risk_required=0, high_risk_signed_off=0)
    assert readiness(facts(workforce=none_high_risk)).verdict == Verdict.READY


def test_m6_someone_without_a_named_supervisor_blocks() -> None:
    found = readiness(facts(workforce=workforce(cohort=10, supervised=9)))
    not_ready(found, "supervision 90% against 100% (1 person without a named supervisor)")


def test_m6_counts_people_without_a_supervisor() -> None:
    found = readiness(facts(workforce=workforce(cohort=3, supervised=1)))
    not_ready(found, "supervision 33% against 100% (2 people without a named supervisor)")


def test_m6_a_supervisor_over_capacity_blocks_and_is_named() -> None:
    found = readiness(facts(workforce=workforce(over_capacity=("Nadia Bello",))))
    not_ready(found, "1 supervisor over capacity (Nadia Bello)")


def test_m6_names_every_supervisor_over_capacity() -> None:
    found = readiness(facts(workforce=workforce(over_capacity=("Nadia Bello", "Lucy H"))))
    not_ready(found, "2 supervisors over capacity (Nadia Bello, Lucy H)")


def test_m7_a_risk_scoring_exactly_15_without_mitigation_blocks() -> None:
    assert 3 * 5 == HIGH_RISK_SCORE == 15
    found = readiness(facts(risks=(risk(score=3 * 5),)))
    not_ready(found, "1 go-live risk scoring 15+ without mitigation")


def test_m7_a_risk_scoring_16_without_mitigation_blocks() -> None:
    found = readiness(facts(risks=(risk(score=4 * 4), risk(score=5 * 5))))
    not_ready(found, "2 go-live risks scoring 15+ without mitigation")


@pytest.mark.parametrize("score", [4 * 3, 2 * 5, 1])
def test_m7_a_risk_below_15_needs_no_mitigation(score: int) -> None:
    assert readiness(facts(risks=(risk(score=score, mitigated=False),))).verdict == Verdict.READY


@pytest.mark.parametrize("score", [3 * 5, 4 * 4, 5 * 5])
def test_m7_a_high_risk_with_a_mitigation_does_not_block(score: int) -> None:
    assert readiness(facts(risks=(risk(score=score, mitigated=True),))).verdict == Verdict.READY


def test_every_failed_rule_is_listed_in_rule_order() -> None:
    found = readiness(
        facts(
            workstreams=(
                workstream("Pathway", rag=None, rated_on=None),
                workstream("Workforce", rag=Rag.RED),
            ),
            deliverables=(deliverable(rag=Rag.RED, evidenced=False),),
            workforce=workforce(
                high_risk_required=4,
                high_risk_signed_off=3,
                supervised=3,
                over_capacity=("Nadia Bello",),
            ),
            risks=(risk(score=20),),
        )
    )
    assert found.blockers == (
        "1 workstream never rated",
        "1 workstream red (Workforce)",
        "1 deliverable red",
        "1 critical deliverable without evidence",
        "competency sign-off 75% against 100% required for high-risk tasks",
        "supervision 75% against 100% (1 person without a named supervisor)",
        "1 supervisor over capacity (Nadia Bello)",
        "1 go-live risk scoring 15+ without mitigation",
    )
    assert found.words == "NOT READY: " + ", ".join(found.blockers)


def test_a_blocker_keeps_the_conditions_but_the_words_give_the_blockers() -> None:
    found = readiness(
        facts(workstreams=(workstream(rag=Rag.RED), workstream("Data", rag=Rag.AMBER)))
    )
    assert found.verdict == Verdict.NOT_READY
    assert found.conditions == ("1 workstream amber",)
    assert found.words == "NOT READY: 1 workstream red (Pathway clarity)"


# --- the conditions -----------------------------------------------------------------------


def test_c1_an_amber_workstream_is_a_condition() -> None:
    found = readiness(facts(workstreams=(workstream(), workstream("Data", rag=Rag.AMBER))))
    with_conditions(found, "1 workstream amber")


def test_c1_an_amber_deliverable_is_a_condition() -> None:
    with_conditions(
        readiness(facts(deliverables=(deliverable(rag=Rag.AMBER),))), "1 deliverable amber"
    )


def test_c2_a_deliverable_due_yesterday_without_evidence_is_past_due() -> None:
    late = deliverable(critical=False, evidenced=False, due_date=TODAY - timedelta(days=1))
    with_conditions(
        readiness(facts(deliverables=(late,))), "1 deliverable past due without evidence"
    )


def test_c2_a_deliverable_due_today_without_evidence_is_not_yet_past_due() -> None:
    due_today = deliverable(critical=False, evidenced=False, due_date=TODAY)
    assert readiness(facts(deliverables=(due_today,))).verdict == Verdict.READY


def test_c2_a_deliverable_past_due_with_evidence_is_met() -> None:
    met = deliverable(evidenced=True, due_date=TODAY - timedelta(days=30))
    assert readiness(facts(deliverables=(met,))).verdict == Verdict.READY


def test_c3_a_rating_exactly_14_days_old_is_not_stale() -> None:
    assert STALE_RAG_DAYS == 14
    fortnight = workstream(rated_on=TODAY - timedelta(days=14))
    assert readiness(facts(workstreams=(fortnight,))).verdict == Verdict.READY


def test_c3_a_rating_15_days_old_is_stale() -> None:
    stale = workstream(rated_on=TODAY - timedelta(days=15))
    with_conditions(
        readiness(facts(workstreams=(stale, workstream("Data")))),
        "1 workstream not rated for 14+ days",
    )


def test_c4_a_risk_past_its_review_date_is_a_condition() -> None:
    overdue = risk(review_on=TODAY - timedelta(days=1))
    with_conditions(readiness(facts(risks=(overdue,))), "1 go-live risk past its review date")


def test_c4_a_risk_due_for_review_today_is_not_overdue() -> None:
    assert readiness(facts(risks=(risk(review_on=TODAY),))).verdict == Verdict.READY


def test_every_condition_is_listed_in_rule_order() -> None:
    found = readiness(
        facts(
            workstreams=(
                workstream(rag=Rag.AMBER),
                workstream("Data", rated_on=TODAY - timedelta(days=20)),
            ),
            deliverables=(
                deliverable(rag=Rag.AMBER, critical=False, evidenced=False, due_date=LAST_WEEK),
            ),
            risks=(risk(review_on=LAST_WEEK),),
        )
    )
    assert found.verdict == Verdict.CONDITIONS
    assert found.conditions == (
        "1 workstream amber",
        "1 deliverable amber",
        "1 deliverable past due without evidence",
        "1 workstream not rated for 14+ days",
        "1 go-live risk past its review date",
    )


def test_c4_counts_every_risk_past_its_review_date() -> None:
    overdue = risk(review_on=LAST_WEEK)
    found = readiness(facts(risks=(overdue, overdue)))
    assert found.verdict == Verdict.CONDITIONS
    assert found.conditions[0].startswith("2 go-live risks past ")


def test_c4_words_agree_with_more_than_one_risk() -> None:
    overdue = risk(review_on=LAST_WEEK)
    found = readiness(facts(risks=(overdue, overdue)))
    assert found.conditions == ("2 go-live risks past their review date",)


# --- percent ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(0, 0, 100), (0, 5, 0), (5, 5, 100), (199, 200, 99), (1, 3, 33), (2, 3, 66), (18, 25, 72)],
)
def test_percent_rounds_down(part: int, whole: int, shown: int) -> None:
    assert percent(part, whole) == shown


def test_percent_is_never_100_while_anything_is_short() -> None:
    assert all(percent(whole - 1, whole) < 100 for whole in range(1, 1001))


# --- trend --------------------------------------------------------------------------------


def test_trend_shows_letters_oldest_first() -> None:
    assert trend([Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.AMBER, Rag.RED]) == "G G A A R"


def test_trend_shows_only_the_latest_six() -> None:
    assert TREND_LENGTH == 6
    rags = [Rag.RED, Rag.RED, Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.AMBER, Rag.RED, Rag.GREEN]
    assert trend(rags) == "G G A A R G"


def test_trend_of_nothing_is_empty() -> None:
    assert trend([]) == ""


# --- countdown ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (42, "42 days to go-live (6 weeks)"),
        (43, "43 days to go-live (6 weeks 1 d)"),
        (8, "8 days to go-live (1 week 1 d)"),
        (7, "7 days to go-live (1 week)"),
        (0, "GO-LIVE TODAY"),
        (-1, "LIVE for 1 day (week 1 of early life)"),
        (-7, "LIVE for 7 days (week 2 of early life)"),
        (-29, "LIVE for 29 days (week 5 of early life)"),
    ],
)
def test_countdown(days: int, words: str) -> None:
    assert countdown(TODAY + timedelta(days=days), TODAY) == words


def test_countdown_the_day_before_go_live_reads_as_english() -> None:
    words = countdown(TODAY + timedelta(days=1), TODAY)
    assert words.startswith("1 day to go-live")
    assert "0 weeks" not in words


# --- the checks after go-live -------------------------------------------------------------


def test_early_life_checks_are_at_4_8_10_and_12_weeks() -> None:
    assert [week for week, _ in EARLY_LIFE_CHECKS] == [4, 8, 10, 12]
    assert all(what.strip() for _, what in EARLY_LIFE_CHECKS)
