"""A trigger's escalation says what fired it, and `g` opens the firing, which names the
escalation back: the link both ways (issue 22: it said "added by hand" and g could not
open the firing). Pilot on the demo, whose referrals surge rule has fired."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static

from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.models import Comparison, TriggerRule
from screens.action_detail import ActionDetailScreen
from screens.firing import FiringScreen
from store import Store
from store.oversight import Reading, add_rule, record_observation
from tests.test_meeting_room import EIGHT, SIZE, TODAY, until
from tests.test_oversight_room import oversight


def text(screen) -> str:  # noqa: ANN001 - a screen
    return "\n".join(str(s.render()) for s in screen.query(Static))


async def test_g_opens_the_firing_of_a_trigger_escalation(demo: Store) -> None:
    action_id, rule, why = demo.conn.execute(
        "SELECT f.action_id, r.name, f.why FROM trigger_firing AS f "
        "JOIN trigger_rule AS r ON r.id = f.rule_id "
        "WHERE f.action_id IS NOT NULL AND f.cleared_on IS NULL LIMIT 1"
    ).fetchone()
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ActionDetailScreen(action_id))
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, ActionDetailScreen) and app.screen.detail is not None,
            "the escalation",
        )
        shown = text(app.screen)
        assert f"From trigger: trigger {rule!r}, fired " in shown
        assert "added by hand" not in shown
        assert f"Fired: {why} (standing; g opens the firing)" in shown
        await pilot.press("g")
        await until(app, pilot, lambda: isinstance(app.screen, FiringScreen), "the firing")
        firing = text(app.screen)
        assert "TRIGGER FIRED" in firing and f": {rule}" in firing
        assert "Standing: not cleared" in firing
        assert "escalation: " in firing and " rung, " in firing
        await pilot.press("escape")
        await until(app, pilot, lambda: isinstance(app.screen, ActionDetailScreen), "back")


async def test_every_fired_trigger_can_be_scrolled_to(demo: Store) -> None:
    """Eight rules on missed visits fire at once: the fired box holds all nine firings
    (with the demo's own) and scrolls to the last, rather than cutting them off."""
    metric_id = demo.conn.execute("SELECT id FROM metric WHERE name = 'Missed visits'").fetchone()
    lead = demo.conn.execute("SELECT id FROM person WHERE name = 'Lucy Hargreaves'").fetchone()
    for threshold in range(8):
        add_rule(
            demo,
            TriggerRule(
                metric_id=metric_id[0],
                name=f"Missed visits over {threshold}",
                comparison=Comparison.ABOVE,
                threshold=threshold,
                series="Waiting-list huddle — therapy",
                owner_id=lead[0],
            ),
            TODAY,
        )
    record_observation(demo, Reading(metric_id[0], TODAY, 9), TODAY)
    app = make_app(demo, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        screen = await oversight(app, pilot)
        box = screen.query_one("#ov-fired", VerticalScroll)
        fired = str(screen.query_one("#ov-fired-text", Static).render()).splitlines()
        assert len(fired) == 9
        assert "Missed visits above 7 visits in any week" in "\n".join(fired)
        assert box.max_scroll_y > 0  # more than the box shows: it scrolls
        box.scroll_end(animate=False)
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y
