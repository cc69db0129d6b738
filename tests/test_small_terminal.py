"""At 80x24, the smallest terminal huddle supports (issue 23): Today shows every count with
its words whole, the fired triggers and the tier table; the fired-trigger box takes focus
only when it has more than it shows; help fits; a form's heading stays while its fields
scroll."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from huddle.app import HuddleApp
from screens.form import FormScreen
from screens.help import HelpScreen
from screens.oversight import OversightScreen
from screens.today import FiredBox
from tests.snapshot_app import demo_app, in_utc  # noqa: F401 - in_utc is a fixture
from tests.test_meeting_room import until

SMALL = (80, 24)


def drawn(app: HuddleApp) -> str:
    """Every line of the screen as it goes to the terminal."""
    compositor = app.screen._compositor  # type: ignore[attr-defined]
    return "\n".join(strip.text for strip in compositor.render_strips())


def read(app: HuddleApp) -> bool:
    return "As at" in str(app.screen.query_one("#as-at", Static).content)


async def test_today_at_80x24_shows_every_count_with_its_words_whole(
    tmp_path: Path, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    async with app.run_test(size=SMALL) as pilot:
        await until(app, pilot, lambda: read(app), "the counts")
        await pilot.pause()
        screen = drawn(app)
    for whole in (
        "Breached",
        "Not escalated",
        "Contacts late",
        "Actions late",
        "Triggers",
        "Go-live",
        "BREACHED WITHOUT",
        "ESCALATION",
        "NOT READY",
        "03/01/2027",
        "FIRED 21/11",
        "Tier",
        "1 Urgent",
    ):
        assert whole in screen, whole
    assert "…" not in screen


async def test_the_fired_box_takes_focus_only_when_it_has_more_than_it_shows(
    tmp_path: Path, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    async with app.run_test(size=SMALL) as pilot:
        await until(app, pilot, lambda: read(app), "the counts")
        box = app.screen.query_one("#fired", FiredBox)
        assert box.display and box not in app.screen.focus_chain
        # More fired triggers than its three lines at 80 columns hold.
        many = "\n".join(f"FIRED 21/11 rule {n}" for n in range(8))
        app.screen.query_one("#fired-text", Static).update(many)
        await until(app, pilot, lambda: box.max_scroll_y > 0, "the box to overflow")
        assert box in app.screen.focus_chain
        assert "tab here" in str(box.border_title)
        while app.focused is not box:
            await pilot.press("tab")
        await pilot.press("end")
        await until(app, pilot, lambda: box.scroll_y == box.max_scroll_y, "the last trigger")


async def test_help_fits_80_columns(
    tmp_path: Path, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    async with app.run_test(size=SMALL) as pilot:
        await until(app, pilot, lambda: read(app), "the counts")
        await pilot.press("question_mark")
        await until(app, pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.pause()
        box = app.screen.query_one(VerticalScroll)
        assert box.region.width <= SMALL[0] and box.region.right <= SMALL[0]
        assert "Waiting list — By risk tier" in drawn(app)


async def test_a_forms_heading_stays_in_view_while_its_fields_scroll(
    tmp_path: Path, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    async with app.run_test(size=SMALL) as pilot:
        await until(app, pilot, lambda: read(app), "the counts")
        await pilot.press("6")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, OversightScreen) and app.screen.highlighted is not None,
            "a metric under the cursor",
        )
        await pilot.press("t")  # a trigger rule: the longest note of any form
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the rule form")
        form = app.screen
        scroll = form.query_one("#form", VerticalScroll)
        last = form.query_one(f"#field-{form.fields[-1].name}")
        last.focus()
        await until(app, pilot, lambda: scroll.scroll_y > 0, "the fields to scroll")
        title = form.query_one(".form-title", Label)
        assert scroll.region.contains_region(title.region), "the title scrolled away"
        assert "Trigger rule over" in drawn(app)


async def test_moving_down_the_tier_table_at_80x24_brings_its_rows_into_view(
    tmp_path: Path, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = demo_app(tmp_path, today, monkeypatch)
    async with app.run_test(size=SMALL) as pilot:
        await until(app, pilot, lambda: read(app), "the counts")
        await pilot.pause()
        assert "4 Routine" not in drawn(app)  # below the fold under the two banners
        for _ in range(3):
            await pilot.press("down")
        await until(app, pilot, lambda: "4 Routine" in drawn(app), "the last tier in view")
