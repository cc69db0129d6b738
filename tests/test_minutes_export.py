"""`huddle export minutes MEETING [--out FILE]`: a signed-off meeting's minutes exactly as
signed (then any addenda), a meeting still open as a draft that says so, and a MEETING that
is not a meeting's id refused in one line that names it."""

from __future__ import annotations

import stat
from datetime import date, datetime, time
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from huddle.app import HuddleApp, make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import MeetingKind
from screens.form import FormScreen
from screens.minutes_view import MinutesScreen
from store import Store
from store.meeting_reads import meeting_row
from store.meetings import add_addendum, record_decision, start_meeting
from store.minutes import minutes_for_export
from tests.acting import acting_as
from tests.conftest import settle

TODAY = date(2026, 11, 22)
CLOCK = FixedClock(TODAY)
BRIEF = "Early shift brief — rapid response"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)


def run(store: Store, capsys, meeting: str, *options: str) -> tuple[int, str, str]:
    code = main(["export", "minutes", meeting, "--db", str(store.path), *options], CLOCK)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def last_brief(store: Store) -> int:
    """The demo's latest signed-off safety brief (yesterday's)."""
    return store.conn.execute(
        "SELECT id FROM meeting WHERE series = ? AND state = 'signed off' "
        "ORDER BY held_on DESC LIMIT 1",
        (BRIEF,),
    ).fetchone()[0]


def person_named(store: Store, name: str) -> int:
    return store.conn.execute("SELECT id FROM person WHERE name = ?", (name,)).fetchone()[0]


