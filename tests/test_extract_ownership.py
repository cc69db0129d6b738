"""Who owns what: a provider's extract never overrules the huddle (docs/import.md).

Every row of the ownership rules in both directions, on real SQLite files: a change that
raises risk applies at once; one that lowers risk, or rewrites what the huddle recorded,
is held for a person, and the breach counts say so before and after."""

from __future__ import annotations

import csv
import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.extracts import valid_nhs_numbers
from fixtures.people import PROVIDERS, add_providers_and_staff
from huddle.extract_ownership import decide, tier_raises
from huddle.models import DEFAULT_RISK_TIERS, ContactKind, EntryStatus, Service
from huddle.waiting_csv import COLUMNS
from store import entry_changes, held_changes, open_store, records
from store.connection import Store
from store.queries import status_summary
from store.waiting_import import ImportRequest, ImportResult, import_file

TODAY = date(2026, 11, 22)
TRUST = PROVIDERS["prime"].name
NHS = [number for number, _ in zip(valid_nhs_numbers(), range(20), strict=False)]
TIERS = {tier.number: tier for tier in DEFAULT_RISK_TIERS}


@pytest.fixture
def service(tmp_path: Path) -> Store:
    store = open_store(tmp_path / "huddle.db", "Kofi Mensah")
    records.ensure_default_tiers(store)
    with store.write("test service") as txn:
        records.insert(txn, Service(name="Test service"))
        add_providers_and_staff(txn)
    yield store
    store.close()


def row(n: int, **changes: str) -> dict[str, str]:
    values = {
        "nhs_number": NHS[n],
        "local_id": f"EX-{n:04d}",
        "initials": "AB",
        "referral_date": "01/11/2026",  # tier 3 (42 days) breaches after 13/12/2026
        "risk_tier": "3",
        "referral_source": "GP",
        "provider": TRUST,
        "case_owner": "",
        "last_contact_date": "",
        "safeguarding_flag": "no",
    }
    values.update(changes)
    return values


class Weeks:
    """One extract a week, each in its own file, imported as the command does."""

    def __init__(self, store: Store, folder: Path) -> None:
        self.store, self.folder, self.week = store, folder, 0

    def extract(self, rows: list[dict[str, str]], today: date = TODAY) -> ImportResult:
        self.week += 1
        path = self.folder / f"week-{self.week}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
        return import_file(self.store, ImportRequest(path), today)


@pytest.fixture
def weeks(service: Store, tmp_path: Path) -> Weeks:
    return Weeks(service, tmp_path)


def entry(store: Store, n: int) -> dict:
    found = store.conn.execute(
        "SELECT * FROM waiting_entry WHERE local_id = ? ORDER BY id", (f"EX-{n:04d}",)
    ).fetchall()
    assert len(found) == 1, f"EX-{n:04d} should be one entry, not {len(found)}"
    names = [column[0] for column in store.conn.execute("SELECT * FROM waiting_entry").description]
    return dict(zip(names, found[0], strict=True))


def held(store: Store) -> list[tuple[str, str, str, str]]:
    return [
        (line.who, line.field, line.extract_says, line.huddle_holds)
        for line in held_changes.open_held(store)
    ]


def breached(store: Store) -> tuple[int, int]:
    waiting = status_summary(store, TODAY).waiting
    return waiting.breached, waiting.breached_without_escalation


def person(store: Store, name: str) -> int:
    return store.conn.execute("SELECT id FROM person WHERE name = ?", (name,)).fetchone()[0]


