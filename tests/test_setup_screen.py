"""The Set-up screen (key 7) driven with the keyboard, as a service manager would: a new
person added, found by typing, and leaving; a refused form; a tier change previewed and
written only on `y`; a row changed meanwhile in another terminal. Real app, real SQLite
file (the demo as at 22/11/2026); each test asserts on what the store holds."""

from __future__ import annotations

import json
import re
import time as wall
from collections.abc import Callable
from datetime import date
from pathlib import Path

from textual.widgets import Footer, Input, Select, Static

from huddle.app import HuddleApp, make_app
from huddle.clock import FixedClock
from huddle.service_file import parse_service_file, validated
from screens.help import HelpScreen
from screens.paged_list import PagedList
from screens.setup_change import ConfirmPlan, SetupForm
from screens.setup_screen import SetupScreen
from screens.setup_sections import SETUP_COMMANDS
from store import Store, open_store
from store.queries import tier_counts
from store.setup import apply_plan, current_setup, plan_setup
from store.setup_reads import SetupQuery, count_people, page_of_people
from tests.snapshot_app import after_keys, demo_app, in_utc  # noqa: F401 - in_utc is a fixture

TODAY = date(2026, 11, 22)
SIZE = (100, 30)
SOURCE = "set-up from the Set-up screen"


# --- waiting for the app, and reading it and the store ------------------------------------


async def until(app: HuddleApp, pilot, condition: Callable[[], bool], what: str) -> None:
    """Let the workers finish, and what they post be handled, until `condition` holds."""
    deadline = wall.monotonic() + 15
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
        assert wall.monotonic() < deadline, f"timed out waiting for {what} ({app.screen!r})"


def one(store: Store, sql: str, *params: object) -> dict:
    rows = list(store.db.query(sql, params))
    assert len(rows) == 1, f"expected one row for {sql!r} {params}, found {len(rows)}"
    return rows[0]


