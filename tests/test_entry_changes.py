"""What the huddle does to one waiting-list entry (store.entry_changes), on real SQLite files
and fixed dates (never the real date).

A breach that has happened stands through anything that would re-date the entry later: a
re-tier down, the end of a clock pause, a longer safe wait for its tier, a waiting-list
re-import. Each change is one audited write made against the version the user was looking
at, and a refused change writes nothing at all: no row, no audit entry.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random

import pytest

from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import (
    ContactKind,
    EntryStatus,
    EscalationRung,
    Meeting,
    MeetingKind,
    Person,
    Provider,
    RiskTier,
    WaitingEntry,
)
from huddle.waiting_query import WaitingQuery
from store import (
    NotFound,
    StaleVersion,
    Store,
    entry_changes,
    held_changes,
    open_store,
    records,
)
from store.queries import status_summary
from store.waiting_list import count_entries, page_of_entries
from tests.test_store import audit_count, audit_rows, provider_and_owner, raw_row, waiting
from tests.test_waiting_import import (
    counts,
    entries,
    extract_row,
    make_service,
    summary,
    write_extract,
)

TODAY = date(2026, 11, 22)  # the huddle, a Sunday
REFERRED = date(2026, 11, 1)
BREACHED_ON = date(2026, 11, 15)  # tier 2 (High): 1 Nov + 14 days; breached from 16 Nov

# The design's default maximum safe waits, written out here rather than read from the rules.
SAFE_WAIT_DAYS = {1: 2, 2: 14, 3: 42, 4: 126}

Team = tuple[Provider, Person]


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture
def team(store: Store) -> Team:
    return provider_and_owner(store)


def referred(store: Store, provider: Provider, tier: int = 2, on: date = REFERRED) -> WaitingEntry:
    entry = records.add(store, waiting(provider, on, tier), "referral received")
    assert entry.id is not None
    return entry


def entry_now(store: Store, entry_id: int) -> WaitingEntry:
    return records.get(store, WaitingEntry, entry_id)


def stored_date(store: Store, entry_id: int, column: str) -> date | None:
    value = raw_row(store, "waiting_entry", entry_id)[column]
    return date.fromisoformat(value) if value else None


def breach_in_force(store: Store, entry_id: int) -> date | None:
    """The breach date the counts judge by: None while a pause has stopped the clock."""
    return records.stored_breach(raw_row(store, "waiting_entry", entry_id)["breach_date"])


def rows_in(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def breached_count(store: Store, as_at: date) -> int:
    """How many are breached as at `as_at`, asserting the Today counts and the list agree."""
    counted = status_summary(store, as_at).waiting.breached
    assert count_entries(store, WaitingQuery(as_at, breached=True)) == counted
    return counted


def without_escalation_count(store: Store, as_at: date) -> int:
    counted = status_summary(store, as_at).waiting.breached_without_escalation
    assert count_entries(store, WaitingQuery(as_at, without_escalation=True)) == counted
    return counted


def footprint(store: Store, entry_id: int) -> tuple[int, dict, int, int]:
    """Everything a change to one entry can write: audit, the row, contacts and actions."""
    return (
        audit_count(store),
        raw_row(store, "waiting_entry", entry_id),
        rows_in(store, "interim_contact"),
        rows_in(store, "action"),
    )


@contextmanager
def refused(
    store: Store, entry_id: int, match: str, error: type[Exception] = ValueError
) -> Iterator[None]:
    """The change inside is refused with `match`, and leaves the database exactly as it was."""
    before = footprint(store, entry_id)
    with pytest.raises(error, match=match):
        yield
    assert footprint(store, entry_id) == before
    assert not store.conn.in_transaction


# --- re-tiering: the referral date stands, and so does a breach ----------------------------


def test_retiering_down_after_a_breach_keeps_the_breach(store: Store, team: Team) -> None:
    provider, _ = team
    entry = referred(store, provider, tier=2)
    assert stored_date(store, entry.id, "breach_date") == BREACHED_ON
    assert breached_count(store, TODAY) == 1

    retiered = entry_changes.retier(
        store, entry.id, entry.version, tier=4, reason="clinical review: lower risk", today=TODAY
    )

    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["tier"], row["referral_date"]) == (4, "2026-11-01")
    assert row["breach_date"] == "2026-11-15"
    assert row["breach_standing"] == "2026-11-15"
    assert row["contact_due"] == "2026-11-29"  # the cadence is tier 4's now: 1 Nov + 28
    assert retiered.breach_standing == BREACHED_ON and retiered.version == 2
    assert breached_count(store, TODAY) == 1
    assert status_summary(store, TODAY).waiting.by_tier[4].breached == 1
    assert without_escalation_count(store, TODAY) == 1
    (line,) = page_of_entries(store, WaitingQuery(TODAY, breached=True), 0, 10)
    assert (line.id, line.breached, line.days_to_breach) == (entry.id, True, -7)
    assert breached_count(store, date(2027, 4, 1)) == 1  # and months later, still breached

    last = audit_rows(store)[-1]
    assert (last["table_name"], last["row_id"], last["operation"], last["actor"]) == (
        "waiting_entry",
        entry.id,
        "update",
        "tester",
    )
    assert last["reason"] == "re-tiered from 2 to 4: clinical review: lower risk"
    before, after = json.loads(last["before"]), json.loads(last["after"])
    assert (before["tier"], before["breach_standing"]) == (2, None)
    assert (after["tier"], after["breach_date"], after["breach_standing"]) == (
        4,
        "2026-11-15",
        "2026-11-15",
    )


@pytest.mark.parametrize(
    ("retiered_on", "breach_after", "standing"),
    [
        (date(2026, 11, 10), "2027-03-07", None),  # before the breach: 1 Nov + 126 days
        (BREACHED_ON, "2027-03-07", None),  # on the breach date itself: not breached yet
        (BREACHED_ON + timedelta(days=1), "2026-11-15", "2026-11-15"),  # the first day breached
    ],
)
def test_retiering_down_moves_the_breach_later_only_until_it_has_happened(
    store: Store, team: Team, retiered_on: date, breach_after: str, standing: str | None
) -> None:
    provider, _ = team
    entry = referred(store, provider, tier=2)
    entry_changes.retier(
        store, entry.id, entry.version, tier=4, reason="lower risk", today=retiered_on
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["referral_date"], row["breach_date"], row["breach_standing"]) == (
        "2026-11-01",
        breach_after,
        standing,
    )
    assert breached_count(store, TODAY) == (1 if standing else 0)


def test_retiering_up_moves_the_breach_earlier(store: Store, team: Team) -> None:
    provider, _ = team
    entry = referred(store, provider, tier=4)
    assert stored_date(store, entry.id, "breach_date") == date(2027, 3, 7)
    on = date(2026, 11, 10)

    entry = entry_changes.retier(
        store, entry.id, entry.version, tier=2, reason="deteriorating", today=on
    )
    assert stored_date(store, entry.id, "breach_date") == BREACHED_ON
    assert stored_date(store, entry.id, "contact_due") == date(2026, 11, 8)
    assert breached_count(store, on) == 0

    # Up again to tier 1 (2 days): breached at once, and flagged until escalated.
    entry = entry_changes.retier(
        store, entry.id, entry.version, tier=1, reason="safeguarding concern", today=on
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["breach_date"], row["breach_standing"], row["contact_due"]) == (
        "2026-11-03",
        None,
        None,  # tier 1 must be seen: no interim contact cadence
    )
    assert breached_count(store, on) == 1
    assert without_escalation_count(store, on) == 1

    # Down to 4 a day later: the tier 1 breach (3 Nov) is the one that stands.
    entry_changes.retier(
        store, entry.id, entry.version, tier=4, reason="seen by GP", today=on + timedelta(days=1)
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["breach_date"], row["breach_standing"]) == ("2026-11-03", "2026-11-03")
    assert breached_count(store, TODAY) == 1


def test_a_longer_safe_wait_never_clears_a_breach(store: Store, team: Team) -> None:
    provider, _ = team
    breached = referred(store, provider, tier=2)  # breach 15 Nov: breached on 22 Nov
    waiting_still = referred(store, provider, tier=2, on=date(2026, 11, 20))  # breach 4 Dec
    high = records.risk_tiers(store)[2]

    saved, changed = records.update_risk_tier(
        store, high.model_copy(update={"max_safe_wait_days": 28}), "commissioner agreed", TODAY
    )

    assert (saved.max_safe_wait_days, changed) == (28, 2)
    assert raw_row(store, "waiting_entry", breached.id)["breach_date"] == "2026-11-15"
    assert raw_row(store, "waiting_entry", breached.id)["breach_standing"] == "2026-11-15"
    assert raw_row(store, "waiting_entry", waiting_still.id)["breach_date"] == "2026-12-18"
    assert raw_row(store, "waiting_entry", waiting_still.id)["breach_standing"] is None
    assert breached_count(store, TODAY) == 1


def test_a_tier_change_leaves_closed_entries_as_they_were(store: Store, team: Team) -> None:
    """Seen on 10 Nov, before its 15 Nov breach date: a later change of tier 2's safe wait
    must neither record a breach that never happened nor date one before it was seen."""
    provider, _ = team
    seen_in_time = referred(store, provider)
    entry_changes.close_entry(
        store,
        seen_in_time.id,
        seen_in_time.version,
        status=EntryStatus.SEEN,
        reason="seen in clinic",
        today=date(2026, 11, 10),
    )
    still_waiting = referred(store, provider, on=date(2026, 11, 20))
    as_closed = raw_row(store, "waiting_entry", seen_in_time.id)

    for safe_wait in (28, 7):  # longer, then shorter
        high = records.risk_tiers(store)[2]
        _, changed = records.update_risk_tier(
            store, high.model_copy(update={"max_safe_wait_days": safe_wait}), "review", TODAY
        )
        assert changed == 1  # only the entry still waiting
        assert raw_row(store, "waiting_entry", seen_in_time.id) == as_closed
    assert raw_row(store, "waiting_entry", still_waiting.id)["breach_date"] == "2026-11-27"


# --- property: once breached, breached for good ----------------------------------------------

# Referral and change days cluster around the calendar's awkward days: month ends, the leap
# day of 2028, and the 2026 clock changes (BST starts 29 March, ends 25 October).
CALENDAR_EDGES = (
    date(2026, 1, 31),
    date(2026, 2, 28),
    date(2026, 3, 1),
    date(2026, 3, 28),
    date(2026, 3, 29),
    date(2026, 3, 30),
    date(2026, 3, 31),
    date(2026, 4, 30),
    date(2026, 6, 30),
    date(2026, 10, 24),
    date(2026, 10, 25),
    date(2026, 10, 26),
    date(2026, 10, 31),
    date(2026, 11, 30),
    date(2026, 12, 31),
    date(2027, 2, 28),
    date(2028, 2, 28),
    date(2028, 2, 29),
    date(2028, 3, 1),
    date(2028, 12, 31),
)


@dataclass
class Expected:
    """The entry as the design describes it, in day numbers (date.toordinal)."""

    referral: int
    tier: int
    safe_wait: dict[int, int] = field(default_factory=lambda: dict(SAFE_WAIT_DAYS))
    paused_days: int = 0
    paused_since: int | None = None

    def due(self) -> int:
        """Referral date + the tier's maximum safe wait + the days of finished pauses."""
        return self.referral + self.safe_wait[self.tier] + self.paused_days

    def stopped(self) -> bool:
        """Paused on or before its breach date (never having breached): no breach date."""
        return self.paused_since is not None and self.due() >= self.paused_since


