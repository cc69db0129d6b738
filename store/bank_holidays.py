"""The bank holidays set-up adds to England and Wales' (`[service] extra_bank_holidays`),
as every working-day rule takes them (huddle.working_days): read from the database, so the
app and the command line count the same days."""

from __future__ import annotations

import json
from datetime import date

from store.connection import Store, Transaction


def added_bank_holidays(source: Store | Transaction) -> frozenset[date]:
    """The service's own extra bank holidays; none before set-up names any (or before m026
    on a database opened without migrating)."""
    columns = {row[1] for row in source.conn.execute("PRAGMA table_info(service)")}
    if "extra_bank_holidays" not in columns:
        return frozenset()
    found = source.conn.execute(
        "SELECT extra_bank_holidays FROM service ORDER BY id LIMIT 1"
    ).fetchone()
    if found is None or not found[0]:
        return frozenset()
    return frozenset(date.fromisoformat(day) for day in json.loads(found[0]))
