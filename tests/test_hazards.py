"""Controls of the hazard log (docs/safety/hazard-log.md) not already proved elsewhere, and
the log itself: every test it names as a control exists, so a passing suite verifies it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from huddle.models import RiskTier
from store import Store, records

ROOT = Path(__file__).resolve().parent.parent
HAZARD_LOG = ROOT / "docs" / "safety" / "hazard-log.md"
NAMED_TEST = re.compile(r"`(tests/test_[a-z0-9_]+\.py)::(test_[a-z0-9_]+)`")


@pytest.mark.parametrize("safe_wait", [None, "", -1, "six weeks"])
def test_a_tier_without_a_usable_safe_wait_is_refused(store: Store, safe_wait: object) -> None:
    """A tier with no maximum safe wait would give its entries no breach date, so none of
    them could ever show as breached."""
    with pytest.raises(ValidationError, match="max_safe_wait_days"):
        records.add(
            store,
            RiskTier(number=5, name="Unclear", max_safe_wait_days=safe_wait),
            "a new tier",
        )
    assert store.conn.execute("SELECT count(*) FROM risk_tier").fetchone()[0] == 4


def test_every_control_in_the_hazard_log_names_a_test_that_exists() -> None:
    named = NAMED_TEST.findall(HAZARD_LOG.read_text(encoding="utf-8"))
    assert len(named) >= 40
    missing = [
        f"{path}::{test}"
        for path, test in named
        if not re.search(
            rf"^(async )?def {test}\(", (ROOT / path).read_text(encoding="utf-8"), re.MULTILINE
        )
    ]
    assert not missing, missing


def test_every_hazard_has_its_cause_effect_harm_and_controls() -> None:
    text = HAZARD_LOG.read_text(encoding="utf-8")
    hazards = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    assert len(hazards) >= 10
    for hazard in hazards:
        title = hazard.splitlines()[0]
        for part in ("**Causes**", "**Effect:**", "**Harm:**", "**Controls**"):
            assert part in hazard, (title, part)
        assert NAMED_TEST.search(hazard), title