def a_referral(rng: Random, tier: int) -> date:
    """On an awkward day, or so that the breach date lands on (or next to) one."""
    edge = rng.choice(CALENDAR_EDGES)
    if rng.random() < 0.5:
        return edge
    return edge - timedelta(days=SAFE_WAIT_DAYS[tier] + rng.choice((-1, 0, 0, 1)))


def next_change_day(rng: Random, previous: date, breach: date) -> date:
    """Never earlier than the previous change: the huddle's days run forwards."""
    pick = rng.random()
    if pick < 0.4:  # the boundary: the day before, of, and after the breach date
        candidate = breach + timedelta(days=rng.choice((-1, 0, 1, 2)))
    elif pick < 0.55:
        candidate = rng.choice(CALENDAR_EDGES)
    else:
        candidate = previous + timedelta(days=rng.randint(0, 30))
    return max(candidate, previous)


def change_once(
    store: Store, entry_id: int, expected: Expected, rng: Random, day: date
) -> tuple[str, bool]:
    """One random change made on `day`; returns what it was and whether it re-dated the
    entry (a change of another tier's safe wait leaves it alone)."""
    version = entry_now(store, entry_id).version
    pick = rng.random()
    if pick < 0.35:
        tier = rng.choice([n for n in SAFE_WAIT_DAYS if n != expected.tier])
        entry_changes.retier(
            store, entry_id, version, tier=tier, reason="clinical review", today=day
        )
        done = f"re-tiered {expected.tier} -> {tier}"
        expected.tier = tier
        return done, True
    if pick < 0.65:
        if expected.paused_since is None:
            entry_changes.pause_clock(
                store, entry_id, version, reason="patient asked to wait", today=day
            )
            expected.paused_since = day.toordinal()
            return "clock paused", True
        entry_changes.resume_clock(store, entry_id, version, reason="patient ready", today=day)
        paused = day.toordinal() - expected.paused_since
        expected.paused_days += paused
        expected.paused_since = None
        return f"clock resumed after {paused} days", True
    number = expected.tier if rng.random() < 0.7 else rng.randint(1, 4)
    wait = expected.safe_wait[number]
    if pick < 0.9:
        new_wait = wait + rng.randint(1, 60)
    else:
        new_wait = max(0, wait - rng.randint(1, max(1, wait)))
    tier = records.risk_tiers(store)[number]
    records.update_risk_tier(
        store,
        tier.model_copy(update={"max_safe_wait_days": new_wait}),
        "safe wait reviewed",
        day,
    )
    expected.safe_wait[number] = new_wait
    return f"tier {number} safe wait {wait} -> {new_wait} days", number == expected.tier


