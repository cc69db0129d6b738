"""A paused clock is stopped, and pauses, resumes, contacts and closes are dated (issue 19,
part 6), on real SQLite files and fixed dates.

An entry paused on or before its breach date cannot breach while paused, whatever day it
is judged on; a breach that happened before the pause (or was seen by the database before
a pause dated earlier was recorded) stands; on resume the breach date moves on by the days
paused. Every place that counts breaches says the same number. Each dated form takes the
day it happened (today unless changed), and refuses, naming the field, a day in the
future, before the referral or before the event it follows, having written nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from huddle.app import HuddleApp, make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import (
    ContactKind,
    EntryStatus,
    Person,
    Provider,
    ProviderKind,
    WaitingEntry,
)
from huddle.waiting_query import WaitingQuery
from screens.entry_detail import EntryDetailScreen
from screens.form import FormScreen
from store import Store, entry_changes, open_store, records
from store.briefing import breaches_without_escalation
from store.check import check_database
from store.entry_detail import entry_detail
from store.queries import status_summary
from store.records import ensure_default_tiers
from store.waiting_export import COLUMNS, waiting_rows
from store.waiting_list import count_entries, page_of_entries
from tests.conftest import settle

TODAY = date(2026, 11, 22)
REFERRED = date(2026, 11, 1)  # tier 2 (14 days): breach date 15 Nov, breached from 16 Nov

Team = tuple[Provider, Person]


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture
def team(store: Store) -> Team:
    return add_team(store)


def add_team(store: Store) -> Team:
    provider = records.add(
        store, Provider(name="Northgate Community", kind=ProviderKind.PRIME), "set up"
    )
    assert provider.id is not None
    person = records.add(
        store, Person(name="Sam Patel", role="Team lead", provider_id=provider.id), "set up"
    )
    return provider, person


def referred(store: Store, team: Team, on: date = REFERRED, tier: int = 2) -> WaitingEntry:
    provider, _ = team
    assert provider.id is not None
    entry = records.add(
        store,
        WaitingEntry(
            local_id=f"P-{on.isoformat()}-{tier}",
            initials="AB",
            referral_date=on,
            tier=tier,
            provider_id=provider.id,
        ),
        "referral received",
    )
    assert entry.id is not None
    return entry


def row_of(store: Store, entry_id: int) -> dict:
    return next(iter(store.db.query("SELECT * FROM waiting_entry WHERE id = ?", [entry_id])))


def audit_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def on_day(day_number: int) -> date:
    """A date from its day number: the expected dates below are counted in whole days,
    independently of the rules' timedelta arithmetic."""
    return date.fromordinal(day_number)


def breached_everywhere(store: Store, as_at: date) -> tuple[int, int]:
    """(breached, breached without escalation) as at `as_at`, asserting that every place
    that counts them agrees: the Today and `huddle status` summary and its tiers, the
    waiting list's filters and its lines, the CSV export, and the named list the minutes
    and the meeting room print."""
    summary = status_summary(store, as_at).waiting
    breached, without = summary.breached, summary.breached_without_escalation
    assert sum(tier.breached for tier in summary.by_tier.values()) == breached
    assert count_entries(store, WaitingQuery(as_at, breached=True)) == breached
    assert count_entries(store, WaitingQuery(as_at, without_escalation=True)) == without
    lines = page_of_entries(store, WaitingQuery(as_at), 0, 1_000)
    assert sum(line.breached for line in lines) == breached
    assert sum(line.without_escalation for line in lines) == without
    exported = list(waiting_rows(store, as_at))
    assert sum(row[COLUMNS.index("breached")] == "yes" for row in exported) == breached
    flagged = COLUMNS.index("breached_without_escalation")
    assert sum(row[flagged] == "yes" for row in exported) == without
    assert len(breaches_without_escalation(store, as_at)) == without
    return breached, without


@contextmanager
def refused(store: Store, entry_id: int, match: str) -> Iterator[None]:
    """The change inside is refused with `match`, and writes nothing at all."""
    before = (audit_count(store), row_of(store, entry_id))
    with pytest.raises(ValueError, match=match):
        yield
    assert (audit_count(store), row_of(store, entry_id)) == before
    assert not store.conn.in_transaction


