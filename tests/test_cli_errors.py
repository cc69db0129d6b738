"""What the command line says when it cannot do what was asked: one line on stderr that
names the path or value and the reason, exit code 2 (1 for a failed check), and never a
traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from huddle.cli import main
from huddle.clock import FixedClock
from store import open_store
from store.records import ensure_default_tiers

CLOCK = FixedClock(date(2026, 11, 22))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)


# --- helpers ------------------------------------------------------------------------------


def make_db(path: Path) -> Path:
    store = open_store(path, "tester")
    ensure_default_tiers(store)
    store.close()
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv, CLOCK)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def assert_refused(
    argv: list[str], capsys: pytest.CaptureFixture[str], *needles: str, code: int = 2
) -> str:
    """Refused with `code`, one line on stderr starting `huddle:` and naming every needle."""
    got, out, err = run(argv, capsys)
    assert got == code, (out, err)
    line = err.strip()
    assert "\n" not in line, err
    assert line.startswith("huddle: ")
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def corrupt_audit_root_page(path: Path) -> None:
    """Overwrite the audit table's root page with 0xff: a damaged disk, not an edit."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


# --- where the database is ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["status", "check", "backup"])
def test_db_is_a_directory(tmp_path: Path, capsys, command: str) -> None:
    folder = tmp_path / "a folder"
    folder.mkdir()
    extra = [str(tmp_path / "never-written.db")] if command == "backup" else []
    assert_refused([command, "--db", str(folder), *extra], capsys, str(folder), "directory")
    assert not (tmp_path / "never-written.db").exists()
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("command", [["status"], ["check"]])
def test_db_is_not_sqlite(tmp_path: Path, capsys, command: list[str]) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n")
    assert_refused([*command, "--db", str(path)], capsys, str(path), "not a huddle")
    assert path.read_text() == "these are my notes, not a database\n"


def test_db_that_cannot_be_created(capsys) -> None:
    # /proc refuses new files even for root
    path = "/proc/huddle-test.db"
    assert_refused(["demo", "--db", path, "--no-open", "--size", "0"], capsys, path, "cannot")
    assert_refused(["--db", path], capsys, path, "cannot create")
    assert not os.path.exists(path)


def test_db_in_a_missing_folder(tmp_path: Path, capsys) -> None:
    path = tmp_path / "no such folder" / "huddle.db"
    assert_refused(["--db", str(path)], capsys, str(path), "does not exist")
    assert not path.parent.exists()


@pytest.mark.parametrize("command", ["status", "check", "backup"])
def test_missing_database(tmp_path: Path, capsys, command: str) -> None:
    path = tmp_path / "huddle.db"
    extra = [str(tmp_path / "copy.db")] if command == "backup" else []
    assert_refused([command, "--db", str(path), *extra], capsys, f"no database at {path}")
    assert not path.exists()
    assert not (tmp_path / "copy.db").exists()


def test_missing_database_named_by_environment(tmp_path: Path, capsys, monkeypatch) -> None:
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("HUDDLE_DB", str(path))
    assert_refused(["status"], capsys, f"no database at {path}")


# --- bad values ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["22/11/2026", "2026-02-30", "soon"])
def test_invalid_huddle_today(tmp_path: Path, capsys, monkeypatch, value: str) -> None:
    db = make_db(tmp_path / "huddle.db")
    monkeypatch.setenv("HUDDLE_TODAY", value)
    code = main(["status", "--db", str(db)])  # no clock given: read from the environment
    captured = capsys.readouterr()
    assert code == 2
    line = captured.err.strip()
    assert "\n" not in line and "Traceback" not in captured.err
    assert f"HUDDLE_TODAY={value!r}" in line
    assert "YYYY-MM-DD" in line
    assert captured.out == ""


@pytest.mark.parametrize(
    ("option", "variable", "said"),
    [
        (["--user", "Ann\x1b[2J"], None, "--user: remove the unseen character U+001B"),
        ([], "Ann\u202eannA", "HUDDLE_USER: remove the unseen character U+202E"),
        (["--user", "Ann\u2028Signed off"], None, "--user: remove the unseen character U+2028"),
    ],
)
def test_a_user_name_holding_an_unseen_character_is_refused(
    tmp_path: Path, capsys, monkeypatch, option: list[str], variable: str | None, said: str
) -> None:
    db = make_db(tmp_path / "huddle.db")
    if variable is not None:
        monkeypatch.setenv("HUDDLE_USER", variable)
    for command in (["status"], ["check"], ["demo", "--no-open", "--size", "0"]):
        line = assert_refused([*command, "--db", str(db), *option], capsys, said)
        assert line.isprintable()