def check_one_history(tmp_path: Path, rng: Random, case: int) -> None:
    """One entry in its own database, through a random history of changes."""
    path = tmp_path / f"history-{case}.db"
    store = open_store(path, "tester")
    try:
        records.ensure_default_tiers(store)
        provider, _ = provider_and_owner(store)
        tier = rng.randint(1, 4)
        referral = a_referral(rng, tier)
        entry = referred(store, provider, tier=tier, on=referral)
        expected = Expected(referral=referral.toordinal(), tier=tier)
        history = [f"case {case}: referred {referral} in tier {tier}"]

        breach = breach_in_force(store, entry.id)
        assert breach is not None and breach.toordinal() == expected.due(), history
        seen: date | None = None  # the first day it was seen breached
        lowest_since = 0  # the earliest breach date it has had since then
        last_day = referral
        for _ in range(rng.randint(2, 7)):
            running = breach or date.fromordinal(expected.due())
            day = next_change_day(rng, last_day, running)
            # Every day from the last change up to and including this one, it stood at
            # `breach`; a stopped clock (None) breached on none of them.
            if breach is not None:
                first_breached_day = max(last_day, breach + timedelta(days=1))
                if seen is None and first_breached_day <= day:
                    seen, lowest_since = first_breached_day, breach.toordinal()
                    history.append(f"{seen}: breached")
            done, redated = change_once(store, entry.id, expected, rng, day)
            history.append(f"{day}: {done}")
            breach_before, breach = breach, breach_in_force(store, entry.id)
            if not redated:
                assert breach == breach_before, history
            if seen is None:
                # Never breached: exactly the design's breach date, nothing standing; none
                # at all while a pause has stopped the clock.
                if expected.stopped():
                    assert breach is None, history
                else:
                    assert breach is not None and breach.toordinal() == expected.due(), history
                assert raw_row(store, "waiting_entry", entry.id)["breach_standing"] is None
                if breach is not None and day > breach:  # breached by this change
                    seen, lowest_since = day, breach.toordinal()
                    history.append(f"{seen}: breached")
            else:
                # Breached: never later than the earliest breach date it has had since,
                # and no pause stops it.
                assert breach is not None, history
                assert breach.toordinal() == min(expected.due(), lowest_since), history
                assert day > breach, history
                assert count_entries(store, WaitingQuery(day, breached=True)) == 1, history
                lowest_since = breach.toordinal()
            assert stored_date(store, entry.id, "referral_date") == referral, history
            last_day = day
        later = last_day + timedelta(days=rng.randint(0, 400))
        if seen is not None:
            assert breached_count(store, later) == 1, history
        elif breach is None:  # a stopped clock does not breach, however long the pause
            assert breached_count(store, later) == 0, history
    finally:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.mark.parametrize("seed", [20261122, 20280229, 20260329, 20261025])
