"""The weekly mobilisation meeting driven with the keyboard, as its chair would: key 3, the
mobilisation series, `]` to the workstream RAG, `g` to rate one (refused without why),
the standing item "what could make go-live unsafe?" with `r` and a mitigation with `a`,
sign-off; then key 5 shows the new trend and its dated rationale. Real app, real SQLite
file (the demo at 22/11/2026, six weeks before go-live)."""

from __future__ import annotations

from datetime import date, datetime

from huddle.agenda import SectionKey
from huddle.app import HuddleApp, make_app
from huddle.models import MeetingKind
from screens.form import FormScreen
from screens.minutes_view import MinutesScreen
from screens.mobilisation import MobilisationScreen, RagHistoryScreen, TrainingScreen
from screens.mobilisation_lists import RiskList, TrainingList, WorkstreamList
from store import Store
from store.minutes import minutes_for_export
from tests.acting import acting_as
from tests.test_meeting_room import (
    EIGHT,
    SIZE,
    TODAY,
    MovingClock,
    error,
    fill,
    form,
    form_text,
    in_room,
    list_ready,
    next_section,
    one,
    save_sign_off,
    shown,
    start,
    typed,
    until,
)

SERIES = "Mobilisation — community therapy contract"
WHY = "Two supervisors added; sign-off at 85% with dates for the rest"


def trend_of(listed: WorkstreamList, name: str) -> str:
    line = next(line for line in listed.loaded() if line.name == name)
    return " ".join(rating.rag.letter for rating in line.trend)


async def dashboard(app: HuddleApp, pilot) -> MobilisationScreen:
    await pilot.press("5")

    def ready() -> bool:
        screen = app.screen
        return (
            isinstance(screen, MobilisationScreen)
            and screen.view is not None
            and list_ready(screen.query_one(WorkstreamList))
            and len(screen.query_one(WorkstreamList).loaded()) == 5
        )

    await until(app, pilot, ready, "the mobilisation dashboard")
    return app.screen


async def test_a_rag_is_rated_with_why_in_the_meeting_and_the_trend_shows_it(
    demo: Store,
) -> None:
    clock = MovingClock(datetime.combine(TODAY, EIGHT))
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        runner = await start(app, pilot, SERIES)
        meeting_id = runner.meeting_id
        assert runner.view.meeting.kind == MeetingKind.MOBILISATION
        # Helen Marsden, signed in, attends (added present), so she may sign it off.
        await pilot.press("plus")
        await fill(app, pilot, *"helen", "enter", "ctrl+s")
        runner = await in_room(app, pilot)

        runner = await next_section(app, pilot)
        assert runner.section == SectionKey.WORKSTREAMS
        assert "Verdict: NOT READY: 1 workstream red (Workforce readiness)" in shown(app, "#facts")
        listed = runner.query_one(WorkstreamList)
        assert trend_of(listed, "Workforce readiness") == "G G A R"
        await pilot.press("down")
        assert listed.current().name == "Workforce readiness"

        # g: the RAG comes prefilled with the current letter; without why it is refused,
        # and what was typed stays.
        await pilot.press("g")
        await fill(app, pilot, "backspace", "a")
        assert form(app).form_title == "RAG for the workstream: Workforce readiness"
        assert "Now R since 15/11/2026" in form_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen), "a RAG without a rationale must not save"
        assert "rationale" in error(app, "rationale")
        assert typed(app, "rag") == "a"
        before = demo.conn.execute("SELECT count(*) FROM rag_rating").fetchone()[0]
        await pilot.press(*WHY, "ctrl+s")  # the refusal put the cursor in rationale
        runner = await in_room(app, pilot)

        rating = one(demo, "SELECT * FROM rag_rating ORDER BY id DESC LIMIT 1")
        assert demo.conn.execute("SELECT count(*) FROM rag_rating").fetchone()[0] == before + 1
        assert (rating["rag"], rating["rationale"], rating["meeting_id"]) == (
            "amber",
            WHY,
            meeting_id,
        )
        assert rating["rated_on"] == "2026-11-22"
        assert (
            rating["rated_by"]
            == one(demo, "SELECT id FROM person WHERE name = 'Gareth Lloyd'")["id"]
        )  # the workstream's lead, prefilled
        await until(
            app,
            pilot,
            lambda: (
                trend_of(runner.query_one(WorkstreamList), "Workforce readiness") == "G G A R A"
            ),
            "the trend to show the new rating",
        )
        assert "RAG changes: Workforce readiness R→A (22/11)" in shown(app, "#side")

        # The standing item: r raises a go-live risk in this meeting; a on it mitigates.
        while runner.section != SectionKey.UNSAFE_GO_LIVE:
            runner = await next_section(app, pilot)
        await pilot.press("r")
        await fill(
            app,
            pilot,
            *"Agency therapists not inducted before go-live",
            "tab",
            "tab",
            *"4",
            "tab",
            *"4",
            "ctrl+s",
        )
        runner = await in_room(app, pilot)
        risk = one(demo, "SELECT * FROM go_live_risk ORDER BY id DESC LIMIT 1")
        assert (risk["meeting_id"], risk["likelihood"] * risk["impact"]) == (meeting_id, 16)
        assert risk["owner_id"] == runner.view.meeting.chair_id  # prefilled with the chair
        risks = runner.query_one(RiskList)
        await until(app, pilot, lambda: any(r.id == risk["id"] for r in risks.loaded()), "risk")
        while risks.current().id != risk["id"]:
            await pilot.press("down")
        await pilot.press("a")
        await fill(app, pilot, *"Book induction for agency staff", "enter", *"gareth", "enter")
        assert "About: go-live risk: Agency therapists" in form_text(app)
        await pilot.press(*"fri", "ctrl+s")
        await in_room(app, pilot)
        mitigation = one(demo, "SELECT * FROM action ORDER BY id DESC LIMIT 1")
        assert (mitigation["risk_id"], mitigation["meeting_id"]) == (risk["id"], meeting_id)

        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "sign-off")
        minutes_screen = await save_sign_off(app, pilot)
        assert isinstance(minutes_screen, MinutesScreen)
        minutes = minutes_for_export(demo, meeting_id)
        assert f"- RAG R→A: Workforce readiness — {WHY} (rated by Gareth Lloyd)" in minutes
        assert "- Go-live risk raised: Agency therapists not inducted before go-live" in minutes
        assert "Book induction for agency staff" in minutes

        # Key 5: the trend and its dated rationale, and a verdict without the red.
        screen = await dashboard(app, pilot)
        listed = screen.query_one(WorkstreamList)
        assert trend_of(listed, "Workforce readiness") == "G G A R A"
        assert "1 workstream red" not in shown(app, "#verdict")
        assert shown(app, "#verdict").startswith("NOT READY")
        await pilot.press("down", "enter")
        await until(
            app,
            pilot,
            lambda: (
                isinstance(app.screen, RagHistoryScreen) and "Reading" not in shown(app, "#history")
            ),
            "the RAG history",
        )
        history = shown(app, "#history")
        assert history.index("22/11/2026  A amber") < history.index("15/11/2026  R red")
        assert f"in {SERIES}, 22/11/2026" in history
        assert WHY in history