def paused(store: Store, entry: WaitingEntry, on: date, today: date | None = None) -> WaitingEntry:
    assert entry.id is not None
    return entry_changes.pause_clock(
        store, entry.id, entry.version, reason="patient on holiday", today=today or on, on=on
    )


def resumed(store: Store, entry: WaitingEntry, on: date, today: date | None = None) -> WaitingEntry:
    assert entry.id is not None
    return entry_changes.resume_clock(
        store, entry.id, entry.version, reason="patient back", today=today or on, on=on
    )


# --- a paused clock is stopped ------------------------------------------------------------

# (referral, tier, paused on, resumed on): each pause spans a month end, a clock change or
# both. BST ends on the last Sunday of October (25 Oct 2026, 31 Oct 2027) and starts on the
# last Sunday of March (29 Mar 2026); 2028 is a leap year. Dates carry no time of day, so
# the hour gained or lost must change no count of days.
PAUSES = {
    "BST ends, then a month end": (date(2026, 10, 13), 2, date(2026, 10, 24), date(2026, 11, 2)),
    "BST ends on a month end": (date(2027, 10, 17), 2, date(2027, 10, 30), date(2027, 11, 2)),
    "BST starts, then a month end": (date(2026, 3, 14), 2, date(2026, 3, 27), date(2026, 4, 1)),
    "a leap day": (date(2028, 2, 15), 2, date(2028, 2, 28), date(2028, 3, 2)),
    "the year's end": (date(2026, 12, 20), 1, date(2026, 12, 21), date(2027, 1, 2)),
}


@pytest.mark.parametrize("case", list(PAUSES))
def test_a_paused_entry_does_not_breach_while_paused(store: Store, team: Team, case: str) -> None:
    referral, tier, pause_on, resume_on = PAUSES[case]
    wait = records.risk_tiers(store)[tier].max_safe_wait_days
    breach_number = referral.toordinal() + wait
    assert pause_on.toordinal() <= breach_number < resume_on.toordinal()  # stopped in time
    entry = referred(store, team, on=referral, tier=tier)
    entry = paused(store, entry, pause_on)
    assert entry.id is not None
    left = breach_number - pause_on.toordinal()

    # Every day of the pause, and long after it had the clock run on: not breached.
    for number in range(pause_on.toordinal(), resume_on.toordinal() + 60):
        day = on_day(number)
        assert breached_everywhere(store, day) == (0, 0), day
        assert count_entries(store, WaitingQuery(day, due_this_week=True)) == 0, day
        (line,) = page_of_entries(store, WaitingQuery(day), 0, 10)
        assert (line.breach_date, line.paused, line.days_left_at_resume) == (None, True, left)
    detail = entry_detail(store, entry.id)
    assert (detail.breach_date, detail.days_left_at_resume) == (None, left)
    (exported,) = waiting_rows(store, resume_on)
    said = dict(zip(COLUMNS, exported, strict=True))
    assert (said["breach_date"], said["breached"], said["days_to_breach"]) == (None, "no", None)
    assert said["clock_paused_since"] == pause_on.isoformat()

    # Resumed: the breach date moves on by the days paused, the days left as they were.
    entry = resumed(store, entry, resume_on)
    moved = breach_number + resume_on.toordinal() - pause_on.toordinal()
    assert row_of(store, entry.id)["breach_date"] == on_day(moved).isoformat()
    assert moved - resume_on.toordinal() == left
    assert breached_everywhere(store, on_day(moved)) == (0, 0)
    assert breached_everywhere(store, on_day(moved + 1)) == (1, 1)
    assert check_database(store.conn).ok


def test_paused_on_its_breach_date_it_does_not_breach_a_day_later(store: Store, team: Team) -> None:
    entry = paused(store, referred(store, team), date(2026, 11, 15))  # the breach date
    assert entry.id is not None
    assert breached_everywhere(store, date(2026, 11, 16)) == (0, 0)
    assert entry_detail(store, entry.id).days_left_at_resume == 0
    entry = resumed(store, entry, date(2026, 11, 20))
    assert row_of(store, entry.id)["breach_date"] == "2026-11-20"
    assert breached_everywhere(store, date(2026, 11, 21)) == (1, 1)


