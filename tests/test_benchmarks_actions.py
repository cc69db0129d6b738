"""The Actions screen's benchmark (`python -m benchmarks actions`) at small sizes, as a
regression check.

Every timed check is a ratio against the same figure at 10 extra actions in the same run,
and fails only when it is ten times worse than a generous ratio: a gross regression (a
view that reads every action into the list, a filter that waits for the whole table),
never the noise of a shared two-core machine. Today each ratio at 2,000 is about 1 to 1.5
(docs/benchmarks.md). The overdue count is not timed: the screen and `huddle status` must
give the same number.
"""

from __future__ import annotations

import pytest

from benchmarks.actions import FIGURES, ActionMeasurements, ActionSettings, measure_actions

SETTINGS = ActionSettings(sizes=(10, 2_000), runs=1, warm_up=False)
GROSS = 10


@pytest.fixture(scope="module")
def measured() -> ActionMeasurements:
    return measure_actions(SETTINGS, say=lambda _message: None)


def test_the_actions_screen_opens_as_fast_with_more_actions(measured: ActionMeasurements) -> None:
    assert measured.ratio("open_s", 2_000) <= GROSS * 1.5


@pytest.mark.parametrize("figure", [name for name, _ in FIGURES if name != "open_s"])
def test_each_filter_costs_about_the_same_with_more_actions(
    measured: ActionMeasurements, figure: str
) -> None:
    # A filter takes 10 to 50 ms, where the machine's noise is proportionally large.
    assert measured.ratio(figure, 2_000) <= GROSS * 2


def test_every_filter_shows_rows(measured: ActionMeasurements) -> None:
    # A figure of a query that matches nothing would time an empty list.
    assert all(rows[2_000] > 0 for rows in measured.rows.values())


def test_the_screen_and_status_agree_on_overdue(measured: ActionMeasurements) -> None:
    assert measured.overdue_agrees, measured.overdue
    assert measured.overdue[2_000][0].status > measured.overdue[10][0].status
