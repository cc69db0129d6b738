"""`huddle export actions`: one row per action (narrowed by --owner and --status), what is
overdue agreeing with `huddle status`, and nothing a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from huddle import cli
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.csv_safety import DANGEROUS_FIRST
from huddle.models import ActionStatus, Person, Provider, ProviderKind
from store import Store, actions, records
from store.action_export import COLUMNS
from tests.acting import acting_as

TODAY = date(2026, 11, 22)
CLOCK = FixedClock(TODAY)
NUMERIC = {"id", "due_moves", "days_overdue", "reopened_count"}
DATES = {"created_on", "due_date", "first_due_date", "review_on", "reviewed_on", "closed_on"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)


def run(store: Store, capsys, *options: str) -> tuple[int, str, str]:
    code = main(["export", "actions", "--db", str(store.path), *options], CLOCK)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def export(store: Store, capsys, *options: str) -> list[dict[str, str]]:
    code, out, err = run(store, capsys, *options)
    assert code == 0, err
    return read_csv(out)


def read_csv(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def count(store: Store, where: str = "1", *params: object) -> int:
    return store.conn.execute(f"SELECT count(*) FROM action WHERE {where}", params).fetchone()[0]


def is_overdue(row: dict[str, str]) -> bool:
    return row["status"].endswith(", OVERDUE")


def add_person(store: Store, name: str) -> int:
    provider = records.add(store, Provider(name="Therapy", kind=ProviderKind.PRIME), "provider")
    person = Person(name=name, role="lead", provider_id=provider.id)
    return records.add(store, person, "owner").id


def person_id(store: Store, name: str) -> int:
    return store.conn.execute("SELECT id FROM person WHERE name = ?", (name,)).fetchone()[0]


def test_every_action_once_and_overdue_agreeing_with_status(demo: Store, capsys) -> None:
    rows = export(demo, capsys)
    assert len(rows) == count(demo) > 0
    assert len({row["id"] for row in rows}) == len(rows)

    assert main(["status", "--json", "--db", str(demo.path)], CLOCK) == 0
    status = json.loads(capsys.readouterr().out)
    overdue = [row for row in rows if is_overdue(row)]
    assert len(overdue) == status["actions"]["overdue"] > 0
    assert sum(not row["status"].startswith("closed") for row in rows) == status["actions"]["open"]

    for row in rows:
        assert row["owner"] and row["title"]
        for column in DATES:
            if row[column]:
                date.fromisoformat(row[column])  # ISO, never dd/mm
        due = date.fromisoformat(row["due_date"])
        if is_overdue(row):
            assert int(row["days_overdue"]) == (TODAY - due).days > 0
        else:
            assert row["days_overdue"] == ""
        if row["status"].startswith("closed"):
            assert row["closed_on"] and row["evidence"]  # closed only with evidence
        else:
            assert row["closed_on"] == "" and row["evidence"] == ""


def test_owner_narrows_to_that_persons_actions(demo: Store, capsys) -> None:
    raman = export(demo, capsys, "--owner", "raman")  # part of a name, any case
    assert {row["owner"] for row in raman} == {"Dr Priya Raman"}
    assert len(raman) == count(demo, "owner_id = ?", person_id(demo, "Dr Priya Raman")) > 0

    assert export(demo, capsys, "--owner", "Helen Marsden") == []  # a person with none


@pytest.mark.parametrize("status", list(ActionStatus))
def test_status_narrows_to_that_status(demo: Store, capsys, status: ActionStatus) -> None:
    rows = export(demo, capsys, "--status", status.value)
    assert len(rows) == count(demo, "status = ?", status.value) > 0
    assert all(row["status"].split(",")[0] == status.value for row in rows)


def test_owner_and_status_together(demo: Store, capsys) -> None:
    rows = export(demo, capsys, "--owner", "Dr Priya Raman", "--status", "open")
    expected = count(demo, "owner_id = ? AND status = 'open'", person_id(demo, "Dr Priya Raman"))
    assert len(rows) == expected
    assert all(row["owner"] == "Dr Priya Raman" for row in rows)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Nobody Atall", "--owner: nobody's name contains 'Nobody Atall'"),
        ("Dr", "--owner: 3 people match 'Dr'"),
        ("  ", "--owner: type part of a name"),
    ],
)
def test_an_unknown_or_ambiguous_owner_is_refused(
    demo: Store, tmp_path: Path, capsys, typed: str, reason: str
) -> None:
    out = tmp_path / "actions.csv"
    code, stdout, err = run(demo, capsys, "--owner", typed, "--out", str(out))
    assert code == 2
    assert stdout == ""
    line = err.strip()
    assert "\n" not in line and line.startswith("huddle: ") and reason in line, line
    assert not out.exists()  # refused before any file is made


def test_an_unknown_status_is_refused_with_the_choices(demo: Store, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["export", "actions", "--db", str(demo.path), "--status", "done"], CLOCK)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--status" in err and "'in progress'" in err


def test_the_status_choices_are_the_models() -> None:
    assert tuple(status.value for status in ActionStatus) == cli.ACTION_STATUSES


DANGEROUS_TITLES = [
    '=HYPERLINK("http://x","y")',
    "\uff1dcmd",  # full-width =
    "@SUM(A1)",
    "-2+3",
    "+44 7700 900000",
    "\uff20SUM(A1)",
]


def test_dangerous_text_is_neutralised(store: Store, capsys) -> None:
    owner_id = add_person(store, "=Owner")
    for title in DANGEROUS_TITLES:
        actions.add_action(
            store, title=title, owner_id=owner_id, due_date=TODAY, today=TODAY - timedelta(1)
        )
    done = actions.add_action(store, title="ok", owner_id=owner_id, due_date=TODAY, today=TODAY)
    actions.close(
        acting_as(store, owner_id),
        done.id,
        done.version,
        evidence="=cmd|' /C calc'!A0",
        link="-http://x",
        today=TODAY,
    )

    rows = export(store, capsys)
    assert len(rows) == len(DANGEROUS_TITLES) + 1
    titles = {row["title"] for row in rows}
    assert titles == {"'" + title for title in DANGEROUS_TITLES} | {"ok"}
    closed = next(row for row in rows if row["title"] == "ok")
    assert closed["evidence"] == "'=cmd|' /C calc'!A0"
    assert closed["evidence_link"] == "'-http://x"
    assert {row["owner"] for row in rows} == {"'=Owner"}
    # No text cell anywhere starts with an active character; numbers are huddle's own.
    for row in rows:
        for column, cell in row.items():
            if cell.startswith(DANGEROUS_FIRST):
                assert column in NUMERIC and int(cell) < 0, (column, cell)


def test_review_due_once_its_date_comes(store: Store, capsys) -> None:
    owner_id = add_person(store, "Ann Lee")
    action = actions.add_action(
        store, title="Fix the rota", owner_id=owner_id, due_date=TODAY, today=TODAY
    )
    review_on = TODAY + timedelta(days=14)
    actions.close(
        acting_as(store, owner_id),
        action.id,
        action.version,
        evidence="rota published",
        link="https://intranet/rota",
        today=TODAY,
        review_on=review_on,
    )
    (now,) = export(store, capsys)
    assert now["status"] == "closed"
    assert now["review_on"] == review_on.isoformat() and now["reviewed_on"] == ""
    assert now["evidence_link"] == "https://intranet/rota"
    (then,) = export(store, capsys, "--as-at", review_on.isoformat())
    assert then["status"] == "closed, review due"


def test_a_later_as_at_date_shows_more_overdue(demo: Store, capsys) -> None:
    today = export(demo, capsys)
    later = export(demo, capsys, "--as-at", "31/12/2026")
    assert sum(map(is_overdue, later)) > sum(map(is_overdue, today))
    by_id = {row["id"]: row for row in today}
    for row in later:
        if is_overdue(by_id[row["id"]]):
            assert int(row["days_overdue"]) == int(by_id[row["id"]]["days_overdue"]) + 39


def test_out_file_is_owner_only_and_never_overwritten(demo: Store, tmp_path: Path, capsys) -> None:
    out = tmp_path / "actions.csv"
    code, stdout, err = run(demo, capsys, "--out", str(out))
    assert code == 0, err
    assert stdout == ""
    total = count(demo)
    assert f"{total} actions written to {out}" in err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(read_csv(out.read_text(encoding="utf-8"))) == total

    first = out.read_bytes()
    code, _, err = run(demo, capsys, "--out", str(out))
    assert code == 2
    assert f"{out} already exists" in err and "\n" not in err.strip()
    assert out.read_bytes() == first
