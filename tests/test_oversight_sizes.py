"""Oversight (key 6) on the terminals people have, from 80x24 up: the counts, the fired
trigger and every metric's standing and variation in sight; the escalation log, out of
sight under 35 rows until `l` shows it, never focused nor opened blind meanwhile. Real
app, real SQLite file (the demo at 22/11/2026)."""

from __future__ import annotations

import pytest

from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from screens.action_detail import ActionDetailScreen
from screens.oversight import OversightScreen
from screens.oversight_lists import EscalationList, MetricList
from store import Store
from tests.conftest import TODAY
from tests.test_meeting_room import list_ready, until


def _drawn(app: HuddleApp) -> str:
    """Every line of the screen as it goes to the terminal."""
    compositor = app.screen._compositor  # type: ignore[attr-defined]
    return "\n".join(strip.text for strip in compositor.render_strips())


async def _oversight(app: HuddleApp, pilot) -> OversightScreen:
    await pilot.press("6")

    def ready() -> bool:
        screen = app.screen
        return (
            isinstance(screen, OversightScreen)
            and list_ready(screen.query_one(MetricList))
            and screen.highlighted is not None
        )

    await until(app, pilot, ready, "the oversight screen")
    return app.screen  # type: ignore[return-value]


async def test_at_80x24_the_counts_the_fired_trigger_and_each_standing_are_in_sight(
    demo: Store,
) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(80, 24)) as pilot:
        await _oversight(app, pilot)
        drawn = _drawn(app)
    # The head wraps rather than losing the escalations' counts off its end.
    assert "1 trigger fired and standing" in drawn
    assert "(5 OVERDUE)" in drawn
    assert "FIRED 21/11: Referrals received at or above 46 referrals" in drawn
    rows = [line.split() for line in drawn.splitlines()]
    # Each metric's standing and variation, whole, and its latest date and value.
    assert ["ABOVE", "CONCERNING", "Referrals", "received", "21/11", "47", "referrals"] in [
        row[:7] for row in rows
    ]
    assert sum(row[:4] == ["within", "12", "of", "15"] for row in rows) >= 3
    # The metric's detail under the list, its owner and review in words.
    assert "Owner Ian Fairbairn · Review OVERDUE since 18/11/2026" in drawn


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_under_35_rows_the_log_takes_no_focus_nor_enter_until_l_shows_it(
    demo: Store, size: tuple[int, int]
) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=size) as pilot:
        screen = await _oversight(app, pilot)
        log = screen.query_one(EscalationList)
        assert "Escalation log" not in _drawn(app)
        for _ in range(6):  # round the focus chain and then some
            await pilot.press("tab")
            assert app.focused is not log
        await pilot.press("shift+tab", "enter")
        await pilot.pause()
        assert app.screen is screen, "enter opened an escalation the screen does not show"

        await pilot.press("l")
        await until(app, pilot, lambda: "Escalation log (15: 14 open)" in _drawn(app), "the log")
        assert app.focused is log
        drawn = _drawn(app)
        # Rung, due in words and climbs, never left out however narrow.
        assert "contractual Escalate breach: NB-" in drawn
        assert "OVERDUE 18/11" in drawn and "Climbed" in drawn
        await pilot.press("enter")
        await until(
            app, pilot, lambda: isinstance(app.screen, ActionDetailScreen), "the escalation"
        )
        await pilot.press("escape")
        await until(app, pilot, lambda: app.screen is screen, "back on oversight")

        # `l` again: the metric's detail and chart back, the log out of focus's way.
        await pilot.press("l")
        await until(app, pilot, lambda: "Escalation log" not in _drawn(app), "the log hidden")
        assert app.focused is screen.query_one(MetricList)
        # Its rows read now, enter still does not open one of them out of sight.
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen, "enter opened an escalation the screen does not show"


async def test_a_list_wider_than_the_terminal_scrolls_its_header_with_its_rows(
    demo: Store,
) -> None:
    """Under 80 columns even the fewest metric columns do not fit: the right arrow scrolls
    the list, and its column titles move with it."""
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(64, 24)) as pilot:
        screen = await _oversight(app, pilot)
        metrics = screen.query_one(MetricList)

        def line_with(words: str) -> str:
            return next(line for line in _drawn(app).splitlines() if words in line)

        assert line_with("Latest").startswith(" Standing Variation")
        await pilot.press(*["right"] * 9)
        await until(app, pilot, lambda: metrics.scroll_x == 9, "the list scrolled")
        await until(
            app,
            pilot,
            lambda: line_with("Latest").startswith(" Variation     Metric"),
            "the header scrolled",
        )
        assert line_with("CONCERNING").startswith(" CONCERNING    Referrals")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_metric_s_rule_under_its_detail_is_reached_with_tab_and_the_arrows(
    demo: Store, size: tuple[int, int]
) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=size) as pilot:
        await _oversight(app, pilot)
        assert "Rule: Surge" not in _drawn(app)
        await pilot.press("tab")
        for _ in range(4):  # a page at a time, as a reader would
            await pilot.press("down", "down", "down")
            await pilot.pause()
            if "Rule: Surge" in _drawn(app):
                break
        assert "Rule: Surge" in _drawn(app)
