"""Oversight driven with the keyboard, as a service manager would: key 6, an observation
of a metric that breaks its trigger rule, the escalation it opens in the log, and the
fired trigger on the agenda of the next waiting-list huddle. Real app, real SQLite file
(the demo at 22/11/2026)."""

from __future__ import annotations

from datetime import datetime

from huddle.agenda import SectionKey
from huddle.app import HuddleApp, make_app
from huddle.models import Comparison, TriggerRule
from screens.action_list import ActionList
from screens.form import FormScreen
from screens.oversight import OversightScreen
from screens.oversight_lists import EscalationList, MetricList
from store import Store
from store.oversight import add_rule
from tests.test_meeting_room import (
    EIGHT,
    SIZE,
    TODAY,
    MovingClock,
    error,
    fill,
    list_ready,
    next_section,
    one,
    person_id,
    shown,
    start,
    until,
)

HUDDLE = "Waiting-list huddle — therapy"
RULE = "Missed visits over 5 in a week"


def _missed_visits_rule(store: Store) -> None:
    metric = one(store, "SELECT id FROM metric WHERE name = 'Missed visits'")
    add_rule(
        store,
        TriggerRule(
            metric_id=metric["id"],
            name=RULE,
            comparison=Comparison.ABOVE,
            threshold=5,
            series=HUDDLE,
            owner_id=person_id(store, "Lucy Hargreaves"),
        ),
        TODAY,
    )


async def oversight(app: HuddleApp, pilot) -> OversightScreen:
    await pilot.press("6")

    def ready() -> bool:
        screen = app.screen
        return isinstance(screen, OversightScreen) and list_ready(screen.query_one(MetricList))

    await until(app, pilot, ready, "the oversight screen")
    return app.screen  # type: ignore[return-value]


async def test_an_observation_that_breaks_a_rule_opens_an_escalation_on_the_next_agenda(
    demo: Store,
) -> None:
    _missed_visits_rule(demo)
    clock = MovingClock(datetime.combine(TODAY, EIGHT))
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await oversight(app, pilot)
        metrics = screen.query_one(MetricList)
        names = [line.metric.name for line in metrics.loaded()]
        # The metric whose trigger has fired and stands comes first.
        assert names[0] == "Referrals received"
        for _ in range(names.index("Missed visits")):
            await pilot.press("down")
        assert metrics.current().metric.name == "Missed visits"

        # Refused without a value, keeping the period typed; then 7 visits this week.
        await pilot.press("o")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "give a number" in error(app, "value"), "a refusal")
        await fill(app, pilot, "7", "ctrl+s")  # the refusal put the cursor in the value
        await until(app, pilot, lambda: app.screen is screen, "the form to close")

        firing = one(
            demo,
            "SELECT f.* FROM trigger_firing AS f JOIN trigger_rule AS r ON r.id = f.rule_id "
            "WHERE r.name = ?",
            RULE,
        )
        assert firing["fired_period"] == "2026-11-16"  # the week's Monday
        assert "16/11 7" in firing["why"]
        escalation = one(demo, "SELECT * FROM action WHERE id = ?", firing["action_id"])
        assert (escalation["source"], escalation["rung"], escalation["status"]) == (
            "trigger",
            "operational",
            "open",
        )
        assert escalation["owner_id"] == person_id(demo, "Lucy Hargreaves")
        assert escalation["due_date"] == "2026-11-23"  # one working day from a Sunday
        item = one(demo, "SELECT * FROM agenda_item WHERE firing_id = ?", firing["id"])
        assert (item["series"], item["meeting_id"]) == (HUDDLE, None)

        # On screen: the fired box names it, and the log lists its escalation.
        await until(app, pilot, lambda: "Missed visits" in shown(app, "#ov-fired-text"), "fired")
        log = screen.query_one(EscalationList)
        await until(
            app,
            pilot,
            lambda: list_ready(log) and any(e.id == escalation["id"] for e in log.loaded()),
            "the escalation in the log",
        )

        # The next waiting-list huddle carries it, with the surge, in its own section.
        runner = await start(app, pilot, HUDDLE)
        while runner.section != SectionKey.TRIGGERS:
            runner = await next_section(app, pilot)
        facts = shown(app, "#facts")
        assert "Missed visits over 5" not in facts  # the rule's name is in the escalation
        assert "Missed visits above 5 visits in any week" in facts
        assert "Referrals received at or above 46 referrals" in facts
        assert "Fired triggers (2)" in shown(app, "#agenda")
        listed = runner.query_one(ActionList)
        await until(app, pilot, lambda: list_ready(listed) and len(listed.loaded()) == 2, "list")
        assert {line.id for line in listed.loaded()} >= {escalation["id"]}