@pytest.mark.parametrize("pause_on", [date(2026, 11, 16), date(2026, 11, 18)])
def test_a_breach_before_the_pause_stands(store: Store, team: Team, pause_on: date) -> None:
    """Paused on the first day it was breached, or later: breached all through the pause,
    and its breach date does not move when it ends."""
    entry = paused(store, referred(store, team), pause_on)
    assert entry.id is not None
    for number in range(pause_on.toordinal(), date(2026, 12, 31).toordinal()):
        assert breached_everywhere(store, on_day(number)) == (1, 1)
    assert entry_detail(store, entry.id).breach_date == date(2026, 11, 15)

    entry = resumed(store, entry, date(2026, 11, 30))
    row = row_of(store, entry.id)
    assert (row["breach_date"], row["breach_standing"]) == ("2026-11-15", "2026-11-15")
    assert row["paused_days"] == 30 - pause_on.day  # recorded, but it cannot undo the breach
    assert breached_everywhere(store, date(2027, 6, 1)) == (1, 1)


def test_a_pause_dated_before_a_breach_the_database_has_seen_leaves_it_standing(
    store: Store, team: Team
) -> None:
    """The patient asked for the pause on 10 Nov, but it is recorded on 22 Nov, after the
    breach of 15 Nov was counted (and perhaps minuted): that breach stands."""
    entry = referred(store, team)
    assert breached_everywhere(store, TODAY) == (1, 1)
    entry = paused(store, entry, date(2026, 11, 10), today=TODAY)
    assert entry.id is not None
    row = row_of(store, entry.id)
    assert (row["paused_since"], row["breach_date"], row["breach_standing"]) == (
        "2026-11-10",
        "2026-11-15",
        "2026-11-15",
    )
    assert breached_everywhere(store, TODAY) == (1, 1)
    resumed(store, entry, date(2026, 11, 25))
    assert row_of(store, entry.id)["breach_date"] == "2026-11-15"
    assert breached_everywhere(store, date(2026, 11, 26)) == (1, 1)


def test_a_resume_dated_in_the_past_moves_the_breach_date_by_the_days_paused(
    store: Store, team: Team
) -> None:
    entry = paused(store, referred(store, team), date(2026, 11, 5))
    assert entry.id is not None
    entry = resumed(store, entry, date(2026, 11, 9), today=date(2026, 11, 12))
    row = row_of(store, entry.id)
    assert (row["paused_days"], row["breach_date"], row["clock_resumed_on"]) == (
        4,
        "2026-11-19",
        "2026-11-09",
    )
    last = next(iter(store.db.query("SELECT reason FROM audit ORDER BY id DESC LIMIT 1")))
    assert last["reason"] == "clock resumed after 4 days paused: patient back"
    # Its history says the breach date was none while paused, never the far date it is
    # stored as.
    said = " ".join(line.what for line in entry_detail(store, entry.id).history)
    assert "breach date 15/11/2026 → —" in said and "— → 19/11/2026" in said
    assert "9999" not in said


def test_a_re_tier_while_paused_keeps_the_clock_stopped_unless_the_wait_is_already_past(
    store: Store, team: Team
) -> None:
    """Paused on 10 Nov after 9 days' wait: a tier with a longer wait leaves it stopped; a
    tier whose wait those 9 days already exceed (tier 1: 2 days) breaches it."""
    entry = paused(store, referred(store, team), date(2026, 11, 10))
    assert entry.id is not None
    entry = entry_changes.retier(
        store, entry.id, entry.version, tier=3, reason="review", today=date(2026, 11, 12)
    )
    assert breached_everywhere(store, TODAY) == (0, 0)
    entry = entry_changes.retier(
        store, entry.id, entry.version, tier=1, reason="deteriorated", today=TODAY
    )
    assert row_of(store, entry.id)["breach_date"] == "2026-11-03"
    assert breached_everywhere(store, TODAY) == (1, 1)
    # Re-tiered down again while still paused: the breach stands.
    entry_changes.retier(store, entry.id, entry.version, tier=4, reason="review", today=TODAY)
    assert breached_everywhere(store, date(2027, 1, 1)) == (1, 1)


