"""The store on real SQLite files: pragmas, migrations, the audited write path, versions,
foreign keys, derived dates, the status counts, and backups."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from huddle import rules
from huddle.models import (
    DEFAULT_RISK_TIERS,
    Action,
    ActionSource,
    ActionStatus,
    ContactKind,
    EntryStatus,
    MobilisationProgramme,
    Person,
    Provider,
    ProviderKind,
    Service,
    WaitingEntry,
)
from store import StaleVersion, Store, StoreError, entry_changes, open_store, records
from store.backup import backup
from store.check import check_database
from store.queries import status_summary

TODAY = date(2026, 11, 22)


# --- helpers ------------------------------------------------------------------------------


def audit_rows(store: Store) -> list[dict]:
    return list(store.db.query("SELECT * FROM audit ORDER BY id"))


def audit_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def raw_row(store: Store, table: str, row_id: int) -> dict:
    return next(iter(store.db.query(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])))


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def schema_of(store: Store) -> list[tuple]:
    return store.conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()


def migrations_of(store: Store) -> list[tuple]:
    return store.conn.execute(
        "SELECT id, migration_set, name, applied_at FROM _sqlite_migrations ORDER BY id"
    ).fetchall()


def provider_and_owner(store: Store) -> tuple[Provider, Person]:
    provider = records.add(
        store, Provider(name="Northgate Community", kind=ProviderKind.PRIME), "set up"
    )
    assert provider.id is not None
    owner = records.add(
        store, Person(name="Sam Patel", role="Team lead", provider_id=provider.id), "set up"
    )
    return provider, owner


def waiting(provider: Provider, referral: date, tier: int, **fields: object) -> WaitingEntry:
    assert provider.id is not None
    values: dict[str, object] = {
        "local_id": f"L-{referral.isoformat()}-{tier}",
        "initials": "AB",
        "referral_date": referral,
        "tier": tier,
        "provider_id": provider.id,
    }
    values.update(fields)
    return WaitingEntry(**values)


def action(owner: Person, title: str, due: date, **fields: object) -> Action:
    assert owner.id is not None
    values: dict[str, object] = {
        "title": title,
        "owner_id": owner.id,
        "due_date": due,
        "created_on": date(2026, 11, 1),
    }
    values.update(fields)
    return Action(**values)


# --- opening the file ----------------------------------------------------------------------


def test_new_database_is_owner_only(db_path: Path) -> None:
    store = open_store(db_path, "tester")
    try:
        assert mode_of(db_path) == 0o600
        records.ensure_default_tiers(store)  # a write: -wal and -shm now exist
        for suffix in ("-wal", "-shm"):
            companion = Path(f"{db_path}{suffix}")
            assert companion.exists(), suffix
            assert mode_of(companion) == 0o600, suffix
    finally:
        store.close()


def test_pragmas(store: Store) -> None:
    def pragma(name: str) -> object:
        return store.conn.execute(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") > 0


def test_reopened_connection_has_the_same_pragmas(store: Store) -> None:
    with store.in_this_thread() as other:
        assert other.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert other.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert other.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_migrations_are_idempotent(db_path: Path) -> None:
    first = open_store(db_path, "tester")
    schema, applied = schema_of(first), migrations_of(first)
    first.close()
    assert applied, "migrations were recorded"
    assert {"audit", "waiting_entry", "action", "provider"} <= {row[1] for row in schema}
    for _ in range(2):
        again = open_store(db_path, "tester")
        try:
            assert schema_of(again) == schema
            assert migrations_of(again) == applied
        finally:
            again.close()


def test_open_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="directory") as caught:
        open_store(tmp_path, "tester")
    assert str(tmp_path) in str(caught.value)


def test_open_refuses_a_text_file_and_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("minutes of the last meeting\n")
    with pytest.raises(StoreError, match="not a huddle"):
        open_store(path, "tester")
    assert path.read_text() == "minutes of the last meeting\n"
    assert not Path(f"{path}-wal").exists()


def test_open_refuses_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "no such folder" / "huddle.db"
    with pytest.raises(StoreError, match="does not exist"):
        open_store(path, "tester")
    assert not path.parent.exists()


# --- the audited write path ------------------------------------------------------------------


def test_insert_update_delete_each_write_one_audit_row(store: Store) -> None:
    start = audit_count(store)
    provider = records.add(store, Provider(name="Riverside", kind=ProviderKind.VCSE), "new")
    assert audit_count(store) == start + 1
    renamed = records.update(
        store, provider.model_copy(update={"name": "Riverside CIC"}), "renamed"
    )
    assert renamed.version == 2
    assert audit_count(store) == start + 2
    with store.write("duplicate created in error") as txn:
        txn.delete("provider", renamed.id)
    assert audit_count(store) == start + 3

    inserted, updated, deleted = audit_rows(store)[-3:]
    assert [r["operation"] for r in (inserted, updated, deleted)] == [
        "insert",
        "update",
        "delete",
    ]
    for row in (inserted, updated, deleted):
        assert row["actor"] == "tester"
        assert row["table_name"] == "provider"
        assert row["row_id"] == provider.id
        at = datetime.fromisoformat(row["at"])
        assert at.utcoffset() is not None and at.utcoffset().total_seconds() == 0
        assert abs((datetime.now(UTC) - at).total_seconds()) < 600
    assert inserted["reason"] == "new"
    assert updated["reason"] == "renamed"
    assert deleted["reason"] == "duplicate created in error"

    assert inserted["before"] is None
    assert json.loads(inserted["after"]) == {
        "id": provider.id,
        "name": "Riverside",
        "kind": "vcse",
        "inactive_since": None,
        "version": 1,
        "short_name": None,
    }
    assert json.loads(updated["before"])["name"] == "Riverside"
    assert json.loads(updated["after"])["name"] == "Riverside CIC"
    assert json.loads(updated["after"])["version"] == 2
    assert json.loads(deleted["before"])["name"] == "Riverside CIC"
    assert deleted["after"] is None
    assert store.conn.execute("SELECT count(*) FROM provider").fetchone()[0] == 0


def test_insert_many_writes_one_audit_row_each(store: Store) -> None:
    start = audit_count(store)
    providers = [Provider(name=f"P{n}", kind=ProviderKind.SUBCONTRACTOR) for n in range(5)]
    with store.write("bulk") as txn:
        ids = records.insert_many(txn, providers)
    assert len(set(ids)) == 5
    rows = audit_rows(store)[start:]
    assert [(r["table_name"], r["row_id"], r["operation"]) for r in rows] == [
        ("provider", row_id, "insert") for row_id in ids
    ]
    assert {r["at"] for r in rows} == {rows[0]["at"]}  # one transaction, one time


def test_the_default_tiers_are_audited(store: Store) -> None:
    rows = audit_rows(store)
    assert [(r["table_name"], r["operation"]) for r in rows] == [("risk_tier", "insert")] * len(
        DEFAULT_RISK_TIERS
    )
    records.ensure_default_tiers(store)  # again: nothing to do, nothing audited
    assert audit_count(store) == len(DEFAULT_RISK_TIERS)


def test_an_exception_inside_a_write_leaves_neither_row_nor_audit(store: Store) -> None:
    start = audit_count(store)
    with pytest.raises(RuntimeError, match="power cut"), store.write("half a change") as txn:
        txn.insert("provider", {"name": "Half", "kind": "prime"})
        raise RuntimeError("power cut")
    assert not store.conn.in_transaction
    assert store.conn.execute("SELECT count(*) FROM provider").fetchone()[0] == 0
    assert audit_count(store) == start
    # and the store is still usable
    records.add(store, Provider(name="Whole", kind=ProviderKind.PRIME), "after the failure")
    assert audit_count(store) == start + 1


def test_a_write_is_visible_to_another_connection_only_when_committed(
    store: Store, db_path: Path
) -> None:
    other = open_store(db_path, "someone else")
    try:
        with store.write("in progress") as txn:
            txn.insert("provider", {"name": "Pending", "kind": "prime"})
            assert other.conn.execute("SELECT count(*) FROM provider").fetchone()[0] == 0
        assert other.conn.execute("SELECT count(*) FROM provider").fetchone()[0] == 1
        assert other.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == audit_count(store)
    finally:
        other.close()


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_a_reason_is_required(store: Store, reason: str) -> None:
    start = audit_count(store)
    with pytest.raises(ValueError, match="reason"), store.write(reason) as txn:
        txn.insert("provider", {"name": "No reason", "kind": "prime"})
    with pytest.raises(ValueError, match="reason"):
        records.add(store, Provider(name="No reason", kind=ProviderKind.PRIME), reason)
    assert store.conn.execute("SELECT count(*) FROM provider").fetchone()[0] == 0
    assert audit_count(store) == start
    assert not store.conn.in_transaction


def test_update_of_a_missing_row_is_not_found_and_writes_nothing(store: Store) -> None:
    start = audit_count(store)
    ghost = Provider(id=99, name="Ghost", kind=ProviderKind.PRIME)
    with pytest.raises(LookupError, match="no provider with id 99"):
        records.update(store, ghost, "edit")
    assert audit_count(store) == start


# --- versions: no lost updates ------------------------------------------------------------------


def test_stale_version_is_refused_and_changes_nothing(store: Store) -> None:
    provider = records.add(store, Provider(name="Original", kind=ProviderKind.PRIME), "new")
    records.update(store, provider.model_copy(update={"name": "First edit"}), "edit 1")
    start = audit_count(store)
    with pytest.raises(StaleVersion, match="changed by someone else") as caught:
        records.update(store, provider.model_copy(update={"name": "Stale edit"}), "edit 2")
    assert caught.value.expected == 1
    assert caught.value.found == 2
    assert raw_row(store, "provider", provider.id) == {
        "id": provider.id,
        "name": "First edit",
        "kind": "prime",
        "inactive_since": None,
        "version": 2,
        "short_name": None,
    }
    assert audit_count(store) == start


def test_two_terminals_cannot_lose_an_update(store: Store, db_path: Path) -> None:
    _, owner = provider_and_owner(store)
    first = open_store(db_path, "terminal one")
    second = open_store(db_path, "terminal two")
    try:
        mine = records.get(first, Person, owner.id)
        theirs = records.get(second, Person, owner.id)
        assert mine.version == theirs.version == 1
        saved = records.update(first, mine.model_copy(update={"role": "Service manager"}), "promo")
        assert saved.version == 2
        with pytest.raises(StaleVersion, match="changed by someone else"):
            records.update(second, theirs.model_copy(update={"role": "Nurse"}), "correction")
        stored = records.get(store, Person, owner.id)
        assert (stored.role, stored.version) == ("Service manager", 2)
        updates = [r for r in audit_rows(store) if r["operation"] == "update"]
        assert [(r["actor"], r["reason"]) for r in updates] == [("terminal one", "promo")]
    finally:
        first.close()
        second.close()


# --- foreign keys ------------------------------------------------------------------------------


def test_deleting_a_referenced_provider_is_refused(store: Store) -> None:
    provider, owner = provider_and_owner(store)
    start = audit_count(store)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), store.write("tidy") as txn:
        txn.delete("provider", provider.id)
    assert raw_row(store, "provider", provider.id)["name"] == "Northgate Community"
    assert records.get(store, Person, owner.id).provider_id == provider.id
    assert audit_count(store) == start
    assert not store.conn.in_transaction


def test_a_person_needs_an_existing_provider(store: Store) -> None:
    start = audit_count(store)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        records.add(store, Person(name="Nobody", role="Nurse", provider_id=404), "new starter")
    assert store.conn.execute("SELECT count(*) FROM person").fetchone()[0] == 0
    assert audit_count(store) == start


# --- waiting-list entries: derived dates --------------------------------------------------------


def test_entry_row_stores_the_dates_worked_out_by_the_rules(store: Store) -> None:
    provider, _ = provider_and_owner(store)
    tiers = records.risk_tiers(store)
    cases = [
        (date(2028, 2, 15), 2, None, "2028-02-29", "2028-02-22"),
        (date(2026, 11, 1), 1, None, "2026-11-03", None),
        (date(2026, 11, 1), 3, date(2026, 11, 20), "2026-12-13", "2026-12-04"),
        (date(2026, 12, 31), 4, None, "2027-05-06", "2027-01-28"),
    ]
    for referral, tier, last_contact, breach, due in cases:
        entry = records.add(
            store,
            waiting(provider, referral, tier, last_interim_contact=last_contact),
            "referral received",
        )
        row = raw_row(store, "waiting_entry", entry.id)
        assert row["breach_date"] == breach
        assert row["breach_date"] == rules.breach_date(referral, tiers[tier]).isoformat()
        assert row["contact_due"] == due
        assert row["referral_date"] == referral.isoformat()


def test_unknown_tier_is_refused_naming_it(store: Store) -> None:
    provider, _ = provider_and_owner(store)
    start = audit_count(store)
    with pytest.raises(
        ValueError, match=r"tier 7 is not one of the service's tiers \(1, 2, 3, 4\)"
    ):
        records.add(store, waiting(provider, TODAY, 7), "referral received")
    assert store.conn.execute("SELECT count(*) FROM waiting_entry").fetchone()[0] == 0
    assert audit_count(store) == start


def test_retiering_down_keeps_the_referral_date(store: Store) -> None:
    provider, _ = provider_and_owner(store)
    referral = date(2026, 11, 1)
    entry = records.add(store, waiting(provider, referral, 2), "referral received")
    assert raw_row(store, "waiting_entry", entry.id)["breach_date"] == "2026-11-15"
    before_breach = date(2026, 11, 10)
    retiered = entry_changes.retier(
        store,
        entry.id,
        entry.version,
        tier=4,
        reason="clinical review: lower risk",
        today=before_breach,
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert row["referral_date"] == "2026-11-01"
    assert row["breach_date"] == "2027-03-07"
    assert date.fromisoformat(row["breach_date"]) == date.fromordinal(referral.toordinal() + 126)
    assert row["contact_due"] == "2026-11-29"
    assert retiered.referral_date == referral and retiered.version == 2
    last = audit_rows(store)[-1]
    assert (last["operation"], last["reason"]) == (
        "update",
        "re-tiered from 2 to 4: clinical review: lower risk",
    )
    assert json.loads(last["before"])["tier"] == 2
    assert json.loads(last["after"])["tier"] == 4


def test_recording_an_interim_contact_moves_contact_due(store: Store) -> None:
    provider, owner = provider_and_owner(store)
    entry = records.add(store, waiting(provider, date(2026, 11, 1), 2), "referral received")
    assert raw_row(store, "waiting_entry", entry.id)["contact_due"] == "2026-11-08"
    entry_changes.log_contact(
        store,
        entry.id,
        entry.version,
        kind=ContactKind.PHONE,
        outcome="no change, safety-netted",
        made_by=owner.id,
        contact_on=date(2026, 11, 20),
        today=TODAY,
    )
    row = raw_row(store, "waiting_entry", entry.id)
    assert row["contact_due"] == "2026-11-27"
    assert row["breach_date"] == "2026-11-15"


# --- the status counts ----------------------------------------------------------------------


@pytest.fixture
def huddle_list(store: Store) -> dict[str, object]:
    """A tiny service, worked out by hand as at Sunday 22 November 2026."""
    records.add(store, Service(name="Northgate MSK"), "new service")
    provider, owner = provider_and_owner(store)
    entries = {
        # tier 1, breach 12/11: breached; no interim cadence
        "a": waiting(provider, date(2026, 11, 10), 1),
        # tier 2, breach 22/11 (today: not yet breached); contact due 15/11: overdue
        "b": waiting(provider, date(2026, 11, 8), 2),
        # tier 2, breach 15/11: breached; contacted 20/11, so due 27/11: not overdue
        "c": waiting(provider, date(2026, 11, 1), 2, last_interim_contact=date(2026, 11, 20)),
        # tier 3, breach 12/11: breached; contact due 15/10: overdue
        "d": waiting(provider, date(2026, 10, 1), 3),
        # tier 4, breach 07/03/2027; contact due 29/11
        "e": waiting(provider, date(2026, 11, 1), 4),
        # seen: long breached, but off the list
        "f": waiting(provider, date(2026, 1, 1), 2, status=EntryStatus.SEEN),
    }
    stored = {key: records.add(store, e, "referral received") for key, e in entries.items()}
    records.add(store, action(owner, "Chase referral paperwork", date(2026, 11, 20)), "huddle")
    records.add(
        store,
        action(
            owner,
            "Review tier for D",
            date(2026, 11, 30),
            source=ActionSource.MEETING,  # not a breach escalation
            entry_id=stored["d"].id,
        ),
        "huddle",
    )
    records.add(
        store,
        action(
            owner,
            "Old item",
            date(2026, 11, 1),
            status=ActionStatus.CLOSED,
            evidence="minutes 01/11",
        ),
        "huddle",
    )
    return {"owner": owner, **stored}


def test_status_summary_counts(store: Store, huddle_list: dict) -> None:
    summary = status_summary(store, TODAY)
    assert summary.as_at == TODAY
    assert summary.service == "Northgate MSK" and summary.is_demo is False
    waiting_counts = summary.waiting
    assert waiting_counts.total == 5
    assert waiting_counts.breached == 3
    assert waiting_counts.breached_without_escalation == 3
    assert waiting_counts.contact_overdue == 2
    by_tier = {
        n: (t.name, t.waiting, t.breached, t.contact_overdue)
        for n, t in waiting_counts.by_tier.items()
    }
    assert by_tier == {
        1: ("Urgent", 1, 1, 0),
        2: ("High", 2, 1, 1),
        3: ("Moderate", 1, 1, 1),
        4: ("Routine", 1, 0, 0),
    }
    assert (summary.actions.open, summary.actions.overdue) == (2, 1)
    assert summary.go_live is None


def test_a_breach_escalation_clears_one_safety_flag(store: Store, huddle_list: dict) -> None:
    owner, entry_a = huddle_list["owner"], huddle_list["a"]
    before = status_summary(store, TODAY).waiting.breached_without_escalation
    records.add(
        store,
        action(
            owner,
            "Escalate A to clinical lead",
            date(2026, 11, 25),
            source=ActionSource.BREACH,
            entry_id=entry_a.id,
        ),
        "breach escalated",
    )
    after = status_summary(store, TODAY)
    assert after.waiting.breached_without_escalation == before - 1 == 2
    assert after.waiting.breached == 3  # still breached, now escalated
    assert (after.actions.open, after.actions.overdue) == (3, 1)


def test_status_as_at_a_later_date_projects_more_breaches(store: Store, huddle_list: dict) -> None:
    later = status_summary(store, date(2026, 12, 1))
    assert later.as_at == date(2026, 12, 1)
    assert later.waiting.total == 5
    assert later.waiting.breached == 4  # B breaches after 22/11
    assert later.waiting.breached_without_escalation == 4
    assert later.waiting.contact_overdue == 4  # B, C (27/11), D, E (29/11)
    assert later.waiting.by_tier[2].breached == 2
    assert (later.actions.open, later.actions.overdue) == (2, 2)
    # and on 12/11, the breach date of A and D, nothing is breached yet
    earlier = status_summary(store, date(2026, 11, 12))
    assert earlier.waiting.breached == 0  # A and D breach on 12/11 itself: not yet


def test_status_summary_of_an_empty_service(store: Store) -> None:
    summary = status_summary(store, TODAY)
    assert summary.service == ""
    assert summary.waiting.total == 0
    assert summary.waiting.breached_without_escalation == 0
    assert set(summary.waiting.by_tier) == {1, 2, 3, 4}
    assert (summary.actions.open, summary.actions.overdue) == (0, 0)


def test_status_summary_go_live_countdown(store: Store) -> None:
    records.add(
        store,
        MobilisationProgramme(name="Northgate MSK mobilisation", go_live=date(2027, 1, 4)),
        "programme set up",
    )
    go_live = status_summary(store, TODAY).go_live
    assert go_live is not None
    assert (go_live.programme, go_live.date, go_live.days_to_go) == (
        "Northgate MSK mobilisation",
        date(2027, 1, 4),
        43,
    )


# --- backup -----------------------------------------------------------------------------------


def test_backup_is_a_checked_copy(store: Store, tmp_path: Path) -> None:
    provider, _ = provider_and_owner(store)
    records.add(store, waiting(provider, date(2026, 11, 1), 2), "referral received")
    destination = tmp_path / "copy" / "huddle-backup.db"
    destination.parent.mkdir()
    report = backup(store, destination)
    assert report.ok
    assert report.audit_rows == audit_count(store)
    assert mode_of(destination) == 0o600
    assert not Path(f"{destination}-wal").exists()

    copy = sqlite3.connect(destination)
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT count(*) FROM waiting_entry").fetchone()[0] == 1
        again = check_database(copy)
        assert again.ok
        assert again.lines() == [
            "integrity_check: ok",
            f"audit chain: ok ({report.audit_rows} rows, head {report.head_hash})",
            "records: ok (each matches its last audited change)",
        ]
    finally:
        copy.close()


def test_backup_refuses_an_existing_destination(store: Store, tmp_path: Path) -> None:
    destination = tmp_path / "earlier-backup.db"
    destination.write_bytes(b"the only good copy")
    with pytest.raises(StoreError, match="already exists") as caught:
        backup(store, destination)
    assert str(destination) in str(caught.value)
    assert destination.read_bytes() == b"the only good copy"


def test_backup_refuses_a_missing_folder(store: Store, tmp_path: Path) -> None:
    destination = tmp_path / "nowhere" / "backup.db"
    with pytest.raises(StoreError, match="does not exist"):
        backup(store, destination)
    assert not destination.exists()


# --- ids are never reused --------------------------------------------------------------------


def test_a_deleted_rows_id_is_never_reused(store: Store) -> None:
    first = records.add(store, Provider(name="Created in error", kind=ProviderKind.VCSE), "new")
    with store.write("created in error") as txn:
        txn.delete("provider", first.id)
    second = records.add(store, Provider(name="Riverside", kind=ProviderKind.PRIME), "new")
    assert second.id != first.id
    history = store.conn.execute(
        "SELECT operation FROM audit WHERE table_name = 'provider' AND row_id = ?", (second.id,)
    ).fetchall()
    assert history == [("insert",)]


def test_an_edit_of_a_deleted_record_cannot_overwrite_a_new_one(
    store: Store, db_path: Path
) -> None:
    other = open_store(db_path, "terminal two")
    try:
        old = records.add(store, Provider(name="Old name", kind=ProviderKind.VCSE), "new")
        held = records.get(other, Provider, old.id)  # terminal two opens the form
        with store.write("merged into Riverside") as txn:
            txn.delete("provider", old.id)
        new = records.add(store, Provider(name="Brand new", kind=ProviderKind.PRIME), "new")
        with pytest.raises((StaleVersion, LookupError)):
            records.update(other, held.model_copy(update={"name": "Typo fixed"}), "typo")
        assert records.get(store, Provider, new.id).name == "Brand new"
    finally:
        other.close()