def test_once_breached_no_retier_pause_or_longer_wait_unbreaches_it(
    tmp_path: Path, seed: int
) -> None:
    rng = Random(seed)
    for case in range(75):
        check_one_history(tmp_path, rng, case)


# --- the clock pause -------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_pause_and_a_resume_need_a_reason(store: Store, team: Team, reason: str) -> None:
    provider, _ = team
    entry = referred(store, provider)
    with refused(store, entry.id, match="^reason"):
        entry_changes.pause_clock(store, entry.id, 1, reason=reason, today=date(2026, 11, 5))
    entry_changes.pause_clock(store, entry.id, 1, reason="on holiday", today=date(2026, 11, 5))
    with refused(store, entry.id, match="^reason"):
        entry_changes.resume_clock(store, entry.id, 2, reason=reason, today=date(2026, 11, 9))


def test_a_pause_moves_the_breach_date_only_when_it_ends(store: Store, team: Team) -> None:
    provider, _ = team
    entry = referred(store, provider)

    paused = entry_changes.pause_clock(
        store, entry.id, entry.version, reason="patient on holiday", today=date(2026, 11, 5)
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["paused_since"], row["pause_reason"], row["paused_days"]) == (
        "2026-11-05",
        "patient on holiday",
        0,
    )
    assert breach_in_force(store, entry.id) is None  # stopped: no breach while paused
    assert audit_rows(store)[-1]["reason"] == "clock paused: patient on holiday"

    resumed = entry_changes.resume_clock(
        store, entry.id, paused.version, reason="back from holiday", today=date(2026, 11, 12)
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["paused_since"], row["pause_reason"], row["paused_days"]) == (None, None, 7)
    assert row["breach_date"] == "2026-11-22"  # 15 Nov + 7 days paused
    assert row["breach_standing"] is None
    assert resumed.paused_days == 7
    assert audit_rows(store)[-1]["reason"] == "clock resumed after 7 days paused: back from holiday"
    assert breached_count(store, TODAY) == 0  # breaches after 22 Nov now

    # A second pause adds its days to the first.
    again = entry_changes.pause_clock(
        store, entry.id, resumed.version, reason="in hospital", today=date(2026, 11, 14)
    )
    entry_changes.resume_clock(
        store, entry.id, again.version, reason="discharged home", today=date(2026, 11, 17)
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["paused_days"], row["breach_date"]) == (10, "2026-11-25")