def audit_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def shown(app: HuddleApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def form(app: HuddleApp) -> SetupForm:
    assert isinstance(app.screen, SetupForm), f"expected a set-up form, found {app.screen!r}"
    return app.screen


def error(app: HuddleApp, field: str) -> str:
    return str(form(app).query_one(f"#error-{field}", Static).render())


def typed(app: HuddleApp, field: str) -> str:
    return form(app).query_one(f"#field-{field}", Input).value


def listed(screen: SetupScreen, section: str) -> PagedList:
    return screen.query_one(f"#list-{section}", PagedList)


def row_text(screen: SetupScreen, section: str) -> str:
    """The row the list draws under its cursor ("" while the list reads its page again)."""
    widget = listed(screen, section)
    line = widget.current()
    return "" if line is None else "".join(cell for cell, _ in widget.cells(line))


async def set_up(app: HuddleApp, pilot, section: str) -> SetupScreen:
    """Key 7, then tab to the section, its list read."""
    await pilot.press("7")
    await until(
        app,
        pilot,
        lambda: isinstance(app.screen, SetupScreen) and app.screen.facts is not None,
        "the set-up",
    )
    screen = app.screen
    assert isinstance(screen, SetupScreen)
    while screen.section != section:
        await pilot.press("tab")
    if section != "service":
        widget = listed(screen, section)
        await until(app, pilot, lambda: widget.current() is not None, f"the {section} list")
    return screen


async def find(app: HuddleApp, pilot, screen: SetupScreen, words: str) -> None:
    """`/`, the words typed over whatever was there, enter: back on the list."""
    await pilot.press("slash", "ctrl+u", *words)
    await until(app, pilot, lambda: screen.search == words, "the search")
    await pilot.press("enter")
    people = listed(screen, "people")
    await until(
        app,
        pilot,
        lambda: people.query_shown == screen._query("people") and people.current() is not None,
        f"people starting {words!r}",
    )


async def confirm_shown(app: HuddleApp, pilot) -> str:
    await until(app, pilot, lambda: isinstance(app.screen, ConfirmPlan), "the plan to confirm")
    return shown(app, "#plan")


# --- the tests ------------------------------------------------------------------------------


async def test_a_person_is_added_found_by_typing_and_leaves(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "people")

        await pilot.press("n")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        await pilot.press(*"Zara Quinn", "enter", *"Community nurse", "ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")

        zara = one(
            demo,
            "SELECT p.*, v.name AS provider FROM person AS p JOIN provider AS v "
            "ON v.id = p.provider_id WHERE p.name = 'Zara Quinn'",
        )
        assert (zara["role"], zara["provider"], zara["inactive_since"]) == (
            "Community nurse",
            "Northbrook Community Health NHS Trust",  # the first provider, offered first
            None,
        )
        added = one(
            demo,
            "SELECT * FROM audit WHERE table_name = 'person' AND row_id = ?",
            zara["id"],
        )
        assert (added["operation"], added["reason"], added["actor"]) == (
            "insert",
            SOURCE,
            "Helen Marsden",
        )

        # Type-to-find: the start of a role, any case, then the start of her name.
        await find(app, pilot, screen, "PATHWAY C")
        assert screen.found == 1
        assert listed(screen, "people").current().name == "Kofi Mensah"
        await find(app, pilot, screen, "zar")
        assert screen.found == 1
        assert "Starting 'zar': 1" in shown(app, "#setup-head")
        assert listed(screen, "people").current().name == "Zara Quinn"

        # x: what her leaving does is shown first; y writes it.
        await pilot.press("x")
        plan = await confirm_shown(app, pilot)
        assert "deactivate person 'Zara Quinn'" in plan
        assert one(demo, "SELECT inactive_since FROM person WHERE id = ?", zara["id"]) == {
            "inactive_since": None
        }
        await pilot.press("y")
        await until(
            app,
            pilot,
            lambda: "LEFT" in shown(app, "#setup-detail"),
            "her row read again",
        )

        left = one(demo, "SELECT * FROM person WHERE id = ?", zara["id"])
        assert (left["inactive_since"], left["version"]) == ("2026-11-22", 2)
        audit = one(
            demo,
            "SELECT * FROM audit WHERE table_name = 'person' AND row_id = ? "
            "AND operation = 'update'",
            zara["id"],
        )
        assert audit["reason"] == SOURCE
        assert json.loads(audit["after"])["inactive_since"] == "2026-11-22"
        assert "LEFT 22/11/2026" in row_text(screen, "people")
        assert "LEFT on 22/11/2026" in shown(app, "#setup-detail")
        # Nobody is deleted, and a leaver is offered in no picker.
        assert "Zara Quinn" not in {p.name for p in screen.staff.people if p.active}


async def test_a_refused_form_keeps_what_was_typed_and_writes_nothing(demo: Store) -> None:
    before = audit_count(demo)
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await set_up(app, pilot, "people")
        await pilot.press("n")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")

        # No role: refused beside the role, the name kept.
        await pilot.press(*"Kofi Mensah", "ctrl+s")
        await until(app, pilot, lambda: bool(error(app, "role")), "the role refused")
        assert typed(app, "name") == "Kofi Mensah"

        # A name the service already has: refused beside the name, both kept.
        form(app).query_one("#field-role", Input).value = "Nurse"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "given twice" in error(app, "name"), "the name refused")
        assert error(app, "role") == ""
        assert (typed(app, "name"), typed(app, "role")) == ("Kofi Mensah", "Nurse")
        assert isinstance(app.screen, SetupForm)

    assert audit_count(demo) == before
    assert (
        demo.conn.execute("SELECT count(*) FROM person WHERE name = 'Kofi Mensah'").fetchone()[0]
        == 1
    )


async def test_a_tier_change_shows_its_effect_and_writes_only_when_confirmed(
    demo: Store,
) -> None:
    tier = one(demo, "SELECT * FROM risk_tier WHERE number = 3")
    breached_before = tier_counts(demo.conn, TODAY)[3].breached
    before = audit_count(demo)
    reason = "Commissioner asked for a shorter wait"
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "tiers")
        await pilot.press("down", "down")
        await until(app, pilot, lambda: listed(screen, "tiers").current().number == 3, "tier 3")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        assert typed(app, "max_safe_wait_days") == "42"

        # Words where a number belongs, and no reason: each refused beside its field.
        form(app).query_one("#field-max_safe_wait_days", Input).value = "28 days"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "whole number" in error(app, "max_safe_wait_days"), "")
        form(app).query_one("#field-max_safe_wait_days", Input).value = "28"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "required" in error(app, "reason"), "the reason")

        form(app).query_one("#field-reason", Input).value = reason
        await pilot.press("ctrl+s")
        plan = await confirm_shown(app, pilot)
        effect = re.search(
            r"tier 3 maximum safe wait 42 -> 28 days: (\d+) more entries breached, "
            r"(\d+) of them without escalation",
            plan,
        )
        assert effect is not None, plan
        more, unescalated = int(effect[1]), int(effect[2])
        assert more > 0 and 0 <= unescalated <= more

        # n: nothing written, the form still open with what was typed.
        await pilot.press("n")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "back to the form")
        assert "Not applied" in str(form(app).query_one("#setup-status", Static).render())
        assert (typed(app, "max_safe_wait_days"), typed(app, "reason")) == ("28", reason)
        assert one(demo, "SELECT * FROM risk_tier WHERE number = 3") == tier
        assert audit_count(demo) == before

        # Saved again and confirmed: written, with the reason, and the entries re-dated.
        await pilot.press("ctrl+s")
        await confirm_shown(app, pilot)
        await pilot.press("y")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")

    changed = one(demo, "SELECT * FROM risk_tier WHERE number = 3")
    assert (changed["max_safe_wait_days"], changed["version"]) == (28, tier["version"] + 1)
    assert one(
        demo,
        "SELECT reason FROM audit WHERE table_name = 'risk_tier' AND row_id = ? "
        "AND operation = 'update'",
        tier["id"],
    ) == {"reason": f"{SOURCE}: {reason}"}
    # The preview was measured, not estimated: it is what happened.
    assert tier_counts(demo.conn, TODAY)[3].breached - breached_before == more


