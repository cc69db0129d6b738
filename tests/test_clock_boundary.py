"""The clock cannot rewrite history (store.clock_guard): a breach that has happened is judged
against the latest date the database has seen, never an earlier today; nothing is written
while the clock is behind that date, or while HUDDLE_TODAY is set on a database that is not
a demo (reading, and --as-at, still work); a date past what huddle handles is refused in
words. Real SQLite files in tmp_path; the command line through its main function (and once
as the installed executable), the app through Pilot.

The scenario of issue 19: an entry breached on 01/10/2026, counted breached on 15/11/2026;
then, with the clock set back to 01/10/2026 (HUDDLE_TODAY, or the computer's own date), the
next extract would have re-dated it as not yet breached. Here it cannot.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Static

from huddle.app import HuddleApp, make_app
from huddle.cli import main
from huddle.clock import Clock, FixedClock
from screens.form import FormScreen
from screens.today import TodayScreen
from screens.waiting_list import WaitingListScreen
from store import Store, StoreError, open_store
from store.clock_guard import keep_to, latest_seen
from tests.test_app import first_number, settled, tile_text
from tests.test_waiting_import import extract_row, make_service, write_extract

SEEN = date(2026, 11, 15)  # the day the breach was counted: the latest date the file has seen
BACK = date(2026, 10, 1)  # the clock set back to the breach date, when it had not happened
REFERRED = "20/08/2026"  # tier 3, 42 days: breach date 01/10/2026, 45 days before SEEN
LATER = date(2026, 12, 1)
CHECK_THE_CLOCK = "this computer's date is before the last change in the database: check the clock"
FOR_DEMOS = "HUDDLE_TODAY is for demos and training"
SIZE = (120, 36)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUDDLE_DB", "HUDDLE_TODAY"):
        monkeypatch.delenv(name, raising=False)
    # The commands are run by a coordinator of the service (the demo's staff), as any
    # command that writes must be.
    monkeypatch.setenv("HUDDLE_USER", "Kofi Mensah")


def cli(
    argv: list[str], clock: Clock | None, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """The command run with `clock`, or with the clock HUDDLE_TODAY gives when None."""
    code = main(argv, clock)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def computer_clock(day: date) -> FixedClock:
    """The computer's own date (no override), set to `day`."""
    return FixedClock(day, overridden=False)


def audit_count(db: Path) -> int:
    store = open_store(db, "reader", migrate=False)
    try:
        return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        store.close()


def entry(db: Path) -> dict:
    store = open_store(db, "reader", migrate=False)
    try:
        return next(iter(store.db.query("SELECT * FROM waiting_entry WHERE local_id = 'EX-0000'")))
    finally:
        store.close()


def lowering_extract(folder: Path) -> Path:
    """Next week's extract: the entry re-tiered down and referred later, which re-dates it
    past 01/10/2026, a breach that had happened."""
    return write_extract(
        folder / "week2.csv", [extract_row(0, referral_date="01/09/2026", risk_tier="4")]
    )


def metrics_file(folder: Path) -> Path:
    path = folder / "metrics.csv"
    path.write_text("metric,period,value,segment\n", encoding="utf-8")
    return path


