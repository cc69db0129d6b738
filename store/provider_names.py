"""The name each provider goes by on a narrow list (huddle.provider_names), read from
the provider table: a few rows however long the waiting list."""

from __future__ import annotations

import sqlite3

from huddle.provider_names import ProviderName, shown_names


def provider_names(conn: sqlite3.Connection) -> dict[int, str]:
    """Each provider's id and the name the waiting list shows for it, none alike."""
    rows = conn.execute("SELECT id, name, short_name FROM provider ORDER BY id")
    return shown_names(ProviderName(*row) for row in rows)
