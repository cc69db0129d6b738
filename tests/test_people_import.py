"""`huddle setup import-people`: a people list from HR, on real database files."""

from __future__ import annotations

from pathlib import Path

import pytest

from huddle.cli import main
from huddle.clock import FixedClock
from huddle.people_csv import read_people
from store import open_store
from tests.conftest import TODAY

SERVICE = """
[service]
name = "Rapid Response"

[[providers]]
name = "Prime Trust"
kind = "prime"

[[people]]
name = "Jess Armitage"
role = "Shift lead"
provider = "Prime Trust"

[[people]]
name = "Priya Shah"
role = "Nurse"
provider = "Prime Trust"

[[people]]
name = "Tom Ellis"
role = "Physiotherapist"
provider = "Prime Trust"
"""

PEOPLE = """name,role,provider,active
Jess Armitage,Shift lead,Prime Trust,yes
Priya Shah,Senior nurse,Prime Trust,
New Starter,Nurse,Prime Trust,
Someone Else,Nurse,Nowhere Trust,
Tom Ellis,Physiotherapist,Prime Trust,no
Jess Armitage,Shift lead,Prime Trust,maybe
"""


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    service = tmp_path / "service.toml"
    service.write_text(SERVICE)
    path = tmp_path / "service.db"
    assert run("apply", str(service), "--yes", "--db", str(path)) == 0
    capsys.readouterr()
    return path


def run(*argv: str) -> int:
    # Set up and kept up by its coordinator, a person of the service (store.sign_in).
    return main(["setup", *argv, "--user", "Jess Armitage"], clock=FixedClock(TODAY))


def people_file(tmp_path: Path, text: str = PEOPLE) -> str:
    path = tmp_path / "people.csv"
    path.write_text(text)
    return str(path)


def audit_rows(path: Path) -> int:
    store = open_store(path, "tester")
    try:
        return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        store.close()


def people(path: Path) -> dict[str, tuple[str, bool]]:
    store = open_store(path, "tester")
    try:
        rows = store.conn.execute("SELECT name, role, inactive_since IS NULL FROM person")
        return {name: (role, bool(active)) for name, role, active in rows}
    finally:
        store.close()


def test_a_rejected_row_writes_nothing_and_every_row_is_counted(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = audit_rows(db)
    assert run("import-people", people_file(tmp_path), "--yes", "--db", str(db)) == 1
    said = capsys.readouterr()
    assert "rows in: 6; added: 1; changed: 2; unchanged: 1; rejected: 2" in said.out
    assert "nothing written" in said.out
    assert "line 5: provider: 'Nowhere Trust' is not a provider in this database" in said.err
    assert "line 7: active: 'maybe' is not yes or no" in said.err
    assert audit_rows(db) == before


def test_skip_invalid_applies_the_rest_once(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = people_file(tmp_path)
    assert run("import-people", file, "--skip-invalid", "--yes", "--db", str(db)) == 0
    assert "applied: 3 changes" in capsys.readouterr().out
    assert people(db) == {
        "Jess Armitage": ("Shift lead", True),
        "Priya Shah": ("Senior nurse", True),
        "Tom Ellis": ("Physiotherapist", False),
        "New Starter": ("Nurse", True),
    }
    after = audit_rows(db)
    assert run("import-people", file, "--skip-invalid", "--yes", "--db", str(db)) == 0
    said = capsys.readouterr().out
    assert "rows in: 6; added: 0; changed: 0; unchanged: 4; rejected: 2" in said
    assert "no changes" in said
    assert audit_rows(db) == after


def test_a_dry_run_writes_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = audit_rows(db)
    file = people_file(
        tmp_path, PEOPLE.replace("Someone Else", "Later").replace("Nowhere", "Prime")
    )
    assert run("import-people", file, "--dry-run", "--skip-invalid", "--db", str(db)) == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert audit_rows(db) == before


def test_a_header_without_its_columns_is_refused_whole(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("import-people", people_file(tmp_path, "name,job\nA,B\n"), "--db", str(db)) == 2
    said = capsys.readouterr().err
    assert "missing: role, provider" in said
    assert "Traceback" not in said


def test_a_header_holding_an_unseen_character_is_refused_by_position(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "name,role,provider,act\u200bive\nAnn,Nurse,Prime Trust,yes\n"
    assert run("import-people", people_file(tmp_path, text), "--db", str(db)) == 2
    said = capsys.readouterr().err
    assert "people.csv: column 4 of the header: remove the unseen character U+200B" in said
    assert "\u200b" not in said


def test_control_characters_and_blank_cells_are_rejected_by_line() -> None:
    found = read_people(
        "name,role,provider\nAnn\x1b[2J,Nurse,P\n,Nurse,P\nBen,Nurse\n\nCat,Nurse,P\n", "x.csv"
    )
    assert [row.person.name for row in found.rows] == ["Cat"]
    assert [(r.line, r.reason) for r in found.rejected] == [
        (2, "name: remove the control characters (pasted from another program?)"),
        (3, "name: required: fill it in"),
        (4, "2 cells where the header has 3"),
    ]
    assert found.rows_in == 4
