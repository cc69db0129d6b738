"""Long commands tell how far they have got, on standard error only: a bar on a terminal,
plain lines with no escape codes anywhere else, and standard output as scripts read it.

One 120,000-entry demo (about 14 s) is made once for the module and then backed up and
checked; the import is of a 30,000-row extract (3 MB: over the 2 MiB from which an import
is told). The commands run in-process with their streams captured, so standard error is
not a terminal, as in a pipe or a log."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta
from pathlib import Path

import pytest

from fixtures.demo import seed_demo
from fixtures.extracts import write_generated_extract
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import Provider, ProviderKind
from huddle.progress import Progress
from store import open_store, records
from store.backup import PAGES_A_STEP, backup
from store.metrics_import import MetricsImportRequest, import_metrics_file
from store.waiting_import import ImportProgress
from tests.conftest import TODAY
from tests.test_metrics_import import build_service
from tests.test_waiting_import import make_service

CLOCK = FixedClock(TODAY)
DEMO_SIZE = 120_000
# A count as said off a terminal: `check: 20,000 of 136,086 audit rows verified (14%)`.
LINE = re.compile(r"^[a-z -]+: [\d,]+ (of [\d,]+ )?(?P<what>[a-z' -]+) \(\d+%")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)


def run(argv: list[str]) -> tuple[int, str, str]:
    """The command with its standard output and error captured (neither a terminal)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv, CLOCK)
    return code, out.getvalue(), err.getvalue()


def progress_lines(err: str, command: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(f"{command}: ")]


def assert_plain(err: str) -> None:
    """Lines only: nothing a terminal would take as a command, no carriage returns."""
    assert "\x1b" not in err and "\r" not in err, repr(err[:200])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, str]:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    return (db, *run(["demo", "--size", str(DEMO_SIZE), "--db", str(db), "--no-open"]))


def test_a_large_demo_off_a_terminal_says_how_far_in_plain_lines(
    demo: tuple[Path, int, str, str],
) -> None:
    db, code, out, err = demo
    assert code == 0, err
    assert out == ""  # as before: the demo says where it is on standard error
    assert_plain(err)
    lines = progress_lines(err, "demo")
    counted = [line for line in lines if LINE.match(line)]
    assert len(counted) >= 2, err
    assert all("waiting entries" in line for line in counted)
    assert counted[-1] == "demo: 120,000 of 120,000 waiting entries (100%)"
    assert re.fullmatch(r"demo: done in \d+\.\d s", lines[-1]), lines
    assert err.splitlines()[-1] == f"demo service seeded in {db}"


def test_a_backup_of_a_large_database_says_how_far_and_prints_what_it_did(
    demo: tuple[Path, int, str, str], tmp_path: Path
) -> None:
    db = demo[0]
    destination = tmp_path / "copy.db"
    code, out, err = run(["backup", "--db", str(db), str(destination)])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"backup written to {destination}"
    assert lines[1:] == [
        "integrity_check: ok",
        lines[2],
        "records: ok (each matches its last audited change)",
    ]
    assert lines[2].startswith("audit chain: ok (")
    assert_plain(err)
    said = progress_lines(err, "backup")
    pages = [line for line in said if "pages copied" in line]
    assert pages and pages[-1].endswith("pages copied (100%)"), said
    # The copy's own check is told too, before the command says it is done.
    assert any(line.endswith("audit rows verified (100%)") for line in said), said
    assert said[-1].startswith("backup: done in ")


def test_a_check_of_a_large_database_says_how_far_and_prints_its_findings(
    demo: tuple[Path, int, str, str],
) -> None:
    code, out, err = run(["check", "--db", str(demo[0])])
    assert code == 0, err
    assert [line.split(" (")[0] for line in out.splitlines()] == [
        "integrity_check: ok",
        "audit chain: ok",
        "records: ok",
    ]
    assert_plain(err)
    said = progress_lines(err, "check")
    stages = [match["what"] for line in said if (match := LINE.match(line))]
    assert list(dict.fromkeys(stages)) == [
        "pages integrity-checked",
        "audit rows verified",
        "tables' records checked",
    ]
    assert said[-1].startswith("check: done in ")


def test_a_large_import_says_how_far_as_it_checks_then_as_it_writes(tmp_path: Path) -> None:
    db = make_service(tmp_path / "huddle.db")
    extract = write_generated_extract(tmp_path / "system.csv", 30_000, TODAY)
    code, out, err = run(
        ["import", "waiting-list", str(extract), "--db", str(db), "--user", "Kofi Mensah"]
    )
    assert code == 0, err
    assert out.splitlines()[0] == (
        "rows in: 30000; imported: 30000; updated: 0; unchanged: 0; held: 0; rejected: 0"
    )
    assert "import waiting-list:" not in out
    assert_plain(err)
    said = progress_lines(err, "import waiting-list")
    checked = said.index("import waiting-list: 30,000 rows checked (100% of the file read)")
    written = said.index("import waiting-list: 30,000 of 30,000 changes written (100%)")
    assert checked < written < len(said) - 1
    assert said[-1].startswith("import waiting-list: done in ")


