"""Making Data Count on key 6 and in `huddle status`: a whole-service metric whose last
seven weeks sit above its mean, where lower is better, reads "special cause concerning",
naming the rule (a shift of 7), in words on the list, the highlighted metric and status.
Real app, real SQLite file (the demo at 22/11/2026)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from textual.widgets import Static

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import GoodDirection, ObservationSource, Period, Segmentation
from screens.oversight_lists import MetricList
from store import Store
from store.oversight import Reading, record_observation, record_readings
from store.queries import status_summary
from tests.test_meeting_room import EIGHT, SIZE, TODAY, person_id
from tests.test_oversight_room import oversight
from tests.test_oversight_store import defined

FALLS = "Falls at home"
# Twenty weeks: thirteen at 10 and 11, then seven at 11.6 and 12 (lower is better): the
# mean is 10.92, and the last seven sit above it, none beyond a limit or two sigma.
WEEKS = [10, 11] * 6 + [10] + [11.6, 12] * 3 + [11.6]


@pytest.fixture
def falls(demo: Store) -> Store:
    metric_id = defined(
        demo,
        FALLS,
        person_id(demo, "Dr Priya Raman"),
        unit="falls",
        period=Period.WEEKLY,
        tolerance_high=20,
        good=GoodDirection.LOWER,
    )
    first = TODAY - timedelta(weeks=len(WEEKS) - 1)
    for week, value in enumerate(WEEKS):
        reading = Reading(metric_id, first + timedelta(weeks=week), value)
        record_observation(demo, reading, TODAY)
    return demo


def test_status_reads_a_sustained_shift_as_special_cause_concerning(
    falls: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = {m.name: m for m in status_summary(falls, TODAY).metrics}
    spc = summary[FALLS].spc
    assert spc is not None
    assert (spc.variation, spc.assurance, spc.points) == (
        "special cause concerning",
        "consistently passes",
        20,
    )
    assert spc.words.startswith("special cause concerning: shift of 7 above the mean · ")
    assert main(["--db", str(falls.path), "status", "--json", "--as-at", TODAY.isoformat()]) == 0
    metrics = {m["name"]: m for m in json.loads(capsys.readouterr().out)["metrics"]}
    assert metrics[FALLS]["spc"]["variation"] == "special cause concerning"
    assert metrics["Missed visits"]["spc"]["words"] == "not enough points (12 of 15)"
    assert metrics["Open caseload"]["spc"] is None  # by team: each judged on its own value


async def test_key_6_says_concerning_and_names_the_rule(falls: Store) -> None:
    app = make_app(falls, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        screen = await oversight(app, pilot)
        listed = screen.query_one(MetricList)
        names = [line.metric.name for line in listed.loaded()]
        for _ in range(names.index(FALLS)):
            await pilot.press("down")
        await pilot.pause()
        line = listed.current()
        assert line is not None and line.metric.name == FALLS
        assert listed.cells(line)[1][0].strip() == "CONCERNING"
        detail = "\n".join(str(s.render()) for s in screen.query(Static))
        assert "Making Data Count: special cause concerning: shift of 7 above the mean" in detail


TEAMS_FALLS = "Falls at home by team"


@pytest.fixture
def team_falls(demo: Store) -> Store:
    """North's last seven weeks sit above its mean; South's stay as they were: their mean
    over both teams would blur North's shift into noise."""
    metric_id = defined(
        demo,
        TEAMS_FALLS,
        person_id(demo, "Dr Priya Raman"),
        unit="falls",
        period=Period.WEEKLY,
        tolerance_high=20,
        good=GoodDirection.LOWER,
        segmentation=Segmentation.TEAM,
    )
    first = TODAY - timedelta(weeks=len(WEEKS) - 1)
    south = [10, 11] * 10
    with demo.write("observations imported") as txn:
        record_readings(
            txn,
            [
                Reading(metric_id, first + timedelta(weeks=week), value, segment)
                for segment, values in (("North", WEEKS), ("South", south))
                for week, value in enumerate(values)
            ],
            TODAY,
            ObservationSource.IMPORT,
        )
    return demo


def test_each_team_is_read_as_making_data_count_reads_it(team_falls: Store) -> None:
    metric = {m.name: m for m in status_summary(team_falls, TODAY).metrics}[TEAMS_FALLS]
    assert metric.spc is None
    teams = {segment.name: segment.spc for segment in metric.segments}
    assert teams["North"] is not None and teams["South"] is not None
    assert teams["North"].variation == "special cause concerning"
    assert teams["North"].words.startswith("special cause concerning: shift of 7 above the mean")
    assert teams["South"].variation == "common cause"


async def test_key_6_names_the_team_whose_values_shifted(team_falls: Store) -> None:
    app = make_app(team_falls, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        screen = await oversight(app, pilot)
        listed = screen.query_one(MetricList)
        names = [line.metric.name for line in listed.loaded()]
        for _ in range(names.index(TEAMS_FALLS)):
            await pilot.press("down")
        await pilot.pause()
        line = listed.current()
        assert line is not None and line.metric.name == TEAMS_FALLS
        assert listed.cells(line)[1][0].strip() == "1 CONCERNING"
        detail = "\n".join(str(s.render()) for s in screen.query(Static))
        assert "SPECIAL CAUSE CONCERNING: SHIFT OF 7 ABOVE THE MEAN" in detail
        assert "South" in detail and "common cause" in detail
