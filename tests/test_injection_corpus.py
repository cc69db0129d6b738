"""The injection corpus: hostile text pushed through every way text enters huddle and
every way it leaves.

Each string is terminal control (escapes, OSC 8 links and titles, C1 controls), Textual or
Rich markup (tags, actions, links, tags that close nothing, a lone '[' or a trailing
backslash), Markdown structure (headings, list items, links, HTML comments, fences,
quotes, tables), a line break of any kind, a bidi override or isolate, a zero-width mark,
or a 5,000-character field. Where text enters, a string holding a control or format
character (or a line break) is refused naming the field or column; anything else is kept
exactly. Where it leaves, it is escaped for where it goes: nothing reaches a terminal
raw, markup is shown as typed on a screen, and signed minutes have only huddle's own
structure, proved by parsing them as Markdown beside minutes made from plain words.

Text that is refused at the boundary today can still be in a database written before
these checks; the exits are fed such text through the store, as that database holds it.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.content import Content
from textual.widgets import Input, Static

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.csv_safety import neutralise
from huddle.models import (
    AttendanceStatus,
    MeetingKind,
    Person,
    Provider,
    ProviderKind,
    Service,
    WaitingEntry,
)
from huddle.printable import is_unseen, unseen
from huddle.waiting_csv import LOCAL_ID_MOST
from screens.entry_detail import EntryDetailScreen
from screens.form import FormScreen
from screens.markup import escape
from screens.runner import RunnerScreen
from store import Store, open_store, records
from store.actions import add_action
from store.meetings import mark_attendance, record_decision, record_risk, sign_off, start_meeting
from tests.acting import acting_as
from tests.conftest import TODAY, settle

CORPUS: tuple[str, ...] = (
    # Terminal control.
    "RR-1\x1b[2J\x1b[H",
    "\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\",
    "title\x1b]0;owned\x07",
    "C1 \x9b2J and \x85next line",
    "bell\x07 backspace\x08 delete\x7f",
    # Textual and Rich markup.
    "[b]bold[/b] [i]slanted[/i]",
    "Hold [/] discharge",
    "[link=http://evil.example]a link[/link]",
    "[@click=app.quit]quit[/]",
    "[/nonsense] and [red on",
    "Ward [",
    "ends in a backslash \\",
    "\\[b] escaped or not",
    "$variable and [$x]",
    # Markdown structure.
    "# heading",
    "- item",
    "1. item",
    "[x](http://e)",
    "<!-- comment",
    "```",
    "> quote",
    "|a|b|",
    "Setext\n===",
    "**bold** _slanted_ `code` ~~struck~~ <b>html</b> &amp; ![i](x.png)",
    # Line breaks.
    "one\ntwo",
    "one\rtwo",
    "one\r\ntwo",
    "one\u2028two",
    "one\u2029two",
    # Bidi overrides and isolates.
    "\u202eevil\u202c",
    "\u2066isolated\u2069",
    # Zero-width characters.
    "zero\u200bwidth",
    "zero\u200djoiner",
    "\ufeffbyte order mark",
    # Long fields.
    "x" * 5000,
    "[" * 5000,
)
# Where each string is pushed: the count of (string, path) cases is the corpus's size.
PATHS = (
    "extract local_id cell",
    "extract referral_source cell",
    "extract header",
    "decision form",
    "waiting list on screen",
    "huddle status (text and --json)",
    "minutes (Markdown, and on a terminal)",
    "waiting-list export (terminal and file)",
    "action export (terminal and file)",
)
CORPUS_SIZE = len(CORPUS) * len(PATHS)
CLOCK = FixedClock(TODAY)
PROVIDER = "Prime Trust"
OWNER = "Jess Armitage"


def refused(text: str) -> bool:
    """Whether a field holding `text` is refused where it enters (a cell is trimmed)."""
    return unseen(text.strip()) is not None


def raw_on_a_terminal(printed: str, line_ends: str = "\n") -> list[str]:
    """The characters that would act on a terminal rather than show: every control or
    format character other than the given line ends."""
    return sorted({f"U+{ord(c):04X}" for c in printed if is_unseen(c) and c not in line_ends})


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), CLOCK)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def service(store: Store, name: str = "Injection service") -> Person:
    with store.write("a service for the injection corpus") as txn:
        records.insert(txn, Service(name=name))
        provider = records.insert(txn, Provider(name=PROVIDER, kind=ProviderKind.PRIME))
        return records.insert(txn, Person(name=OWNER, role="Shift lead", provider_id=provider.id))


def test_the_corpus_is_every_kind_of_hostile_text() -> None:
    assert len(set(CORPUS)) == len(CORPUS) == 36
    assert CORPUS_SIZE == 324
    assert sum(refused(text) for text in CORPUS) == 16


# --- in: a provider's extract ----------------------------------------------------------------


def extract(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_an_extract_refuses_each_hostile_cell_by_column_or_keeps_it_exactly(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service(store)
    header = ["local_id", "initials", "referral_date", "risk_tier", "provider", "referral_source"]
    rows, refusals = [], set()
    for n, text in enumerate(CORPUS):
        # A hostile local id with a plain source, and a plain local id with a hostile one.
        rows += [[text, "AB", "01/11/2026", "3", PROVIDER, "GP"]]
        rows += [[f"INJ-{n}", "AB", "01/11/2026", "3", PROVIDER, text]]
        if refused(text) or len(text.strip()) > LOCAL_ID_MOST:
            refusals.add((neutralise(text), "GP", "local_id"))
        if refused(text):
            refusals.add((f"INJ-{n}", neutralise(text), "referral_source"))
    path = extract(tmp_path / "hostile.csv", header, rows)
    rejects = tmp_path / "rejects.csv"
    code, out, err = run(
        capsys,
        *("import", "waiting-list", str(path), "--db", str(store.path), "--user", OWNER),
        *("--skip-invalid", "--rejects", str(rejects)),
    )
    assert code == 0, err
    assert raw_on_a_terminal(out + err) == []
    # Each refused row is listed, naming the column (the rejects file keeps its cells).
    assert len(err.splitlines()) == len(refusals)
    with rejects.open(encoding="utf-8", newline="") as written:
        listed = {(row[0], row[5], row[-1].split(":")[0]) for row in list(csv.reader(written))[1:]}
    assert listed == refusals
    stored = {
        (local_id, source)
        for local_id, source in store.conn.execute(
            "SELECT local_id, referral_source FROM waiting_entry"
        )
    }
    kept = set()
    for n, text in enumerate(CORPUS):
        if not refused(text) and len(text.strip()) <= LOCAL_ID_MOST:
            kept.add((text.strip(), "GP"))
        if not refused(text):
            kept.add((f"INJ-{n}", text.strip()))
    assert stored == kept

    # Out again: on a terminal nothing acts; to a file every value is as stored.
    code, out, _ = run(capsys, "export", "waiting-list", "--db", str(store.path))
    assert code == 0
    assert raw_on_a_terminal(out, "\r\n") == []
    exported = tmp_path / "waiting.csv"
    code, _, _ = run(
        capsys, "export", "waiting-list", "--db", str(store.path), "--out", str(exported)
    )
    assert code == 0
    with exported.open(encoding="utf-8", newline="") as written:
        cells = {(row[0], row[6]) for row in csv.reader(written)}  # local_id, referral_source
    assert {(neutralise(i), neutralise(s)) for i, s in kept} <= cells


def test_an_extract_header_holding_an_unseen_character_is_refused_by_position(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service(store)
    header = ["local_id", "initials", "referral_date", "risk_tier", "provider"]
    row = ["H-1", "AB", "01/11/2026", "3", PROVIDER, "an extra column"]
    for n, text in enumerate(CORPUS):
        path = extract(tmp_path / f"header-{n}.csv", [*header, text], [row])
        code, out, err = run(
            capsys, "import", "waiting-list", str(path), "--db", str(store.path), "--dry-run"
        )
        assert raw_on_a_terminal(out + err) == [], text
        # A header cell is trimmed of spaces and of a byte order mark before it is read.
        if refused(text.strip().lstrip("\ufeff")):
            assert code == 2, (text, out, err)
            assert "column 6 of the header (" in err and "remove the unseen character" in err
        else:
            assert code == 0, (text, err)  # a column huddle does not know is ignored


# --- in and out: a form and the screens ---------------------------------------------------------


# Markup that once ended the app, each saved through the form and said in the room.
TYPED = ("Hold [/] discharge", "Ward [", "ends in a backslash \\", "[@click=app.quit]quit[/]")


def test_every_kept_string_reads_as_typed_between_a_screens_own_tags() -> None:
    """The one path into a screen's markup (screens.markup.escape), for every string a
    boundary keeps (control characters are the line filter's: the Pilot test below)."""
    for text in (text for text in CORPUS if not refused(text)):
        shown = Content.from_markup(f"[b]{escape(text)}[/b] [i]after[/i]").plain
        assert shown == f"{text}{' ' * text.endswith(chr(92))} after", text


async def test_a_form_refuses_each_unseen_character_and_the_screens_show_the_rest_as_typed(
    store: Store,
) -> None:
    jess = service(store)
    entries = {}
    for n, text in enumerate(CORPUS):
        # As a database written before these checks can hold them.
        entry = WaitingEntry(
            local_id=text,
            initials="AB",
            referral_date=TODAY - timedelta(days=n),
            tier=2,
            referral_source=text,
            provider_id=jess.provider_id,
            case_owner_id=jess.id,
        )
        entries[text] = records.add(store, entry, "an entry as an older database holds it").id
    meeting = start_meeting(
        store,
        series="Early shift brief",
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=jess.id,
        today=TODAY,
        now=datetime.combine(TODAY, time(8)),
    )
    assert meeting.id is not None
    app = make_app(store, FixedClock(TODAY, at=time(8, 1)))
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(app, pilot)
        app.push_screen(RunnerScreen(meeting.id))
        await settle(app, pilot)
        shown = []
        for typed in TYPED:
            await pilot.press("d")
            await settle(app, pilot)
            form = app.screen
            assert isinstance(form, FormScreen)
            form.query_one("#field-owner", Input).value = "Jess"
            if typed == TYPED[0]:
                # Every string as the decision: refused naming the field, or taken as typed.
                for text in CORPUS:
                    form.query_one("#field-text", Input).value = text
                    if refused(text):
                        with pytest.raises(ValueError, match="^Decision: remove the unseen "):
                            form.values()
                    else:
                        assert form.values()["text"] == text
            form.query_one("#field-text", Input).value = typed
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, RunnerScreen), typed
            here = str(app.screen.query_one("#recorded-here", Static).render())
            assert f"DECISION: {typed} — owner {OWNER}" in here, typed
        shown.append(_drawn(app))
        await pilot.press("2")  # the waiting list, every hostile local id on it
        await settle(app, pilot)
        shown.append(_drawn(app))
        for text in TYPED[:2]:
            app.push_screen(EntryDetailScreen(entries[text]))
            await settle(app, pilot)
            shown.append(_drawn(app))
            assert f"{text}  NHS number" in shown[-1] and "[/b]" not in shown[-1]
        assert app.return_code is None  # nothing ended the app
    assert all(raw_on_a_terminal(screen) == [] for screen in shown)
    # The 5,000 brackets' local id, cut to its column with "…" to say it was cut.
    assert "[[[[[[[[…" in shown[1]
    saved = [text for (text,) in store.conn.execute("SELECT text FROM decision ORDER BY id")]
    assert saved == list(TYPED)