def test_a_small_import_says_nothing_more_than_before(tmp_path: Path) -> None:
    db = make_service(tmp_path / "huddle.db")
    extract = write_generated_extract(tmp_path / "small.csv", 20, TODAY)
    code, out, err = run(
        ["import", "waiting-list", str(extract), "--db", str(db), "--user", "Kofi Mensah"]
    )
    assert code == 0, err
    assert err == ""


def test_a_metrics_import_tells_the_rows_checked_then_the_readings_recorded(
    tmp_path: Path,
) -> None:
    db = build_service(tmp_path / "huddle.db")
    path = tmp_path / "referrals.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "period", "value", "segment"])
        for days in range(1, 2_501):
            writer.writerow(["Referrals", (TODAY - timedelta(days=days)).isoformat(), 90, ""])
    store = open_store(db, "Kofi Mensah")
    heard: list[ImportProgress] = []
    result = import_metrics_file(store, MetricsImportRequest(path), TODAY, heard.append)
    store.close()
    assert result.applied and result.new == 2_500
    assert [(p.stage, p.done) for p in heard] == [
        ("checking", 1_000),
        ("checking", 2_000),
        ("checking", 2_500),
        ("writing", 0),
        ("writing", 2_500),
    ]
    assert heard[2].share == 1.0 and heard[-1].total == 2_500


def test_a_stepped_backup_copies_one_moment_while_others_write(tmp_path: Path) -> None:
    """Told how far it has got, the backup copies a step at a time; a write between two
    steps must neither start it again (for ever, on a busy service) nor tear the copy."""
    db = tmp_path / "huddle.db"
    store = open_store(db, "tester")
    seed_demo(store, TODAY, size=3_000)
    assert store.conn.execute("PRAGMA page_count").fetchone()[0] > PAGES_A_STEP  # two steps
    providers = store.conn.execute("SELECT count(*) FROM provider").fetchone()[0]
    other = open_store(db, "tester")
    steps: list[int] = []

    def write_between_steps(what: str, done: int, total: int) -> None:
        if what != "pages copied":
            return
        steps.append(done)
        assert len(steps) < 100, "the backup keeps starting again"
        with other.write("a provider added while the backup runs") as txn:
            records.insert(
                txn, Provider(name=f"Added {len(steps)}", kind=ProviderKind.SUBCONTRACTOR)
            )

    report = backup(store, tmp_path / "copy.db", write_between_steps)
    assert report.ok, report.lines()
    assert len(steps) >= 2 and all(a < b for a, b in zip(steps, steps[1:], strict=False))
    copy = open_store(tmp_path / "copy.db", "tester", migrate=False)
    assert copy.conn.execute("SELECT count(*) FROM provider").fetchone()[0] == providers
    for opened in (copy, other, store):
        opened.close()


def told_lines(seconds_a_step: float) -> list[str]:
    """A thousand entries told a hundredth at a time, `seconds_a_step` apart."""
    now = [0.0]
    stream = io.StringIO()
    told = Progress("demo", stream, terminal=False, clock=lambda: now[0])
    for done in range(10, 1_001, 10):
        now[0] += seconds_a_step
        told("waiting entries", done, 1_000)
    told.close(finished=True)
    return stream.getvalue().splitlines()


def test_plain_lines_come_at_most_every_tenth_and_every_two_seconds() -> None:
    slow = told_lines(0.5)  # a tenth every five seconds: a line each tenth
    assert slow[:2] == [
        "demo: 100 of 1,000 waiting entries (10%)",
        "demo: 200 of 1,000 waiting entries (20%)",
    ]
    assert len(slow) == 11
    assert slow[-2:] == ["demo: 1,000 of 1,000 waiting entries (100%)", "demo: done in 50.0 s"]
    fast = told_lines(1 / 16)  # a tenth every 0.6 s: a line every two seconds at most
    assert fast == [
        "demo: 320 of 1,000 waiting entries (32%)",
        "demo: 640 of 1,000 waiting entries (64%)",
        "demo: 960 of 1,000 waiting entries (96%)",
        "demo: 1,000 of 1,000 waiting entries (100%)",
        "demo: done in 6.2 s",
    ]


def test_a_failed_command_says_no_last_count_and_not_done() -> None:
    stream = io.StringIO()
    told = Progress("check", stream, terminal=False, clock=lambda: 0.0)
    told("audit rows verified", 10, 100)
    told.close(finished=False)
    assert stream.getvalue() == ""


def test_on_a_terminal_a_bar_shows_the_count_and_time_left() -> None:
    stream = io.StringIO()
    told = Progress("demo", stream, terminal=True)
    told("waiting entries", 60_000, 120_000)
    told("waiting entries", 120_000, 120_000)
    told.close(finished=True)
    shown = stream.getvalue()
    assert "\x1b[" in shown  # drawn, and drawn again in place
    assert "waiting entries" in shown and "120,000 of 120,000" in shown and "left" in shown


def test_python_dash_m_huddle_is_huddle() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_")}
    done = subprocess.run(
        [sys.executable, "-m", "huddle", "--help"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: huddle")
    assert "demo" in done.stdout and "backup" in done.stdout