# --- the rules, pure -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "said", "holds", "verdict"),
    [
        ("tier", 2, 3, "apply"),  # raised: a shorter safe wait
        ("tier", 3, 2, "hold"),  # lowered
        ("tier", 1, 2, "apply"),
        ("referral_date", "2026-10-01", "2026-11-01", "hold"),  # earlier
        ("referral_date", "2026-11-15", "2026-11-01", "hold"),  # later: the clock restarted
        ("case_owner_id", 5, None, "apply"),  # an owner where there was none
        ("case_owner_id", 5, 6, "hold"),  # replaced
        ("case_owner_id", None, 6, "hold"),  # cleared
        ("last_interim_contact", "2026-11-20", "2026-11-10", "apply"),  # later
        ("last_interim_contact", "2026-11-05", "2026-11-10", "keep"),  # older
        ("last_interim_contact", None, "2026-11-10", "keep"),
        ("safeguarding", True, False, "apply"),
        ("safeguarding", False, True, "hold"),
        ("nhs_number", NHS[1], NHS[0], "hold"),
        ("nhs_number", None, NHS[0], "hold"),
        ("nhs_number", NHS[1], None, "apply"),
        ("local_id", "EX-9", "EX-1", "hold"),
        ("initials", "CD", "AB", "apply"),
    ],
)
def test_each_rule_in_both_directions(field: str, said, holds, verdict: str) -> None:
    assert decide(field, said, holds, TIERS) == verdict


def test_any_different_tier_is_held_where_the_huddle_re_tiered_the_entry() -> None:
    # The huddle moved the entry from 2 to 3 with a reason; the extract still says 2.
    assert decide("tier", 2, 3, TIERS, huddles_tier=True) == "hold"
    assert decide("tier", 1, 3, TIERS, huddles_tier=True) == "hold"
    assert decide("tier", 1, 3, TIERS) == "apply"
    assert tier_raises(TIERS[4], TIERS[1]) and not tier_raises(TIERS[1], TIERS[4])


# --- the import ------------------------------------------------------------------------------


def test_a_raised_tier_applies_and_the_report_shows_the_breach(service: Store, weeks) -> None:
    weeks.extract([row(0)])
    assert breached(service) == (0, 0)
    result = weeks.extract([row(0, risk_tier="2")])  # 14 days: breached on 16/11
    assert (result.updated, result.held) == (1, 0)
    assert entry(service, 0)["tier"] == 2
    assert breached(service) == (1, 1)
    assert (result.before.breached, result.after.breached) == (0, 1)
    assert (result.before.without_escalation, result.after.without_escalation) == (0, 1)
    [change] = result.shown_changes
    assert "tier tier 3 (Moderate) -> tier 2 (High)" in change.describe()
    assert "now BREACHED" in change.describe()


def test_a_lowered_tier_is_held_and_the_breach_stays_counted(service: Store, weeks) -> None:
    weeks.extract([row(0, risk_tier="2")])
    assert breached(service) == (1, 1)
    result = weeks.extract([row(0, risk_tier="3")])
    assert (result.updated, result.held, result.new_holds) == (0, 1, 1)
    assert entry(service, 0)["tier"] == 2
    assert breached(service) == (1, 1)
    assert held(service) == [("local id EX-0000", "tier", "tier 3 (Moderate)", "tier 2 (High)")]
    assert "HELD tier tier 3 (Moderate) in the extract, tier 2 (High) here" in (
        result.shown_changes[0].describe()
    )
    # The same extract again holds nothing new.
    again = weeks.extract([row(0, risk_tier="3")])
    assert (again.held, again.new_holds, again.still_held) == (1, 0, 1)
    assert len(held(service)) == 1


@pytest.mark.parametrize(("huddle_tier", "kind"), [(4, "lowered"), (2, "raised")])
def test_the_huddles_re_tier_survives_the_next_extract(
    service: Store, weeks, huddle_tier: int, kind: str
) -> None:
    weeks.extract([row(0)])
    stored = entry(service, 0)
    entry_changes.retier(
        service, stored["id"], stored["version"], tier=huddle_tier, reason=kind, today=TODAY
    )
    result = weeks.extract([row(0)])  # the provider's system still says 3
    assert entry(service, 0)["tier"] == huddle_tier
    assert result.held == 1
    assert held(service)[0][1:3] == ("tier", "tier 3 (Moderate)")


