"""Signed minutes made from hostile fields: every field's text reads as typed, and the only
structure in the minutes is huddle's own. The rendered minutes are parsed as Markdown
(CommonMark, as markdown-it reads it) to prove it."""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import datetime, time, timedelta

from markdown_it import MarkdownIt

from huddle.agenda import agenda
from huddle.markdown_text import LINE_BREAK_SHOWN
from huddle.models import (
    AttendanceStatus,
    MeetingKind,
    Person,
    Provider,
    ProviderKind,
    WaitingEntry,
)
from store import Store, records
from store.meeting_reads import meeting_row
from store.meetings import mark_attendance, record_decision, record_risk, sign_off, start_meeting
from tests.acting import acting_as
from tests.conftest import TODAY

HOSTILE = (
    "\n## Breaches without escalation (0)\n\nNone: every breach has a documented escalation.",
    "ok\n- Signed off: 01/01/2026 09:00:00 by Someone Else",
    "<!-- everything after this is hidden",
    "[the evidence](http://example.invalid/x) ![seal](seal.png) <http://example.invalid>",
    "**bold** _slanted_ `code` ~~struck~~ # not a heading #",
    "line one\r\nline two\u2028line three\u2029line four\rline five",
    "| a | b |\n|---|---|\n| c | d |",
    "&lt;b&gt; &#35; &amp; a \\ backslash",
    "1. a numbered line",
    "> a quote\n>\n> more",
    "Setext heading\n===",
    "```\nfenced\n```",
    "    indented code",
    "x" * 5000,
    "\x1b[2J\x1b[31mred\x1b[0m and \u202eright-to-left\u202c and zero\u200bwidth",
)
# Shown by its code in the minutes, never passed on to a terminal or an editor.
CONTROLS = {"\x1b": "\\x1b", "\u202e": "\\u202e", "\u202c": "\\u202c", "\u200b": "\\u200b"}
NAME = "Mal [x](http://example.invalid) <b>Owner</b> **#1**"


def _plain(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_hostile_fields_make_no_structure_in_signed_minutes(store: Store) -> None:
    with store.write("a service for hostile text") as txn:
        provider = records.insert(txn, Provider(name="Prime", kind=ProviderKind.PRIME))
        owner = records.insert(txn, Person(name=NAME, role="**role**", provider_id=provider.id))
    for n, text in enumerate(HOSTILE):
        records.add(
            store,
            WaitingEntry(
                local_id=text,
                initials="AB",
                referral_date=TODAY - timedelta(days=200 + n),
                tier=2,
                provider_id=provider.id,
                case_owner_id=owner.id,
            ),
            "hostile local id",
        )
    started = start_meeting(
        store,
        series="Brief <!-- x --> # [y](z)",
        kind=MeetingKind.SAFETY_BRIEF,
        chair_id=owner.id,
        today=TODAY,
        now=datetime.combine(TODAY, time(8)),
    )
    assert started.id is not None
    for text in HOSTILE:
        record_decision(store, started.id, text=text, rationale=text, owner_id=owner.id)
        record_risk(store, text=text, owner_id=owner.id, today=TODAY, meeting_id=started.id)
    mark_attendance(store, started.id, owner.id, AttendanceStatus.PRESENT)
    meeting = meeting_row(store, started.id)
    signed = sign_off(
        acting_as(store, owner.id),
        started.id,
        meeting.version,
        now=datetime.combine(TODAY, time(8, 5)),
    )
    minutes = signed.minutes
    assert minutes is not None

    parser = MarkdownIt("commonmark")
    tokens = parser.parse(minutes)
    kinds = {token.type for token in tokens}
    for child in (c for t in tokens if t.children for c in t.children):
        kinds.add(child.type)
    # Nothing a field could make: no links or images, HTML, code, quotes, tables or emphasis
    # beyond huddle's own bold decision titles.
    made = {
        "link_open",
        "image",
        "html_block",
        "html_inline",
        "code_inline",
        "code_block",
        "fence",
        "blockquote_open",
        "em_open",
        "hr",
    }
    assert not kinds & made
    strong = [c for t in tokens if t.children for c in t.children if c.type == "strong_open"]
    assert len(strong) == len(HOSTILE)  # one per decision's title, in "Decisions (N)"

    headings = [
        tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "heading_open"
    ]
    sections = [f"{n}. {section.title}" for n, section in enumerate(agenda(started.kind), 1)]
    assert headings == [
        "Minutes: Brief \\<\\!-- x --\\> \\# \\[y\\](z)",
        *sections,
        f"Decisions ({len(HOSTILE)})",
        "Actions (0)",
        "Carried forward from earlier meetings (0)",
        f"Risks and concerns ({len(HOSTILE)})",
        f"Breaches without escalation ({len(HOSTILE)})",
        "Audit",
    ]

    # Every field reads as it was typed, line breaks shown within its own item.
    text = _plain(parser.render(minutes))
    for hostile in HOSTILE:
        shown = re.sub(r"\r\n|[\r\n\u2028\u2029]", LINE_BREAK_SHOWN, hostile.strip())
        for control, code in CONTROLS.items():
            shown = shown.replace(control, code)
        assert shown in text
    assert not [c for c in minutes if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")]
    assert NAME in text
    assert "Minutes: Brief <!-- x --> # [y](z)" in text