async def test_a_rag_without_why_is_refused_on_the_dashboard_too(demo: Store) -> None:
    app = make_app(demo, MovingClock(datetime.combine(date(2026, 11, 23), EIGHT)))
    async with app.run_test(size=SIZE) as pilot:
        await dashboard(app, pilot)
        before = demo.conn.execute("SELECT count(*) FROM rag_rating").fetchone()[0]
        await pilot.press("g")
        await fill(app, pilot, "backspace", "g", "tab", *"   ", "ctrl+s")
        await pilot.pause()
        assert "rationale" in error(app, "rationale")
        assert demo.conn.execute("SELECT count(*) FROM rag_rating").fetchone()[0] == before
        await pilot.press(*"Referral form in use by every referrer", "ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, MobilisationScreen), "saved")
        rating = one(demo, "SELECT * FROM rag_rating ORDER BY id DESC LIMIT 1")
        # Outside a meeting it is recorded against the date.
        assert (rating["rag"], rating["meeting_id"], rating["rated_on"]) == (
            "green",
            None,
            "2026-11-23",
        )


async def test_a_competency_is_signed_off_in_the_matrix_by_an_assessor(demo: Store) -> None:
    """Signed in as Helen Marsden, who assesses nothing, the sign-off is refused in words
    naming who may; signed in as Lucy Hargreaves, an assessor (and his supervisor), it is
    hers."""
    refused_as_helen = await _sign_off_daniels_escalation(demo)
    assert refused_as_helen == (
        "sign off: only an assessor of escalation (Dr Priya Raman, Lucy Hargreaves, Nadia "
        "Bello) may sign it off; you (Helen Marsden) are not one"
    )
    lucy = int(one(demo, "SELECT id FROM person WHERE name = 'Lucy Hargreaves'")["id"])
    assert await _sign_off_daniels_escalation(acting_as(demo, lucy)) == ""
    cell = one(
        demo,
        "SELECT t.* FROM training AS t JOIN person AS p ON p.id = t.person_id "
        "WHERE p.name = 'Daniel Okoro' AND t.competency = 'escalation'",
    )
    assert (cell["state"], cell["signed_off_on"], cell["signed_off_by"]) == (
        "competency signed off",
        "2026-11-22",
        lucy,
    )


async def _sign_off_daniels_escalation(store: Store) -> str:
    """s on the first of the matrix (Daniel Okoro) and ctrl+s: the refusal beside the
    form, or "" once saved (and the coverage moved on)."""
    app = make_app(store, MovingClock(datetime.combine(TODAY, EIGHT)))
    async with app.run_test(size=SIZE) as pilot:
        await dashboard(app, pilot)
        await pilot.press("t")
        await until(
            app,
            pilot,
            lambda: (
                isinstance(app.screen, TrainingScreen)
                and list_ready(app.screen.query_one(TrainingList))
            ),
            "the training matrix",
        )
        matrix = app.screen.query_one(TrainingList)
        daniel = matrix.current()  # the first by name: Daniel Okoro, escalation not booked
        assert daniel.name == "Daniel Okoro"
        assert "6/8" in shown(app, "#coverage")  # escalation: 6 of 8 high-risk signed off
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        assert f"signed off by you, {store.actor}" in form_text(app)  # nobody to choose
        before = store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        await pilot.press("ctrl+s")
        await pilot.pause()
        if isinstance(app.screen, FormScreen):
            said = error(app, "form")
            assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
            return said
        await until(app, pilot, lambda: isinstance(app.screen, TrainingScreen), "saved")
        await until(app, pilot, lambda: "7/8" in shown(app, "#coverage"), "the new coverage")
    return ""