@pytest.fixture
def breached(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A service's real database (not a demo) whose one entry breached on 01/10/2026,
    imported on SEEN, 45 days later."""
    db = make_service(tmp_path / "huddle.db")
    week1 = write_extract(
        tmp_path / "week1.csv", [extract_row(0, referral_date=REFERRED, risk_tier="3")]
    )
    code, _, err = cli(
        ["import", "waiting-list", str(week1), "--db", str(db)], FixedClock(SEEN), capsys
    )
    assert code == 0, err
    assert entry(db)["breach_date"] == "2026-10-01"
    return db


def status(db: Path, clock: Clock | None, capsys: pytest.CaptureFixture[str], *more: str) -> dict:
    code, out, err = cli(["status", "--json", "--db", str(db), *more], clock, capsys)
    assert code == 0, err
    return json.loads(out)


# --- a clock set back clears nothing ----------------------------------------------------------


def test_a_clock_set_back_still_counts_the_breach(
    breached: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(["status", "--json", "--db", str(breached)], computer_clock(BACK), capsys)
    assert code == 0, err
    counted = json.loads(out)
    assert counted["as_at"] == SEEN.isoformat()
    assert counted["waiting"]["breached"] == 1
    assert counted["waiting"]["breached_without_escalation"] == 1
    assert CHECK_THE_CLOCK in err and "counted as at 15/11/2026" in err
    # The export judges the same way.
    code, out, err = cli(
        ["export", "waiting-list", "--db", str(breached)], computer_clock(BACK), capsys
    )
    assert code == 0, err
    assert ",yes," in out.splitlines()[1]  # breached
    # --as-at is the date the user asked for, earlier or not.
    asked = status(breached, computer_clock(BACK), capsys, "--as-at", "01/10/2026")
    assert asked["as_at"] == BACK.isoformat()
    assert asked["waiting"]["breached"] == 0


@pytest.mark.parametrize("command", ["import waiting-list", "import metrics", "setup apply"])
def test_a_clock_set_back_writes_nothing(
    breached: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    file = {
        "import waiting-list": lowering_extract(tmp_path),
        "import metrics": metrics_file(tmp_path),
        "setup apply": Path(__file__).parent.parent / "docs" / "service.example.toml",
    }[command]
    before, stored = audit_count(breached), entry(breached)
    argv = [*command.split(), str(file), "--db", str(breached)]
    code, out, err = cli(
        [*argv, "--yes"] if command == "setup apply" else argv, computer_clock(BACK), capsys
    )
    assert code == 2, (out, err)
    (line,) = err.strip().splitlines()
    assert line.startswith("huddle: nothing was saved: ") and CHECK_THE_CLOCK in line
    assert "today here is 01/10/2026; the database last changed on 15/11/2026" in line
    assert audit_count(breached) == before
    assert entry(breached) == stored
    assert status(breached, computer_clock(SEEN), capsys)["waiting"]["breached"] == 1


def test_a_dry_run_with_the_clock_set_back_is_judged_as_at_the_latest_date(
    breached: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = audit_count(breached)
    argv = ["import", "waiting-list", str(lowering_extract(tmp_path)), "--db", str(breached)]
    code, out, err = cli([*argv, "--dry-run"], computer_clock(BACK), capsys)
    assert code == 0, err
    assert "dry run: nothing written" in out
    assert CHECK_THE_CLOCK in err and "counted as at 15/11/2026" in err
    assert audit_count(breached) == before


def test_the_issue_scenario_huddle_today_set_back_on_a_copy_of_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "demo.db"
    monkeypatch.setenv("HUDDLE_TODAY", SEEN.isoformat())
    code, _, err = cli(["demo", "--no-open", "--size", "20", "--db", str(db)], None, capsys)
    assert code == 0, err
    week1 = write_extract(
        tmp_path / "week1.csv", [extract_row(0, referral_date=REFERRED, risk_tier="3")]
    )
    code, _, err = cli(["import", "waiting-list", str(week1), "--db", str(db)], None, capsys)
    assert code == 0, err  # HUDDLE_TODAY on a demo writes
    breached = status(db, None, capsys)["waiting"]["breached"]

    monkeypatch.setenv("HUDDLE_TODAY", BACK.isoformat())
    before, stored = audit_count(db), entry(db)
    argv = ["import", "waiting-list", str(lowering_extract(tmp_path)), "--db", str(db)]
    code, _, err = cli(argv, None, capsys)
    assert code == 2
    assert CHECK_THE_CLOCK in err
    assert (audit_count(db), entry(db)) == (before, stored)
    counted = status(db, None, capsys)
    assert counted["as_at"] == SEEN.isoformat()
    assert counted["waiting"]["breached"] == breached


# --- HUDDLE_TODAY is for demos and training ---------------------------------------------------


def test_huddle_today_on_a_real_service_reads_but_writes_nothing(
    breached: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUDDLE_TODAY", LATER.isoformat())
    assert status(breached, None, capsys)["as_at"] == LATER.isoformat()
    assert status(breached, None, capsys, "--as-at", "01/10/2026")["waiting"]["breached"] == 0
    code, out, _ = cli(["export", "waiting-list", "--db", str(breached)], None, capsys)
    assert code == 0 and "EX-0000" in out
    code, out, _ = cli(
        [
            "import",
            "waiting-list",
            str(lowering_extract(tmp_path)),
            "--db",
            str(breached),
            "--dry-run",
        ],
        None,
        capsys,
    )
    assert code == 0 and "dry run: nothing written" in out

    before, stored = audit_count(breached), entry(breached)
    for argv in (
        ["import", "waiting-list", str(lowering_extract(tmp_path))],
        ["import", "metrics", str(metrics_file(tmp_path))],
        [
            "setup",
            "apply",
            str(Path(__file__).parent.parent / "docs" / "service.example.toml"),
            "--yes",
        ],
    ):
        code, out, err = cli([*argv, "--db", str(breached)], None, capsys)
        assert code == 2, (argv, out, err)
        (line,) = err.strip().splitlines()
        assert FOR_DEMOS in line and "HUDDLE_TODAY is set (01/12/2026)" in line
    assert (audit_count(breached), entry(breached)) == (before, stored)


def test_huddle_today_never_sets_up_a_new_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUDDLE_TODAY", LATER.isoformat())
    db = tmp_path / "new.db"
    example = Path(__file__).parent.parent / "docs" / "service.example.toml"
    code, _, err = cli(["setup", "apply", str(example), "--db", str(db), "--yes"], None, capsys)
    assert code == 2
    assert FOR_DEMOS in err
    assert not db.exists()


def test_the_latest_date_seen_moves_on_with_each_write_and_never_back(store: Store) -> None:
    assert latest_seen(store.conn) is None
    for day in (BACK, SEEN):
        keep_to(store, computer_clock(day))
        with store.write("a day's change") as txn:
            txn.insert("provider", {"name": f"Provider of {day}", "kind": "prime"})
        assert latest_seen(store.conn) == day
    before = store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    keep_to(store, computer_clock(BACK))
    with pytest.raises(StoreError, match=CHECK_THE_CLOCK), store.write("set back") as txn:
        txn.insert("provider", {"name": "Set back", "kind": "prime"})
    assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
    assert latest_seen(store.conn) == SEEN

    # A rehearsal rolled back before its commit (a dry run) is not refused.
    class Rehearsed(Exception):
        pass

    with pytest.raises(Rehearsed), store.write("rehearsal"):
        raise Rehearsed

    # A database from before the latest date was kept: its last audited change's day.
    store.conn.execute("DROP TABLE latest_date")
    store.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm020_latest_date'")
    store.now = lambda: f"{SEEN.isoformat()}T10:00:00+00:00"
    keep_to(store, computer_clock(LATER))
    store.clock = None
    with store.write("before the upgrade") as txn:
        txn.insert("provider", {"name": "Before the upgrade", "kind": "prime"})
    upgraded = open_store(store.path, "tester")
    try:
        assert latest_seen(upgraded.conn) == SEEN
    finally:
        upgraded.close()


def test_the_latest_date_is_read_by_its_key(store: Store) -> None:
    (plan,) = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT seen_on FROM latest_date WHERE id = 1"
    ).fetchall()
    assert "USING INTEGER PRIMARY KEY" in plan[-1]


def test_huddle_today_writes_to_a_demo_and_to_nothing_else(store: Store, demo: Store) -> None:
    training = FixedClock(SEEN, at=None, from_env=True)
    keep_to(store, training)
    with pytest.raises(StoreError, match=FOR_DEMOS), store.write("training") as txn:
        txn.insert("provider", {"name": "Training", "kind": "prime"})
    keep_to(demo, training)
    with demo.write("training") as txn:
        txn.insert("provider", {"name": "Training", "kind": "prime"})
    assert latest_seen(demo.conn) == SEEN


# --- dates past what huddle handles -----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "--as-at", "31/12/9999"],
        ["status", "--as-at", "31/12/9998"],
        ["status", "--as-at", "9900-01-01"],
        ["export", "waiting-list", "--as-at", "31/12/9999"],
        ["export", "actions", "--as-at", "9999-12-31"],
    ],
)
def test_a_date_past_what_huddle_handles_is_refused_in_words(
    breached: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = cli([*argv, "--db", str(breached)], computer_clock(SEEN), capsys)
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert "--as-at" in line and "is after 31/12/9899, the last date huddle works with" in line


@pytest.mark.parametrize(
    "command", [["status"], ["import", "waiting-list", "x.csv"], ["demo", "--no-open"], []]
)
def test_huddle_today_past_what_huddle_handles_is_refused_in_words(
    breached: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    monkeypatch.setenv("HUDDLE_TODAY", "9999-12-31")
    code, out, err = cli([*command, "--db", str(breached)], None, capsys)
    assert code == 2 and out == ""
    assert err.strip() == (
        "huddle: HUDDLE_TODAY 31/12/9999 is after 31/12/9899, the last date huddle works with: "
        "check the year"
    )


def test_an_extract_dated_past_what_huddle_handles_is_rejected_in_words(
    breached: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extract = write_extract(tmp_path / "far.csv", [extract_row(1, referral_date="31/12/9999")])
    code, _, err = cli(
        ["import", "waiting-list", str(extract), "--db", str(breached)],
        computer_clock(SEEN),
        capsys,
    )
    assert code == 1
    assert "line 2" in err and "31/12/9999" in err


def test_the_installed_command_says_a_far_date_in_words(breached: Path) -> None:
    script = Path(sys.executable).parent / "huddle"
    command = [str(script)] if script.exists() else [shutil.which("huddle") or "huddle"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_")}
    for argv, extra in (
        (["status", "--as-at", "31/12/9999"], {}),
        (["status"], {"HUDDLE_TODAY": "9999-12-31"}),
    ):
        done = subprocess.run(
            [*command, *argv, "--db", str(breached)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**env, **extra},
            check=False,
        )
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1
        assert "the last date huddle works with" in done.stderr


# --- the app ----------------------------------------------------------------------------------


def banner(app: HuddleApp) -> str:
    return str(app.screen.query_one(".refusal-banner", Static).render())


async def new_action_refused(app: HuddleApp, pilot, db: Path, said: str) -> None:
    """`a` opens the new-action form; saving it is refused in words, the form kept open
    with what was typed, and nothing written."""
    before = audit_count(db)
    await pilot.press("a")
    await pilot.pause()
    await pilot.press(*"Call the patient", "enter", *"joanne", "enter", *"+3d", "ctrl+s")
    await settled(app, pilot)
    assert isinstance(app.screen, FormScreen)
    refusal = str(app.screen.query_one("#error-form", Static).render())
    assert said in refusal and "nothing was saved" in refusal
    await pilot.press("escape")
    assert audit_count(db) == before


async def test_the_app_with_its_clock_set_back_counts_the_breach_and_saves_nothing(
    breached: Path,
) -> None:
    before = audit_count(breached)
    store = open_store(breached, "Helen Marsden")
    app = make_app(store, computer_clock(BACK))
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        assert first_number(tile_text(app, "breached")) == 1
        assert "15 November 2026" in str(app.screen.query_one("#as-at", Static).render())
        assert banner(app).startswith("NOTHING CAN BE SAVED — " + CHECK_THE_CLOCK)
        await new_action_refused(app, pilot, breached, CHECK_THE_CLOCK)
    store.close()
    # Nor did the start-up's catch-up write anything.
    assert audit_count(breached) == before


async def test_the_app_with_huddle_today_on_a_real_service_reads_and_saves_nothing(
    breached: Path,
) -> None:
    store = open_store(breached, "Helen Marsden")
    app = make_app(store, FixedClock(LATER, at=None, from_env=True))
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        assert FOR_DEMOS in banner(app)
        await pilot.press("2")
        await settled(app, pilot)
        assert isinstance(app.screen, WaitingListScreen)
        assert FOR_DEMOS in banner(app)
        await new_action_refused(app, pilot, breached, FOR_DEMOS)
    store.close()


async def test_the_app_with_huddle_today_on_a_demo_saves(demo: Store) -> None:
    app = make_app(demo, FixedClock(date(2026, 11, 22), at=None, from_env=True))
    async with app.run_test(size=SIZE) as pilot:
        await settled(app, pilot)
        assert app.write_refusal is None
        assert not app.screen.query(".refusal-banner")
        assert app.screen.query(".clock-banner")
