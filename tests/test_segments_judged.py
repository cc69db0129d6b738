"""A metric recorded by team is judged team by team: one team outside its tolerance puts
the metric outside, named with its value, however comfortable the teams' mean. Issue 22's
case on the demo: open caseload North 125, South 92, West 80 in the latest week."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from huddle.cli import main
from huddle.oversight import Standing, overall, standing
from store import Store
from store.oversight import Reading, record_observation
from store.oversight_reads import MetricLine, count_metrics, metric_lines
from store.queries import status_summary
from tests.conftest import TODAY

CASELOAD = {"Therapy North": 125, "Therapy South": 92, "Therapy West": 80}


def line(store: Store, name: str) -> MetricLine:
    return next(m for m in metric_lines(store, 0, count_metrics(store)) if m.metric.name == name)


@pytest.fixture
def team_case(demo: Store) -> Store:
    caseload = line(demo, "Open caseload")
    assert caseload.latest_period is not None
    for team, value in CASELOAD.items():
        reading = Reading(caseload.metric.id, caseload.latest_period, value, team)
        record_observation(demo, reading, TODAY)
    return demo


def test_a_value_on_a_limit_is_within_and_any_segment_outside_puts_the_metric_outside() -> None:
    assert standing(30, 18, 30) == Standing.WITHIN
    assert standing(30.01, 18, 30) == Standing.ABOVE
    assert standing(17.99, 18, None) == Standing.BELOW
    assert overall([Standing.WITHIN, Standing.BELOW]) == Standing.BELOW
    assert overall([Standing.BELOW, Standing.ABOVE]) == Standing.ABOVE
    assert overall([Standing.WITHIN, Standing.WITHIN]) == Standing.WITHIN


def test_one_team_outside_behind_a_mean_within_puts_the_metric_outside(team_case: Store) -> None:
    index = line(team_case, "Caseload sustainability index")
    assert index.metric.tolerance_high is not None
    # Their mean stands within the limit: judged on it, the metric would say within.
    assert index.latest is not None and index.latest <= index.metric.tolerance_high
    assert index.standing == "ABOVE"
    assert [(team, word) for team, _, word in index.outside()] == [
        ("Therapy North", Standing.ABOVE)
    ]
    per_clinician = line(team_case, "Caseload per clinician")
    assert per_clinician.standing == "BELOW"
    assert [team for team, *_ in per_clinician.outside()] == ["Therapy West"]
    summary = {m.name: m for m in status_summary(team_case, TODAY).metrics}
    assert summary["Caseload sustainability index"].segments_outside == ["Therapy North"]
    assert summary["Caseload sustainability index"].standing == "above"
    assert summary["Caseload per clinician"].segments_outside == ["Therapy West"]
    assert summary["Caseload per clinician"].standing == "below"
    assert [s.standing for s in summary["Caseload per clinician"].segments] == [
        "within",
        "within",
        "below",
    ]


def test_status_json_names_the_segments_outside(
    team_case: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(team_case.path)
    code = main(["--db", path, "status", "--json", "--as-at", TODAY.isoformat()])
    assert code == 0
    metrics = {m["name"]: m for m in json.loads(capsys.readouterr().out)["metrics"]}
    assert metrics["Caseload sustainability index"]["segments_outside"] == ["Therapy North"]
    assert metrics["Caseload per clinician"]["standing"] == "below"
    assert metrics["Referrals received"]["segments"] == []
    assert main(["--db", path, "status", "--as-at", TODAY.isoformat()]) == 0
    said = capsys.readouterr().out
    assert "  ABOVE Caseload sustainability index: Therapy North 33.25 ABOVE\n" in said
    assert "  BELOW Caseload per clinician: Therapy West 17.78 BELOW\n" in said


def test_status_after_go_live_says_live_as_the_app_does(
    demo: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22: after go-live, status said "in -34 days" and NOT READY while the app said
    LIVE. Now both say LIVE, with the week of early life; before, the countdown in words."""
    programme = status_summary(demo, TODAY).go_live
    assert programme is not None and programme.days_to_go > 0
    after = programme.date + timedelta(days=34)
    live = status_summary(demo, after).go_live
    assert live is not None
    assert (live.readiness, live.countdown, live.blockers) == (
        "LIVE",
        "LIVE for 34 days (week 5 of early life)",
        [],
    )
    assert main(["--db", str(demo.path), "status", "--as-at", after.isoformat()]) == 0
    said = capsys.readouterr().out
    assert f"Go-live: {programme.programme}: LIVE for 34 days (week 5 of early life)\n" in said
    assert "  readiness: LIVE\n" in said
    assert "-34" not in said
    assert programme.countdown.endswith("to go-live (6 weeks)")
    assert programme.readiness == "NOT READY"
