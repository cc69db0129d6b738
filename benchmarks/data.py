"""The benchmark's own data, made fresh in a temporary folder each run: demo services from the
demo generator, an empty service to import into, and a provider's extract."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from random import Random

from fixtures.demo import seed_demo
from fixtures.people import CASE_HOLDING_ROLES, PROVIDERS, STAFF, add_providers_and_staff
from huddle.models import Service
from huddle.nhs_number import nhs_check_digit
from huddle.waiting_csv import COLUMNS
from store import open_store, records

# One fixed date for seeding, for the app's clock and for the commands (HUDDLE_TODAY), so
# every sample of every run reads the same list; nothing measured depends on the real date.
TODAY = date(2026, 11, 22)
ACTOR = "benchmark"


def demo_database(folder: Path, size: int, progress: Callable[[int, int], None]) -> Path:
    """The demo service with `size` waiting-list entries (seed 42), as `huddle demo` makes it."""
    path = folder / f"demo-{size}.db"
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


def _nhs_numbers() -> Iterator[str]:
    """Valid NHS numbers from the 999 test range, which is never issued to a patient."""
    for base in range(1_000_000):
        digits = f"999{base:06d}"
        check = nhs_check_digit(digits)
        if check is not None:
            yield f"{digits}{check}"


def write_extract(path: Path, size: int, seed: int = 7) -> Path:
    """`size` valid rows across the demo's providers, every one new to the service, in the
    mix of date formats and blank cells that real extracts have."""
    rng = Random(seed)
    numbers = _nhs_numbers()
    keys = list(PROVIDERS)
    holders = {
        key: [name for name, role, at in STAFF if at == key and role in CASE_HOLDING_ROLES]
        for key in keys
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(size):
            key = keys[n % len(keys)]
            referred = TODAY - timedelta(days=rng.randint(0, 120))
            contact = referred + timedelta(days=rng.randint(0, (TODAY - referred).days))
            writer.writerow(
                [
                    next(numbers),
                    f"GEN-{n:07d}",
                    rng.choice("ABCDEFGH") + rng.choice("KLMNOPRS"),
                    referred.strftime("%d/%m/%Y") if n % 2 else referred.isoformat(),
                    rng.randint(1, 4),
                    rng.choice(("GP", "111", "self-referral")),
                    PROVIDERS[key].name,
                    "" if rng.random() < 0.02 else rng.choice(holders[key]),
                    "" if rng.random() < 0.5 else contact.strftime("%d/%m/%Y"),
                    "yes" if rng.random() < 0.06 else "no",
                ]
            )
    return path
