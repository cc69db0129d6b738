"""Bad input at volume: both importers fed files of anything at all.

Every generated file (random bytes, text in the wrong encoding, broken quoting, NUL bytes,
ragged rows, huge fields, a good file with bytes flipped) must end in one of two ways: an
ImportRefused naming the input to correct, or a result whose counts obey rows in =
imported + updated (corrected) + unchanged + rejected. A refused or all-or-nothing import
leaves the database exactly as it was (the same audit rows, and `huddle check` sound);
what an import writes is audited row by row. A few of the files also go through the
command line, which must answer with an exit code and never a traceback.

The structured mixes of valid and invalid rows, where every count is known in advance,
are in test_bad_input_waiting.py and test_bad_input_metrics.py; the forms are in
test_bad_input_forms.py. This module also holds what they share: the service every import
runs against, the database checks and the hostile text.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.oversight import add_oversight
from fixtures.people import PROVIDERS, add_providers_and_staff
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.metrics_csv import COLUMNS as METRIC_COLUMNS
from huddle.metrics_csv import REQUIRED as METRIC_REQUIRED
from huddle.models import Service
from huddle.printable import unseen
from huddle.waiting_csv import COLUMNS as WAITING_COLUMNS
from huddle.waiting_csv import IDENTIFIERS, ImportRefused, fold, load_mapping
from huddle.waiting_csv import REQUIRED as WAITING_REQUIRED
from store import Store, open_store, records
from store.check import check_database
from store.metrics_import import MetricsImportRequest, MetricsImportResult, import_metrics_file
from store.waiting_import import ImportRequest, ImportResult, import_file
from tests.conftest import TODAY

LINKS = PROVIDERS["vcse"].name
# Entries already on the list at one provider, so that a row can match one (unchanged,
# or updated) and a file of that provider can leave one out (marked, never deleted).
EXISTING = (
    ("9990000018", "EX-1", "AB", "01/10/2026", "3", "GP"),
    ("9990000026", "EX-2", "CD", "15/09/2026", "2", '=HYPERLINK("x")'),
    ("9990000034", "EX-3", "EF", "2026-11-01", "4", "self-referral"),
)


def existing_rows() -> list[dict[str, str]]:
    return [
        {
            "nhs_number": nhs,
            "local_id": local,
            "initials": initials,
            "referral_date": referred,
            "risk_tier": tier,
            "referral_source": source,
            "provider": LINKS,
        }
        for nhs, local, initials, referred, tier, source in EXISTING
    ]


# --- the service every import runs against -----------------------------------------------


def build_service(folder: Path) -> Path:
    """Tiers, the demo's providers and staff, the demo's metrics with their history and
    trigger rules (derived metrics included), and the EXISTING entries, imported."""
    path = folder / "service.db"
    store = open_store(path, "tester")
    records.ensure_default_tiers(store)
    with store.write("bad-input service, providers and staff") as txn:
        records.insert(txn, Service(name="Bad input service"))
        roster = add_providers_and_staff(txn)
    add_oversight(store, TODAY, roster)
    rows = existing_rows()
    extract = folder / "existing.csv"
    extract.write_text(
        written_csv(tuple(rows[0]), [list(row.values()) for row in rows]),
        encoding="utf-8",
        newline="",
    )
    result = import_file(store, ImportRequest(extract), TODAY)
    assert result.imported == len(EXISTING), result.summary()
    store.close()
    return path


class Live:
    """One open copy of a seeded database, shared by the examples of a test: hypothesis
    runs them all inside the one test, so pytest's per-test fixtures cannot give each its
    own. `fresh()` puts it back as seeded (SQLite's backup from the seeded file) after an
    example that wrote to it."""

    def __init__(self, template: Path, actor: str = "tester") -> None:
        self.template = template
        self._numbers = itertools.count()
        path = self.path(".db")
        shutil.copyfile(template, path)
        self.store = open_store(path, actor)
        self._seeded = sqlite3.connect(template)
        self._audit_rows = audit_rows(self.store)

    def path(self, suffix: str) -> Path:
        """A name for a new file beside the database: a generated file, a rejects file."""
        return self.template.with_name(f"{next(self._numbers)}{suffix}")

    def fresh(self) -> Store:
        if audit_rows(self.store) != self._audit_rows:
            self._seeded.backup(self.store.conn)
        return self.store

    def close(self) -> None:
        self._seeded.close()
        self.store.close()


def live_service(folder: Path) -> Iterator[Live]:
    """For a module's fixture: the service built in `folder`, open, closed after."""
    live = Live(build_service(folder))
    yield live
    live.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from live_service(tmp_path_factory.mktemp("bad-input"))


# --- what the database must show ---------------------------------------------------------


def audit_rows(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def assert_sound(store: Store) -> None:
    report = check_database(store.conn)
    assert report.ok, report.lines()


def audited(store: Store, after_id: int, reason: str) -> dict[tuple[str, str], int]:
    """Audit rows written after `after_id` whose reason starts with `reason`, counted by
    (table, operation) and by whether the reason goes on (": not in this extract")."""
    found: dict[tuple[str, str], int] = {}
    for table, operation, why in store.conn.execute(
        "SELECT table_name, operation, reason FROM audit WHERE id > ? AND reason LIKE ? || '%'",
        (after_id, reason),
    ):
        key = (table, operation if why == reason else why.removeprefix(reason))
        found[key] = found.get(key, 0) + 1
    return found


def last_audit_id(store: Store) -> int:
    return store.conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]


# --- hostile text --------------------------------------------------------------------------

# Characters that break naive code: NUL and other controls, both line ends, the CSV
# delimiters, byte order marks, zero-width and right-to-left marks, non-ASCII digits and
# spaces, a combining accent, an emoji, and the spreadsheet's formula starters.
AWKWARD = "\x00\x01\x1b\x7f\t\r\n\"',;\ufeff\u200b\u202e\u00a0\u3000\u0663\uff19\u00b2\u0301😀=+-@"

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(AWKWARD), max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["", " ", "\t", "\u3000", "NULL", "None", "N/A", "#N/A", "-", "0", "'"]),
    st.builds(lambda c, n: c * n, st.sampled_from("x9 \u00e9\x00"), st.integers(100, 5_000)),
    st.builds(
        lambda lead, rest: lead + rest,
        st.sampled_from(["=", "+", "-", "@", "\uff1d", "\ufe62", " =", "\t"]),
        st.sampled_from(['cmd|" /C calc"!A0', "1+1", 'HYPERLINK("http://x")', "SUM(A1:A9)"]),
    ),
)