def test_a_referral_date_change_is_held_and_a_breach_that_happened_stands(
    service: Store, weeks
) -> None:
    weeks.extract([row(0, risk_tier="2")])  # breached on 16/11
    result = weeks.extract([row(0, risk_tier="2", referral_date="20/11/2026")])
    assert result.held == 1
    assert entry(service, 0)["referral_date"] == "2026-11-01"
    assert breached(service) == (1, 1)
    [line] = held_changes.open_held(service)
    assert (line.extract_says, line.huddle_holds) == ("20/11/2026", "01/11/2026")
    # Accepted, the clock does not restart: the breach that happened stands.
    held_changes.resolve(
        service, line.id, line.version, accept=True, reason="provider corrected", today=TODAY
    )
    assert entry(service, 0)["referral_date"] == "2026-11-20"
    assert entry(service, 0)["breach_date"] == "2026-11-15"
    assert breached(service) == (1, 1)


def test_the_huddles_case_owner_is_neither_cleared_nor_replaced(service: Store, weeks) -> None:
    weeks.extract([row(0), row(1)])
    for n in (0, 1):
        stored = entry(service, n)
        entry_changes.change_case_owner(
            service,
            stored["id"],
            stored["version"],
            owner_id=person(service, "Megan Price"),
            reason="allocated at the huddle",
            today=TODAY,
        )
    result = weeks.extract([row(0), row(1, case_owner="Daniel Okoro")])
    assert result.held == 2
    assert entry(service, 0)["case_owner_id"] == person(service, "Megan Price")
    assert entry(service, 1)["case_owner_id"] == person(service, "Megan Price")
    assert sorted(held(service)) == [
        ("local id EX-0000", "case_owner_id", "none", "Megan Price"),
        ("local id EX-0001", "case_owner_id", "Daniel Okoro", "Megan Price"),
    ]
    # An owner where there was none applies.
    result = weeks.extract([row(0), row(1, case_owner="Daniel Okoro"), row(2)])
    result = weeks.extract(
        [row(0), row(1, case_owner="Daniel Okoro"), row(2, case_owner="Daniel Okoro")]
    )
    assert entry(service, 2)["case_owner_id"] == person(service, "Daniel Okoro")


def test_the_last_interim_contact_only_moves_later(service: Store, weeks) -> None:
    weeks.extract([row(0, last_contact_date="05/11/2026")])
    stored = entry(service, 0)
    entry_changes.log_contact(
        service,
        stored["id"],
        stored["version"],
        kind=ContactKind.PHONE,
        outcome="spoke to her daughter",
        made_by=person(service, "Megan Price"),
        contact_on=date(2026, 11, 18),
        today=TODAY,
    )
    result = weeks.extract([row(0, last_contact_date="05/11/2026")])
    assert (result.unchanged, result.held) == (1, 0)
    assert entry(service, 0)["last_interim_contact"] == "2026-11-18"
    result = weeks.extract([row(0, last_contact_date="21/11/2026")])
    assert result.updated == 1
    assert entry(service, 0)["last_interim_contact"] == "2026-11-21"


def test_safeguarding_is_set_at_once_and_never_cleared(service: Store, weeks) -> None:
    weeks.extract([row(0)])
    result = weeks.extract([row(0, safeguarding_flag="yes")])
    assert (result.updated, entry(service, 0)["safeguarding"]) == (1, 1)
    result = weeks.extract([row(0, safeguarding_flag="no")])
    assert (result.held, entry(service, 0)["safeguarding"]) == (1, 1)
    assert held(service)[0][1:] == ("safeguarding", "not flagged", "flagged")


def test_an_identifier_changing_under_the_other_is_held(service: Store, weeks) -> None:
    weeks.extract([row(0), row(1)])
    # Entry 0: a different NHS number under the same local id; entry 1: the reverse.
    result = weeks.extract([row(0, nhs_number=NHS[10]), row(1, local_id="EX-9999")])
    assert result.held == 2
    assert entry(service, 0)["nhs_number"] == NHS[0]
    assert entry(service, 1)["local_id"] == "EX-0001"
    assert sorted(line[1] for line in held(service)) == ["local_id", "nhs_number"]