def test_a_pause_before_the_breach_date_stops_the_breach_until_it_ends(
    store: Store, team: Team
) -> None:
    provider, _ = team
    entry = referred(store, provider)
    paused = entry_changes.pause_clock(
        store, entry.id, entry.version, reason="patient abroad", today=date(2026, 11, 10)
    )
    assert breached_count(store, date(2026, 11, 18)) == 0  # past 15 Nov, but paused

    entry_changes.resume_clock(
        store, entry.id, paused.version, reason="patient back", today=date(2026, 11, 20)
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert row["paused_days"] == 10
    assert (row["breach_date"], row["breach_standing"]) == ("2026-11-25", None)
    assert breached_count(store, TODAY) == 0
    assert breached_count(store, date(2026, 11, 26)) == 1


def test_resuming_on_the_breach_date_itself_still_moves_it(store: Store, team: Team) -> None:
    provider, _ = team
    entry = referred(store, provider)
    paused = entry_changes.pause_clock(
        store, entry.id, entry.version, reason="patient abroad", today=date(2026, 11, 5)
    )
    entry_changes.resume_clock(
        store, entry.id, paused.version, reason="patient back", today=BREACHED_ON
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["paused_days"], row["breach_date"], row["breach_standing"]) == (
        10,
        "2026-11-25",
        None,
    )


def test_pausing_twice_and_resuming_an_unpaused_clock_are_refused(store: Store, team: Team) -> None:
    provider, _ = team
    entry = referred(store, provider)
    with refused(store, entry.id, match="^the clock is not paused"):
        entry_changes.resume_clock(store, entry.id, 1, reason="ready", today=TODAY)
    paused = entry_changes.pause_clock(
        store, entry.id, 1, reason="patient asked", today=date(2026, 11, 5)
    )
    with refused(store, entry.id, match="paused since 05/11/2026: resume it first"):
        entry_changes.pause_clock(store, entry.id, paused.version, reason="again", today=TODAY)


# --- interim contact ------------------------------------------------------------------------


def test_an_interim_contact_is_one_write_of_the_contact_and_the_entry(
    store: Store, team: Team
) -> None:
    provider, owner = team
    entry = referred(store, provider, tier=3)  # contact due 15 Nov (1 Nov + 14)
    assert stored_date(store, entry.id, "contact_due") == date(2026, 11, 15)
    start = audit_count(store)

    updated, contact = entry_changes.log_contact(
        store,
        entry.id,
        entry.version,
        kind=ContactKind.PHONE,
        outcome="  no change, safety-netted  ",
        made_by=owner.id,
        contact_on=date(2026, 11, 18),
        today=TODAY,
    )

    (stored_contact,) = store.db.query("SELECT * FROM interim_contact")
    assert stored_contact == {
        "id": contact.id,
        "entry_id": entry.id,
        "contact_on": "2026-11-18",
        "kind": "phone",
        "outcome": "no change, safety-netted",
        "made_by": owner.id,
        "version": 1,
    }
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["last_interim_contact"], row["contact_due"]) == ("2026-11-18", "2026-12-02")
    assert row["breach_date"] == "2026-12-13"  # a contact does not move the breach date
    assert (updated.version, updated.last_interim_contact) == (2, date(2026, 11, 18))
    written = audit_rows(store)[start:]
    assert [(r["table_name"], r["operation"]) for r in written] == [
        ("interim_contact", "insert"),
        ("waiting_entry", "update"),
    ]
    assert {(r["at"], r["reason"], r["actor"]) for r in written} == {
        (written[0]["at"], "interim contact (phone): no change, safety-netted", "tester")
    }


def test_an_older_contact_is_recorded_but_does_not_move_contact_due_back(
    store: Store, team: Team
) -> None:
    provider, owner = team
    entry = referred(store, provider, tier=2)
    for contact_on in (date(2026, 11, 18), date(2026, 11, 10)):
        entry, _ = entry_changes.log_contact(
            store,
            entry.id,
            entry.version,
            kind=ContactKind.LETTER,
            outcome="safety-netting letter sent",
            made_by=owner.id,
            contact_on=contact_on,
            today=TODAY,
        )
    assert rows_in(store, "interim_contact") == 2
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["last_interim_contact"], row["contact_due"]) == ("2026-11-18", "2026-11-25")


@pytest.mark.parametrize(
    ("contact_on", "problem"),
    [
        (date(2026, 11, 23), "^contact date: 23/11/2026 is in the future"),
        (date(2026, 10, 31), "^contact date: 31/10/2026 is before the referral date"),
    ],
)
def test_a_contact_date_in_the_future_or_before_the_referral_is_refused(
    store: Store, team: Team, contact_on: date, problem: str
) -> None:
    provider, owner = team
    entry = referred(store, provider)
    with refused(store, entry.id, match=problem):
        entry_changes.log_contact(
            store,
            entry.id,
            entry.version,
            kind=ContactKind.PHONE,
            outcome="spoke to patient",
            made_by=owner.id,
            contact_on=contact_on,
            today=TODAY,
        )


def test_a_contact_on_the_referral_date_or_today_is_accepted(store: Store, team: Team) -> None:
    provider, owner = team
    entry = referred(store, provider)
    for contact_on in (REFERRED, TODAY):
        entry, _ = entry_changes.log_contact(
            store,
            entry.id,
            entry.version,
            kind=ContactKind.SENIOR_REVIEW,
            outcome="reviewed by senior clinician",
            made_by=owner.id,
            contact_on=contact_on,
            today=TODAY,
        )
    assert raw_row(store, "waiting_entry", entry.id)["contact_due"] == "2026-11-29"


# --- escalation -------------------------------------------------------------------------------