def without_digits(text: str) -> bool:
    """Text with no digit of any script can never be read as a date or a number."""
    return not any(c.isdigit() for c in text)


# --- files whose every row's fate is known -------------------------------------------------


def written(day: date) -> st.SearchStrategy[str]:
    """`day` as huddle reads it: dd/mm/yyyy, d/m/yyyy or yyyy-mm-dd, perhaps padded."""
    return st.sampled_from(
        [
            f"{day.day:02d}/{day.month:02d}/{day.year:04d}",
            f"{day.day}/{day.month}/{day.year:04d}",
            f"{day.year:04d}-{day.month:02d}-{day.day:02d}",
            f" {day.day:02d}/{day.month:02d}/{day.year:04d} ",
        ]
    )


@dataclass
class Row:
    """One line of a generated file: its cells by huddle's column names, and what must
    become of it (new, updated or corrected, unchanged, rejected, or blank)."""

    cells: dict[str, str]
    fate: str
    extra: list[str] = field(default_factory=list)  # cells after the header's end
    short: int = 0  # cells cut from the end


def write_rows(
    writer: Any, places: Sequence[str | None], rows: list[Row], filler: str = ""
) -> Counter[str]:
    """Write each row's cells in the header's places (`filler` where the header has a
    column huddle ignores, blank on a blank row), and count what must become of them: a
    row cut or left with nothing but blanks is a blank line, not a row."""
    fates: Counter[str] = Counter()
    for row in rows:
        other = "" if row.fate == "blank" else filler
        cells = [row.cells.get(c, "") if c else other for c in places] + row.extra
        cells = cells[: max(len(cells) - row.short, 0)]
        writer.writerow(cells)
        fates["blank" if not any(c.strip() for c in cells) else row.fate] += 1
    return fates