def test_an_entry_paused_before_the_rule_is_re_dated_on_upgrade(tmp_path: Path) -> None:
    """A database from before this rule kept a paused entry's running breach date. The
    upgrade stops the clock of one that had not breached by the database's last change
    (22 Nov), with an audit row; one that had (15 Nov) stays breached."""
    path = tmp_path / "before.db"
    store = open_store(path, "tester")
    store.now = lambda: "2026-11-22T09:00:00.000000+00:00"  # its changes made on 22 Nov
    ensure_default_tiers(store)
    team = add_team(store)
    waiting = referred(store, team, on=date(2026, 11, 10))  # breach date 24 Nov
    counted = referred(store, team)  # breach date 15 Nov
    for entry, since, running in (
        (waiting, date(2026, 11, 20), "2026-11-24"),
        (counted, date(2026, 11, 10), "2026-11-15"),
    ):
        assert entry.id is not None
        entry = paused(store, entry, since, today=TODAY)
        with store.write("paused as huddle did before a pause stopped the clock") as txn:
            txn.update("waiting_entry", entry.id, {"breach_date": running}, entry.version)
    assert breached_everywhere(store, date(2026, 11, 30)) == (2, 2)
    store.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm021_paused_clocks_stopped'")
    store.close()

    store = open_store(path, "tester")
    try:
        assert waiting.id is not None and counted.id is not None
        assert row_of(store, waiting.id)["breach_date"] == records.CLOCK_STOPPED
        assert row_of(store, counted.id)["breach_date"] == "2026-11-15"
        assert breached_everywhere(store, date(2026, 11, 30)) == (1, 1)
        last = next(iter(store.db.query("SELECT * FROM audit ORDER BY id DESC LIMIT 1")))
        assert (last["actor"], last["row_id"]) == ("huddle upgrade", waiting.id)
        assert check_database(store.conn).ok
    finally:
        store.close()


# --- dated changes: what is refused, and what is not -------------------------------------

Change = Callable[[Store, WaitingEntry, Person], object]


def pause_on(day: date) -> Change:
    return lambda store, entry, _: paused(store, entry, day, today=TODAY)


def resume_on(day: date) -> Change:
    return lambda store, entry, _: resumed(store, entry, day, today=TODAY)


def close_on(day: date) -> Change:
    def close(store: Store, entry: WaitingEntry, _: Person) -> object:
        assert entry.id is not None
        return entry_changes.close_entry(
            store,
            entry.id,
            entry.version,
            status=EntryStatus.SEEN,
            reason="seen in clinic",
            today=TODAY,
            on=day,
        )

    return close


def contact_on(day: date) -> Change:
    def contact(store: Store, entry: WaitingEntry, person: Person) -> object:
        assert entry.id is not None and person.id is not None
        return entry_changes.log_contact(
            store,
            entry.id,
            entry.version,
            kind=ContactKind.PHONE,
            outcome="spoke to patient",
            made_by=person.id,
            contact_on=day,
            today=TODAY,
        )

    return contact


# Each entry's story before the change: referred 1 Nov; "paused" from 5 Nov; "resumed"
# paused 5 to 9 Nov.
REFUSED: dict[str, tuple[str, Change, str]] = {
    "pause in the future": (
        "",
        pause_on(date(2026, 11, 23)),
        r"^pause date: 23/11/2026 is in the future \(today is 22/11/2026\)",
    ),
    "pause before the referral": (
        "",
        pause_on(date(2026, 10, 31)),
        r"^pause date: 31/10/2026 is before the referral date \(01/11/2026\)",
    ),
    "pause before the last pause ended": (
        "resumed",
        pause_on(date(2026, 11, 8)),
        r"^pause date: 08/11/2026 is before the end of the last pause \(09/11/2026\)",
    ),
    "resume in the future": (
        "paused",
        resume_on(date(2026, 11, 23)),
        "^resume date: 23/11/2026 is in the future",
    ),
    "resume before the pause began": (
        "paused",
        resume_on(date(2026, 11, 4)),
        r"^resume date: 04/11/2026 is before the start of the pause \(05/11/2026\)",
    ),
    "close in the future": ("", close_on(date(2026, 11, 23)), "^close date: 23/11/2026 is in"),
    "close before the referral": (
        "",
        close_on(date(2026, 10, 31)),
        r"^close date: 31/10/2026 is before the referral date \(01/11/2026\)",
    ),
    "close before the pause began": (
        "paused",
        close_on(date(2026, 11, 4)),
        r"^close date: 04/11/2026 is before the start of the pause \(05/11/2026\)",
    ),
    "close before the last pause ended": (
        "resumed",
        close_on(date(2026, 11, 8)),
        r"^close date: 08/11/2026 is before the end of the last pause \(09/11/2026\)",
    ),
    "contact in the future": (
        "",
        contact_on(date(2026, 11, 23)),
        "^contact date: 23/11/2026 is in the future",
    ),
    "contact before the referral": (
        "",
        contact_on(date(2026, 10, 31)),
        r"^contact date: 31/10/2026 is before the referral date \(01/11/2026\)",
    ),
}