def test_escalating_a_breach_clears_the_safety_flag(store: Store, team: Team) -> None:
    provider, owner = team
    entry = referred(store, provider)
    assert without_escalation_count(store, TODAY) == 1

    escalation = entry_changes.escalate(
        store,
        entry.id,
        rung=EscalationRung.OPERATIONAL,
        owner_id=owner.id,
        due_date=date(2026, 11, 23),  # one working day
        today=TODAY,
    )

    stored = raw_row(store, "action", escalation.id)
    assert {k: stored[k] for k in ("source", "entry_id", "owner_id", "due_date", "rung")} == {
        "source": "breach",
        "entry_id": entry.id,
        "owner_id": owner.id,
        "due_date": "2026-11-23",
        "rung": "operational",
    }
    assert (stored["status"], stored["created_on"]) == ("open", "2026-11-22")
    assert stored["title"] == "Escalation (operational) for L-2026-11-01-2"
    assert audit_rows(store)[-1]["reason"] == "operational escalation"
    assert without_escalation_count(store, TODAY) == 0
    assert breached_count(store, TODAY) == 1  # still breached, now escalated
    (line,) = page_of_entries(store, WaitingQuery(TODAY), 0, 10)
    assert (line.escalated, line.without_escalation) == (True, False)
    assert raw_row(store, "waiting_entry", entry.id)["version"] == 1  # the entry is untouched


def test_an_escalation_due_in_the_past_is_refused(store: Store, team: Team) -> None:
    provider, owner = team
    entry = referred(store, provider)
    with refused(store, entry.id, match="^due date: 21/11/2026 has already passed"):
        entry_changes.escalate(
            store,
            entry.id,
            rung=EscalationRung.CLINICAL,
            owner_id=owner.id,
            due_date=date(2026, 11, 21),
            today=TODAY,
        )
    assert without_escalation_count(store, TODAY) == 1
    due_today = entry_changes.escalate(
        store,
        entry.id,
        rung=EscalationRung.CLINICAL,
        owner_id=owner.id,
        due_date=TODAY,
        today=TODAY,
        title="Clinical lead to review today",
    )
    assert raw_row(store, "action", due_today.id)["title"] == "Clinical lead to review today"


# --- case owner, review, closure -----------------------------------------------------------------


def test_changing_the_case_owner(store: Store, team: Team) -> None:
    provider, owner = team
    entry = referred(store, provider)
    other = records.add(
        store, Person(name="Grace Nwosu", role="Physiotherapist", provider_id=provider.id), "new"
    )
    entry = entry_changes.change_case_owner(
        store, entry.id, entry.version, owner_id=owner.id, reason="", today=TODAY
    )
    assert audit_rows(store)[-1]["reason"] == "case owner changed"
    entry = entry_changes.change_case_owner(
        store, entry.id, entry.version, owner_id=other.id, reason="caseload balance", today=TODAY
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["case_owner_id"], row["breach_date"], row["version"]) == (
        other.id,
        "2026-11-15",
        3,
    )
    assert audit_rows(store)[-1]["reason"] == "caseload balance"
    with refused(store, entry.id, match="^case owner: that person is already the case owner"):
        entry_changes.change_case_owner(
            store, entry.id, entry.version, owner_id=other.id, reason="again", today=TODAY
        )


def test_marking_an_entry_reviewed_at_the_huddle(store: Store, team: Team) -> None:
    provider, owner = team
    entry = referred(store, provider)
    huddle = records.add(
        store,
        Meeting(
            kind=MeetingKind.WAITING_LIST_HUDDLE,
            series="Weekly waiting-list huddle",
            held_on=TODAY,
            chair_id=owner.id,
        ),
        "huddle opened",
    )
    reviewed = entry_changes.mark_reviewed(
        store, entry.id, entry.version, today=TODAY, meeting_id=huddle.id
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["last_reviewed_on"], row["reviewed_meeting_id"]) == ("2026-11-22", huddle.id)
    assert reviewed.last_reviewed_on == TODAY
    assert audit_rows(store)[-1]["reason"] == "reviewed at the huddle of 22/11/2026"

    entry_changes.mark_reviewed(store, entry.id, reviewed.version, today=date(2026, 11, 29))
    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["last_reviewed_on"], row["reviewed_meeting_id"]) == ("2026-11-29", None)


def test_closing_an_entry_takes_it_off_the_waiting_list(store: Store, team: Team) -> None:
    provider, _ = team
    entry = referred(store, provider)
    referred(store, provider, tier=4)  # still waiting, not breached
    assert (breached_count(store, TODAY), without_escalation_count(store, TODAY)) == (1, 1)

    closed = entry_changes.close_entry(
        store,
        entry.id,
        entry.version,
        status=EntryStatus.SEEN,
        reason="seen in clinic, plan agreed",
        today=TODAY,
    )

    row = raw_row(store, "waiting_entry", entry.id)
    assert (row["status"], row["outcome"], row["closed_on"]) == (
        "seen",
        "seen in clinic, plan agreed",
        "2026-11-22",
    )
    assert closed.status == EntryStatus.SEEN
    assert audit_rows(store)[-1]["reason"] == "closed (seen): seen in clinic, plan agreed"
    waiting_counts = status_summary(store, TODAY).waiting
    assert (waiting_counts.total, waiting_counts.breached) == (1, 0)
    assert (breached_count(store, TODAY), without_escalation_count(store, TODAY)) == (0, 0)
    assert count_entries(store, WaitingQuery(TODAY)) == 1