# --- bad dates of every kind -----------------------------------------------------------------


def _formats(day: date) -> list[str]:
    """`day` written in every way huddle refuses: two-digit years, US order, other
    separators, a time, words, spreadsheet serials, padding lost from ISO."""
    y, m, d = day.year, day.month, day.day
    return [
        f"{d:02d}/{m:02d}/{y % 100:02d}",
        f"{d:02d}-{m:02d}-{y:04d}",
        f"{d:02d}.{m:02d}.{y:04d}",
        f"{y:04d}/{m:02d}/{d:02d}",
        f"{y:04d}-{m}-{d}" if m < 10 or d < 10 else f"{y:04d}{m:02d}{d:02d}",
        f"{d:02d}/{m:02d}/{y:04d} 09:00",
        f"{y:04d}-{m:02d}-{d:02d}T00:00",
        f"{day:%d %B %Y}",
        f"{day:%b %d, %Y}",
        str((day - date(1899, 12, 30)).days),
        f"{y:05d}-{m:02d}-{d:02d}",
    ]


bad_dates = st.one_of(
    st.builds(_formats, st.dates()).flatmap(st.sampled_from),
    # Impossible days and months, in both orders huddle reads.
    st.builds(
        lambda d, m, y, iso: f"{y:04d}-{m:02d}-{d:02d}" if iso else f"{d:02d}/{m:02d}/{y:04d}",
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 9999),
        st.booleans(),
    ).filter(lambda text: not _real(text)),
    # The future: a referral or an observation that has not happened.
    st.dates(min_value=TODAY + timedelta(days=1)).map(
        lambda day: f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    ),
    st.sampled_from(["29/02/2025", "31/04/2026", "00/00/0000", "today", "yesterday", "?"]),
    hostile_text.filter(lambda text: text.strip() != "" and without_digits(text)),
)


def _real(text: str) -> bool:
    """Whether a dd/mm/yyyy or yyyy-mm-dd text names a day that exists."""
    parts = [int(p) for p in text.replace("/", "-").split("-")]
    year, month, day = parts if "-" in text else parts[::-1]
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# --- files of anything at all ----------------------------------------------------------------


Outcome = ImportResult | MetricsImportResult


@dataclass(frozen=True)
class Importer:
    """One importer as the properties drive it: its columns, those a file must have (and
    one of `one_of`, if any), and a run of it on a file."""

    name: str  # as the command line names it
    columns: tuple[str, ...]
    required: tuple[str, ...]
    one_of: tuple[str, ...]
    run: Callable[..., Outcome]

    def header_refused(self, cells: list[str]) -> bool:
        """Whether a file with this header must be refused: a column missing, one of
        huddle's columns named twice (names match ignoring case, spaces and a byte order
        mark, as docs/import.md says), or any column's name holding an unseen character."""
        trimmed = [cell.strip().lstrip("\ufeff").strip() for cell in cells]
        if any(unseen(cell) is not None for cell in trimmed):
            return True
        names = Counter(fold(cell) for cell in trimmed)
        missing = any(not names[c] for c in self.required)
        if self.one_of and not any(names[c] for c in self.one_of):
            missing = True
        return missing or any(names[c] > 1 for c in self.columns)


def _run_waiting(store: Store, path: Path, **options: Any) -> ImportResult:
    return import_file(store, ImportRequest(path, **options), TODAY)


def _run_metrics(store: Store, path: Path, **options: Any) -> MetricsImportResult:
    return import_metrics_file(store, MetricsImportRequest(path, **options), TODAY)


