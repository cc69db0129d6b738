"""A trigger's escalation says what fired it, and `g` opens the firing, which names the
escalation back: the link both ways (issue 22: it said "added by hand" and g could not
open the firing). Pilot on the demo, whose referrals surge rule has fired."""

from __future__ import annotations

from textual.widgets import Static

from huddle.app import make_app
from huddle.clock import FixedClock
from screens.action_detail import ActionDetailScreen
from screens.firing import FiringScreen
from store import Store
from tests.test_meeting_room import EIGHT, SIZE, TODAY, until


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
