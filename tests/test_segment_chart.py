"""Every team on one chart (screens.segment_chart): each team's points its own letter, named
in the legend, against the metric's tolerance band, with a row of shapes under the axis
saying where any team stands outside it. The drawing is pure: each test draws a chart and
reads its plain text, period by period, as tests/test_metric_chart.py does. Then `s` on key
6, driven with Pilot over a small set-up (issue 22's North, South and West): all the teams,
each in turn, and back; a whole-service metric has none to show."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rich.text import Text

from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.models import GoodDirection, Period, Segmentation
from screens.metric_chart import ABOVE, BAND, BELOW, BOTH, CROWDED
from screens.oversight import ChartPanel
from screens.segment_chart import View, letters, segments_chart, views
from store import Store
from store.oversight import Reading, record_observation
from tests.test_meeting_room import EIGHT, SIZE, TODAY, notified, until
from tests.test_metric_chart import Drawn
from tests.test_oversight_room import oversight
from tests.test_oversight_store import add_people, defined

START = date(2026, 9, 7)  # a Monday
NORTH, SOUTH, WEST = "Therapy North", "Therapy South", "Therapy West"


def weeks(values: list[float | None]) -> list[tuple[date, float]]:
    return [(START + timedelta(weeks=i), v) for i, v in enumerate(values) if v is not None]


def draw(
    segments: dict[str, list[tuple[date, float]]],
    *,
    low: float | None = 18.0,
    high: float | None = 30.0,
    width: int = 80,
    height: int = 12,
) -> Drawn:
    text = segments_chart(
        segments, noun="team", period=Period.WEEKLY, low=low, high=high, width=width, height=height
    )
    lines = text.plain.split("\n")
    axis_at = next(i for i, line in enumerate(lines) if "└" in line)
    starts = sorted({start for points in segments.values() for start, _ in points})
    periods = [starts[0]]
    while periods[-1] < starts[-1]:
        periods.append(periods[-1] + timedelta(weeks=1))
    return Drawn(
        lines=lines,
        rows=lines[axis_at - height : axis_at],
        axis=lines[axis_at],
        under=lines[axis_at + 1 :],
        origin=lines[axis_at].index("└") + 1,
        width=width,
        periods=periods,
    )


def marks_in(drawn: Drawn, period: int) -> dict[str, int]:
    """Each letter drawn in the `period`th cell, and its row."""
    return {
        mark: row
        for row, line in enumerate(drawn.rows)
        for mark in drawn.cell_of(line, period)
        if mark.isalnum()
    }


def test_three_teams_each_have_their_own_letter_named_in_the_legend() -> None:
    """Issue 22's team case, North at 33.25 over a limit of 30 and West at 17.78 under 18:
    each team its letter in every week, higher for a higher value, and the legend names
    them; where a team is outside, its letter is off the band and a shape under the axis
    says which side."""
    drawn = draw(
        {
            NORTH: weeks([25, 28, 33.25]),
            SOUTH: weeks([22, 23, 22]),
            WEST: weeks([19, 18.5, 17.78]),
        }
    )
    for period in range(3):
        found = marks_in(drawn, period)
        assert set(found) == {"N", "S", "W"}, (period, found)
        assert found["N"] < found["S"] < found["W"]
    assert "N Therapy North  S Therapy South  W Therapy West" in drawn.under
    high_row, low_row = drawn.label_row("30"), drawn.label_row("18")
    latest = marks_in(drawn, 2)
    assert latest["N"] < high_row and latest["W"] > low_row
    assert all(drawn.at(drawn.rows[row], 2) != BAND for row in latest.values())
    shapes = drawn.under[0]
    assert [drawn.at(shapes, period) for period in range(3)] == [" ", " ", BOTH]
    legend = " ".join(drawn.under[1:])
    assert "▲ a team above" in legend and "▼ a team below" in legend
    assert "↕ teams above and below" in legend


def test_the_row_under_the_axis_says_above_or_below_in_shapes() -> None:
    drawn = draw({NORTH: weeks([31, 25, 25]), SOUTH: weeks([25, 25, 17])})
    shapes = drawn.under[0]
    assert [drawn.at(shapes, period) for period in range(3)] == [ABOVE, " ", BELOW]
    assert BOTH not in " ".join(drawn.under[1:])
    # All within: no row of shapes, straight on to the dates.
    within = draw({NORTH: weeks([25, 26]), SOUTH: weeks([24, 23])})
    assert "/" in within.under[0]


def test_teams_at_one_place_sit_side_by_side_or_are_counted_as_crowded() -> None:
    # Three weeks in 80 columns: five characters a week, room for three letters.
    together = {NORTH: weeks([25, 25, 25]), SOUTH: weeks([25, 25, 25]), WEST: weeks([25, 25, 25])}
    drawn = draw(together)
    assert drawn.cell == 5
    row = marks_in(drawn, 0)["N"]
    assert drawn.cell_of(drawn.rows[row], 0) == f"{BAND}NSW{BAND}"
    assert CROWDED not in " ".join(drawn.under)
    # Sixty weeks: one character each, so three teams at one place are a +, named.
    many = {name: weeks([25.0] * 60) for name in (NORTH, SOUTH, WEST)}
    crowded = draw(many)
    assert crowded.cell == 1
    assert [crowded.at(line, 0) for line in crowded.rows].count(CROWDED) == 1
    assert "+ teams at one point" in " ".join(crowded.under)


def test_a_week_one_team_missed_is_no_gap_while_another_reported() -> None:
    drawn = draw({NORTH: weeks([25, None, 26]), SOUTH: weeks([24, 23, 22])})
    assert set(marks_in(drawn, 1)) == {"S"}
    assert "·" not in drawn.axis


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([NORTH, SOUTH, WEST], ["N", "S", "W"]),
        (["Team A", "Team B"], ["A", "B"]),
        (["North", "Northbrook", "North East"], ["N", "O", "E"]),
        (["Riverside Care CIC", "Northbrook Community Health NHS Trust"], ["R", "N"]),
        # Only one-column ASCII marks: ß and the ligature ﬆ capitalise to two letters.
        (["ß team", "ﬆ", "1st"], ["T", "A", "1"]),
    ],
)
def test_every_team_gets_a_distinct_letter(names: list[str], expected: list[str]) -> None:
    assert list(letters(names).values()) == expected


def test_forty_teams_still_get_a_mark_each_until_letters_and_digits_run_out() -> None:
    given = letters([f"Team {n}" for n in range(40)])
    assert len(set(given.values()) - {"?"}) == 36
    assert all(len(mark) == 1 for mark in given.values())


@pytest.mark.parametrize("width", [30, 40, 60, 80])
def test_every_line_fits_the_width(width: int) -> None:
    segments = {
        "Northbrook Community Health NHS Trust": weeks([25, 31, 17, 25] * 10),
        "Riverside Care CIC": weeks([22, 23, 22, 21] * 10),
    }
    text = segments_chart(
        segments, noun="provider", period=Period.WEEKLY, low=18, high=30, width=width
    )
    for line in text.plain.split("\n"):
        assert len(line) <= width, line
        assert line == line.rstrip()


def test_s_steps_from_the_spread_to_all_teams_then_each_in_turn() -> None:
    assert views([NORTH, SOUTH], spread=True) == [
        View(spread=True),
        View(),
        View(NORTH),
        View(SOUTH),
    ]
    # Without a variance rule the spread has nothing to be judged against: not shown.
    assert views([NORTH], spread=False) == [View(), View(NORTH)]


# --- `s` on key 6 ---------------------------------------------------------------------------


@pytest.fixture
def teams(store: Store) -> Store:
    """Open caseload by team for three weeks, the latest issue 22's North 125, South 92 and
    West 80 against a limit of 110; and referrals for the whole service."""
    [owner] = add_people(store, "Nadia Bello")
    caseload = defined(
        store,
        "Open caseload",
        owner,
        unit="cases",
        period=Period.WEEKLY,
        tolerance_high=110,
        good=GoodDirection.LOWER,
        segmentation=Segmentation.TEAM,
    )
    latest = TODAY - timedelta(days=TODAY.weekday())
    for team, values in {NORTH: [100, 110, 125], SOUTH: [90, 95, 92], WEST: [85, 82, 80]}.items():
        for back, value in enumerate(reversed(values)):
            reading = Reading(caseload, latest - timedelta(weeks=back), value, team)
            record_observation(store, reading, TODAY)
    referrals = defined(store, "Referrals", owner)
    record_observation(store, Reading(referrals, TODAY, 40), TODAY)
    return store


async def test_s_shows_all_the_teams_then_each_in_turn_and_back(teams: Store) -> None:
    app = make_app(teams, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        screen = await oversight(app, pilot)
        panel = screen.query_one(ChartPanel)

        def drawn() -> str:
            rendered = panel.render()
            return rendered.plain if isinstance(rendered, Text) else ""

        def heading() -> str:
            return drawn().split("\n")[0]

        # No variance rule, so no spread to judge: every team at once, first.
        await until(app, pilot, lambda: "all 3 teams" in heading(), "all the teams")
        assert heading() == "Open caseload: cases, all 3 teams (last 3 periods observed)"
        assert "N Therapy North  S Therapy South  W Therapy West" in drawn()
        for position, team in enumerate((NORTH, SOUTH, WEST), start=1):
            await pilot.press("s")
            said = f"Open caseload: cases, {team} (team {position} of 3)"
            await until(app, pilot, lambda said=said: heading().startswith(said), team)
        await pilot.press("s")
        await until(app, pilot, lambda: "all 3 teams" in heading(), "all the teams again")

        # A whole-service metric has no teams: s says so and the chart stays as it is.
        await pilot.press("down")
        await until(app, pilot, lambda: heading().startswith("Referrals:"), "referrals")
        await pilot.press("s")
        await until(
            app,
            pilot,
            lambda: any("no teams or providers" in said for _, said in notified(app)),
            "the notice",
        )
        assert heading().startswith("Referrals: referrals (last 1 periods observed)")
