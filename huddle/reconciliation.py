"""The weekly reconciliation of the waiting list (seed 001: "duplicates, missing outcomes,
cases without an assigned owner, and long-wait outliers").

Pure results, no SQL and no textual: the store fills them, `huddle status` prints their
counts and the reconciliation screen shows their first lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# A long wait is an outlier beyond this many times the tier's maximum safe wait.
OUTLIER_FACTOR = 2


@dataclass(frozen=True)
class ReconciliationLine:
    """One entry a reconciliation check found, with what the coordinator needs to act."""

    id: int
    local_id: str | None
    nhs_number: str | None
    initials: str
    tier: int
    tier_name: str
    max_safe_wait_days: int | None
    """The tier's, for saying how far beyond it a long wait is (None for an unknown tier)."""
    provider: str
    case_owner: str | None
    referral_date: date
    days_waited: int
    """To the as-at date, or to the day it closed for an entry no longer waiting."""
    status: str
    closed_on: date | None = None
    not_in_extract_since: date | None = None
    providers: tuple[str, ...] = ()
    """Duplicates only: every provider the NHS number is waiting with, this one included."""
    held: str = ""
    """Held changes only: what the extract asked for and what huddle holds, in words."""


@dataclass(frozen=True)
class Finding:
    """How many a check found, and the first of them (at most the `shown` asked for)."""

    count: int
    lines: tuple[ReconciliationLine, ...] = ()

    @property
    def more(self) -> int:
        """How many were found beyond the lines shown."""
        return self.count - len(self.lines)


@dataclass(frozen=True)
class Reconciliation:
    """The four checks as at one date, read from one snapshot of the database.

    `duplicates` counts people (NHS numbers), each shown once with every provider holding
    them; the other checks count entries. A missing outcome comes in two kinds, kept apart
    because they are fixed differently: an entry the huddle closed without recording an
    outcome, and a waiting entry its provider's extract no longer lists (the provider has
    closed it; the huddle has not).
    """

    as_at: date
    duplicates: Finding
    no_case_owner: Finding
    closed_without_outcome: Finding
    not_in_extract: Finding
    long_wait_outliers: Finding
    held_changes: Finding
    """Changes a provider's extract asked for that wait for a person, one line each."""

    @property
    def no_outcome_after_closure(self) -> int:
        return self.closed_without_outcome.count + self.not_in_extract.count

    @property
    def total(self) -> int:
        """Everything the reconciliation asks someone to sort out."""
        return (
            self.duplicates.count
            + self.no_case_owner.count
            + self.no_outcome_after_closure
            + self.long_wait_outliers.count
            + self.held_changes.count
        )

    def counts(self) -> dict[str, object]:
        """The counts for `huddle status --json`: one key per check, the two kinds of
        missing outcome under one."""
        return {
            "duplicates_across_providers": self.duplicates.count,
            "no_case_owner": self.no_case_owner.count,
            "no_outcome_after_closure": {
                "total": self.no_outcome_after_closure,
                "closed_without_outcome": self.closed_without_outcome.count,
                "not_in_provider_extract": self.not_in_extract.count,
            },
            "long_wait_outliers": self.long_wait_outliers.count,
            "held_changes": self.held_changes.count,
        }