def with_story(store: Store, team: Team, story: str) -> WaitingEntry:
    entry = referred(store, team)
    if story in ("paused", "resumed"):
        entry = paused(store, entry, date(2026, 11, 5))
    if story == "resumed":
        entry = resumed(store, entry, date(2026, 11, 9))
    return entry


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_date_out_of_order_is_refused_by_name(store: Store, team: Team, case: str) -> None:
    story, change, problem = REFUSED[case]
    entry = with_story(store, team, story)
    assert entry.id is not None
    with refused(store, entry.id, match=problem):
        change(store, entry, team[1])


ACCEPTED: dict[str, tuple[str, Change, str, str]] = {
    "pause on the referral date": ("", pause_on(REFERRED), "paused_since", "2026-11-01"),
    "pause on the day the last ended": (
        "resumed",
        pause_on(date(2026, 11, 9)),
        "paused_since",
        "2026-11-09",
    ),
    "resume the day the pause began": (
        "paused",
        resume_on(date(2026, 11, 5)),
        "clock_resumed_on",
        "2026-11-05",
    ),
    "close on the day the pause began": (
        "paused",
        close_on(date(2026, 11, 5)),
        "closed_on",
        "2026-11-05",
    ),
    "close on the referral date": ("", close_on(REFERRED), "closed_on", "2026-11-01"),
    "close today": ("resumed", close_on(TODAY), "closed_on", "2026-11-22"),
    "contact on the referral date": (
        "",
        contact_on(REFERRED),
        "last_interim_contact",
        "2026-11-01",
    ),
}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_a_date_on_the_boundary_is_accepted(store: Store, team: Team, case: str) -> None:
    story, change, column, stored = ACCEPTED[case]
    entry = with_story(store, team, story)
    assert entry.id is not None
    change(store, entry, team[1])
    assert row_of(store, entry.id)[column] == stored
    assert check_database(store.conn).ok


def test_the_date_is_today_unless_given(store: Store, team: Team) -> None:
    entry = referred(store, team)
    assert entry.id is not None
    entry = entry_changes.pause_clock(
        store, entry.id, entry.version, reason="holiday", today=date(2026, 11, 5)
    )
    entry = entry_changes.resume_clock(
        store, entry.id, entry.version, reason="back", today=date(2026, 11, 8)
    )
    entry_changes.close_entry(
        store, entry.id, entry.version, status=EntryStatus.SEEN, reason="seen", today=TODAY
    )
    row = row_of(store, entry.id)
    assert (row["paused_days"], row["clock_resumed_on"], row["closed_on"]) == (
        3,
        "2026-11-08",
        "2026-11-22",
    )


def test_a_closed_paused_entry_is_counted_nowhere(store: Store, team: Team) -> None:
    entry = paused(store, referred(store, team), date(2026, 11, 20), today=TODAY)
    assert entry.id is not None
    close_on(date(2026, 11, 21))(store, entry, team[1])
    assert status_summary(store, TODAY).waiting.total == 0
    assert breached_everywhere(store, date(2027, 1, 1)) == (0, 0)


# --- the forms, from the keyboard ---------------------------------------------------------

SIZE = (160, 40)


def error_of(app: HuddleApp, field: str) -> str:
    return str(app.screen.query_one(f"#error-{field}", Static).content)


async def typed_date(app: HuddleApp, pilot, field: str, day: str) -> None:
    """Replace what the date field holds with `day`, and save."""
    app.screen.query_one(f"#field-{field}", Input).focus()
    await pilot.press("end", "ctrl+u", *day, "ctrl+s")
    await pilot.pause()


