"""Who owns what on a waiting-list entry: the provider's extract, or the huddle.

Pure rules, no store: `store.waiting_import` asks `decide` about every value an extract
gives that differs from what huddle holds. The principle (docs/import.md, "Who owns
what"): **a change that raises risk applies at once; a change that lowers risk, or
rewrites what the huddle recorded, waits for a person** (it is held, listed, and resolved
with a reason). Values are compared as they are stored: ISO dates, ints, bools, text.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from huddle.dates import uk
from huddle.models import RiskTier


class Verdict(StrEnum):
    APPLY = "apply"  # the extract's value replaces huddle's, reported
    HOLD = "hold"  # stored as a held change for a person to accept or keep
    KEEP = "keep"  # huddle's value stands and nothing is held (an older interim contact)


# Held changes name the field as the entry stores it; `status` is a closed entry that
# the provider's extract still lists as waiting.
FIELD_WORDS = {
    "tier": "tier",
    "referral_date": "referral date",
    "case_owner_id": "case owner",
    "last_interim_contact": "last interim contact",
    "safeguarding": "safeguarding flag",
    "nhs_number": "NHS number",
    "local_id": "local id",
    "status": "closed here, still in the provider's extract",
    "breach_date": "breach date",
    "contact_due": "contact due",
}


def tier_raises(held: RiskTier, said: RiskTier) -> bool:
    """Whether moving from `held` to `said` raises the risk: a shorter maximum safe wait,
    or the same wait with a shorter interim-contact cadence (a tier without one is seen,
    not phoned, so it counts as the shortest)."""

    def urgency(tier: RiskTier) -> tuple[int, int]:
        cadence = tier.interim_contact_days
        return tier.max_safe_wait_days, 0 if cadence is None else cadence

    return urgency(said) < urgency(held)


def decide(
    field: str,
    said: object,
    held: object,
    tiers: dict[int, RiskTier],
    huddles_tier: bool = False,
) -> Verdict:
    """The verdict on the extract saying `said` where huddle holds `held` (they differ).

    - tier: raised applies; lowered is held; and any tier at all is held where the tier is
      the huddle's (`huddles_tier`: it re-tiered the entry, and no person has accepted an
      extract's tier since), so an extract never reverts a re-tier the huddle recorded;
    - referral date: held (a clock restarted silently would hide a breach);
    - case owner: given where there was none, applies; cleared or replaced, held;
    - last interim contact: only ever moves later; an older one changes nothing;
    - safeguarding: set applies, cleared is held;
    - NHS number and local id: given where there was none, apply; changed or cleared, held;
    - anything else (initials, referral source) is the provider's and applies.
    """
    if field == "tier":
        if huddles_tier:
            return Verdict.HOLD
        raised = tier_raises(tiers[int(held)], tiers[int(said)])  # type: ignore[arg-type]
        return Verdict.APPLY if raised else Verdict.HOLD
    if field == "referral_date":
        return Verdict.HOLD
    if field == "last_interim_contact":
        later = said is not None and (held is None or str(said) > str(held))
        return Verdict.APPLY if later else Verdict.KEEP
    if field == "safeguarding":
        return Verdict.APPLY if said else Verdict.HOLD
    if field in ("case_owner_id", "nhs_number", "local_id"):
        return Verdict.APPLY if held is None else Verdict.HOLD
    return Verdict.APPLY


def shown(field: str, value: object, people: dict[int, str], tiers: dict[int, RiskTier]) -> str:
    """A stored value in words, for reports and the held-changes list."""
    if value is None or value == "":
        return "none"
    if field == "case_owner_id":
        return people.get(int(value), f"person #{value}")  # type: ignore[arg-type]
    if field == "tier":
        tier = tiers.get(int(value))  # type: ignore[arg-type]
        return f"tier {value} ({tier.name})" if tier else f"tier {value}"
    if field == "safeguarding":
        return "flagged" if value else "not flagged"
    if field in ("referral_date", "last_interim_contact", "breach_date", "contact_due"):
        return uk(date.fromisoformat(str(value)))
    return str(value)