def test_an_entry_the_huddle_closed_is_never_re_created(service: Store, weeks) -> None:
    weeks.extract([row(0), row(1)])
    stored = entry(service, 0)
    entry_changes.close_entry(
        service,
        stored["id"],
        stored["version"],
        status=EntryStatus.SEEN,
        reason="seen at clinic",
        today=date(2026, 11, 21),
    )
    result = weeks.extract([row(0), row(1)])
    assert (result.imported, result.held, result.closed_listed) == (0, 1, 1)
    assert entry(service, 0)["status"] == "seen"
    assert held(service) == [
        (
            "local id EX-0000",
            "status",
            "waiting",
            "seen",
        )
    ]
    assert "closed here, still in the provider's extract" in result.shown_changes[0].describe()
    # A referral made after the closure is a new one.
    later = weeks.extract([row(0, referral_date="22/11/2026"), row(1)])
    assert later.imported == 1


def test_a_resolved_change_is_held_again_only_when_the_extract_says_something_new(
    service: Store, weeks
) -> None:
    weeks.extract([row(0, risk_tier="2")])
    weeks.extract([row(0, risk_tier="3")])
    [line] = held_changes.open_held(service)
    held_changes.resolve(
        service, line.id, line.version, accept=False, reason="still high risk", today=TODAY
    )
    assert held(service) == []
    again = weeks.extract([row(0, risk_tier="3")])
    assert (again.held, again.unchanged) == (0, 1)
    news = weeks.extract([row(0, risk_tier="4")])
    assert news.held == 1
    assert held(service)[0][2] == "tier 4 (Routine)"
    # The extract coming round to huddle's tier closes the held change as agreed.
    weeks.extract([row(0, risk_tier="2")])
    assert held(service) == []
    states = service.conn.execute("SELECT state FROM held_change ORDER BY id").fetchall()
    assert [state for (state,) in states] == ["kept", "agreed"]


def test_resolving_is_one_audited_write_with_a_reason(service: Store, weeks) -> None:
    weeks.extract([row(0, safeguarding_flag="yes")])
    weeks.extract([row(0, safeguarding_flag="no")])
    [line] = held_changes.open_held(service)
    with pytest.raises(ValueError, match="reason"):
        held_changes.resolve(service, line.id, line.version, accept=True, reason=" ", today=TODAY)
    audit_before = service.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    held_changes.resolve(
        service, line.id, line.version, accept=True, reason="flag closed by MASH", today=TODAY
    )
    rows = service.conn.execute(
        "SELECT table_name, reason, actor FROM audit WHERE id > ? ORDER BY id", (audit_before,)
    ).fetchall()
    assert {table for table, _, _ in rows} == {"waiting_entry", "held_change"}
    assert all("flag closed by MASH" in reason for _, reason, _ in rows)
    assert entry(service, 0)["safeguarding"] == 0
    with pytest.raises(ValueError, match="resolved already"):
        held_changes.resolve(
            service, line.id, line.version + 1, accept=True, reason="again", today=TODAY
        )


def test_a_dry_run_reports_the_same_and_writes_nothing(service: Store, weeks, tmp_path) -> None:
    weeks.extract([row(0), row(1)])
    path = tmp_path / "dry.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows([row(0, risk_tier="2"), row(1, risk_tier="4")])
    audit_before = service.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    result = import_file(service, ImportRequest(path, dry_run=True), TODAY)
    assert (result.updated, result.held, result.applied) == (1, 1, False)
    assert (result.before.breached, result.after.breached) == (0, 1)
    assert service.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == audit_before
    assert held(service) == []
    assert json.loads(json.dumps(result.summary()))  # one line of text


# --- any sequence of imports and huddle changes --------------------------------------------

ENTRIES = 3
PEOPLE = ("Megan Price", "Daniel Okoro", "")
WEEK_DAYS = [date(2026, 11, day) for day in (8, 15, 22)]  # one import a week, then changes