def test_closing_needs_a_reason_and_a_closed_status(store: Store, team: Team) -> None:
    provider, _ = team
    entry = referred(store, provider)
    with refused(store, entry.id, match="^reason"):
        entry_changes.close_entry(
            store, entry.id, entry.version, status=EntryStatus.DISCHARGED, reason=" ", today=TODAY
        )
    with refused(store, entry.id, match="^status: an entry closes as seen, discharged or removed"):
        entry_changes.close_entry(
            store, entry.id, entry.version, status=EntryStatus.WAITING, reason="x", today=TODAY
        )


# Each change the huddle can make to an entry, made with the version it was read at.
Change = Callable[[Store, WaitingEntry, Person], object]
CHANGES: dict[str, Change] = {
    "re-tier": lambda store, entry, owner: entry_changes.retier(
        store, entry.id, entry.version, tier=3, reason="review", today=TODAY
    ),
    "pause": lambda store, entry, owner: entry_changes.pause_clock(
        store, entry.id, entry.version, reason="patient asked", today=TODAY
    ),
    "resume": lambda store, entry, owner: entry_changes.resume_clock(
        store, entry.id, entry.version, reason="patient ready", today=TODAY
    ),
    "interim contact": lambda store, entry, owner: entry_changes.log_contact(
        store,
        entry.id,
        entry.version,
        kind=ContactKind.PHONE,
        outcome="spoke to patient",
        made_by=owner.id,
        contact_on=TODAY,
        today=TODAY,
    ),
    "escalate": lambda store, entry, owner: entry_changes.escalate(
        store,
        entry.id,
        rung=EscalationRung.OPERATIONAL,
        owner_id=owner.id,
        due_date=TODAY,
        today=TODAY,
    ),
    "case owner": lambda store, entry, owner: entry_changes.change_case_owner(
        store, entry.id, entry.version, owner_id=owner.id, reason="handover", today=TODAY
    ),
    "review": lambda store, entry, owner: entry_changes.mark_reviewed(
        store, entry.id, entry.version, today=TODAY
    ),
    "close": lambda store, entry, owner: entry_changes.close_entry(
        store, entry.id, entry.version, status=EntryStatus.REMOVED, reason="moved", today=TODAY
    ),
}
VERSIONED = [name for name in CHANGES if name not in ("escalate", "resume")]


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_closed_entry_cannot_change(store: Store, team: Team, change: str) -> None:
    provider, owner = team
    entry = referred(store, provider)
    closed = entry_changes.close_entry(
        store, entry.id, entry.version, status=EntryStatus.SEEN, reason="seen", today=TODAY
    )
    with refused(store, entry.id, match=r"closed \(seen\) on 22/11/2026: it cannot change"):
        CHANGES[change](store, closed, owner)


# --- lost updates -----------------------------------------------------------------------------


@pytest.mark.parametrize("change", VERSIONED)
def test_a_change_from_a_stale_screen_is_refused(
    store: Store, team: Team, db_path: Path, change: str
) -> None:
    provider, owner = team
    entry = referred(store, provider)
    first = open_store(db_path, "coordinator one")
    second = open_store(db_path, "coordinator two")
    try:
        mine = records.get(first, WaitingEntry, entry.id)
        theirs = records.get(second, WaitingEntry, entry.id)
        assert mine.version == theirs.version == 1
        entry_changes.retier(first, entry.id, 1, tier=4, reason="lower risk", today=TODAY)
        with refused(second, entry.id, match="changed by someone else", error=StaleVersion):
            CHANGES[change](second, theirs, owner)
        row = raw_row(store, "waiting_entry", entry.id)
        assert (row["tier"], row["version"], row["status"]) == (4, 2, "waiting")
        updates = [r for r in audit_rows(store) if r["operation"] == "update"]
        assert [(r["actor"], r["reason"]) for r in updates] == [
            ("coordinator one", "re-tiered from 2 to 4: lower risk")
        ]
    finally:
        first.close()
        second.close()


# --- a refused change writes nothing ----------------------------------------------------------