WAITING = Importer("waiting-list", WAITING_COLUMNS, WAITING_REQUIRED, IDENTIFIERS, _run_waiting)
METRICS = Importer("metrics", METRIC_COLUMNS, METRIC_REQUIRED, (), _run_metrics)
IMPORTERS = [WAITING, METRICS]

# Named encodings, good and bad: real ones, misspelt ones, and codecs that are not text
# encodings at all (none named means UTF-8, with or without a byte order mark).
ENCODINGS = ["utf-8", "cp1252", "latin-1", "utf-16", "ascii", "utf-8-sig"]
BAD_ENCODINGS = ["no-such-encoding", "rot13", "hex", "base64", "zlib", "idna", ""]


def _cell() -> st.SearchStrategy[str]:
    return st.one_of(hostile_text, st.sampled_from(["Referrals received", LINKS, "3", "AB"]))


@st.composite
def raw_lines(draw: st.DrawFn, columns: tuple[str, ...]) -> str:
    """A header (perhaps spoilt) and lines joined by hand, so quotes may not balance and
    rows may be ragged, blank or torn across lines."""
    header = draw(st.permutations(columns).map(list))
    header = header[: draw(st.integers(0, len(header)))] + draw(st.lists(_cell(), max_size=2))
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 8))):
        cells = draw(st.lists(_cell(), max_size=len(columns) + 2))
        quote = draw(st.sampled_from(["", '"', '""']))
        lines.append(",".join(f"{quote}{cell}{quote}" for cell in cells))
    return draw(st.sampled_from(["\r\n", "\n", "\r"])).join(lines)