def _extract_row(n: int, tier: int, referred: int, owner: int, contact: int, flag: bool):
    return row(
        n,
        risk_tier=str(tier),
        referral_date=f"{referred:02d}/10/2026",
        case_owner=PEOPLE[owner],
        # Never before the referral, which would refuse the row.
        last_contact_date=f"{referred + contact - 1:02d}/10/2026" if contact else "",
        safeguarding_flag="yes" if flag else "no",
    )


extract_rows = st.tuples(
    st.integers(1, 4),  # tier
    st.integers(1, 20),  # referred in October: some breach, some do not
    st.integers(0, 2),  # case owner (blank last)
    st.integers(0, 11),  # last contact, days after the referral (0: none)
    st.booleans(),  # safeguarding
)
huddle_change = st.tuples(
    st.integers(0, ENTRIES - 1),
    st.sampled_from(("retier", "owner", "contact")),
    st.integers(1, 4),
)
week = st.tuples(
    st.lists(extract_rows, min_size=ENTRIES, max_size=ENTRIES),
    st.lists(huddle_change, max_size=3),
)


@given(st.lists(week, min_size=2, max_size=3))
def test_no_import_clears_a_breach_or_overrules_what_the_huddle_recorded(weeks_of) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "huddle.db", "Kofi Mensah")
        try:
            records.ensure_default_tiers(store)
            with store.write("test service") as txn:
                records.insert(txn, Service(name="Test service"))
                add_providers_and_staff(txn)
            _run_weeks(store, Path(folder), weeks_of)
        finally:
            store.close()


def _run_weeks(store: Store, folder: Path, weeks_of) -> None:
    importer = Weeks(store, folder)
    recorded: dict[tuple[int, str], object] = {}  # what the huddle recorded, by entry
    for day, (rows, changes) in zip(WEEK_DAYS, weeks_of, strict=False):
        breached_before = {
            n: entry(store, n)["breach_date"] < day.isoformat()
            for n in range(ENTRIES)
            if _exists(store, n)
        }
        result = importer.extract([_extract_row(n, *values) for n, values in enumerate(rows)], day)
        assert result.applied, result.shown_rejects
        for n, was_breached in breached_before.items():
            if was_breached:
                assert entry(store, n)["breach_date"] < day.isoformat(), "a breach was cleared"
        for (n, name), value in recorded.items():
            now = entry(store, n)[name]
            if name == "last_interim_contact":
                assert now >= value, "the huddle's interim contact moved earlier"
            else:
                assert now == value, f"the huddle's {name} was overruled"
        for n, kind, choice in changes:
            recorded.update(_huddle_changes(store, n, kind, choice, day))


def _exists(store: Store, n: int) -> bool:
    return bool(
        store.conn.execute(
            "SELECT 1 FROM waiting_entry WHERE local_id = ?", (f"EX-{n:04d}",)
        ).fetchone()
    )


def _huddle_changes(store: Store, n: int, kind: str, choice: int, day: date) -> dict:
    stored = entry(store, n)
    try:
        if kind == "retier":
            entry_changes.retier(
                store, stored["id"], stored["version"], tier=choice, reason="review", today=day
            )
            return {(n, "tier"): choice}
        if kind == "owner":
            owner = person(store, PEOPLE[choice % 2])
            entry_changes.change_case_owner(
                store, stored["id"], stored["version"], owner_id=owner, reason="", today=day
            )
            return {(n, "case_owner_id"): owner}
        contact_on = date(2026, 11, min(choice * 5, day.day))
        entry_changes.log_contact(
            store,
            stored["id"],
            stored["version"],
            kind=ContactKind.PHONE,
            outcome="called",
            made_by=person(store, "Megan Price"),
            contact_on=contact_on,
            today=day,
        )
        return {(n, "last_interim_contact"): entry(store, n)["last_interim_contact"]}
    except ValueError:  # already in that tier, already the owner: nothing recorded
        return {}