def test_valid_huddle_today_is_used(tmp_path: Path, capsys, monkeypatch) -> None:
    db = make_db(tmp_path / "huddle.db")
    monkeypatch.setenv("HUDDLE_TODAY", "2028-02-29")
    assert main(["status", "--db", str(db), "--json"]) == 0
    assert '"as_at": "2028-02-29"' in capsys.readouterr().out


@pytest.mark.parametrize("value", ["31/02/2026", "11/22/2026", "22-11-2026", "next week"])
def test_status_as_at_refused_naming_the_option(tmp_path: Path, capsys, value: str) -> None:
    db = make_db(tmp_path / "huddle.db")
    assert_refused(["status", "--db", str(db), "--as-at", value], capsys, "--as-at", repr(value))


def test_status_as_at_accepts_uk_and_iso(tmp_path: Path, capsys) -> None:
    db = make_db(tmp_path / "huddle.db")
    for value in ("1/12/2026", "2026-12-01"):
        code, out, err = run(["status", "--db", str(db), "--as-at", value], capsys)
        assert code == 0, err
        assert "Tuesday 1 December 2026" in out


def test_negative_demo_size_is_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "demo.db"
    assert_refused(["demo", "--db", str(path), "--size", "-1", "--no-open"], capsys, "--size -1")


# --- backup ---------------------------------------------------------------------------------------


def test_backup_refuses_an_existing_destination(tmp_path: Path, capsys) -> None:
    db = make_db(tmp_path / "huddle.db")
    destination = tmp_path / "last-week.db"
    destination.write_bytes(b"last week's backup")
    assert_refused(
        ["backup", "--db", str(db), str(destination)], capsys, str(destination), "already exists"
    )
    assert destination.read_bytes() == b"last week's backup"


def test_backup_writes_a_checked_copy(tmp_path: Path, capsys) -> None:
    db = make_db(tmp_path / "huddle.db")
    destination = tmp_path / "tonight.db"
    code, out, err = run(["backup", "--db", str(db), str(destination)], capsys)
    assert code == 0, err
    assert f"backup written to {destination}" in out
    assert "audit chain: ok (4 rows, head " in out
    assert destination.exists()
    # and the copy is itself a database huddle can check
    code, out, _ = run(["check", "--db", str(destination)], capsys)
    assert code == 0
    assert "integrity_check: ok" in out


def test_backup_into_a_missing_folder(tmp_path: Path, capsys) -> None:
    db = make_db(tmp_path / "huddle.db")
    destination = tmp_path / "no such folder" / "copy.db"
    assert_refused(["backup", "--db", str(db), str(destination)], capsys, "does not exist")


# --- damaged or foreign databases -------------------------------------------------------------


def test_check_reports_a_damaged_file_without_a_traceback(tmp_path: Path, capsys) -> None:
    db = make_db(tmp_path / "huddle.db")
    corrupt_audit_root_page(db)
    code, out, err = run(["check", "--db", str(db)], capsys)
    assert code != 0  # `check --help` promises exit 1 on any fault
    assert "malformed" in out + err


def test_backup_of_a_damaged_file_fails_cleanly(tmp_path: Path, capsys) -> None:
    db = make_db(tmp_path / "huddle.db")
    corrupt_audit_root_page(db)
    destination = tmp_path / "copy.db"
    code, out, err = run(["backup", "--db", str(db), str(destination)], capsys)
    assert code != 0
    assert "malformed" in out + err


def test_status_leaves_another_applications_database_alone(tmp_path: Path, capsys) -> None:
    path = tmp_path / "places.sqlite"
    foreign = sqlite3.connect(path)
    foreign.execute("CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT)")
    foreign.execute("INSERT INTO bookmarks (url) VALUES ('https://example.org')")
    foreign.commit()
    foreign.close()
    before = path.read_bytes()
    code, _, err = run(["status", "--db", str(path)], capsys)
    assert code == 2
    assert str(path) in err
    assert path.read_bytes() == before


# --- help -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--help"], "usage: huddle"),
        (["demo", "--help"], "--no-open"),
        (["status", "--help"], "--as-at"),
        (["check", "--help"], "audit"),
        (["backup", "--help"], "DEST"),
    ],
)
def test_help(argv: list[str], expected: str, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv, CLOCK)
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert expected in out
    assert "--db" in out


def test_unknown_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"], CLOCK)
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# --- the real executable ------------------------------------------------------------------------


def test_installed_command_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "a folder"
    folder.mkdir()
    script = Path(sys.executable).parent / "huddle"
    command = [str(script)] if script.exists() else [shutil.which("huddle") or "huddle"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_")}
    done = subprocess.run(
        [*command, "status", "--db", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"huddle: cannot use database {folder}: ")
    assert "directory" in done.stderr