async def test_a_row_saved_meanwhile_in_another_terminal_is_not_overwritten(
    demo: Store,
) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "people")
        await find(app, pilot, screen, "Kofi")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        assert typed(app, "role") == "Pathway coordinator"

        # Another terminal changes his role while the form is open.
        other = open_store(Path(demo.path), "Tom Ashworth")
        document = current_setup(other).model_dump()
        next(p for p in document["people"] if p["name"] == "Kofi Mensah")["role"] = "Team lead"
        setup = validated(document, "the other terminal")
        apply_plan(other, plan_setup(other, setup, TODAY, "the other terminal"), TODAY)
        other.close()

        form(app).query_one("#field-role", Input).value = "Senior pathway coordinator"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "changed by someone else" in error(app, "form"), "")
        assert typed(app, "role") == "Senior pathway coordinator"

    assert one(demo, "SELECT role FROM person WHERE name = 'Kofi Mensah'") == {"role": "Team lead"}


async def test_a_provider_renamed_is_one_change_its_people_untouched(demo: Store) -> None:
    people = list(demo.db.query("SELECT id, provider_id, version FROM person ORDER BY id"))
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "providers")
        assert listed(screen, "providers").current().name == "Brookvale Rapid Response Ltd"
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        form(app).query_one("#field-name", Input).value = "Brookvale Urgent Care Ltd"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")

    assert one(demo, "SELECT count(*) AS n FROM provider WHERE name LIKE 'Brookvale%'") == {"n": 1}
    assert list(demo.db.query("SELECT id, provider_id, version FROM person ORDER BY id")) == people
    renamed = list(
        demo.db.query("SELECT table_name, reason FROM audit WHERE reason LIKE 'set-up from%'")
    )
    assert renamed == [{"table_name": "provider", "reason": SOURCE}]


async def test_a_provider_s_short_name_is_set_refused_if_taken_and_shown_in_full(
    demo: Store,
) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "providers")
        assert listed(screen, "providers").current().name == "Brookvale Rapid Response Ltd"
        assert "no short name: the waiting list shows 'BRR Ltd'" in shown(app, "#setup-detail")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        field = form(app).query_one("#field-short_name", Input)
        field.value = "northbrook nhs"  # the prime's, in another case
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "already" in error(app, "short_name"), "the refusal")
        assert (
            "'northbrook nhs' is already the short name of provider 'Northbrook Community "
            "Health NHS Trust'" in error(app, "short_name")
        )
        field.value = "Brookvale"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")
        await until(app, pilot, lambda: "Brookvale " in row_text(screen, "providers"), "the row")
        assert "short name Brookvale" in shown(app, "#setup-detail")

    assert one(demo, "SELECT short_name FROM provider WHERE name LIKE 'Brookvale%'") == {
        "short_name": "Brookvale"
    }
    changed = list(demo.db.query("SELECT table_name, reason FROM audit WHERE reason = ?", [SOURCE]))
    assert changed == [{"table_name": "provider", "reason": SOURCE}]