def written_csv(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes inserted, removed or replaced, or cut short."""
    changed = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(changed)))
        new = draw(st.binary(min_size=1, max_size=3))
        how = draw(st.sampled_from(["insert", "replace", "delete", "cut"]))
        if how == "insert":
            changed[at:at] = new
        elif how == "replace":
            changed[at : at + len(new)] = new
        elif how == "delete":
            del changed[at : at + len(new)]
        else:
            del changed[at:]
    return bytes(changed)


def any_file(importer: Importer) -> st.SearchStrategy[bytes]:
    good_rows = st.lists(st.lists(_cell(), min_size=len(importer.columns)), max_size=6)
    good = good_rows.map(lambda rows: written_csv(importer.columns, rows).encode())
    return st.one_of(
        st.binary(max_size=400),
        st.tuples(st.text(max_size=200), st.sampled_from(["utf-8", "utf-16", "utf-32"])).map(
            lambda pair: pair[0].encode(pair[1])
        ),
        st.tuples(
            raw_lines(importer.columns), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])
        ).map(lambda pair: pair[0].encode(pair[1], errors="replace")),
        good,
        good.flatmap(mutated),
        good.map(lambda data: data.replace(b",", b"\x00", 1)),
        good.map(lambda data: data + b'"' + b"x" * 140_000 + b'"\r\n'),
        st.sampled_from([b"", b"\r\n\r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00" * 64]),
    )


def expected_rows(data: bytes) -> int | None:
    """How many rows a UTF-8 file holds (non-blank records after the header), read with
    nothing but the standard library; None when it is not UTF-8 or not valid CSV."""
    try:
        text = data.decode("utf-8-sig")
        records_ = [r for r in csv.reader(io.StringIO(text, newline=""), strict=True)]
    except (UnicodeDecodeError, csv.Error):
        return None
    nonblank = [r for r in records_ if any(cell.strip() for cell in r)]
    return max(len(nonblank) - 1, 0)


def changed(result: Outcome) -> int:
    """The rows that changed a record: updated entries, corrected readings."""
    return result.updated if isinstance(result, ImportResult) else result.corrected


def assert_counts_add_up(result: Outcome) -> None:
    """rows in = imported + updated (corrected) + unchanged + rejected, and the summary
    line, which asserts the same, can be printed."""
    parts = result.imported + changed(result) + result.unchanged + result.rejected
    assert result.rows_in == parts
    assert f"rows in: {result.rows_in};" in result.summary()


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
@given(
    data=st.data(),
    # Half the files are read as huddle reads them by default.
    encoding=st.one_of(st.none(), st.sampled_from(ENCODINGS + BAD_ENCODINGS)),
    skip_invalid=st.booleans(),
    dry_run=st.booleans(),
)
def test_any_file_is_imported_or_refused_never_half_written(
    live: Live,
    importer: Importer,
    data: st.DataObject,
    encoding: str | None,
    skip_invalid: bool,
    dry_run: bool,
) -> None:
    content = data.draw(any_file(importer), label="file")
    path = live.path(".csv")
    path.write_bytes(content)
    rejects = live.path(".rejects.csv")
    store = live.fresh()
    before = audit_rows(store)
    try:
        result = importer.run(
            store,
            path,
            encoding=encoding,
            rejects=rejects,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
        )
    except ImportRefused as refused:
        assert str(refused) and "\n" not in str(refused)
        assert audit_rows(store) == before
        assert not rejects.exists(), "a refused import leaves no rejects file"
        assert_sound(store)
        return
    assert_counts_add_up(result)
    if encoding is None:
        assert result.rows_in == expected_rows(content)
    if result.blocked or dry_run:
        assert audit_rows(store) == before
    else:
        # Each new and each changed row has its audit row (the metrics import also
        # audits what it works out and the triggers it fires).
        assert audit_rows(store) - before >= result.imported + changed(result)
    if rejects.exists():
        assert len(read_csv(rejects)) == result.invalid
    assert_sound(store)


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
@given(content=st.data())
def test_a_file_that_is_not_utf8_or_not_csv_is_refused_as_a_whole(
    live: Live, importer: Importer, content: st.DataObject
) -> None:
    """What the standard library cannot read as UTF-8 CSV, huddle refuses whole, naming
    the file or its encoding: never a partial import of the rows before the fault."""
    data = content.draw(any_file(importer).filter(lambda data: expected_rows(data) is None))
    path = live.path(".csv")
    path.write_bytes(data)
    with pytest.raises(ImportRefused) as refused:
        importer.run(live.fresh(), path)
    assert refused.value.field in ("file", "encoding")


def read_csv(path: Path) -> list[list[str]]:
    """The rows of a CSV file huddle wrote, without its header."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


# --- headers ---------------------------------------------------------------------------------


@st.composite
def headers(draw: st.DrawFn, columns: tuple[str, ...]) -> list[str]:
    """A header in any order whose columns are each left out one time in ten, perhaps
    one of them repeated (in another case or with spaces), with unknown or blank ones."""
    chosen = [c for c in draw(st.permutations(columns)) if draw(st.integers(0, 9))]
    chosen += draw(st.lists(st.sampled_from(columns), max_size=1))
    styled = [
        draw(st.sampled_from([c, c.upper(), f" {c} ", c.title(), f"\ufeff{c}", c + "_"]))
        for c in chosen
    ]
    return styled + draw(st.lists(hostile_text, max_size=2))


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
@given(header=st.data())
def test_a_header_is_accepted_or_refused_by_name(
    live: Live, importer: Importer, header: st.DataObject
) -> None:
    cells = header.draw(headers(importer.columns))
    path = live.path(".csv")
    path.write_text(written_csv(tuple(cells), []), encoding="utf-8", newline="")
    store = live.fresh()
    before = audit_rows(store)
    try:
        result = importer.run(store, path)
    except ImportRefused as refused:
        assert importer.header_refused(cells), refused
        assert refused.field == "file", refused
        assert audit_rows(store) == before
        return
    assert not importer.header_refused(cells), cells
    assert result.rows_in == 0
    assert audit_rows(store) == before


# --- mapping files ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=8,
)
mapping_keys = st.one_of(st.sampled_from([*WAITING_COLUMNS, "_about", "NHS No"]), hostile_text)


