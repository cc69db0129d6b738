"""`huddle check`: is the file sound, and is the audit trail whole and unaltered?"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from store.audit import ChainFault, verify_chain


@dataclass(frozen=True)
class CheckReport:
    integrity: list[str]
    audit_rows: int
    chain_fault: ChainFault | None

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and self.chain_fault is None

    def lines(self) -> list[str]:
        found = [
            "integrity_check: ok"
            if self.integrity == ["ok"]
            else f"integrity_check FAILED: {'; '.join(self.integrity[:5])}",
        ]
        if self.chain_fault is None:
            found.append(f"audit chain: ok ({self.audit_rows} rows)")
        else:
            found.append(f"audit chain FAILED: {self.chain_fault}")
        return found


def check_database(conn: sqlite3.Connection) -> CheckReport:
    """Never raises on a damaged file: reporting the damage is the whole point."""
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        integrity = [f"the file is damaged ({error})"]
    try:
        rows, fault = verify_chain(conn)
    except sqlite3.DatabaseError as error:
        rows, fault = 0, ChainFault(0, "audit", 0, f"the audit trail cannot be read ({error})")
    return CheckReport(integrity=integrity, audit_rows=rows, chain_fault=fault)