async def test_a_person_s_login_is_saved_lower_case_and_refused_if_taken_or_not_a_login(
    demo: Store,
) -> None:
    before = audit_count(demo)
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "people")
        people = listed(screen, "people")
        assert people.current().name == "Anna Kowalska"
        assert "· no login ·" in shown(app, "#setup-detail")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        form(app).query_one("#field-login", Input).value = " AKowalska "
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")
        await until(app, pilot, lambda: "akowalska" in row_text(screen, "people"), "the row")
        assert "login akowalska" in shown(app, "#setup-detail")

        await pilot.press("down")
        await until(app, pilot, lambda: people.current().name == "Aoife Brennan", "the next")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        field = form(app).query_one("#field-login", Input)
        field.value = "AKOWALSKA"  # Anna's, in another case
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "both" in error(app, "login"), "the refusal")
        assert "'akowalska' is the login of both 'Aoife Brennan' and 'Anna Kowalska'" in error(
            app, "login"
        )
        field.value = "Aoife B"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "not a login" in error(app, "login"), "the refusal")
        assert "'Aoife B' is not a login name" in error(app, "login")
        await pilot.press("escape", "d")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")

    assert one(demo, "SELECT login FROM person WHERE name = 'Anna Kowalska'") == {
        "login": "akowalska"
    }
    assert one(demo, "SELECT login FROM person WHERE name = 'Aoife Brennan'") == {"login": None}
    changed = list(demo.db.query("SELECT table_name, reason FROM audit WHERE id > ?", [before]))
    assert changed == [{"table_name": "person", "reason": SOURCE}]


async def test_a_series_takes_its_chair_and_invitees_by_part_of_a_name(demo: Store) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "series")
        await pilot.press("n")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        fields = {"name": "Late shift brief", "chair": "kofi", "invitees": "kofi, tom ash"}
        for name, value in fields.items():
            form(app).query_one(f"#field-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")

    series = one(demo, "SELECT * FROM series WHERE name = 'Late shift brief'")
    kofi = one(demo, "SELECT id FROM person WHERE name = 'Kofi Mensah'")["id"]
    tom = one(demo, "SELECT id FROM person WHERE name = 'Tom Ashworth'")["id"]
    assert (series["kind"], series["chair_id"], json.loads(series["invitees"])) == (
        "safety brief",
        kofi,
        [kofi, tom],
    )


def test_setup_people_at_80_columns(snap_compare, tmp_path: Path, today: date, monkeypatch) -> None:
    """`7`, tab, tab: the people, each with role, provider and whether they are here or
    LEFT; the highlighted one in full under the list; the keys of the section."""
    app = demo_app(tmp_path, today, monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=after_keys(("7",), ("tab", "tab")))


def test_finding_people_reads_index_ranges_not_the_whole_table(store: Store) -> None:
    """Type-to-find over hundreds or thousands of people: the count and the page are each
    index ranges on the start of a name or of a role (any case), never a scan of `person`."""
    asked: list[str] = []
    store.conn.set_trace_callback(asked.append)
    query = SetupQuery(1, "Kel")
    count_people(store, query)
    page_of_people(store, query, 0, 30)
    store.conn.set_trace_callback(None)
    plans = [
        " | ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in asked
        if "person" in sql
    ]
    assert len(plans) == 2, asked
    for plan in plans:
        assert "person_name_nocase (name>? AND name<?)" in plan, plan
        assert "person_role_nocase (role>? AND role<?)" in plan, plan
        assert "SCAN person" not in plan, plan


