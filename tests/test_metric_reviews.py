"""Metrics and their trigger rules fall due for review on the metric's review cycle: REVIEW
DUE in words on key 6, on Today and in `huddle status`; `v` records a review, by the person
signed in, and the date moves on. The demo as at 22/11/2026, a real SQLite file: referrals
received was last reviewed on 18/10 (monthly: OVERDUE since 18/11), missed visits on 15/11
(weekly: due today)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import Comparison, GoodDirection, Metric, Period, TriggerRule
from screens.form import FormScreen
from screens.oversight_lists import MetricList
from screens.today import TodayScreen
from store import Store
from store.oversight import add_rule, define_metric, edit_metric, review_metric
from store.oversight_reads import metric_lines, reviews
from store.queries import status_summary
from tests.acting import acting_as
from tests.conftest import TODAY
from tests.test_meeting_room import error, fill, list_ready, one, person_id, shown, until
from tests.test_oversight_edits import metric_named
from tests.test_oversight_room import oversight

REFERRALS = "Referrals received"


def line_of(store: Store, name: str):  # noqa: ANN201 - a MetricLine
    (line,) = [m for m in metric_lines(store, 0, 50) if m.metric.name == name]
    return line


def test_the_demo_has_one_review_overdue_and_one_due_today(demo: Store) -> None:
    due = status_summary(demo, TODAY, metrics=False).reviews_due
    assert [(d.name, d.review_on) for d in due] == [
        ("Missed visits", date(2026, 11, 22)),
        (REFERRALS, date(2026, 11, 18)),
    ]
    assert line_of(demo, REFERRALS).review.words(TODAY) == (
        "Review OVERDUE since 18/11/2026 (monthly at the contract review; last reviewed 18/10/2026)"
    )
    # The day before it fell due, it was not.
    assert not line_of(demo, REFERRALS).review.due(date(2026, 11, 17))


def test_a_review_records_what_was_decided_by_the_person_and_moves_the_dates_on(
    demo: Store,
) -> None:
    metric = metric_named(demo, REFERRALS)
    assert metric.id is not None
    with pytest.raises(ValueError, match="what was decided"):
        review_metric(acting_as(demo, person_id(demo, "Ian Fairbairn")), metric.id, "  ", TODAY)
    with pytest.raises(ValueError, match="reviewed by: only a person on the staff list"):
        review_metric(replace(demo, actor="nobody"), metric.id, "x", TODAY)

    ian = acting_as(demo, person_id(demo, "Ian Fairbairn"))
    review_metric(ian, metric.id, "Tolerance kept at 44", TODAY)
    recorded = one(
        demo,
        "SELECT * FROM metric_review WHERE metric_id = ? AND reviewed_on = ?",
        metric.id,
        TODAY.isoformat(),
    )
    assert (recorded["note"], recorded["reviewed_by"]) == (
        "Tolerance kept at 44",
        person_id(demo, "Ian Fairbairn"),
    )
    audited = demo.conn.execute(
        "SELECT actor, reason FROM audit WHERE table_name = 'metric' AND row_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (metric.id,),
    ).fetchone()
    assert audited == ("Ian Fairbairn", "reviewed: Tolerance kept at 44")
    # Its surge rule was reviewed with it.
    rule = one(demo, "SELECT reviewed_on FROM trigger_rule WHERE metric_id = ?", metric.id)
    assert rule["reviewed_on"] == TODAY.isoformat()
    review = reviews(demo, [metric.id])[metric.id]
    assert review.review_on == date(2026, 12, 22)
    assert not review.due(TODAY)
    assert REFERRALS not in [d.name for d in status_summary(demo, TODAY).reviews_due]


def test_a_rule_added_later_is_reviewed_on_its_metrics_cycle_from_its_own_date(
    demo: Store,
) -> None:
    metric = metric_named(demo, "Safeguarding referrals judged appropriate")
    assert reviews(demo, [metric.id])[metric.id].review_on == date(2026, 12, 2)
    add_rule(
        demo,
        TriggerRule(
            metric_id=metric.id,
            name="Appropriate referrals under 80%",
            comparison=Comparison.BELOW,
            threshold=80,
            series="Waiting-list huddle — therapy",
            owner_id=metric.owner_id,
        ),
        date(2026, 10, 1),
    )
    # The rule's clock started on 01/10: monthly, its review was due on 01/11.
    review = reviews(demo, [metric.id])[metric.id]
    assert review.review_on == date(2026, 11, 1)
    assert review.due(TODAY)


def test_an_unreadable_cycle_is_refused_naming_the_field_and_the_fix(demo: Store) -> None:
    metric = metric_named(demo, "Missed visits")
    with pytest.raises(ValueError, match=r"^review cycle: 'at the brief' does not say how often"):
        define_metric(
            demo,
            metric.model_copy(update={"id": None, "name": "Other", "review_cycle": "at the brief"}),
            TODAY,
        )
    with pytest.raises(ValueError, match="say how often first, e.g. 'monthly at the contract"):
        edit_metric(demo, metric.id, metric.version, {"review_cycle": "when needed"}, "tidy")
    assert metric_named(demo, "Missed visits").review_cycle == "weekly at the safety brief"


def test_a_stored_cycle_not_understood_still_opens_and_says_so(
    demo: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    # As a database from before huddle read cycles may hold (written here behind its back).
    demo.conn.execute(
        "UPDATE metric SET review_cycle = 'at the contract review' WHERE name = ?", (REFERRALS,)
    )
    line = line_of(demo, REFERRALS)
    assert line.review.words(TODAY).startswith(
        "Review cycle not understood: 'at the contract review'"
    )
    assert main(["--db", str(demo.path), "status", "--json", "--as-at", TODAY.isoformat()]) == 0
    metrics = {m["name"]: m for m in json.loads(capsys.readouterr().out)["metrics"]}
    assert metrics[REFERRALS]["review_on"] is None
    assert metrics[REFERRALS]["review_due"] is False
    assert metrics[REFERRALS]["review"].startswith("Review cycle not understood")


def test_a_metric_from_before_reviews_were_kept_counts_from_the_day_it_was_created(
    store: Store,
) -> None:
    """m029 leaves `reviewed_on` NULL on the rows before it (so `huddle check` still
    matches them with their audit rows): their review counts from their first audit row."""
    with store.write("a person") as txn:
        owner = txn.insert("person", {"name": "Kofi Mensah", "role": "Lead"})
    store.now = lambda: "2026-09-30T12:00:00+00:00"
    metric = define_metric(
        store,
        metric_named_like(owner),
        TODAY,
    )
    store.conn.execute("UPDATE metric SET reviewed_on = NULL WHERE id = ?", (metric.id,))
    review = reviews(store)[metric.id]
    assert review.last_reviewed == date(2026, 9, 30)
    assert review.review_on == date(2026, 10, 30)
    assert review.words(TODAY).startswith("Review OVERDUE since 30/10/2026")


def metric_named_like(owner: int) -> Metric:
    return Metric(
        name="Referrals",
        unit="referrals",
        period=Period.DAILY,
        tolerance_high=50,
        good=GoodDirection.LOWER,
        response_pathway="escalate to the service manager",
        review_cycle="monthly",
        owner_id=owner,
    )


def test_status_says_the_reviews_due_in_text_and_json(
    demo: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(demo.path)
    assert main(["--db", path, "status", "--json", "--as-at", TODAY.isoformat()]) == 0
    report = json.loads(capsys.readouterr().out)
    metrics = {m["name"]: m for m in report["metrics"]}
    assert (metrics[REFERRALS]["review_on"], metrics[REFERRALS]["review_due"]) == (
        "2026-11-18",
        True,
    )
    assert (metrics["Missed visits"]["review_on"], metrics["Missed visits"]["review_due"]) == (
        "2026-11-22",
        True,
    )
    safeguarding = metrics["Safeguarding referrals judged appropriate"]
    assert (safeguarding["review_on"], safeguarding["review_due"]) == ("2026-12-02", False)
    assert [d["name"] for d in report["reviews_due"]] == ["Missed visits", REFERRALS]
    assert main(["--db", path, "status", "--as-at", TODAY.isoformat()]) == 0
    said = capsys.readouterr().out
    assert "Metric reviews due: 2\n" in said
    assert (
        "  Referrals received: Review OVERDUE since 18/11/2026 (monthly at the contract"
        " review; last reviewed 18/10/2026)\n"
    ) in said


def review_cell(screen, name: str) -> str:  # noqa: ANN001 - the oversight screen
    metrics = screen.query_one(MetricList)
    (line,) = [line for line in metrics.loaded() if line.metric.name == name]
    return metrics.cells(line)[7][0].strip()


async def test_v_records_the_review_and_review_due_goes(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(160, 50)) as pilot:
        await until(app, pilot, lambda: isinstance(app.screen, TodayScreen), "Today")
        await until(
            app,
            pilot,
            lambda: (
                "2 metric reviews due — key 6: Missed visits, Referrals received"
                in shown(app, "#reviews-due")
            ),
            "Today's reviews due",
        )
        screen = await oversight(app, pilot)
        metrics = screen.query_one(MetricList)
        assert metrics.current().metric.name == REFERRALS  # fired, so first
        assert review_cell(screen, REFERRALS) == "REVIEW DUE"
        await until(
            app,
            pilot,
            lambda: "Review OVERDUE since 18/11/2026" in shown(app, "#metric-detail"),
            "the detail's review line",
        )

        # Refused without a note, beside the field; then recorded.
        await pilot.press("v")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "what was decided" in error(app, "note"), "a refusal")
        await fill(app, pilot, *"Kept at 44", "ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")
        await until(
            app,
            pilot,
            lambda: list_ready(metrics) and review_cell(screen, REFERRALS) == "22/12/2026",
            "REVIEW DUE to go",
        )
        await until(
            app,
            pilot,
            lambda: (
                "Review due 22/12/2026" in shown(app, "#metric-detail")
                and "Last reviewed 22/11/2026 by Helen Marsden: Kept at 44"
                in shown(app, "#metric-detail")
            ),
            "the detail to say the next review",
        )
        assert review_cell(screen, "Missed visits") == "REVIEW DUE"
    actor = demo.conn.execute(
        "SELECT actor FROM audit WHERE table_name = 'metric_review' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert actor == "Helen Marsden"


async def test_the_new_metric_form_refuses_a_cycle_without_how_often_beside_the_field(
    demo: Store,
) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(160, 50)) as pilot:
        await oversight(app, pilot)
        await pilot.press("n")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        form = app.screen
        typed = {
            "name": "Complaints",
            "unit": "complaints",
            "high": "3",
            "pathway": "The service manager replies within 5 days",
            "review": "at the contract review",
            "owner": "Ian Fairbairn",
        }
        for field, value in typed.items():
            form.query_one(f"#field-{field}").value = value
        await pilot.press("ctrl+s")
        await until(
            app,
            pilot,
            lambda: error(app, "review").startswith(
                "review cycle: 'at the contract review' does not say how often; say how often"
                " first, e.g. 'monthly at the contract review'"
            ),
            "the refusal beside the field",
        )
        assert form.query_one("#field-review").value == "at the contract review"
        assert not demo.conn.execute("SELECT 1 FROM metric WHERE name = 'Complaints'").fetchone()
        form.query_one("#field-review").value = "quarterly at the contract review"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: not isinstance(app.screen, FormScreen), "saved")
    saved = one(demo, "SELECT reviewed_on FROM metric WHERE name = 'Complaints'")
    assert saved["reviewed_on"] == TODAY.isoformat()


async def test_today_says_nothing_of_reviews_when_none_is_due(demo: Store) -> None:
    for name in (REFERRALS, "Missed visits"):
        metric = metric_named(demo, name)
        assert metric.id is not None
        review_metric(acting_as(demo, metric.owner_id), metric.id, "Kept as it is", TODAY)
    assert status_summary(demo, TODAY, metrics=False).reviews_due == []
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=(160, 50)) as pilot:
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, TodayScreen) and "As at" in shown(app, "#as-at"),
            "Today's counts",
        )
        assert not app.screen.query_one("#reviews-due").display
