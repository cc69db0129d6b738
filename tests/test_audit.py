"""The audit trail: append-only inside SQLite, hash-chained, and `huddle check` names the
row that an outsider altered, even one who edits the file's bytes or drops the triggers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from huddle.cli import main
from huddle.models import Person, Provider, ProviderKind
from store import Store, open_store, records
from store.audit import GENESIS, chain_hash, verify_chain
from store.check import check_database
from store.history import audit_trail

# --- helpers ------------------------------------------------------------------------------


def seeded(path: Path) -> Store:
    """A store with default tiers (4 audit rows) and a few more writes of each kind."""
    store = open_store(path, "tester")
    records.ensure_default_tiers(store)
    provider = records.add(store, Provider(name="Northgate", kind=ProviderKind.PRIME), "set up")
    person = records.add(store, Person(name="Sam", role="Lead", provider_id=provider.id), "set up")
    records.update(store, person.model_copy(update={"role": "Team lead"}), "new role")
    extra = records.add(store, Provider(name="Spare", kind=ProviderKind.VCSE), "set up")
    with store.write("added in error") as txn:
        txn.delete("provider", extra.id)
    return store


def audit_ids(store: Store) -> list[int]:
    return [row[0] for row in store.conn.execute("SELECT id FROM audit ORDER BY id")]


def drop_triggers(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")


def run_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--db", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out + captured.err


def close_fully(store: Store) -> None:
    """Checkpoint the WAL into the main file, then close: the file alone holds everything."""
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    wal = Path(f"{store.path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


# --- append-only ------------------------------------------------------------------------------


def test_update_on_the_audit_table_is_refused(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE audit SET reason = 'tidied' WHERE id = 1")
    assert store.conn.execute("SELECT reason FROM audit WHERE id = 1").fetchone()[0] == (
        "default risk tiers for a new service"
    )


def test_delete_on_the_audit_table_is_refused(store: Store) -> None:
    before = audit_ids(store)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM audit WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM audit")
    assert audit_ids(store) == before


def test_the_triggers_survive_reopening(db_path: Path) -> None:
    store = seeded(db_path)
    store.close()
    again = open_store(db_path, "tester")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            again.conn.execute("UPDATE audit SET actor = 'someone else'")
    finally:
        again.close()


# --- the chain ----------------------------------------------------------------------------------


def test_chain_verifies_after_several_writes(db_path: Path) -> None:
    store = seeded(db_path)
    try:
        checked, fault = verify_chain(store.conn)
        assert fault is None
        assert checked == len(audit_ids(store)) == 9
        assert audit_ids(store) == list(range(1, 10))
        report = check_database(store.conn)
        assert report.ok
        assert report.lines() == [
            "integrity_check: ok",
            f"audit chain: ok (9 rows, head {report.head_hash})",
            "records: ok (each matches its last audited change)",
        ]
    finally:
        store.close()


def test_chain_links_each_row_to_the_previous(db_path: Path) -> None:
    store = seeded(db_path)
    try:
        rows = list(store.db.query("SELECT * FROM audit ORDER BY id"))
        previous = GENESIS
        for row in rows:
            assert row["prev_hash"] == previous
            assert row["hash"] == chain_hash(
                row["prev_hash"],
                row["at"],
                row["actor"],
                row["table_name"],
                row["row_id"],
                row["operation"],
                row["before"],
                row["after"],
                row["reason"],
                row["via"],
            )
            previous = row["hash"]
        assert len({row["hash"] for row in rows}) == len(rows)
    finally:
        store.close()


def test_empty_trail_verifies(db_path: Path) -> None:
    store = open_store(db_path, "tester")
    try:
        assert verify_chain(store.conn) == (0, None)
    finally:
        store.close()


def test_check_command_passes_on_a_sound_file(db_path: Path, capsys) -> None:
    seeded(db_path).close()
    code, output = run_check(db_path, capsys)
    assert code == 0
    assert "integrity_check: ok" in output
    assert "audit chain: ok (9 rows, head " in output
    assert "records: ok" in output


# --- tampering ----------------------------------------------------------------------------------


def test_editing_the_file_bytes_is_detected_and_the_row_named(db_path: Path, capsys) -> None:
    store = seeded(db_path)
    provider = records.add(
        store, Provider(name="Eastside", kind=ProviderKind.SUBCONTRACTOR), "reason-QQQQ-unique"
    )
    records.add(store, Provider(name="Westside", kind=ProviderKind.PRIME), "after it")
    altered_id = store.conn.execute(
        "SELECT id FROM audit WHERE reason = 'reason-QQQQ-unique'"
    ).fetchone()[0]
    assert provider.id is not None
    close_fully(store)

    data = db_path.read_bytes()
    assert data.count(b"reason-QQQQ-unique") == 1
    db_path.write_bytes(data.replace(b"reason-QQQQ-unique", b"reason-ZZZZ-unique"))

    code, output = run_check(db_path, capsys)
    assert code == 1
    assert "integrity_check: ok" in output  # the file is sound; only the evidence changed
    assert f"audit row {altered_id} " in output
    assert "contents do not match their hash" in output


def test_update_after_dropping_the_triggers_is_detected(db_path: Path, capsys) -> None:
    store = seeded(db_path)
    drop_triggers(store.conn)
    store.conn.execute("UPDATE audit SET actor = 'nobody' WHERE id = 6")
    rows, fault = verify_chain(store.conn)
    assert fault is not None and fault.audit_id == 6
    assert (fault.table_name, fault.row_id) == ("person", 1)
    store.close()

    code, output = run_check(db_path, capsys)
    assert code == 1
    assert "audit chain broken at audit row 6 (table person, row 1)" in output


def test_rewriting_a_row_and_its_hash_breaks_the_next_link(db_path: Path, capsys) -> None:
    store = seeded(db_path)
    drop_triggers(store.conn)
    row = next(iter(store.db.query("SELECT * FROM audit WHERE id = 5")))
    forged = chain_hash(
        row["prev_hash"],
        row["at"],
        row["actor"],
        row["table_name"],
        row["row_id"],
        row["operation"],
        row["before"],
        row["after"],
        "a different reason",
        row["via"],
    )
    store.conn.execute(
        "UPDATE audit SET reason = 'a different reason', hash = ? WHERE id = 5", (forged,)
    )
    store.close()
    code, output = run_check(db_path, capsys)
    assert code == 1
    assert "audit row 6 " in output
    assert "previous-hash link does not match" in output


def test_deleting_a_middle_row_is_detected(db_path: Path, capsys) -> None:
    store = seeded(db_path)
    drop_triggers(store.conn)
    store.conn.execute("DELETE FROM audit WHERE id = 5")
    _, fault = verify_chain(store.conn)
    assert fault is not None and fault.audit_id == 6
    store.close()
    code, output = run_check(db_path, capsys)
    assert code == 1
    assert "audit row 6 " in output
    assert "row 5 is missing" in output


def test_deleting_the_first_row_is_detected(db_path: Path) -> None:
    store = seeded(db_path)
    try:
        drop_triggers(store.conn)
        store.conn.execute("DELETE FROM audit WHERE id = 1")
        _, fault = verify_chain(store.conn)
        assert fault is not None
        assert fault.audit_id == 2
        assert "row 1 is missing" in str(fault)
    finally:
        store.close()


def test_swapping_two_rows_is_detected(db_path: Path) -> None:
    store = seeded(db_path)
    try:
        drop_triggers(store.conn)
        store.conn.execute("UPDATE audit SET id = -1 WHERE id = 6")
        store.conn.execute("UPDATE audit SET id = 6 WHERE id = 7")
        store.conn.execute("UPDATE audit SET id = 7 WHERE id = -1")
        _, fault = verify_chain(store.conn)
        assert fault is not None and fault.audit_id == 6
    finally:
        store.close()


def test_the_check_reports_the_first_fault_only(db_path: Path) -> None:
    store = seeded(db_path)
    try:
        drop_triggers(store.conn)
        store.conn.execute("UPDATE audit SET reason = 'x' WHERE id IN (3, 8)")
        report = check_database(store.conn)
        assert not report.ok
        assert report.chain_fault is not None and report.chain_fault.audit_id == 3
        assert report.lines()[1].startswith("audit chain FAILED: audit chain broken at audit row 3")
    finally:
        store.close()


def test_check_database_reports_a_corrupt_page_instead_of_raising(db_path: Path) -> None:
    store = seeded(db_path)
    root = store.conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit'").fetchone()
    page_size = store.conn.execute("PRAGMA page_size").fetchone()[0]
    close_fully(store)
    with db_path.open("r+b") as handle:
        handle.seek((root[0] - 1) * page_size)
        handle.write(b"\xff" * page_size)
    conn = sqlite3.connect(db_path)
    try:
        report = check_database(conn)
        assert not report.ok
    finally:
        conn.close()


def test_a_trail_cut_back_behind_signed_minutes_is_detected(demo: Store, capsys) -> None:
    """Rows cut from the end leave a chain that verifies on its own; the head each set of
    minutes recorded at sign-off no longer matches, and check names the meeting."""
    heads = {
        int(head.split()[2].rstrip(",")): (series, held_on)
        for series, held_on, head in demo.conn.execute(
            "SELECT series, held_on, chain_head FROM meeting WHERE chain_head IS NOT NULL"
        )
    }
    last_signed = max(heads)
    drop_triggers(demo.conn)
    demo.conn.execute("DELETE FROM audit WHERE id >= ?", (last_signed,))
    assert verify_chain(demo.conn)[1] is None

    fault = check_database(demo.conn).chain_fault
    assert fault is not None and fault.audit_id in heads
    series, held_on = heads[fault.audit_id]
    assert f"the minutes of {series} on {held_on} were signed at this row" in str(fault)
    assert main(["check", "--db", str(demo.path)]) == 1
    assert f"audit chain broken at audit row {fault.audit_id}" in capsys.readouterr().out


def test_every_set_of_signed_minutes_names_a_row_the_trail_holds(demo: Store) -> None:
    assert demo.conn.execute(
        "SELECT count(*) FROM meeting WHERE chain_head IS NOT NULL"
    ).fetchone()[0]
    assert check_database(demo.conn).ok


def test_how_the_actor_came_to_act_is_chained_beside_their_name(db_path: Path, capsys) -> None:
    """`via` is in the hash: rewriting "password" to "login jess" breaks the chain there."""
    store = seeded(db_path)
    store.via = "password"
    try:
        provider_id = store.conn.execute("SELECT min(id) FROM provider").fetchone()[0]
        kofi = Person(name="Kofi Mensah", role="Coordinator", provider_id=provider_id)
        person = records.add(store, kofi, "set up")
        row = next(iter(store.db.query("SELECT * FROM audit ORDER BY id DESC LIMIT 1")))
        assert (row["actor"], row["via"], row["row_id"]) == ("tester", "password", person.id)
        drop_triggers(store.conn)
        store.conn.execute("UPDATE audit SET via = 'login jess' WHERE id = ?", (row["id"],))
    finally:
        store.close()
    code, output = run_check(db_path, capsys)
    assert code == 1
    assert f"audit chain broken at audit row {row['id']}" in output


def test_a_records_history_says_how_its_actor_came_to_act(db_path: Path) -> None:
    store = seeded(db_path)
    try:
        provider_id = store.conn.execute("SELECT min(id) FROM provider").fetchone()[0]
        store.via = "login ohaddad"
        person = records.add(store, Person(name="Omar", role="Nurse", provider_id=provider_id), "x")
        said = audit_trail(
            store, "table_name = 'person'", {}, lambda _t, operation, _b, _a: operation
        )
        # Rows from before `via`, or written where no one was asked who they are, say the name.
        assert [line.actor for line in said] == ["tester", "tester", "tester (login ohaddad)"]
        assert person.id is not None
    finally:
        store.close()