def _drawn(app: object) -> str:
    """Every line of the screen as it goes to the terminal (after the app's line filters)."""
    compositor = app.screen._compositor  # type: ignore[attr-defined]
    return "\n".join(strip.text for strip in compositor.render_strips())


# --- out: the terminal -------------------------------------------------------------------------


def test_status_prints_every_hostile_name_without_a_raw_character(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = " | ".join(CORPUS)
    store = open_store(db_path, "tester")
    records.ensure_default_tiers(store)
    service(store, name)
    store.close()
    code, out, _ = run(capsys, "status", "--db", str(db_path))
    assert code == 0
    assert raw_on_a_terminal(out) == []
    assert "[b]bold[/b] [i]slanted[/i] | Hold [/] discharge" in out
    code, out, _ = run(capsys, "status", "--db", str(db_path), "--json")
    assert code == 0
    assert raw_on_a_terminal(out) == []
    assert json.loads(out)["service"] == name


def test_the_action_export_keeps_each_title_in_a_file_and_none_acts_on_a_terminal(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jess = service(store)
    for text in CORPUS:
        add_action(store, title=text, owner_id=jess.id, due_date=TODAY, today=TODAY)
    code, out, _ = run(capsys, "export", "actions", "--db", str(store.path))
    assert code == 0
    assert raw_on_a_terminal(out, "\r\n") == []
    exported = tmp_path / "actions.csv"
    code, _, _ = run(capsys, "export", "actions", "--db", str(store.path), "--out", str(exported))
    assert code == 0
    with exported.open(encoding="utf-8", newline="") as written:
        titles = [row[1] for row in list(csv.reader(written))[1:]]
    assert sorted(titles) == sorted(neutralise(text.strip()) for text in CORPUS)


# --- out: the minutes --------------------------------------------------------------------------


def minutes_of(path: Path, texts: tuple[str, ...]) -> tuple[str, int]:
    """Signed minutes whose every field (local ids, decisions and their rationales, risks,
    the series) is one of `texts`, and the meeting's id."""
    store = open_store(path, "tester")
    records.ensure_default_tiers(store)
    jess = service(store)
    for n, text in enumerate(texts):
        entry = WaitingEntry(
            local_id=text,
            initials="AB",
            referral_date=TODAY - timedelta(days=200 + n),
            tier=2,
            provider_id=jess.provider_id,
            case_owner_id=jess.id,
        )
        records.add(store, entry, "a breached entry as an older database holds it")
    started = start_meeting(
        store,
        series=f"Brief {texts[0]}",
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=jess.id,
        today=TODAY,
        now=datetime.combine(TODAY, time(8)),
    )
    assert started.id is not None
    for text in texts:
        record_decision(store, started.id, text=text, rationale=text, owner_id=jess.id)
        record_risk(store, text=text, owner_id=jess.id, today=TODAY, meeting_id=started.id)
    mark_attendance(store, started.id, jess.id, AttendanceStatus.PRESENT)
    version = store.conn.execute(
        "SELECT version FROM meeting WHERE id = ?", (started.id,)
    ).fetchone()[0]
    signed = sign_off(
        acting_as(store, jess.id), started.id, version, now=datetime.combine(TODAY, time(9))
    )
    store.close()
    assert signed.minutes is not None
    return signed.minutes, started.id


def skeleton(tokens: list[Token]) -> list[str]:
    """The structure markdown-it finds: every block token, and each inline token's
    children, with runs of plain text (escapes included) as one."""
    found: list[str] = []
    for token in tokens:
        found.append(f"{token.type}:{token.tag}")
        for child in token.children or ():
            kind = "text" if child.type in ("text", "text_special") else child.type
            if not (kind == "text" and found[-1] == "text"):
                found.append(kind)
    return found


def test_minutes_made_from_the_corpus_have_only_huddles_own_structure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Local ids are unique, so the plain minutes number theirs as the corpus is numbered.
    plain = tuple(f"plain words {n}" for n in range(len(CORPUS)))
    hostile_minutes, meeting_id = minutes_of(tmp_path / "hostile.db", CORPUS)
    plain_minutes, _ = minutes_of(tmp_path / "plain.db", plain)
    parser = MarkdownIt("commonmark")
    hostile_tokens = parser.parse(hostile_minutes)
    plain_tokens = parser.parse(plain_minutes)
    assert skeleton(hostile_tokens) == skeleton(plain_tokens)
    # The same headings, word for word, but for the first, which names the series.
    hostile_headings, plain_headings = headings(hostile_tokens), headings(plain_tokens)
    assert hostile_headings[1:] == plain_headings[1:]
    assert hostile_headings[0] == "Minutes: Brief RR-1\\\\x1b\\[2J\\\\x1b\\[H"

    # On a terminal nothing acts; a file holds the minutes as signed.
    db = str(tmp_path / "hostile.db")
    code, out, err = run(capsys, "export", "minutes", str(meeting_id), "--db", db)
    assert code == 0, err
    assert raw_on_a_terminal(out + err) == []
    written = tmp_path / "minutes.md"
    code, _, err = run(
        capsys, "export", "minutes", str(meeting_id), "--db", db, "--out", str(written)
    )
    assert code == 0, err
    assert written.read_text(encoding="utf-8") == hostile_minutes


def headings(tokens: list[Token]) -> list[str]:
    return [tokens[n + 1].content for n, token in enumerate(tokens) if token.type == "heading_open"]
