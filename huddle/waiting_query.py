"""What the coordinator asked to see on the waiting list: filters, sort and the as-at date.

Pure description, no SQL: the store turns it into a query, the screen builds it from keys.
A filter narrows the list but never changes what counts as a breach.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum


class SortBy(StrEnum):
    """Default: days to breach, so the breached come first, the most overdue at the top."""

    DAYS_TO_BREACH = "days to breach"
    DAYS_WAITED = "days waited"
    CONTACT_DUE = "contact due"
    TIER = "tier"


SORT_CYCLE = tuple(SortBy)


@dataclass(frozen=True)
class WaitingQuery:
    as_at: date
    tier: int | None = None
    breached: bool = False
    due_this_week: bool = False
    contact_overdue: bool = False
    without_escalation: bool = False
    safeguarding: bool = False
    high_risk: bool = False
    """Tier 1, breached, breaching today, safeguarding flag or contact overdue (the brief)."""
    not_in_extract: bool = False
    held: bool = False
    """With a change a provider's extract asked for, held for a person to resolve."""
    no_owner: bool = False
    closed: bool = False
    """The entries the huddle closed (seen, discharged, removed), instead of those waiting."""
    closed_without_outcome: bool = False
    owner_id: int | None = None
    owner_label: str = field(default="", compare=False)
    """Who `owner_id` is, for the filter line: the id is the filter, so it alone compares."""
    provider_id: int | None = None
    provider_label: str = field(default="", compare=False)
    """The provider `provider_id` is, as the list shows it and in full."""
    search: str = ""
    sort: SortBy = SortBy.DAYS_TO_BREACH

    def toggled(self, flag: str) -> WaitingQuery:
        return replace(self, **{flag: not getattr(self, flag)})

    def next_sort(self) -> WaitingQuery:
        position = SORT_CYCLE.index(self.sort)
        return replace(self, sort=SORT_CYCLE[(position + 1) % len(SORT_CYCLE)])

    def describe(self) -> str:
        """The filters in words, for the line above the list."""
        words = []
        if self.tier is not None:
            words.append(f"tier {self.tier}")
        for flag, label in FLAG_LABELS.items():
            if getattr(self, flag):
                words.append(label)
        if self.owner_id is not None:
            words.append(f"case owner {self.owner_label or f'#{self.owner_id}'}")
        if self.provider_id is not None:
            words.append(f"provider {self.provider_label or f'#{self.provider_id}'}")
        if self.search:
            words.append(f"matching {self.search!r}")
        return ", ".join(words) if words else "everyone waiting"

    @property
    def waiting_only(self) -> bool:
        """Whether only entries still waiting are listed: not when asking for closed ones,
        for held changes (a closed entry's extract row is held too), or in a search, which
        finds an entry however it ended."""
        return not (self.closed or self.closed_without_outcome or self.held or self.search.strip())

    @property
    def asks_about_waiting(self) -> bool:
        """A filter only an entry still waiting can match (a closed entry keeps its breach
        date and its contact due, but is neither breached nor late any more)."""
        return any(getattr(self, flag) for flag in WAITING_FLAGS)


WAITING_FLAGS = (
    "breached",
    "due_this_week",
    "contact_overdue",
    "without_escalation",
    "high_risk",
    "not_in_extract",
    "no_owner",
)
FLAG_LABELS = {
    "breached": "breached",
    "due_this_week": "breaching within 7 days",
    "contact_overdue": "interim contact overdue",
    "without_escalation": "breached without escalation",
    "safeguarding": "safeguarding flag",
    "high_risk": "high risk (tier 1, breached, breaching today, safeguarding, contact overdue)",
    "not_in_extract": "not in the latest extract",
    "held": "a change from the extract held",
    "no_owner": "no case owner",
    "closed": "closed (seen, discharged or removed)",
    "closed_without_outcome": "closed without an outcome",
}