def audit_rows(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def test_a_signed_off_meeting_to_a_file_is_the_minutes_as_signed(
    demo: Store, capsys, tmp_path: Path
) -> None:
    meeting = meeting_row(demo, last_brief(demo))
    out = tmp_path / "minutes.md"
    before = audit_rows(demo)
    code, stdout, stderr = run(demo, capsys, str(meeting.id), "--out", str(out))
    assert code == 0, stderr
    assert stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# Minutes: {BRIEF}\n")
    assert text == meeting.minutes
    assert "DRAFT" not in text
    assert "- Signed off: 21/11/2026 07:50:00 by " in text
    assert "## Breaches without escalation (" in text
    assert f"- Audit chain head at sign-off: {meeting.chain_head}" in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stderr.strip() == (
        f"minutes of meeting {meeting.id} ({BRIEF}, 21/11/2026) written to {out}"
    )
    assert audit_rows(demo) == before  # exporting writes nothing


def test_a_signed_off_meeting_to_standard_output(demo: Store, capsys) -> None:
    meeting_id = last_brief(demo)
    code, stdout, stderr = run(demo, capsys, str(meeting_id))
    assert code == 0, stderr
    assert stdout.startswith("# Minutes: ")
    assert stdout == meeting_row(demo, meeting_id).minutes == minutes_for_export(demo, meeting_id)
    assert stderr == ""


def test_addenda_follow_the_signed_minutes(demo: Store, capsys) -> None:
    meeting_id = last_brief(demo)
    signed = meeting_row(demo, meeting_id).minutes
    assert signed is not None
    add_addendum(
        acting_as(demo, person_named(demo, "Jess Armitage")),
        meeting_id,
        text="Kelly Ridgway was present, not on apologies",
        now=datetime.combine(TODAY, time(8, 5)),
    )
    code, stdout, _ = run(demo, capsys, f" {meeting_id} ")
    assert code == 0
    assert stdout == (
        signed + "\n## Addenda (after sign-off)\n\n"
        "- 2026-11-22 08:05 by Jess Armitage: Kelly Ridgway was present, not on apologies\n"
    )


def test_a_meeting_in_progress_exports_as_a_draft(demo: Store, capsys, tmp_path: Path) -> None:
    jess = person_named(demo, "Jess Armitage")
    brief = start_meeting(
        demo,
        series=BRIEF,
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=jess,
        today=TODAY,
        now=datetime.combine(TODAY, time(7, 45)),
    )
    assert brief.id is not None
    record_decision(
        demo, brief.id, text="Hold two slots for discharges", rationale="", owner_id=jess
    )
    before = audit_rows(demo)
    code, stdout, stderr = run(demo, capsys, str(brief.id))
    assert code == 0, stderr
    assert stdout.startswith(f"# Minutes: {BRIEF}\n\n**DRAFT: this meeting is still open")
    assert "1. **Hold two slots for discharges**" in stdout
    assert "- Not signed off: the audit chain head is recorded at sign-off" in stdout
    assert f"meeting {brief.id} ({BRIEF}, 22/11/2026) is in progress" in stderr
    assert "DRAFT" in stderr

    out = tmp_path / "draft.md"
    assert run(demo, capsys, str(brief.id), "--out", str(out))[0] == 0
    assert out.read_text(encoding="utf-8") == stdout
    # Exporting a draft neither writes nor signs anything off.
    assert audit_rows(demo) == before
    assert meeting_row(demo, brief.id) == brief


@pytest.mark.parametrize(
    ("meeting", "needle"),
    [
        ("abc", "MEETING 'abc' is not a meeting id"),
        ("1.5", "MEETING '1.5' is not a meeting id"),
        ("", "MEETING '' is not a meeting id"),
        ("999", "MEETING 999: no meeting with that id"),
        ("0", "MEETING 0: no meeting with that id"),
        ("-3", "MEETING -3: no meeting with that id"),
    ],
)
def test_a_bad_meeting_is_refused_in_one_line_naming_it(
    demo: Store, capsys, tmp_path: Path, meeting: str, needle: str
) -> None:
    out = tmp_path / "never.md"
    code, stdout, stderr = run(demo, capsys, meeting, "--out", str(out))
    assert code == 2
    assert stdout == ""
    line = stderr.strip()
    assert "\n" not in line and line.startswith("huddle: "), stderr
    assert needle in line
    if "no meeting" in needle:
        assert "meetings are numbered 1 to 12" in line
    assert not out.exists()


def test_an_empty_database_says_it_holds_no_meetings(store: Store, capsys) -> None:
    code, _, stderr = run(store, capsys, "1")
    assert code == 2
    assert "MEETING 1: no meeting with that id" in stderr
    assert "it holds no meetings yet" in stderr


def test_an_existing_file_is_never_overwritten(demo: Store, capsys, tmp_path: Path) -> None:
    out = tmp_path / "minutes.md"
    out.write_text("last week's minutes\n", encoding="utf-8")
    code, _, stderr = run(demo, capsys, str(last_brief(demo)), "--out", str(out))
    assert code == 2
    assert f"{out} already exists" in stderr
    assert out.read_text(encoding="utf-8") == "last week's minutes\n"


def test_no_database_is_refused_by_path(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "missing.db"
    code = main(["export", "minutes", "1", "--db", str(missing)], CLOCK)
    err = capsys.readouterr().err
    assert code == 2
    assert f"no database at {missing}" in err
    assert not missing.exists()


def test_help_names_the_meeting_argument(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["export", "minutes", "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert "MEETING" in shown and "--out FILE" in shown and "--db" in shown
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    assert "minutes" in capsys.readouterr().out


# --- `w` on the minutes screen ----------------------------------------------------------


async def write_from_the_screen(app: HuddleApp, pilot, meeting_id: int, path: str | None):
    """Open the minutes, press `w`, type `path` (or keep the offered one), ctrl+s. Returns
    the form when it refused, else None."""
    app.push_screen(MinutesScreen(meeting_id))
    await settle(app, pilot)
    await pilot.press("w")
    await settle(app, pilot)
    form = app.screen
    assert isinstance(form, FormScreen)
    if path is not None:
        form.query_one("#field-path", Input).value = path
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    return form if app.screen is form else None


async def test_w_writes_an_owner_only_file_beside_the_database_and_never_replaces_it(
    demo: Store,
) -> None:
    """The second write (the draft was written during the meeting, say) is offered a new
    name, and the first file stays as it was."""
    meeting = meeting_row(demo, last_brief(demo))
    folder = demo.path.parent / "minutes"
    first = folder / "2026-11-21-early-shift-brief-rapid-response.md"
    app = make_app(demo, CLOCK)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await write_from_the_screen(app, pilot, meeting.id, None) is None
        assert first.read_text(encoding="utf-8") == minutes_for_export(demo, meeting.id)
        first.write_text("annotated by hand\n", encoding="utf-8")
        app.pop_screen()
        assert await write_from_the_screen(app, pilot, meeting.id, None) is None
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert first.read_text(encoding="utf-8") == "annotated by hand\n"
    second = folder / "2026-11-21-early-shift-brief-rapid-response-2.md"
    assert second.read_text(encoding="utf-8") == minutes_for_export(demo, meeting.id)
    assert stat.S_IMODE(second.stat().st_mode) == 0o600


async def test_w_over_an_existing_file_or_into_a_missing_folder_is_refused_by_the_field(
    demo: Store, tmp_path: Path
) -> None:
    kept = tmp_path / "last-week.md"
    kept.write_text("last week's minutes\n", encoding="utf-8")
    missing = tmp_path / "no-such-folder" / "minutes.md"
    app = make_app(demo, CLOCK)
    async with app.run_test(size=(120, 40)) as pilot:
        for path, says in (
            (kept, f"file: {kept} already exists: huddle never overwrites a file"),
            (missing, f"file: cannot create {missing}: No such file or directory"),
        ):
            form = await write_from_the_screen(app, pilot, last_brief(demo), str(path))
            assert form is not None, path
            assert str(form.query_one("#error-path", Static).render()).startswith(says)
            assert form.query_one("#field-path", Input).value == str(path)  # kept as typed
            await pilot.press("escape")
            await settle(app, pilot)
            app.pop_screen()
    assert kept.read_text(encoding="utf-8") == "last week's minutes\n"
    assert not missing.parent.exists()
