"""The benchmark's own data, made fresh in a temporary folder each run: demo services from the
demo generator (one of them with thousands of extra actions), an empty service to import
into, and a provider's extract."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from random import Random

from fixtures.demo import seed_demo
from fixtures.extracts import write_generated_extract
from fixtures.people import add_providers_and_staff
from huddle.models import Action, ActionSource, ActionStatus, Service
from store import open_store, records

# One fixed date for seeding, for the app's clock and for the commands (HUDDLE_TODAY), so
# every sample of every run reads the same list; nothing measured depends on the real date.
TODAY = date(2026, 11, 22)
ACTOR = "benchmark"
# The Actions figures' person: on the demo's staff list, so `m` (mine) knows who they are.
ACTIONS_USER = "Kofi Mensah"
# The word the Actions figures search titles for: in one title in six (ACTION_SUBJECTS).
ACTIONS_SEARCH = "referral"
# A waiting list small enough to seed in a second: the actions are what the figures vary.
ACTIONS_ENTRIES = 300

ACTION_VERBS = ("Chase", "Review", "Escalate", "Confirm", "Update", "Agree", "Book", "Audit")
ACTION_SUBJECTS = (
    "discharge summaries from the acute trust",
    "referral backlog at the single point of access",
    "interim contact calls for tier 2 waits",
    "weekend rota gaps in rapid response",
    "safeguarding referral outcomes",
    "equipment orders outstanding over 14 days",
    "caseload weights for the community nursing team",
    "data quality of last week's extract",
    "lease of the Brookvale clinic room",
    "training records for new starters",
    "VCSE outreach capacity for next month",
    "complaints response times",
)


def demo_database(
    folder: Path, size: int, progress: Callable[[int, int], None], *, name: str | None = None
) -> Path:
    """The demo service with `size` waiting-list entries (seed 42), as `huddle demo` makes it,
    in `folder` as NAME.db (demo-SIZE.db unless named)."""
    path = folder / f"{name or f'demo-{size}'}.db"
    store = open_store(path, ACTOR)
    try:
        seed_demo(store, TODAY, size=size, seed=42, progress=progress)
    finally:
        store.close()
    return path


def service_database(path: Path) -> Path:
    """The demo's tiers, providers and staff with no waiting list: what an import starts from.

    Made by hand because seed_demo(size=0) still draws the whole NHS test range."""
    store = open_store(path, ACTOR)
    try:
        records.ensure_default_tiers(store)
        with store.write("benchmark service, providers and staff") as txn:
            records.insert(txn, Service(name="Benchmark service"))
            add_providers_and_staff(txn)
    finally:
        store.close()  # the last connection to close folds the WAL back into the file
    return path


def write_extract(path: Path, size: int) -> Path:
    """`size` rows new to the service, for the import figure."""
    return write_generated_extract(path, size, TODAY)


def actions_database(folder: Path, extra: int) -> Path:
    """The demo service with ACTIONS_ENTRIES waiting-list entries and `extra` more actions
    (seed 7), written in one audited transaction: owners drawn from the whole staff, due
    dates from 60 days ago to 60 days ahead, 45% open, 20% in progress and 35% closed
    (with evidence, who closed it and when; one closed in ten has a review date), every
    source, each created before it is due and not after today."""
    path = demo_database(
        folder, ACTIONS_ENTRIES, lambda _done, _total: None, name=f"actions-{extra}"
    )
    store = open_store(path, ACTOR)
    try:
        staff = [row[0] for row in store.conn.execute("SELECT id FROM person ORDER BY id")]
        entries = [row[0] for row in store.conn.execute("SELECT id FROM waiting_entry LIMIT 500")]
        # Signed-off meetings take no more actions; extra meeting actions stand unlinked.
        meetings = [
            row[0]
            for row in store.conn.execute("SELECT id FROM meeting WHERE state != 'signed off'")
        ]
        rng = Random(7)
        made = [_action(rng, n, staff, entries, meetings) for n in range(extra)]
        with store.write(f"benchmark: {extra:,} actions") as txn:
            records.insert_many(txn, made)
    finally:
        store.close()
    return path


def _action(
    rng: Random, n: int, staff: list[int], entries: list[int], meetings: list[int]
) -> Action:
    due = TODAY + timedelta(days=rng.randint(-60, 60))
    created = min(due, TODAY) - timedelta(days=rng.randint(1, 60))
    source = rng.choice(tuple(ActionSource))
    roll = rng.random()
    status = (
        ActionStatus.OPEN
        if roll < 0.45
        else ActionStatus.IN_PROGRESS
        if roll < 0.65
        else ActionStatus.CLOSED
    )
    closed: dict = {}
    if status == ActionStatus.CLOSED:
        closed_on = created + timedelta(days=rng.randint(0, (TODAY - created).days))
        closed = {
            "evidence": f"Done: see the note of {closed_on:%d %B}",
            "closed_on": closed_on,
            "closed_by": rng.choice(staff),
            "review_on": closed_on + timedelta(days=28) if rng.random() < 0.1 else None,
        }
    return Action(
        title=f"{rng.choice(ACTION_VERBS)} {rng.choice(ACTION_SUBJECTS)} ({n + 1})",
        owner_id=rng.choice(staff),
        due_date=due,
        status=status,
        source=source,
        entry_id=rng.choice(entries) if source == ActionSource.BREACH and entries else None,
        meeting_id=rng.choice(meetings) if source == ActionSource.MEETING and meetings else None,
        created_on=created,
        **closed,
    )
