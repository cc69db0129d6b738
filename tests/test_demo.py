"""The demo service generator: deterministic, plausible, audited, and never a real patient."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from random import Random

import pytest

import fixtures.demo
import fixtures.waiting_list
from fixtures import seed_demo
from fixtures.waiting_list import reserved_test_numbers
from huddle.action_query import ActionQuery, ActionView
from huddle.nhs_number import is_valid_nhs_number, nhs_check_digit
from store import Store, audit, open_store
from store.action_list import count_actions
from store.queries import status_summary

TODAY = date(2026, 11, 22)


def seeded(path: Path, **options: object) -> Store:
    store = open_store(path, "tester")
    seed_demo(store, TODAY, **options)
    return store


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    """The default demo: 300 entries, seed 42."""
    store = seeded(tmp_path / "demo.db")
    yield store
    store.close()


def rows(store: Store, sql: str, *params: object) -> list[dict]:
    return list(store.db.query(sql, list(params)))


def count(store: Store, sql: str, *params: object) -> int:
    return store.db.execute(sql, list(params)).fetchone()[0]


def unhashed(found: list[dict]) -> list[dict]:
    """Rows with the audit chain's hashes blanked: signed minutes cite the chain's head,
    whose hash covers when the store wrote each row."""
    blank = re.compile(r"SHA-256 [0-9a-f]{64}")
    return [
        {k: blank.sub("SHA-256 …", v) if isinstance(v, str) else v for k, v in row.items()}
        for row in found
    ]


def test_same_seed_date_and_size_give_the_same_service(tmp_path: Path) -> None:
    first, second = seeded(tmp_path / "a.db"), seeded(tmp_path / "b.db")
    tables = [t for t in first.db.table_names() if not t.startswith("_")]
    for table in tables:
        if table == "audit":
            continue
        ordered = f"SELECT * FROM [{table}] ORDER BY rowid"
        assert unhashed(rows(first, ordered)) == unhashed(rows(second, ordered)), table
    # The audit trail matches too, apart from when the store wrote it (and so the hashes).
    trail = "SELECT actor, table_name, row_id, operation, before, after, reason FROM audit"
    assert unhashed(rows(first, trail + " ORDER BY id")) == unhashed(
        rows(second, trail + " ORDER BY id")
    )


def test_another_seed_gives_another_list(tmp_path: Path) -> None:
    first, other = seeded(tmp_path / "a.db"), seeded(tmp_path / "b.db", seed=7)
    ordered = "SELECT nhs_number, referral_date, tier FROM waiting_entry ORDER BY id"
    assert rows(first, ordered) != rows(other, ordered)


def test_the_default_demo_gives_every_count_on_the_today_screen_something(demo: Store) -> None:
    summary = status_summary(demo, TODAY)
    assert summary.service == "Northbrook Community Health"
    assert summary.is_demo
    assert summary.waiting.total == 300
    assert 0 < summary.waiting.breached_without_escalation < summary.waiting.breached
    assert summary.waiting.contact_overdue > 0
    assert 0 < summary.actions.overdue < summary.actions.open
    assert summary.go_live is not None
    assert summary.go_live.days_to_go == 42
    assert count(demo, "SELECT count(*) FROM waiting_entry WHERE safeguarding") > 0
    week_ahead = (TODAY + timedelta(days=7)).isoformat()
    near_breach = "SELECT count(*) FROM waiting_entry WHERE breach_date BETWEEN ? AND ?"
    assert count(demo, near_breach, TODAY.isoformat(), week_ahead) > 0


def test_the_shares_of_a_larger_list_are_the_intended_ones(tmp_path: Path) -> None:
    store = seeded(tmp_path / "demo.db", size=20_000)
    summary = status_summary(store, TODAY).waiting
    assert 0.08 <= summary.breached / summary.total <= 0.10
    assert 0.10 <= summary.contact_overdue / summary.total <= 0.15
    escalated = 1 - summary.breached_without_escalation / summary.breached
    assert 0.55 <= escalated <= 0.65
    by_tier = {n: t.waiting / summary.total for n, t in summary.by_tier.items()}
    assert by_tier == pytest.approx({1: 0.05, 2: 0.20, 3: 0.35, 4: 0.40}, abs=0.02)
    unowned = count(store, "SELECT count(*) FROM waiting_entry WHERE case_owner_id IS NULL")
    assert 0.01 <= unowned / summary.total <= 0.03
    safeguarding = count(store, "SELECT count(*) FROM waiting_entry WHERE safeguarding")
    assert 0.05 <= safeguarding / summary.total <= 0.07


def test_nhs_numbers_come_only_from_the_999_test_range_and_are_unique(demo: Store) -> None:
    numbers = [r["nhs_number"] for r in rows(demo, "SELECT nhs_number FROM waiting_entry")]
    assert all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)
    # A number is on twice only as one person waiting with two providers (a duplicate for
    # the reconciliation to find), never as two people.
    repeated = rows(
        demo,
        "SELECT count(*) AS entries, count(DISTINCT provider_id) AS providers, "
        "count(DISTINCT initials) AS people, min(status) AS status FROM waiting_entry "
        "GROUP BY nhs_number HAVING count(*) > 1",
    )
    assert repeated
    assert all(
        r == {"entries": 2, "providers": 2, "people": 1, "status": "waiting"} for r in repeated
    )
    assert len(set(numbers)) == len(numbers) - len(repeated)


def test_reserved_test_numbers_are_distinct_and_valid() -> None:
    numbers = [str(n) for n in reserved_test_numbers(Random(1), 5_000)]
    assert len(set(numbers)) == len(numbers) == 5_000
    assert all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)


def test_spare_test_numbers_change_nothing_drawn_before_or_after() -> None:
    plain, spared = Random(1), Random(1)
    numbers = reserved_test_numbers(plain, 500)
    with_spares = reserved_test_numbers(spared, 500, spare=20)
    assert with_spares[:500] == numbers
    assert len(set(with_spares)) == len(with_spares) == 520
    assert plain.random() == spared.random()


def test_entries_beyond_the_test_range_have_a_local_id_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A range of 100 bases stands in for the million, so the overflow path runs quickly.
    monkeypatch.setattr(fixtures.waiting_list, "TEST_RANGE_BASES", 100)
    valid = sum(nhs_check_digit(f"999{base:06d}") is not None for base in range(100))
    store = seeded(tmp_path / "demo.db", size=150)
    waiting = "SELECT count(*) FROM waiting_entry WHERE status = 'waiting'"
    assert count(store, f"{waiting} AND nhs_number > ''") == valid
    assert count(store, f"{waiting} AND nhs_number IS NULL AND local_id > ''") == 150 - valid


def test_every_entry_has_a_unique_local_id(demo: Store) -> None:
    ids = [r["local_id"] for r in rows(demo, "SELECT local_id FROM waiting_entry ORDER BY id")]
    assert ids[:2] == ["NB-000001", "NB-000002"]
    assert len(set(ids)) == len(ids) > 300  # the closed entries' ids follow the list's


def test_size_2000_gives_2000_entries_with_progress_to_the_end(tmp_path: Path) -> None:
    reported: list[tuple[int, int]] = []
    store = seeded(tmp_path / "demo.db", size=2000, progress=lambda d, t: reported.append((d, t)))
    assert count(store, "SELECT count(*) FROM waiting_entry WHERE status = 'waiting'") == 2000
    assert reported[-1] == (2000, 2000)


def test_urgent_entries_are_recent(demo: Store) -> None:
    oldest = (TODAY - timedelta(days=4)).isoformat()
    urgent = rows(
        demo, "SELECT referral_date FROM waiting_entry WHERE tier = 1 AND status = 'waiting'"
    )
    assert urgent
    assert all(oldest <= r["referral_date"] <= TODAY.isoformat() for r in urgent)


def test_breach_escalations_are_owned_dated_after_the_breach_and_still_open(
    demo: Store,
) -> None:
    escalations = rows(
        demo,
        "SELECT a.*, e.breach_date, e.local_id, e.tier FROM action AS a "
        "JOIN waiting_entry AS e ON e.id = a.entry_id WHERE a.source = 'breach'",
    )
    assert escalations
    for action in escalations:
        assert action["created_on"] > action["breach_date"]
        assert action["created_on"] <= TODAY.isoformat()
        assert action["status"] in {"open", "in progress"}
        assert action["title"].startswith(
            f"Escalate breach: {action['local_id']} (tier {action['tier']}) — "
        )
    assert any(a["due_date"] < TODAY.isoformat() for a in escalations)


def test_past_meetings_are_signed_off_with_attendance_decisions_and_actions(
    demo: Store,
) -> None:
    meetings = rows(demo, "SELECT * FROM meeting")
    assert {m["series"] for m in meetings} == {
        "Early shift brief — rapid response",
        "Waiting-list huddle — therapy",
        "Mobilisation — community therapy contract",
    }
    for meeting in meetings:
        assert meeting["state"] == "signed off"
        assert meeting["signed_off_by"] and meeting["signed_off_at"]
        assert meeting["held_on"] < TODAY.isoformat()
        decided = count(demo, "SELECT count(*) FROM decision WHERE meeting_id = ?", meeting["id"])
        assert 1 <= decided <= 3
        present = "SELECT count(*) FROM attendance WHERE meeting_id = ? AND status = 'present'"
        assert count(demo, present, meeting["id"]) > 0
    actions = rows(demo, "SELECT * FROM action WHERE source = 'meeting decision'")
    closed = [a for a in actions if a["status"] == "closed"]
    still_open = [a for a in actions if a["status"] != "closed"]
    assert closed and all(a["evidence"] and a["closed_on"] and a["closed_by"] for a in closed)
    assert any(a["due_date"] < TODAY.isoformat() for a in still_open)
    assert any(a["due_date"] >= TODAY.isoformat() for a in still_open)


def test_the_audit_chain_holds_after_seeding(demo: Store) -> None:
    checked, fault = audit.verify_chain(demo.conn)
    assert fault is None
    audited = count(
        demo,
        "SELECT count(*) FROM audit WHERE table_name = 'waiting_entry' AND operation = 'insert'",
    )
    assert checked > audited == count(demo, "SELECT count(*) FROM waiting_entry") > 300


def test_the_demo_needs_an_empty_database(demo: Store) -> None:
    with pytest.raises(ValueError, match="already holds a service"):
        seed_demo(demo, TODAY)


def test_the_tracker_has_queries_moved_dates_a_review_due_and_a_reopened_action(
    demo: Store,
) -> None:
    today = TODAY.isoformat()
    queries = rows(demo, "SELECT * FROM commissioner_query ORDER BY deadline")
    aligned, answered, current = queries
    # This week's query: due in five days, its review done with evidence; the verification
    # and the response still to do. Its steps were made when it was logged.
    assert (current["status"], current["deadline"]) == ("open", "2026-11-27")
    assert current["matter"] == "Waiting-list breach figures"
    assert current["data_period"] == "October 2026"
    steps = rows(demo, "SELECT * FROM action WHERE query_id = ? ORDER BY id", current["id"])
    assert [(s["query_step"], s["status"]) for s in steps] == [
        ("review", "closed"),
        ("verification", "open"),
        ("response", "open"),
    ]
    assert steps[0]["evidence"] and steps[0]["evidence_link"] and steps[0]["closed_by"]
    assert steps[1]["due_date"] <= current["deadline"] == steps[2]["due_date"]
    assert steps[1]["owner_id"] != current["owner_id"]  # handed to the analyst
    # Last month's, answered before its deadline once its checks were closed: under review.
    assert answered["status"] == "under review" and answered["response_evidence"]
    assert answered["received_on"] <= answered["response_sent_on"] <= answered["deadline"]
    assert answered["next_review_on"] >= today
    steps = rows(demo, "SELECT * FROM action WHERE query_id = ?", answered["id"])
    assert len(steps) == 3 and all(s["status"] == "closed" and s["evidence"] for s in steps)
    assert all(s["source"] == "commissioner query" for s in steps)
    # The summer's: reviewed monthly, then closed once returns and records aligned.
    assert (aligned["status"], bool(aligned["aligned_evidence"])) == ("closed", True)
    assert aligned["response_sent_on"] < aligned["aligned_on"] < today
    reviews = rows(
        demo, "SELECT * FROM commissioner_query_review WHERE query_id = ?", aligned["id"]
    )
    assert len(reviews) == 1 and reviews[0]["note"]
    # Due dates that moved keep the first one, and each move is in the audit trail.
    moved = rows(demo, "SELECT * FROM action WHERE due_moves > 0 ORDER BY id")
    assert len(moved) >= 2 and any(a["due_moves"] == 2 for a in moved)
    assert all(a["first_due_date"] and a["first_due_date"] != a["due_date"] for a in moved)
    moves = count(
        demo,
        "SELECT count(*) FROM audit WHERE table_name = 'action' AND reason LIKE 'due date moved%'",
    )
    assert moves == sum(a["due_moves"] for a in moved if not a["reopened_count"])
    # Closed, with its check that the change held due this week and not yet recorded.
    review_due = rows(
        demo,
        "SELECT * FROM action WHERE status = 'closed' AND review_on <= ? AND reviewed_on IS NULL",
        today,
    )
    assert len(review_due) == 1 and review_due[0]["review_on"] >= "2026-11-15"
    in_the_open_view = count_actions(demo, ActionQuery(TODAY))
    assert in_the_open_view == status_summary(demo, TODAY).actions.open + 1
    # Reopened: counted, its evidence gone from the action and kept in the audit trail.
    (reopened,) = rows(demo, "SELECT * FROM action WHERE reopened_count > 0")
    assert (reopened["status"], reopened["evidence"], reopened["due_date"] > today) == (
        "open",
        None,
        True,
    )
    (reopening,) = rows(
        demo,
        "SELECT * FROM audit WHERE table_name = 'action' AND row_id = ? "
        "AND reason LIKE 'action reopened: %'",
        reopened["id"],
    )
    assert json.loads(reopening["before"])["evidence"]
    sources = {r["source"] for r in rows(demo, "SELECT DISTINCT source FROM action")}
    assert {"audit", "added by hand", "commissioner query", "meeting decision"} <= sources


def test_the_tracker_keeps_overdue_to_a_few_and_agrees_with_the_overdue_view(
    demo: Store,
) -> None:
    summary = status_summary(demo, TODAY)
    assert summary.actions.overdue == count_actions(
        demo, ActionQuery(TODAY, view=ActionView.OVERDUE)
    )
    # 33 from the tracker and meetings (this week's query has its verification and its
    # response open), 3 go-live risk mitigations, 4 checks after go-live and the surge
    # trigger's escalation; two breach escalations climbed to the contractual rung at
    # seeding, each with its new timeframe, so they are no longer overdue.
    assert (summary.actions.open, summary.actions.overdue) == (41, 10)
    # Every action and query was written through the audited path.
    for table in ("action", "commissioner_query"):
        inserted = count(
            demo,
            "SELECT count(*) FROM audit WHERE table_name = ? AND operation = 'insert'",
            table,
        )
        assert inserted == count(demo, f"SELECT count(*) FROM [{table}]")


def test_the_tracker_changes_nothing_else_in_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_tracker = seeded(tmp_path / "a.db")
    monkeypatch.setattr(fixtures.demo, "add_tracker_history", lambda *args: None)
    without = seeded(tmp_path / "b.db")
    for table in ("waiting_entry", "decision", "attendance", "person"):
        ordered = f"SELECT * FROM [{table}] ORDER BY rowid"
        assert rows(with_tracker, ordered) == rows(without, ordered), table
    # The meetings are the same; their minutes list the tracker's actions as well.
    meetings = "SELECT id, series, held_on, chair_id, state, signed_off_at FROM meeting ORDER BY id"
    assert rows(with_tracker, meetings) == rows(without, meetings)
    # The escalations are the same, numbered after the tracker's actions.
    escalations = "SELECT * FROM action WHERE source = 'breach' ORDER BY id"

    def without_ids(store: Store) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "id"} for r in rows(store, escalations)]

    assert without_ids(with_tracker) == without_ids(without)
