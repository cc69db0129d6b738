"""The concurrency harness (benchmarks/concurrency.py) at three writers: processes changing
the same records at once lose no update, see no "database is locked", and are told of
every conflict. And the lost-update check does find a change two writers both claim."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from benchmarks.concurrency import ConcurrencyFigures, ConcurrencySettings, run
from benchmarks.verify import lost_updates
from store.connection import open_store

SETTINGS = ConcurrencySettings(writers=3, rounds=60, seed=22)


@pytest.fixture(scope="module")
def contended(tmp_path_factory: pytest.TempPathFactory) -> tuple[ConcurrencyFigures, Path]:
    folder = tmp_path_factory.mktemp("contended")
    return run(SETTINGS, folder), folder / "shared.db"


def test_writers_on_the_same_records_lose_no_update(
    contended: tuple[ConcurrencyFigures, Path],
) -> None:
    figures, _ = contended

    assert figures.attempts == SETTINGS.writers * SETTINGS.rounds
    assert figures.counted("locked") == 0
    assert figures.lost_updates == []
    assert figures.findings.ok, figures.findings
    # They did get in each other's way, and were told so.
    assert figures.counted("conflict") > 0
    assert figures.counted("ok") > figures.counted("conflict")


def test_the_check_finds_a_version_two_writers_both_claim(
    contended: tuple[ConcurrencyFigures, Path],
) -> None:
    figures, db = contended
    ledgers = copy.deepcopy(figures.ledgers)
    claimed = next(a for a in ledgers[0].attempts if a.op == "move_due_date" and a.outcome == "ok")
    ledgers[1].attempts.append(claimed)  # as if an overwritten change had been acknowledged
    row = claimed.rows[0]
    store = open_store(db, "reliability check")
    try:
        problems = lost_updates(store.conn, ledgers, figures.before, figures.since)
    finally:
        store.close()
    assert len(problems) == 1 and problems[0].startswith(f"{row.table} {row.row_id}:")
