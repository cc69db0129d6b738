"""Key 5 on the smallest terminal, 80x24, driven with the keyboard: the countdown and the
whole verdict come first, then the workstreams; each list keeps its dates and states on
screen by narrowing its free text; the page scrolls to training, supervision and the chart
(tab reaches it only when there is more below), and g or ⏎ never act on a row the page
has scrolled away. Real app, real SQLite file (the demo as at TODAY)."""

from __future__ import annotations

from datetime import datetime

from huddle.app import HuddleApp, make_app
from screens.mobilisation import MobilisationScreen, Page, RagHistoryScreen, TrainingScreen
from screens.mobilisation_lists import DeliverableList, RiskList, TrainingList, WorkstreamList
from store import Store
from tests.test_meeting_room import EIGHT, TODAY, MovingClock, list_ready, until
from tests.test_mobilisation_room import dashboard

SMALLEST = (80, 24)


def drawn(app: HuddleApp) -> str:
    """Every line of the screen as it goes to the terminal."""
    compositor = app.screen._compositor  # type: ignore[attr-defined]
    return "\n".join(strip.text for strip in compositor.render_strips())


def flat(text: str) -> str:
    """The screen's words in one line, so a sentence wrapped over lines reads whole (the
    verdict's border and the page's scrollbar left out)."""
    return " ".join(text.translate({ord(c): " " for c in "┃▁▂▃▄▅▆▇█"}).split())


async def test_the_countdown_verdict_and_workstreams_come_first_at_80x24(demo: Store) -> None:
    app = make_app(demo, MovingClock(datetime.combine(TODAY, EIGHT)))
    async with app.run_test(size=SMALLEST) as pilot:
        screen = await dashboard(app, pilot)
        view = screen.view
        assert view is not None
        shown = drawn(app)
        words = flat(shown)
        assert f"go-live {view.programme.go_live:%a %d/%m/%Y}" in words
        assert "days to go-live" in words
        reasons = ", ".join(view.readiness.blockers)
        assert f"NOT READY: {reasons}" in words  # the whole verdict, not cut
        for _, name in view.workstreams:
            assert name in shown
        # Below, the deliverables keep their due dates and evidence, and the risks their
        # review date and mitigation, by narrowing their text (cut with "…").
        page = screen.query_one(Page)
        await pilot.press("tab")  # the deliverables, scrolled to
        deliverables = screen.query_one(DeliverableList)
        await until(app, pilot, lambda: list_ready(deliverables), "the deliverables")
        shown = drawn(app)
        assert "…" in shown and "NONE YET: e records it" in shown
        await pilot.press("tab")  # the risks
        await until(app, pilot, lambda: list_ready(screen.query_one(RiskList)), "the risks")
        shown = drawn(app)
        assert "NONE: a adds one" in shown and "OVERDUE " in shown
        # The page itself is next: it scrolls down to training, supervision and the chart.
        await pilot.press("tab")
        assert app.focused is page
        await pilot.press("end")
        await pilot.pause()
        words = flat(drawn(app))
        assert "Supervision" in words and "Readiness over time" in words
        # The chart under training, each workstream's letters on one line under the dates.
        assert screen.query_one("#mob-bottom").has_class("stacked")
        assert "Workforce readiness G G A R R" in words
        # The supervisors' line is whole: each one's figures follow the name.
        for supervisor in view.supervisors:
            assert f"{supervisor.name} {supervisor.supervisees}/{supervisor.capacity}" in words
        # With the page in hand, ⏎, g, e and n open nothing for a row the user cannot see.
        for key in ("enter", "g", "e", "n"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, MobilisationScreen), key
            assert not isinstance(app.screen, RagHistoryScreen)


async def test_the_page_takes_no_focus_when_everything_fits(demo: Store) -> None:
    app = make_app(demo, MovingClock(datetime.combine(TODAY, EIGHT)))
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await dashboard(app, pilot)
        page = screen.query_one(Page)
        focused = []
        for _ in range(4):
            await pilot.press("tab")
            focused.append(app.focused)
        assert page not in focused
        assert {type(w) for w in focused} == {WorkstreamList, DeliverableList, RiskList}
        assert not screen.query_one("#mob-bottom").has_class("stacked")  # chart beside


async def test_the_training_matrix_header_scrolls_with_its_rows(demo: Store) -> None:
    app = make_app(demo, MovingClock(datetime.combine(TODAY, EIGHT)))
    async with app.run_test(size=SMALLEST) as pilot:
        await dashboard(app, pilot)
        await pilot.press("t")
        await until(app, pilot, lambda: isinstance(app.screen, TrainingScreen), "the matrix")
        matrix = app.screen.query_one(TrainingList)
        await until(app, pilot, lambda: list_ready(matrix), "the matrix's rows")
        assert "Triage" not in drawn(app)  # the last competency is off to the right
        for _ in range(matrix.line_width):
            await pilot.press("right")
            if "Triage" in drawn(app):
                break
        assert matrix.scroll_x > 0
        lines = drawn(app).splitlines()
        at = next(i for i, line in enumerate(lines) if "Triage" in line)
        title_at = lines[at].index("Triage")
        # Its column starts under its title in the first row (Daniel Okoro's: NOT BOOKED).
        first_row = lines[at + 1]
        assert first_row[title_at - 1] == " " and first_row[title_at] != " "
