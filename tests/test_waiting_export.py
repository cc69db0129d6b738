"""`huddle export waiting-list`: one row per waiting entry, breaches worked out as at a
date, and nothing a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date
from pathlib import Path

import pytest

from fixtures.demo import seed_demo
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.csv_safety import DANGEROUS_FIRST, neutralise
from huddle.models import EntryStatus, WaitingEntry
from huddle.nhs_number import nhs_check_digit
from store import Store, open_store, records, waiting_export
from store.entry_changes import close_entry
from store.queries import status_summary
from store.waiting_export import COLUMNS

TODAY = date(2026, 11, 22)
CLOCK = FixedClock(TODAY)
NUMERIC = {"days_waited", "days_to_breach", "tier"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "huddle.db"
    store = open_store(path, "tester")
    seed_demo(store, TODAY, size=60)
    store.close()
    return path


def export(db: Path, capsys, *options: str) -> list[dict[str, str]]:
    code = main(["export", "waiting-list", "--db", str(db), *options], CLOCK)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    return read_csv(captured.out)


def read_csv(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def waiting_count(db: Path) -> int:
    store = open_store(db, "reader")
    try:
        return store.conn.execute(
            "SELECT count(*) FROM waiting_entry WHERE status = 'waiting'"
        ).fetchone()[0]
    finally:
        store.close()


def test_one_row_per_waiting_entry_agreeing_with_status(db: Path, capsys) -> None:
    store = open_store(db, "tester")
    first = records.get(store, WaitingEntry, 1)
    close_entry(
        store, 1, first.version, status=EntryStatus.SEEN, reason="seen in clinic", today=TODAY
    )
    summary = status_summary(store, TODAY)
    store.close()

    rows = export(db, capsys)
    assert len(rows) == waiting_count(db) == summary.waiting.total == 59
    assert "NB-000001" not in {row["local_id"] for row in rows}  # seen: not waiting
    assert sum(row["breached"] == "yes" for row in rows) == summary.waiting.breached
    assert (
        sum(row["breached_without_escalation"] == "yes" for row in rows)
        == summary.waiting.breached_without_escalation
    )
    assert sum(row["contact_overdue"] == "yes" for row in rows) == summary.waiting.contact_overdue
    for row in rows:
        assert row["nhs_number"].isdigit() and len(row["nhs_number"]) == 10
        assert row["safeguarding"] in ("yes", "no")
        assert date.fromisoformat(row["referral_date"]) <= TODAY
        breached = row["breached"] == "yes"
        assert breached == (int(row["days_to_breach"]) < 0)
        assert row["tier_name"] in ("Urgent", "High", "Moderate", "Routine")


def test_a_later_as_at_date_shows_more_breached(db: Path, capsys) -> None:
    today = export(db, capsys)
    later = export(db, capsys, "--as-at", "31/12/2026")
    assert len(later) == len(today)
    breached_now = sum(row["breached"] == "yes" for row in today)
    breached_later = sum(row["breached"] == "yes" for row in later)
    assert breached_later > breached_now
    by_id = {row["local_id"]: row for row in today}
    for row in later:
        assert int(row["days_waited"]) == int(by_id[row["local_id"]]["days_waited"]) + 39


def test_an_impossible_as_at_date_is_refused(db: Path, capsys) -> None:
    code = main(["export", "waiting-list", "--db", str(db), "--as-at", "31/02/2027"], CLOCK)
    err = capsys.readouterr().err
    assert code == 2
    assert "--as-at '31/02/2027'" in err


DANGEROUS_VALUES = [
    '=HYPERLINK("http://x","y")',
    "+44 7700 900000",
    "-2+3",
    "@SUM(A1)",
    "\tcmd",
    "\rcmd",
    "\ncmd",
    "\uff1dcmd",  # full-width =
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(A1)",
]


def add_entries_holding(store: Store, values: list[str]) -> None:
    """One entry for each value, as its local id and referral source. Straight to the
    row: the model trims a leading tab, line break or space, and the export must be safe
    whatever a row holds (an older version, another tool)."""
    tiers = records.risk_tiers(store)
    entry = WaitingEntry(
        local_id="x", initials="AB", referral_date=date(2026, 11, 1), tier=3, provider_id=1
    )
    with store.write("entries with dangerous text") as txn:
        for value in values:
            row = {**records.entry_row(entry, tiers), "local_id": value, "referral_source": value}
            txn.insert("waiting_entry", row)


def test_every_dangerous_leading_character_is_neutralised(db: Path, tmp_path: Path, capsys) -> None:
    store = open_store(db, "tester")
    add_entries_holding(store, DANGEROUS_VALUES)
    store.close()

    # To a file, which keeps each value as stored (on a terminal a carriage return would
    # be shown as '?').
    out = tmp_path / "waiting.csv"
    assert main(["export", "waiting-list", "--db", str(db), "--out", str(out)], CLOCK) == 0
    with out.open(encoding="utf-8", newline="") as written:
        rows = read_csv(written.read())
    exported = {row["referral_source"]: row for row in rows}
    for value in DANGEROUS_VALUES:
        row = exported["'" + value]  # the original, behind one quote
        assert row["local_id"] == "'" + value
    # And nowhere in the file does a text cell start with an active character; the only
    # leading minus is on numbers huddle computed (days to breach, once breached).
    for row in rows:
        for column, cell in row.items():
            if cell.startswith(DANGEROUS_FIRST):
                assert column in NUMERIC and int(cell) < 0, (column, cell)


def test_neutralise_leaves_safe_cells_and_numbers_alone() -> None:
    assert neutralise("GP") == "GP"
    assert neutralise("") == ""
    assert neutralise(None) is None
    assert neutralise(-3) == -3
    assert neutralise("'=already quoted") == "'=already quoted"
    # Read as text by a spreadsheet, but live again once an import trims the spaces.
    assert neutralise(" =spaced") == "' =spaced"
    for first in DANGEROUS_FIRST:
        assert neutralise(f"{first}x") == f"'{first}x"


def test_out_file_is_owner_only_and_never_overwritten(db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "waiting.csv"
    code = main(["export", "waiting-list", "--db", str(db), "--out", str(out)], CLOCK)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out == ""
    assert f"60 waiting entries written to {out}" in captured.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(read_csv(out.read_text(encoding="utf-8"))) == 60

    first = out.read_bytes()
    code = main(["export", "waiting-list", "--db", str(db), "--out", str(out)], CLOCK)
    err = capsys.readouterr().err
    assert code == 2
    assert f"{out} already exists" in err and "\n" not in err.strip()
    assert out.read_bytes() == first


def test_rows_are_read_in_batches(db: Path, capsys, monkeypatch) -> None:
    whole = export(db, capsys)
    monkeypatch.setattr(waiting_export, "BATCH", 7)
    assert export(db, capsys) == whole


def test_nhs_numbers_stay_text_with_leading_zeros(db: Path, capsys) -> None:
    base = next(f"{n:09d}" for n in range(1, 1000) if nhs_check_digit(f"{n:09d}") is not None)
    number = f"{base}{nhs_check_digit(base)}"
    assert number.startswith("0000000")
    store = open_store(db, "tester")
    records.add(
        store,
        WaitingEntry(
            nhs_number=number,
            initials="ZZ",
            referral_date=date(2026, 11, 20),
            tier=4,
            provider_id=1,
        ),
        "leading zero",
    )
    store.close()
    rows = export(db, capsys)
    assert number in {row["nhs_number"] for row in rows}


def test_export_then_import_again_changes_nothing(db: Path, tmp_path: Path, capsys) -> None:
    """The export is a faithful copy: imported back (a mapping names its columns) every
    entry is matched and unchanged, and nothing is missing."""
    out = tmp_path / "waiting.csv"
    assert main(["export", "waiting-list", "--db", str(db), "--out", str(out)], CLOCK) == 0
    mapping = tmp_path / "export.json"
    mapping.write_text(
        json.dumps(
            {
                "risk_tier": "tier",
                "safeguarding_flag": "safeguarding",
                "last_contact_date": "last_interim_contact",
            }
        )
    )
    capsys.readouterr()
    code = main(
        ["import", "waiting-list", str(out), "--db", str(db), "--mapping", str(mapping)], CLOCK
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    said = "rows in: 60; imported: 0; updated: 0; unchanged: 60; held: 0; rejected: 0"
    assert said in captured.out
    assert "not in this extract" not in captured.out
