"""A Making Data Count baseline the user fixes (issue 22, Deliver 2): `b` on key 6 sets the
first and last period whose observations give a metric's process limits, refusing one with
fewer points than the limits need (saying how many it has, beside the field, keeping what
was typed), or clears it; one audited write by a person, with why. The limits then come
from the baseline while the special-cause rules read every point, and the detail line,
chart and status say where the limits come from. `t` offers a rule on special cause
concerning. Real app, real SQLite files, fixed dates (the demo at 22/11/2026).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from textual.widgets import Static

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import GoodDirection, Period, RuleKind, TriggerRule
from huddle.oversight import spc_chart
from screens.form import FormScreen
from screens.oversight import ChartPanel, OversightScreen
from screens.oversight_lists import MetricList
from store import Store
from store.check import check_database
from store.errors import StaleVersion
from store.oversight import Reading, add_rule, fix_spc_baseline, record_observation
from store.oversight_reads import spc_points
from tests.test_meeting_room import EIGHT, SIZE, TODAY, error, fill, person_id, until
from tests.test_oversight_room import oversight
from tests.test_oversight_store import SERIES, add_people, defined
from tests.test_spc_in_oversight import FALLS, WEEKS
from tests.test_special_cause_rule import special_cause_rule

FIRST = TODAY - timedelta(days=TODAY.weekday(), weeks=len(WEEKS) - 1)
FIFTEENTH = FIRST + timedelta(weeks=14)
FIXED = f"limits from baseline {FIRST:%d/%m/%Y}–{FIFTEENTH:%d/%m/%Y} (15 points)"


@pytest.fixture
def falls(demo: Store) -> tuple[Store, int]:
    """Falls at home, weekly, lower is better: 20 weeks, the last seven a shift above the
    mean (10.92 from all of them; 10.64 from the first 15)."""
    metric_id = defined(
        demo,
        FALLS,
        person_id(demo, "Dr Priya Raman"),
        unit="falls",
        period=Period.WEEKLY,
        tolerance_high=20,
        good=GoodDirection.LOWER,
    )
    for week, value in enumerate(WEEKS):
        record_observation(demo, Reading(metric_id, FIRST + timedelta(weeks=week), value), TODAY)
    return demo, metric_id


def version(store: Store, metric_id: int) -> int:
    return store.conn.execute("SELECT version FROM metric WHERE id = ?", (metric_id,)).fetchone()[0]


def last_audit(store: Store) -> tuple[str, str]:
    return store.conn.execute(
        "SELECT actor, reason FROM audit WHERE table_name = 'metric' ORDER BY id DESC LIMIT 1"
    ).fetchone()


# --- the store ------------------------------------------------------------------------------


def test_a_baseline_with_too_few_points_is_refused_saying_how_many(
    falls: tuple[Store, int],
) -> None:
    store, metric_id = falls
    before = version(store, metric_id)
    fifth = FIRST + timedelta(weeks=4)
    with pytest.raises(
        ValueError,
        match=f"last period: {FIRST:%d/%m/%Y} to {fifth:%d/%m/%Y} has 5 points;"
        " limits need at least 15",
    ):
        fix_spc_baseline(store, metric_id, before, FIRST, fifth, "first five", TODAY)
    with pytest.raises(ValueError, match="last period: give the baseline's first and last"):
        fix_spc_baseline(store, metric_id, before, FIRST, None, "half", TODAY)
    assert version(store, metric_id) == before


def test_the_limits_come_from_the_baseline_and_the_rules_read_every_point(
    falls: tuple[Store, int],
) -> None:
    store, metric_id = falls
    # Any day of a week is taken as its Monday.
    saved, _ = fix_spc_baseline(
        store,
        metric_id,
        version(store, metric_id),
        FIRST + timedelta(days=2),
        FIFTEENTH + timedelta(days=6),
        "limits from before the new falls pathway",
        TODAY,
    )
    assert (saved.spc_baseline_first, saved.spc_baseline_last) == (FIRST, FIFTEENTH)
    assert last_audit(store) == (
        "Helen Marsden",
        "SPC baseline changed: limits from before the new falls pathway",
    )
    chart = spc_chart(saved, spc_points(store, saved))
    assert float(chart.limits.mean) == pytest.approx(10.64)
    assert len(chart.points) == 20  # the rules still read every point
    with pytest.raises(StaleVersion):
        fix_spc_baseline(store, metric_id, saved.version - 1, None, None, "again", TODAY)
    cleared, _ = fix_spc_baseline(store, metric_id, saved.version, None, None, "all", TODAY)
    assert (cleared.spc_baseline_first, cleared.spc_baseline_last) == (None, None)
    assert check_database(store.conn).ok


def test_status_says_where_the_limits_come_from(
    falls: tuple[Store, int], capsys: pytest.CaptureFixture[str]
) -> None:
    store, metric_id = falls
    fix_spc_baseline(store, metric_id, version(store, metric_id), FIRST, FIFTEENTH, "x", TODAY)
    assert main(["--db", str(store.path), "status", "--json", "--as-at", TODAY.isoformat()]) == 0
    (spc,) = [
        m["spc"] for m in json.loads(capsys.readouterr().out)["metrics"] if m["name"] == FALLS
    ]
    assert spc["baseline"] == FIXED
    assert spc["mean"] == pytest.approx(10.64)
    assert spc["words"].endswith(f"mean 10.64, process limits 7.98 to 13.3 · {FIXED}")


def test_a_special_cause_rule_reads_the_baseline_limits(store: Store) -> None:
    """Fifteen weeks at 10 and 11, then 13.3: within the limits worked out from all 16
    (upper 13.71), above those of the first 15 (upper 13.13). Fixing the baseline fires."""
    ann, ian = add_people(store, "Ann Okafor", "Ian Fairbairn")
    metric_id = defined(
        store, "Falls", ann, period=Period.WEEKLY, tolerance_high=20, good=GoodDirection.LOWER
    )
    first = date(2026, 7, 6)
    for week, value in enumerate([10, 11] * 7 + [10, 13.3]):
        record_observation(store, Reading(metric_id, first + timedelta(weeks=week), value), TODAY)
    _, evaluation = add_rule(store, special_cause_rule(metric_id, ian), TODAY)
    assert evaluation.fired == []
    fifteenth = first + timedelta(weeks=14)
    _, evaluation = fix_spc_baseline(
        store, metric_id, version(store, metric_id), first, fifteenth, "before", TODAY
    )
    (firing,) = evaluation.fired
    assert firing.why.endswith("(a point above the upper process limit)")
    assert firing.fired_period == first + timedelta(weeks=15)


# --- on screen ------------------------------------------------------------------------------


async def highlight(app, pilot, name: str) -> OversightScreen:  # noqa: ANN001
    screen = await oversight(app, pilot)
    listed = screen.query_one(MetricList)
    names = [line.metric.name for line in listed.loaded()]
    moves = names.index(name) - listed.cursor
    for _ in range(abs(moves)):
        await pilot.press("down" if moves > 0 else "up")
    await until(
        app,
        pilot,
        lambda: screen.highlighted is not None and screen.highlighted.metric.name == name,
        f"{name} highlighted",
    )
    return screen


def detail(screen: OversightScreen) -> str:
    return str(screen.query_one("#metric-detail", Static).render())


async def test_b_refuses_too_few_points_then_fixes_a_baseline_that_moves_the_limits(
    falls: tuple[Store, int],
) -> None:
    store, metric_id = falls
    app = make_app(store, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        screen = await highlight(app, pilot, FALLS)
        assert "mean 10.92, process limits" in detail(screen)
        await pilot.press("b")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the baseline form")
        form = app.screen
        assert "Now: limits from all 20 observations." in str(
            form.query_one("#form-note", Static).render()
        )
        # Filled in with the first 15 periods observed.
        assert form.query_one("#field-first").value == f"{FIRST:%d/%m/%Y}"
        assert form.query_one("#field-last").value == f"{FIFTEENTH:%d/%m/%Y}"
        fifth = f"{FIRST + timedelta(weeks=4):%d/%m/%Y}"
        form.query_one("#field-last").value = fifth
        form.query_one("#field-reason").value = "limits from before the new falls pathway"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: error(app, "last") != "", "the refusal")
        assert error(app, "last") == (
            f"last period: {FIRST:%d/%m/%Y} to {fifth} has 5 points; limits need at least 15"
        )
        assert app.screen is form and form.query_one("#field-last").value == fifth
        form.query_one("#field-last").value = f"{FIFTEENTH:%d/%m/%Y}"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: FIXED in detail(screen), "the detail to say the baseline")
        assert "mean 10.64, process limits 7.98 to 13.3" in detail(screen)
        assert app.screen is screen
        assert f"Process {FIXED}" in str(screen.query_one(ChartPanel).render())
    assert last_audit(store) == (
        "Helen Marsden",
        "SPC baseline changed: limits from before the new falls pathway",
    )


async def test_t_offers_a_rule_on_special_cause_concerning_without_a_threshold(
    falls: tuple[Store, int],
) -> None:
    store, metric_id = falls
    app = make_app(store, FixedClock(TODAY, at=EIGHT))
    async with app.run_test(size=SIZE) as pilot:
        await highlight(app, pilot, FALLS)
        await pilot.press("t")
        await fill(app, pilot, *"Falls: special cause")
        form = app.screen
        assert form.query_one("#field-threshold").display
        form.query_one("#field-kind").value = RuleKind.SPECIAL_CAUSE
        await until(
            app, pilot, lambda: not form.query_one("#field-threshold").display, "no threshold"
        )
        form.query_one("#field-series").value = SERIES
        form.query_one("#field-owner").value = "Lucy Hargreaves"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, OversightScreen), "saved")
        # Its trigger fired, so Falls at home now heads the list.
        listed = app.screen.query_one(MetricList)
        await until(app, pilot, lambda: listed.loaded()[0].metric.name == FALLS, "Falls first")
        screen = await highlight(app, pilot, FALLS)
        assert "special cause concerning on the Making Data Count chart in any week" in detail(
            screen
        )
        # Changing it cannot give it a threshold.
        await pilot.press("R")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the rule's form")
        app.screen.query_one("#field-threshold").value = "5"
        app.screen.query_one("#field-reason").value = "try a threshold"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: error(app, "threshold") != "", "the refusal")
        assert error(app, "threshold") == (
            "threshold: a special cause concerning rule has none; leave it 0"
        )
    row = store.conn.execute("SELECT * FROM trigger_rule WHERE metric_id = ?", (metric_id,))
    names = [c[0] for c in row.description]
    rule = TriggerRule.model_validate(dict(zip(names, row.fetchone(), strict=True)))
    assert (rule.kind, rule.threshold) == (RuleKind.SPECIAL_CAUSE, 0)
    # The shift of seven is there already: it fired as it was saved.
    (fired,) = store.conn.execute(
        "SELECT why FROM trigger_firing WHERE rule_id = ?", (rule.id,)
    ).fetchall()
    assert fired[0].endswith("(shift of 7 above the mean)")
