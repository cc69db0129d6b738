"""Metrics and trigger rules change after they are set up: each change with why, audited,
refused where it would silently reach nobody. On the demo service, a real SQLite file."""

from __future__ import annotations

import pytest
from textual.widgets import Label

from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.models import Metric, TriggerRule
from screens.oversight import OversightScreen
from screens.oversight_forms import metric_edit_form
from screens.oversight_lists import MetricList
from store import Store, records
from store.errors import StaleVersion
from store.oversight import define_metric, edit_metric, edit_rule
from store.oversight_reads import metric_lines, series
from store.people import everyone
from tests.conftest import TODAY, settle

SURGE = "Surge: referrals 15% over baseline capacity for 5 days"


def one_rule(store: Store, name: str) -> TriggerRule:
    row = store.conn.execute("SELECT id FROM trigger_rule WHERE name = ?", (name,)).fetchone()
    return records.get(store, TriggerRule, row[0])


def metric_named(store: Store, name: str) -> Metric:
    row = store.conn.execute("SELECT id FROM metric WHERE name = ?", (name,)).fetchone()
    return records.get(store, Metric, row[0])


def last_reason(store: Store, table: str) -> str:
    return store.conn.execute(
        "SELECT reason FROM audit WHERE table_name = ? ORDER BY id DESC LIMIT 1", (table,)
    ).fetchone()[0]


def test_a_metric_changes_its_tolerance_with_why(demo: Store) -> None:
    metric = metric_named(demo, "Missed visits")
    saved = edit_metric(
        demo, metric.id, metric.version, {"tolerance_high": 3.0}, "commissioner asked for 3"
    )
    assert saved.tolerance_high == 3.0
    assert saved.version == metric.version + 1
    assert last_reason(demo, "metric") == "metric changed: commissioner asked for 3"
    with pytest.raises(StaleVersion):
        edit_metric(demo, metric.id, metric.version, {"tolerance_high": 4.0}, "again")
    with pytest.raises(ValueError, match="name: cannot change"):
        edit_metric(demo, metric.id, saved.version, {"name": "Visits missed"}, "tidy")
    with pytest.raises(ValueError, match="reason"):
        edit_metric(demo, metric.id, saved.version, {"tolerance_high": 4.0}, "  ")
    with pytest.raises(ValueError, match="tolerance"):
        edit_metric(
            demo, metric.id, saved.version, {"tolerance_low": 9.0, "tolerance_high": 2.0}, "x"
        )


def test_a_baseline_a_rule_is_set_relative_to_is_not_removed_under_it(demo: Store) -> None:
    """The surge rule is 15% over the referrals baseline: without the baseline it could
    never fire again, so removing it is refused, in words, until the rule is off."""
    metric = metric_named(demo, "Referrals received")
    with pytest.raises(ValueError, match=f"baseline: the rule '{SURGE}' is set relative to it"):
        edit_metric(demo, metric.id, metric.version, {"baseline": None}, "no longer commissioned")
    assert metric_named(demo, "Referrals received").baseline == metric.baseline
    rule = one_rule(demo, SURGE)
    edit_rule(demo, rule.id, rule.version, {"active": False}, "surge plan retired", TODAY)
    assert (
        edit_metric(demo, metric.id, metric.version, {"baseline": None}, "retired").baseline is None
    )


def test_a_rule_switched_off_is_no_longer_evaluated_and_its_firings_stand(demo: Store) -> None:
    rule = one_rule(demo, SURGE)
    firings = demo.conn.execute(
        "SELECT count(*) FROM trigger_firing WHERE rule_id = ?", (rule.id,)
    ).fetchone()[0]
    saved, _ = edit_rule(demo, rule.id, rule.version, {"active": False}, "pathway retired", TODAY)
    assert not saved.active
    assert last_reason(demo, "trigger_rule") == "trigger rule changed: pathway retired"
    assert (
        demo.conn.execute(
            "SELECT count(*) FROM trigger_firing WHERE rule_id = ?", (rule.id,)
        ).fetchone()[0]
        == firings
    )


def test_a_rule_cannot_name_a_series_the_service_does_not_run(demo: Store) -> None:
    rule = one_rule(demo, SURGE)
    with pytest.raises(ValueError, match="series: 'Waiting-list' is not a meeting series"):
        edit_rule(demo, rule.id, rule.version, {"series": "Waiting-list"}, "typo", TODAY)
    assert one_rule(demo, SURGE).version == rule.version


async def test_R_switches_a_rule_off_from_the_oversight_screen(demo: Store) -> None:
    rule = one_rule(demo, SURGE)
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("6")
        await settle(app, pilot)
        assert isinstance(app.screen, OversightScreen)
        metrics = app.screen.query_one(MetricList)
        for _ in range(20):
            line = metrics.current()
            if line is not None and any(r.id == rule.id for r in line.rules):
                break
            await pilot.press("down")
            await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#field-active").value = "n"
        form.query_one("#field-reason").value = "replaced by the SPC rule"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, OversightScreen)
    assert not one_rule(demo, SURGE).active


async def test_a_form_titled_with_text_like_markup_shows_it_as_typed(demo: Store) -> None:
    metric = metric_named(demo, "Missed visits")
    define_metric(
        demo,
        metric.model_copy(update={"id": None, "name": "Hold [/] visits [b]now"}),
        TODAY,
    )
    (line,) = [m for m in metric_lines(demo, 0, 50) if m.metric.name.startswith("Hold")]
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.push_screen(metric_edit_form(demo, line, everyone(demo)))
        await settle(app, pilot)
        title = app.screen.query_one(".form-title", Label)
        assert str(title.render()) == "Change Hold [/] visits [b]now"


def test_the_chart_draws_each_threshold_rule_switched_on_at_the_level_it_compares_with(
    demo: Store,
) -> None:
    """The surge rule is 15% over a baseline of 40: its line is at 46, and moves with the
    baseline; a rule switched off has none (its baseline cannot be removed under it). A
    variance rule is a spread, not a level of the metric: never a line."""
    referrals = metric_named(demo, "Referrals received")
    assert series(demo, referrals, 120).thresholds == (46.0,)
    moved = edit_metric(demo, referrals.id, referrals.version, {"baseline": 50.0}, "recommissioned")
    assert series(demo, moved, 120).thresholds == (57.5,)
    rule = one_rule(demo, SURGE)
    edit_rule(demo, rule.id, rule.version, {"active": False}, "pathway retired", TODAY)
    assert series(demo, moved, 120).thresholds == ()
    by_team = series(demo, metric_named(demo, "Caseload per clinician"), 120)
    assert by_team.thresholds == ()
    assert list(by_team.segments) == ["Therapy North", "Therapy South", "Therapy West"]
    assert all(len(points) == 12 for points in by_team.segments.values())