Refusal = tuple[Change, type[Exception], str]
REFUSALS: dict[str, Refusal] = {
    "re-tier without a reason": (
        lambda store, entry, owner: entry_changes.retier(
            store, entry.id, entry.version, tier=3, reason="", today=TODAY
        ),
        ValueError,
        "^reason",
    ),
    "re-tier to the same tier": (
        lambda store, entry, owner: entry_changes.retier(
            store, entry.id, entry.version, tier=2, reason="review", today=TODAY
        ),
        ValueError,
        "^tier: the entry is already in tier 2",
    ),
    "re-tier to a tier the service does not have": (
        lambda store, entry, owner: entry_changes.retier(
            store, entry.id, entry.version, tier=7, reason="review", today=TODAY
        ),
        ValueError,
        r"tier 7 is not one of the service's tiers \(1, 2, 3, 4\)",
    ),
    "re-tier of an entry that does not exist": (
        lambda store, entry, owner: entry_changes.retier(
            store, 404, 1, tier=3, reason="review", today=TODAY
        ),
        NotFound,
        "no waiting entry with id 404",
    ),
    "contact with no outcome": (
        lambda store, entry, owner: entry_changes.log_contact(
            store,
            entry.id,
            entry.version,
            kind=ContactKind.PHONE,
            outcome="  ",
            made_by=owner.id,
            contact_on=TODAY,
            today=TODAY,
        ),
        ValueError,
        "outcome",
    ),
    "contact made by nobody on the staff list": (
        lambda store, entry, owner: entry_changes.log_contact(
            store,
            entry.id,
            entry.version,
            kind=ContactKind.PHONE,
            outcome="spoke to patient",
            made_by=404,
            contact_on=TODAY,
            today=TODAY,
        ),
        sqlite3.IntegrityError,
        "FOREIGN KEY",
    ),
    "contact recorded from a stale screen": (
        lambda store, entry, owner: entry_changes.log_contact(
            store,
            entry.id,
            entry.version - 1,
            kind=ContactKind.PHONE,
            outcome="spoke to patient",
            made_by=owner.id,
            contact_on=TODAY,
            today=TODAY,
        ),
        StaleVersion,
        "changed by someone else",
    ),
    "escalation owned by nobody on the staff list": (
        lambda store, entry, owner: entry_changes.escalate(
            store,
            entry.id,
            rung=EscalationRung.CONTRACTUAL,
            owner_id=404,
            due_date=TODAY,
            today=TODAY,
        ),
        ValueError,
        "owner: pick a person in the service",
    ),
    "case owner who is not on the staff list": (
        lambda store, entry, owner: entry_changes.change_case_owner(
            store, entry.id, entry.version, owner_id=404, reason="handover", today=TODAY
        ),
        sqlite3.IntegrityError,
        "FOREIGN KEY",
    ),
    "pause without a reason": (
        lambda store, entry, owner: entry_changes.pause_clock(
            store, entry.id, entry.version, reason="\t", today=TODAY
        ),
        ValueError,
        "^reason",
    ),
    "close without a reason": (
        lambda store, entry, owner: entry_changes.close_entry(
            store, entry.id, entry.version, status=EntryStatus.SEEN, reason="", today=TODAY
        ),
        ValueError,
        "^reason",
    ),
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_a_refused_change_writes_nothing(store: Store, team: Team, refusal: str) -> None:
    provider, owner = team
    entry = referred(store, provider)
    # Version 2, so that "a stale screen" can be version 1.
    entry = entry_changes.mark_reviewed(store, entry.id, entry.version, today=TODAY)
    change, error, problem = REFUSALS[refusal]
    with refused(store, entry.id, match=problem, error=error):
        change(store, entry, owner)


# --- a waiting-list re-import ----------------------------------------------------------------


def test_a_reimport_that_retiers_down_is_held_and_once_accepted_keeps_a_breach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)
    db = make_service(tmp_path / "huddle.db")

    def import_on(day: date, name: str, tiers: tuple[str, str]) -> dict[str, int]:
        rows = [extract_row(n, risk_tier=tier) for n, tier in enumerate(tiers)]
        extract = write_extract(tmp_path / name, rows)
        argv = ["import", "waiting-list", str(extract), "--db", str(db), "--user", "Kofi Mensah"]
        code = main(argv, FixedClock(day))
        out, err = capsys.readouterr()
        assert code == 0, err
        return summary(out)

    # Both referred 1 Nov in tier 2 (breach 15 Nov).
    assert import_on(date(2026, 11, 10), "week1.csv", ("2", "2")) == counts(2, imported=2)
    # Before the breach, the provider re-tiers EX-0000 down: held until a person accepts
    # it, then its breach date moves on.
    assert import_on(date(2026, 11, 12), "week2.csv", ("4", "2")) == counts(2, held=1, unchanged=1)
    accept_held(db, date(2026, 11, 12))
    # After the breach, EX-0001 too: accepted, its breach stands.
    assert import_on(TODAY, "week3.csv", ("4", "4")) == counts(2, held=1, unchanged=1)
    accept_held(db, TODAY)

    stored = entries(db)
    assert {key: (row["tier"], row["breach_date"]) for key, row in stored.items()} == {
        "EX-0000": (4, "2027-03-07"),
        "EX-0001": (4, "2026-11-15"),
    }
    assert stored["EX-0000"]["breach_standing"] is None
    assert stored["EX-0001"]["breach_standing"] == "2026-11-15"
    assert stored["EX-0001"]["referral_date"] == "2026-11-01"
    store = open_store(db, "reader", migrate=False)
    try:
        assert breached_count(store, TODAY) == 1
        assert without_escalation_count(store, TODAY) == 1
        (line,) = page_of_entries(store, WaitingQuery(TODAY, breached=True), 0, 10)
        assert (line.local_id, line.tier, line.days_to_breach) == ("EX-0001", 4, -7)
    finally:
        store.close()


def accept_held(db: Path, today: date) -> None:
    """A person accepts the one open held change, as `A` on the entry does."""
    store = open_store(db, "Kofi Mensah")
    try:
        (line,) = held_changes.open_held(store)
        held_changes.resolve(
            store, line.id, line.version, accept=True, reason="clinical review", today=today
        )
    finally:
        store.close()


def test_a_new_service_has_the_safe_waits_the_property_test_expects(store: Store) -> None:
    tiers: dict[int, RiskTier] = records.risk_tiers(store)
    assert {n: t.max_safe_wait_days for n, t in tiers.items()} == SAFE_WAIT_DAYS