async def test_every_key_of_the_screen_is_in_the_footer_the_palette_and_help(
    demo: Store,
) -> None:
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "people")
        footer = " ".join(str(key.render()) for key in screen.query_one(Footer).children)
        for command in SETUP_COMMANDS:
            shown_here = command.action != "programme"  # p belongs to the Programme section
            assert (f"{command.key_display} {command.title}" in footer) == shown_here, command
            assert command.id and command.help
        palette = {c.title for c in app.get_system_commands(screen)}
        assert {c.title for c in SETUP_COMMANDS} <= palette
        await pilot.press("question_mark")
        await until(app, pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        assert app.screen.screen_commands == SETUP_COMMANDS  # listed under "Keys on this screen"


SMALL_SERVICE = """
[service]
name = "Prime Rapid Response"

[[providers]]
name = "Prime Community Trust"
kind = "prime"

[[people]]
name = "Jess Armitage"
role = "Shift lead"
provider = "Prime Community Trust"
"""


async def test_the_programme_is_started_with_its_first_workstream(store: Store) -> None:
    setup = parse_service_file(SMALL_SERVICE)
    apply_plan(store, plan_setup(store, setup, TODAY, "service.toml"), TODAY)
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "service")
        await pilot.press("shift+tab", "shift+tab", "shift+tab")  # round to Programme
        assert screen.section == "programme"
        assert "No mobilisation programme" in shown(app, "#setup-head")
        await pilot.press("p")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        fields = {
            "name": "Community therapy contract",
            "go_live": "01/10/2026",  # before today: refused beside the date
            "workstream": "Pathway clarity",
            "lead": "jess",
        }
        for name, value in fields.items():
            form(app).query_one(f"#field-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "in the past" in error(app, "go_live"), "the date")
        form(app).query_one("#field-go_live", Input).value = "01/02/2027"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")
        await until(app, pilot, lambda: "go-live 01/02/2027" in shown(app, "#setup-head"), "")

    programme = one(store, "SELECT * FROM mobilisation_programme")
    assert (programme["name"], programme["go_live"]) == ("Community therapy contract", "2027-02-01")
    jess = one(store, "SELECT id FROM person WHERE name = 'Jess Armitage'")["id"]
    assert one(store, "SELECT name, lead_id FROM workstream") == {
        "name": "Pathway clarity",
        "lead_id": jess,
    }


async def test_a_person_is_made_a_display_account_or_an_assessor_on_their_form(
    demo: Store,
) -> None:
    """Display account: a choice; Assesses: competencies by the start of their names, in
    any case, comma-separated. One that is not a competency is refused beside the field;
    a display account that assesses is refused too; each save is one audited change."""
    before = audit_count(demo)
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "people")
        people = listed(screen, "people")
        assert people.current().name == "Anna Kowalska"
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        assesses = form(app).query_one("#field-assesses", Input)
        assesses.value = "Safe, flying"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "flying" in error(app, "assesses"), "the refusal")
        assert error(app, "assesses").startswith("assesses: 'flying' is not one competency")
        assesses.value = "TRIAGE, safe"
        form(app).query_one("#field-read_only", Select).value = "yes"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "display account" in error(app, "assesses"), "refusal")
        assert "'Anna Kowalska' is a display account (read_only) and writes nothing" in error(
            app, "assesses"
        )
        form(app).query_one("#field-read_only", Select).value = "no"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")
        await until(
            app,
            pilot,
            lambda: "assesses safeguarding, triage (pathway skill)" in shown(app, "#setup-detail"),
            "the detail line",
        )

        await pilot.press("down")
        await until(app, pilot, lambda: people.current().name == "Aoife Brennan", "the next")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        form(app).query_one("#field-read_only", Select).value = "yes"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")
        await until(app, pilot, lambda: "here · display" in row_text(screen, "people"), "row")
        assert "display account (read-only)" in shown(app, "#setup-detail")

    assert one(demo, "SELECT read_only, assesses FROM person WHERE name = 'Anna Kowalska'") == {
        "read_only": None,
        "assesses": '["safeguarding", "triage (pathway skill)"]',
    }
    assert one(demo, "SELECT read_only FROM person WHERE name = 'Aoife Brennan'") == {
        "read_only": 1
    }
    changed = list(demo.db.query("SELECT table_name, reason FROM audit WHERE id > ?", [before]))
    assert changed == [{"table_name": "person", "reason": SOURCE}] * 2


async def test_a_rung_s_owner_is_named_on_the_ladder_and_follows_a_rename(demo: Store) -> None:
    """The Ladder section lists every rung with its owner; `e` names a new one (one audited
    change); a rung's owner renamed under People stays the rung's owner under the new name
    (before, the rename was refused: the ladder still named the old one)."""
    jess = one(demo, "SELECT id FROM person WHERE name = 'Jess Armitage'")["id"]
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await set_up(app, pilot, "ladder")
        assert "Claire Osei" in row_text(screen, "ladder")
        await pilot.press("down")
        await until(app, pilot, lambda: "Dr Priya Raman" in row_text(screen, "ladder"), "clinical")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the form")
        form(app).query_one("#field-owner", Input).value = "Jess"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form to close")
        await until(app, pilot, lambda: "Jess Armitage" in row_text(screen, "ladder"), "the row")
        assert one(demo, "SELECT owner_id FROM ladder_rung WHERE rung = 'clinical'") == {
            "owner_id": jess
        }
        assert one(
            demo,
            "SELECT actor, reason FROM audit WHERE table_name = 'ladder_rung' "
            "AND operation = 'update'",
        ) == {"actor": "Helen Marsden", "reason": SOURCE}

        while screen.section != "people":
            await pilot.press("tab")
        await find(app, pilot, screen, "Jess")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, SetupForm), "the person form")
        form(app).query_one("#field-name", Input).value = "Jessica Armitage"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the rename to be saved")
        while screen.section != "ladder":
            await pilot.press("tab")
        # The cursor stays on the clinical rung it was on.
        await until(app, pilot, lambda: "Jessica Armitage" in row_text(screen, "ladder"), "renamed")
    assert one(demo, "SELECT owner_id FROM ladder_rung WHERE rung = 'clinical'") == {
        "owner_id": jess
    }
