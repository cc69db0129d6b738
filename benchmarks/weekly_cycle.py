"""`python -m benchmarks.weekly_cycle [--size N] [--seed S]`: one week of a waiting-list
huddle against a holdout-like extract, and what the import held for a person.

The demo service (N entries) exports its list as the provider's system would know it;
then the huddle works the week (re-tiers, new owners, interim contacts, closures) while
the provider's system moves on its own way (tiers up and down, corrected referral dates,
flags cleared and set, owners changed, people dropped). Next week's extract
is that export, imported as `huddle import waiting-list` does. Printed: the import's
report, the held changes by field, how the breach counts moved, and the time it took.
Nothing is asserted: tests/test_extract_ownership.py proves the rules.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from fixtures.demo import seed_demo
from huddle.models import ContactKind, EntryStatus
from store import entry_changes, open_store
from store.connection import Store
from store.waiting_export import export_waiting_list
from store.waiting_import import ImportRequest, import_file

TODAY = date(2026, 11, 22)
NEXT_WEEK = TODAY + timedelta(days=7)
# The round trip from an export back to an import (docs/import.md, "Mapping files").
MAPPING = {
    "risk_tier": "tier",
    "safeguarding_flag": "safeguarding",
    "last_contact_date": "last_interim_contact",
}
SHARE = 0.05  # of the waiting list, for each kind of change on either side


def _huddle_week(store: Store, rng: random.Random) -> Counter:
    """What the huddle records in the week, through the same functions as the screens."""
    done: Counter = Counter()
    people = [row[0] for row in store.conn.execute("SELECT id FROM person ORDER BY id")]
    entries = store.conn.execute(
        "SELECT id, tier, version FROM waiting_entry WHERE status = 'waiting' ORDER BY id"
    ).fetchall()
    for entry_id, tier, _ in rng.sample(entries, int(len(entries) * SHARE * 4)):
        version = store.conn.execute(
            "SELECT version FROM waiting_entry WHERE id = ?", (entry_id,)
        ).fetchone()[0]
        kind = rng.choice(("retier", "owner", "contact", "close"))
        try:
            if kind == "retier":
                to = rng.choice([n for n in (1, 2, 3, 4) if n != tier])
                entry_changes.retier(
                    store, entry_id, version, tier=to, reason="review", today=TODAY
                )
            elif kind == "owner":
                entry_changes.change_case_owner(
                    store,
                    entry_id,
                    version,
                    owner_id=rng.choice(people),
                    reason="caseload",
                    today=TODAY,
                )
            elif kind == "contact":
                entry_changes.log_contact(
                    store,
                    entry_id,
                    version,
                    kind=ContactKind.PHONE,
                    outcome="called",
                    made_by=rng.choice(people),
                    contact_on=TODAY,
                    today=TODAY,
                )
            else:
                entry_changes.close_entry(
                    store,
                    entry_id,
                    version,
                    status=EntryStatus.SEEN,
                    reason="seen",
                    today=TODAY,
                )
            done[kind] += 1
        except ValueError:
            done[f"{kind} refused"] += 1
    return done


def _providers_week(rows: list[dict], people: list[str], rng: random.Random) -> Counter:
    """What the provider's system changes on its own, in place."""
    done: Counter = Counter()
    for row in rows:
        roll = rng.random()
        if roll < SHARE:
            row["tier"] = str(max(1, min(4, int(row["tier"]) + rng.choice((-1, 1)))))
            done["tier moved"] += 1
        elif roll < 2 * SHARE:
            referred = date.fromisoformat(row["referral_date"]) - timedelta(days=rng.randint(1, 9))
            row["referral_date"] = referred.isoformat()
            row["last_interim_contact"] = ""
            done["referral date corrected"] += 1
        elif roll < 3 * SHARE:
            row["safeguarding"] = "no" if row["safeguarding"] == "yes" else "yes"
            done["flag changed"] += 1
        elif roll < 4 * SHARE:
            row["case_owner"] = rng.choice([*people, ""])
            done["owner changed"] += 1
        elif roll < 4.4 * SHARE:
            row["dropped"] = "yes"
            done["dropped"] += 1
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.weekly_cycle")
    parser.add_argument("--size", type=int, default=3000, help="demo waiting-list entries")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "huddle.db", "Helen Marsden")
        seed_demo(store, TODAY, size=args.size)
        before = io.StringIO()
        export_waiting_list(store, TODAY, before)
        huddle = _huddle_week(store, rng)
        rows = list(csv.DictReader(io.StringIO(before.getvalue())))
        people = [name for (name,) in store.conn.execute("SELECT name FROM person")]
        provider = _providers_week(rows, people, rng)
        extract = Path(folder) / "next-week.csv"
        with extract.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(row for row in rows if not row.get("dropped"))
        mapping = Path(folder) / "round-trip.json"
        mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
        started = time.perf_counter()
        result = import_file(store, ImportRequest(extract, mapping=mapping), NEXT_WEEK)
        took = time.perf_counter() - started
        held = Counter(
            field
            for (field,) in store.conn.execute("SELECT field FROM held_change WHERE state = 'open'")
        )
        store.close()
    print(f"waiting list: {args.size:,} demo entries; extract rows: {result.rows_in:,}")
    print(f"the huddle's week: {dict(sorted(huddle.items()))}")
    print(f"the provider's week: {dict(sorted(provider.items()))}")
    print(result.summary())
    print(*result.report()[:2], sep="\n")
    print(f"held changes by field: {dict(held.most_common())}")
    print(f"not in this extract: {result.missing:,}; import took {took:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
