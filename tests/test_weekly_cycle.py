"""A weekly cycle on a service set up from its service file, as the coordinator runs it:
this week's extract, the huddle's own changes at the keyboard, next week's extract through
the import screen, its report, the held list, and each held change resolved by a person.

The huddle's re-tier, owner and interim contact survive next week's extract; the lowered
tier, the referral-date change and the cleared flag are held and listed; no breach stops
counting on the way."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from huddle.app import HuddleApp, make_app
from huddle.cli import main
from huddle.clock import FixedClock
from screens.entry_detail import EntryDetailScreen
from screens.entry_list import EntryList
from screens.form import FormScreen
from screens.import_waiting import ImportWaitingScreen
from screens.waiting_list import WaitingListScreen
from store import Store, held_changes, open_store
from store.queries import status_summary
from tests.conftest import settle

DOCS = Path(__file__).parent.parent / "docs"
THIS_WEEK = date(2026, 12, 6)  # the example extract's referrals run to 30/11/2026
NEXT_WEEK = date(2026, 12, 13)
SIZE = (160, 50)


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example service, with this week's example extract imported."""
    monkeypatch.chdir(tmp_path)  # the import screen's path is typed from here
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "rapid-response.db"
    for argv in (
        ["setup", "apply", str(DOCS / "service.example.toml"), "--yes"],
        ["import", "waiting-list", str(DOCS / "extract.example.csv"), "--user", "jarmitage"],
    ):
        assert main([*argv, "--db", str(db)], clock=FixedClock(THIS_WEEK)) == 0
    return db


def next_weeks_extract(folder: Path) -> Path:
    """The provider's next extract: its system knows nothing of the huddle's changes, has
    lowered one tier, corrected a referral date, cleared a flag and added a referral."""
    with (DOCS / "extract.example.csv").open(newline="", encoding="utf-8") as example:
        rows = list(csv.DictReader(example))
    by_id = {row["local_id"]: row for row in rows}
    by_id["RR-1003"]["safeguarding_flag"] = "no"
    by_id["BHC-77"]["referral_date"] = "10/05/2026"
    by_id["BHC-78"]["risk_tier"] = "2"
    new = dict(by_id["RR-1004"], nhs_number="", local_id="RR-1005", referral_date="08/12/2026")
    path = folder / "week-50.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, new])
    return path


def entry(store: Store, local_id: str) -> dict:
    return next(iter(store.db.query("SELECT * FROM waiting_entry WHERE local_id = ?", [local_id])))


def text(app: HuddleApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_entry(app: HuddleApp, pilot, local_id: str, *filter_keys: str) -> None:
    """From the waiting list: filters, a search for the local id, then the entry."""
    if not isinstance(app.screen, WaitingListScreen):
        await pilot.press("2")
        await settle(app, pilot)
    await pilot.press("x", *filter_keys, "slash", *local_id, "enter")
    await settle(app, pilot)
    assert app.screen.query_one(EntryList).total == 1
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, EntryDetailScreen)


async def save_form(app: HuddleApp, pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()
    assert isinstance(app.screen, FormScreen)
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    assert isinstance(app.screen, EntryDetailScreen), "the form refused what was typed"


async def test_a_week_of_huddle_changes_survives_the_next_extract(
    service: Path, tmp_path: Path
) -> None:
    store = open_store(service, "Jess Armitage")
    app = make_app(store, FixedClock(THIS_WEEK))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # RR-1004: raised from tier 3 to 2 and given an owner at the huddle.
        await open_entry(app, pilot, "RR-1004")
        await save_form(app, pilot, "t", "space", "up", "enter", "tab", *"new symptoms")
        await save_form(app, pilot, "o", *"Omar", "tab", *"allocated")
        await pilot.press("escape")
        # RR-1002: phoned yesterday, later than the provider's record of a contact.
        await open_entry(app, pilot, "RR-1002")
        await save_form(app, pilot, "l", "tab", "ctrl+u", *"05/12/2026", "tab", "tab", *"ok")
    huddle_said = {key: entry(store, key) for key in ("RR-1002", "RR-1004")}
    assert huddle_said["RR-1004"]["tier"] == 2
    assert huddle_said["RR-1002"]["last_interim_contact"] == "2026-12-05"
    before = status_summary(store, NEXT_WEEK).waiting

    path = next_weeks_extract(tmp_path)
    app = make_app(store, FixedClock(NEXT_WEEK))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ImportWaitingScreen)
        dialog.query_one("#file", Input).focus()
        await pilot.press(*path.name, "enter")
        await settle(app, pilot)
        report = str(dialog.query_one("#summary", Static).render())
        assert "rows in: 7; imported: 1; updated: 0; unchanged: 2; held: 4; rejected: 0" in report
        assert f"breached: {before.breached} -> {before.breached}" in report
        assert "held for a person (5 new, 0 already held" in report
        assert "HELD tier tier 3 (Moderate) in the extract, tier 2 (High) here" in report
        assert "HELD case owner none in the extract, Omar Haddad here" in report
        assert "HELD referral date 10/05/2026 in the extract, 10/06/2026 here" in report
        assert "HELD safeguarding flag not flagged in the extract, flagged here" in report
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, WaitingListScreen)

        # The held list: four entries, one of them BHC-78, whose tier huddle keeps.
        await pilot.press("h")
        await settle(app, pilot)
        assert app.screen.query_one(EntryList).total == 4
        await open_entry(app, pilot, "BHC-78", "h")
        assert "HELD FROM THE PROVIDER'S EXTRACT (1)" in text(app, "#held")
        await save_form(app, pilot, "K", *"still urgent: seen tomorrow")
        assert not app.screen.query_one("#held", Static).display
        await pilot.press("escape")
        # RR-1003: the flag was closed by the safeguarding team; accepted.
        await open_entry(app, pilot, "RR-1003", "h")
        await save_form(app, pilot, "A", *"closed by MASH 10/12")
        await pilot.press("escape", "x", "h")
        await settle(app, pilot)
        assert app.screen.query_one(EntryList).total == 2

    after = {key: entry(store, key) for key in ("RR-1002", "RR-1004", "BHC-77", "BHC-78")}
    assert (after["RR-1004"]["tier"], after["RR-1004"]["case_owner_id"]) == (
        huddle_said["RR-1004"]["tier"],
        huddle_said["RR-1004"]["case_owner_id"],
    )
    assert after["RR-1002"]["last_interim_contact"] == "2026-12-05"
    assert after["BHC-77"]["referral_date"] == "2026-06-10"
    assert after["BHC-78"]["tier"] == 1
    assert entry(store, "RR-1003")["safeguarding"] == 0
    assert status_summary(store, NEXT_WEEK).waiting.breached >= before.breached
    left = sorted((line.who, line.field) for line in held_changes.open_held(store))
    assert left == [
        ("local id BHC-77", "referral_date"),
        ("local id RR-1004", "case_owner_id"),
        ("local id RR-1004", "tier"),
    ]
    states = store.conn.execute(
        "SELECT state, reason FROM held_change WHERE state != 'open' ORDER BY id"
    ).fetchall()
    assert sorted(states) == [
        ("accepted", "closed by MASH 10/12"),
        ("kept", "still urgent: seen tomorrow"),
    ]
    store.close()