@given(
    mapping=st.one_of(
        st.dictionaries(mapping_keys, st.one_of(hostile_text, json_values), max_size=4).map(
            json.dumps
        ),
        json_values.map(json.dumps),
        hostile_text,
    ),
)
def test_a_mapping_file_of_anything_is_used_or_refused_by_name(live: Live, mapping: str) -> None:
    """A --mapping file: any JSON (or none), any keys and values. It is used, or the
    import is refused naming the mapping, before anything is read from the extract."""
    path = live.path(".json")
    path.write_text(mapping, encoding="utf-8")
    try:
        found = load_mapping(path)
    except ImportRefused as refused:
        assert refused.field == "mapping", refused
        return
    assert set(found) <= set(WAITING_COLUMNS)
    assert all(isinstance(header, str) and header.strip() for header in found.values())


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
@settings(max_examples=15)
@given(content=st.data(), skip_invalid=st.booleans())
def test_the_command_line_answers_every_file_without_a_traceback(
    live: Live, importer: Importer, content: st.DataObject, skip_invalid: bool
) -> None:
    path = live.path(".csv")
    path.write_bytes(content.draw(any_file(importer)))
    db = live.path(".db")
    shutil.copyfile(live.template, db)
    argv = ["import", importer.name, str(path), "--db", str(db), "--user", "tester"]
    if skip_invalid:
        argv += ["--skip-invalid", "--rejects", str(live.path(".rejects.csv"))]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv, FixedClock(TODAY))
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if code == 2:
        line = err.getvalue().strip()
        assert line.startswith("huddle: ") and "\n" not in line, line
    else:
        assert code in (0, 1)
        assert "rows in: " in out.getvalue()


# --- faults the generated files found, each pinned -------------------------------------------


def test_a_codec_that_is_not_a_text_encoding_is_refused_by_name(live: Live) -> None:
    """--encoding rot13 (or base64, hex, zlib) named a codec that open() refuses with a
    LookupError, which escaped as a traceback."""
    path = live.path(".csv")
    path.write_text("metric,period,value\r\n", encoding="utf-8")
    for codec in ("rot13", "base64", "hex", "zlib"):
        with pytest.raises(ImportRefused, match=f"--encoding '{codec}' is not an encoding"):
            METRICS.run(live.fresh(), path, encoding=codec)


def test_utf16_named_for_a_file_without_a_byte_order_mark_is_refused(live: Live) -> None:
    """Python's utf-16 decoder raises UnicodeError, not UnicodeDecodeError, when the file
    does not start with a byte order mark: it escaped as a traceback."""
    path = live.path(".csv")
    path.write_bytes(b"\x00\x00metric,period,value\r\n")
    with pytest.raises(ImportRefused, match="is not valid utf-16") as refused:
        WAITING.run(live.fresh(), path, encoding="utf-16")
    assert refused.value.field == "encoding"


def test_a_risk_tier_of_thousands_of_digits_rejects_only_its_row(live: Live) -> None:
    """int() refuses over 4,300 digits with a ValueError, which ended the whole import
    instead of rejecting the row."""
    path = live.path(".csv")
    rows = [
        ["AB", "01/11/2026", "9" * 4_301, LINKS, "TIER-1"],
        ["CD", "01/11/2026", "3", LINKS, "TIER-2"],
    ]
    header = ("initials", "referral_date", "risk_tier", "provider", "local_id")
    path.write_text(written_csv(header, rows), encoding="utf-8", newline="")
    rejects = live.path(".rejects.csv")
    result = WAITING.run(live.fresh(), path, rejects=rejects, skip_invalid=True)
    assert (result.imported, result.rejected) == (1, 1)
    assert "is not one of the service's risk tiers" in result.shown_rejects[0].reason


def test_a_mapping_holding_a_number_of_thousands_of_digits_is_refused_by_name(
    live: Live,
) -> None:
    """json.loads raises a plain ValueError, not a JSONDecodeError, for an integer of over
    4,300 digits: it escaped instead of refusing the mapping."""
    path = live.path(".json")
    path.write_text('{"nhs_number": ' + "9" * 4_301 + "}", encoding="utf-8")
    with pytest.raises(ImportRefused, match="cannot be read") as refused:
        load_mapping(path)
    assert refused.value.field == "mapping"