async def test_the_dated_forms_refuse_beside_the_date_and_keep_what_was_typed(
    demo: Store,
) -> None:
    entry_id, referral = demo.conn.execute(
        "SELECT id, referral_date FROM waiting_entry WHERE status = 'waiting' "
        "AND paused_since IS NULL AND referral_date <= '2026-11-01' ORDER BY id LIMIT 1"
    ).fetchone()
    before_referral = (date.fromisoformat(referral) - timedelta(days=1)).strftime("%d/%m/%Y")
    app = make_app(demo, FixedClock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(EntryDetailScreen(entry_id))
        await settle(app, pilot)

        # The pause: today by default; the future and before the referral refused.
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-paused_on", Input).value == "22/11/2026"
        await pilot.press(*"holiday")
        written = audit_count(demo)
        await typed_date(app, pilot, "paused_on", "23/11/2026")
        assert app.screen is form
        assert error_of(app, "paused_on").startswith("pause date: 23/11/2026 is in the future")
        await typed_date(app, pilot, "paused_on", before_referral)
        assert error_of(app, "paused_on").startswith(
            f"pause date: {before_referral} is before the referral date"
        )
        assert form.query_one("#field-reason", Input).value == "holiday"
        assert audit_count(demo) == written
        await typed_date(app, pilot, "paused_on", "15/11/2026")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDetailScreen)
        assert row_of(demo, entry_id)["paused_since"] == "2026-11-15"

        # The resume: not before the pause began.
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*"back home")
        await typed_date(app, pilot, "resumed_on", "14/11/2026")
        assert error_of(app, "resumed_on").startswith(
            "resume date: 14/11/2026 is before the start of the pause (15/11/2026)"
        )
        await typed_date(app, pilot, "resumed_on", "20/11/2026")
        await settle(app, pilot)
        row = row_of(demo, entry_id)
        assert (row["paused_since"], row["clock_resumed_on"], row["paused_days"]) == (
            None,
            "2026-11-20",
            5,
        )
        assert "Earlier pauses: 5 days" in str(app.screen.query_one("#summary", Static).render())

        # A contact: not in the future.
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", *"well")
        await typed_date(app, pilot, "contact_on", "30/11/2026")
        assert error_of(app, "contact_on").startswith("contact date: 30/11/2026 is in the future")
        await pilot.press("escape", "d")
        await settle(app, pilot)

        # The close: not before the last pause ended.
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("tab", *"seen in clinic")
        await typed_date(app, pilot, "closed_on", "19/11/2026")
        assert error_of(app, "closed_on").startswith(
            "close date: 19/11/2026 is before the end of the last pause (20/11/2026)"
        )
        await typed_date(app, pilot, "closed_on", "21/11/2026")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDetailScreen)
    row = row_of(demo, entry_id)
    assert (row["status"], row["closed_on"], row["outcome"]) == (
        "seen",
        "2026-11-21",
        "seen in clinic",
    )


async def test_today_and_status_count_no_breach_while_paused(
    demo: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries due to breach this week, paused today: ten days on, Today's tiles, `huddle
    status --json` and the waiting list count none of them."""
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)
    later = TODAY + timedelta(days=10)
    due = page_of_entries(demo, WaitingQuery(TODAY, due_this_week=True), 0, 1_000)
    assert due
    unpaused = breached_everywhere(demo, later)
    for line in due:
        entry_changes.pause_clock(
            demo, line.id, line.version, reason="patient on holiday", today=TODAY
        )
    breached, without = breached_everywhere(demo, later)
    assert breached == unpaused[0] - len(due)
    assert without == unpaused[1] - sum(not line.escalated for line in due)

    code = main(["status", "--json", "--as-at", later.isoformat(), "--db", str(demo.path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    waiting = json.loads(out)["waiting"]
    assert (waiting["breached"], waiting["breached_without_escalation"]) == (breached, without)

    app = make_app(demo, FixedClock(later))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tile = str(app.screen.query_one("#breached", Static).render())
        assert tile.startswith(f"{breached:,}\n")
        tile = str(app.screen.query_one("#without-escalation", Static).render())
        assert tile.startswith(f"{without:,}\n")


def test_the_demo_database_checks_after_dated_changes(demo: Store, tmp_path: Path) -> None:
    """Every dated change is an audited write: the record still matches its audit trail."""
    (line,) = page_of_entries(demo, WaitingQuery(TODAY, due_this_week=True), 0, 1)
    entry = entry_changes.pause_clock(
        demo, line.id, line.version, reason="holiday", today=TODAY, on=TODAY - timedelta(days=1)
    )
    entry_changes.resume_clock(demo, line.id, entry.version, reason="back", today=TODAY)
    report = check_database(demo.conn)
    assert report.ok, report.lines()
