"""The benchmark's own data, made fresh in a temporary folder each run: demo services from the
demo generator, an empty service to import into, and a provider's extract."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from fixtures.demo import seed_demo
from fixtures.extracts import write_generated_extract
from fixtures.people import add_providers_and_staff
from huddle.models import Service
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


def write_extract(path: Path, size: int) -> Path:
    """`size` rows new to the service, for the import figure."""
    return write_generated_extract(path, size, TODAY)
