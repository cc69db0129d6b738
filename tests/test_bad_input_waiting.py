"""The waiting-list import fed generated mixes of valid and invalid rows whose fate is
known as each row is made: new, updated or unchanged (an entry already on the list),
rejected (one cell spoilt with a bad date, NHS number, tier, provider, person, flag or
initials; no identifier at all; a second row for the same person; cells too many or too
few; garbage), or blank and not counted. Headers come in any order, case and spacing,
with unknown columns; files in UTF-8 with or without a byte order mark, cp1252 or UTF-16,
with any line ends.

Each file is imported all-or-nothing, with --skip-invalid or as a dry run, and must give
exactly the counts its rows say. All-or-nothing with a rejected row, or a dry run, writes
nothing; otherwise exactly the valid rows land, each with its audit row, and the entries
the file's providers no longer list are marked, each with its own.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.extracts import CASE_HOLDERS, valid_nhs_numbers
from fixtures.people import PROVIDERS
from huddle.models import initials_problem, script
from huddle.printable import unseen
from huddle.waiting_csv import COLUMNS, IDENTIFIERS, REQUIRED
from store import Store
from store.waiting_import import ImportRequest, import_file
from tests.conftest import TODAY
from tests.test_bad_input import (
    Live,
    Row,
    assert_counts_add_up,
    assert_sound,
    audit_rows,
    audited,
    bad_dates,
    existing_rows,
    hostile_text,
    last_audit_id,
    live_service,
    read_csv,
    write_rows,
    written,
)

# Numbers from another stretch of the never-issued 999 range than the existing entries'.
NUMBERS = list(islice(valid_nhs_numbers("998"), 500))
OPTIONAL = tuple(c for c in COLUMNS if c not in REQUIRED and c not in IDENTIFIERS)
LETTERS = st.characters(categories=["Lu", "Ll"])
# Initials are letters of one script: the plain capital and small letters of the Basic
# Multilingual Plane, grouped by script, so a row's initials are drawn from one group.
_BY_SCRIPT: dict[str, list[str]] = {}
for _letter in map(chr, range(0x10000)):
    if unicodedata.category(_letter) in ("Lu", "Ll") and initials_problem(_letter) is None:
        _BY_SCRIPT.setdefault(script(_letter), []).append(_letter)
ONE_SCRIPT_INITIALS = st.sampled_from(sorted(_BY_SCRIPT)).flatmap(
    lambda name: st.text(alphabet=st.sampled_from(_BY_SCRIPT[name]), min_size=1, max_size=4)
)
YES_NO = ["yes", "Y", "TRUE", "1", "no", "n", "False", "0", ""]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from live_service(tmp_path_factory.mktemp("bad-waiting"))


# --- valid cells, written as people and systems write them ---------------------------------


def styled(name: str) -> st.SearchStrategy[str]:
    """A name in another case, with its spaces doubled or padded: still that name."""
    return st.sampled_from(
        [name, name.upper(), name.lower(), f"  {name} ", "  ".join(name.split())]
    )


huge_text = st.builds(
    lambda c, n: c * n, st.sampled_from('x\u00e9 ,"'), st.integers(10_000, 120_000)
)


@st.composite
def valid_cells(draw: st.DrawFn, k: int, columns: frozenset[str]) -> dict[str, str]:
    """Row `k`'s cells: its own NHS number and local id, so no two rows are one person."""
    key = draw(st.sampled_from(sorted(PROVIDERS)))
    referred = draw(st.dates(max_value=TODAY))
    spaced = f"{NUMBERS[k][:3]} {NUMBERS[k][3:6]} {NUMBERS[k][6:]}"
    cells = {
        "nhs_number": draw(st.sampled_from([NUMBERS[k], spaced, f" {NUMBERS[k]}"])),
        # Formula-like ids are text like any other: stored as typed, neutralised on export.
        "local_id": draw(st.sampled_from([f"BI-{k}", f"={k}+1", f"-{k}", f"@BI{k}", f" {k} "])),
        "initials": draw(ONE_SCRIPT_INITIALS),
        "referral_date": draw(written(referred)),
        "risk_tier": draw(st.sampled_from(["1", "2", "3", "4", " 2 ", "03"])),
        # Free text may be anything a person types, but nothing unseen (an escape, a line
        # break): a cell holding that is refused, naming its column.
        "referral_source": draw(
            st.one_of(hostile_text.filter(lambda t: unseen(t.strip()) is None), huge_text)
        ),
        "provider": draw(styled(PROVIDERS[key].name)),
        "case_owner": draw(st.one_of(st.just(""), st.sampled_from(CASE_HOLDERS[key]))),
        "last_contact_date": draw(
            st.one_of(st.just(""), st.dates(referred, TODAY).flatmap(written))
        ),
        "safeguarding_flag": draw(st.sampled_from(YES_NO)),
    }
    # A row needs one identifier: blank the other only where the file has the first.
    if "nhs_number" in columns and "local_id" in columns and draw(st.booleans()):
        cells[draw(st.sampled_from(IDENTIFIERS))] = ""
    return cells


# --- what spoils a cell ------------------------------------------------------------------------


def _wrong_check_digit(k: int) -> st.SearchStrategy[str]:
    number = NUMBERS[k]
    return st.integers(1, 9).map(lambda d: number[:9] + str((int(number[9]) + d) % 10))


FULLWIDTH = str.maketrans(
    "0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"
)


def bad_nhs(k: int) -> st.SearchStrategy[str]:
    number = NUMBERS[k]
    return st.one_of(
        _wrong_check_digit(k),
        st.text(alphabet="0123456789", min_size=1, max_size=14).filter(lambda t: len(t) != 10),
        st.just(number.translate(FULLWIDTH)),
        st.sampled_from([f"={number}", f"{number[:3]}-{number[3:6]}-{number[6:]}", "9.98E+09"]),
        st.sampled_from(["999000001X", number[:9] + "²", number + "0", "NHS" + number]),
    )


def _not_initials(text: str) -> bool:
    return initials_problem(text.strip()) is not None


bad_initials = st.one_of(
    st.sampled_from(["", "   ", "A1", "A B", "A.B", "O'N", "ABCDE", "😀"]),
    # Look-alikes from another alphabet, and styled forms of letters.
    st.sampled_from(["J\u0405", "\u0410B", "A\u0392", "\uff2a\uff33", "\U0001d400"]),
    st.text(alphabet=LETTERS, min_size=5, max_size=9),
    hostile_text.filter(_not_initials),
)

bad_tiers = st.one_of(
    st.integers().filter(lambda n: not 1 <= n <= 4).map(str),
    # int() refuses more than 4,300 digits: such a tier must be a rejected row too.
    st.builds(lambda n: "9" * n, st.integers(5, 6_000)),
    st.sampled_from(["", "1.0", "one", "\u0663", "\u00b2", "+3", "3a", "III"]),
    hostile_text.filter(lambda t: not (t.strip().isascii() and t.strip().isdigit())),
)

bad_flags = st.one_of(
    st.sampled_from(["maybe", "yes please", "2", "-1", "ja", "\u2713", "nope"]),
    hostile_text.filter(lambda t: t.strip().casefold() not in {f.casefold() for f in YES_NO}),
)


def _spoiler(column: str, k: int) -> st.SearchStrategy[str | dict[str, str]]:
    """Values that make `column` of row `k` wrong whatever the rest of the row holds (or,
    as a dict, the cells to change together)."""
    if column == "nhs_number":
        return bad_nhs(k)
    if column == "initials":
        return bad_initials
    if column == "referral_date":
        return st.one_of(st.just(""), bad_dates)
    if column == "risk_tier":
        return bad_tiers
    if column == "provider":
        return st.one_of(
            st.just(""),
            st.sampled_from([p.name + "s" for p in PROVIDERS.values()]),
            hostile_text.map(lambda t: f"Not a provider {t}"),
        )
    if column == "case_owner":
        return hostile_text.map(lambda t: f"Nobody {t}")
    if column == "last_contact_date":
        before_referral = {"referral_date": "02/01/2000", "last_contact_date": "01/01/2000"}
        return st.one_of(bad_dates, st.just(before_referral))
    assert column == "safeguarding_flag"
    return bad_flags


# --- a whole file ------------------------------------------------------------------------------


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[str | None], frozenset[str]]:
    """The header's huddle columns in their places (None for a column huddle ignores),
    and the set of columns it has: the required ones, one identifier or both, any others."""
    identifiers = draw(st.sampled_from([("nhs_number",), ("local_id",), IDENTIFIERS]))
    optional = draw(st.lists(st.sampled_from(OPTIONAL), unique=True))
    columns = [*REQUIRED, *identifiers, *optional]
    places: list[str | None] = list(draw(st.permutations(columns)))
    for _ in range(draw(st.integers(0, 2))):
        places.insert(draw(st.integers(0, len(places))), None)
    return places, frozenset(columns)


def header_cell(column: str | None) -> st.SearchStrategy[str]:
    if column is None:
        return st.sampled_from(["", "notes", "Ward", "extract run 47"])
    return st.sampled_from([column, column.upper(), f" {column} ", column.title()])


# What a row may be made as: new and spoilt rows come twice as often as the others.
ROW_KINDS = (
    *("new", "spoilt") * 2,
    *("existing", "nobody", "duplicate", "ragged", "garbage", "blank"),
)


@st.composite
def file_rows(draw: st.DrawFn, columns: frozenset[str]) -> list[Row]:
    """Up to a dozen rows of every kind, each made knowing what must become of it."""
    rows: list[Row] = []
    valid_at: list[int] = []  # rows that are new, for duplicates of them
    unused = draw(st.permutations(existing_rows()))  # each existing entry listed once
    for k in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(ROW_KINDS))
        cells = draw(valid_cells(k, columns))
        if kind == "new":
            valid_at.append(len(rows))
            rows.append(Row(cells, "new"))
        elif kind == "spoilt":
            spoilable = sorted(columns - {"local_id", "referral_source"})
            column = draw(st.sampled_from(spoilable))
            spoilt = draw(_spoiler(column, k))
            cells.update(spoilt if isinstance(spoilt, dict) else {column: spoilt})
            rows.append(Row(cells, "rejected"))
        elif kind == "existing" and unused:
            stored = unused.pop()
            changed = draw(st.booleans())
            row = {**stored, "initials": "ZZ" if changed else stored["initials"]}
            row["provider"] = draw(styled(stored["provider"]))
            rows.append(Row(row, "updated" if changed else "unchanged"))
        elif kind == "nobody":
            rows.append(Row({**cells, "nhs_number": " ", "local_id": ""}, "rejected"))
        elif kind == "duplicate" and valid_at:
            earlier = rows[draw(st.sampled_from(valid_at))].cells
            same = {c: earlier[c] for c in ("nhs_number", "local_id", "provider")}
            rows.append(Row({**cells, **same}, "rejected"))
        elif kind == "ragged":
            if draw(st.booleans()):
                extra = draw(st.lists(hostile_text.filter(str.strip), min_size=1, max_size=3))
                rows.append(Row(cells, "rejected", extra=extra))
            else:
                rows.append(Row(cells, "rejected", short=draw(st.integers(1, len(columns)))))
        elif kind == "garbage":
            garbage = {c: draw(hostile_text) for c in COLUMNS}
            rows.append(Row({**garbage, "provider": "Not a provider"}, "rejected"))
        else:
            blank = draw(st.sampled_from(["", " ", "\t"]))
            cut = draw(st.sampled_from([0, len(COLUMNS) * 2]))  # an empty line, or blank cells
            rows.append(Row(dict.fromkeys(COLUMNS, blank), "blank", short=cut))
    return rows


# UTF-8 is huddle's default; the others must be named. Text an encoding cannot hold is
# written as UTF-8 instead.
ENCODED = [("utf-8", None), ("utf-8-sig", None), ("cp1252", "cp1252"), ("utf-16", "utf-16")]


@dataclass(frozen=True)
class Extract:
    """A generated file as bytes, the encoding to name for it, and what its rows are."""

    data: bytes
    encoding: str | None
    columns: frozenset[str]
    fates: Counter[str]
    rows: list[Row]


@st.composite
def extracts(draw: st.DrawFn) -> Extract:
    places, columns = draw(layouts())
    rows = draw(file_rows(columns))
    out = io.StringIO()
    # csv quotes only the characters of its own line end, so with \n or \r alone every
    # cell is quoted, or a line break in a cell would end the row.
    ending = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    quoting = csv.QUOTE_MINIMAL if ending == "\r\n" else csv.QUOTE_ALL
    writer = csv.writer(out, lineterminator=ending, quoting=quoting)
    writer.writerow([draw(header_cell(c)) for c in places])
    fates = write_rows(writer, places, rows, draw(st.sampled_from(["", "ignored", "=1+1"])))
    codec, named = draw(st.sampled_from(ENCODED))
    try:
        data = out.getvalue().encode(codec)
    except UnicodeEncodeError:
        data, named = out.getvalue().encode("utf-8"), None
    return Extract(data, named, columns, fates, rows)


# --- the property --------------------------------------------------------------------------------


@given(
    extract=extracts(),
    skip_invalid=st.booleans(),
    dry_run=st.booleans(),
    keep_rejects=st.booleans(),
)
def test_every_row_lands_or_is_rejected_exactly_as_it_was_made(
    live: Live, extract: Extract, skip_invalid: bool, dry_run: bool, keep_rejects: bool
) -> None:
    fates = extract.fates
    path = live.path(".csv")
    path.write_bytes(extract.data)
    rejects = live.path(".rejects.csv") if keep_rejects else None
    request = ImportRequest(
        path, extract.encoding, rejects=rejects, skip_invalid=skip_invalid, dry_run=dry_run
    )
    store = live.fresh()
    before, last = audit_rows(store), last_audit_id(store)
    result = import_file(store, request, TODAY)

    assert_counts_add_up(result)
    assert result.rows_in == sum(fates.values()) - fates["blank"]
    assert (result.new, result.changed, result.same, result.invalid) == (
        fates["new"],
        fates["updated"],
        fates["unchanged"],
        fates["rejected"],
    )
    if rejects is not None:
        assert len(read_csv(rejects)) == fates["rejected"]
    if dry_run or (fates["rejected"] and not skip_invalid):
        assert audit_rows(store) == before
    else:
        assert audited(store, last, f"waiting-list import of {path.name}") == {
            key: count
            for key, count in {
                ("waiting_entry", "insert"): fates["new"],
                ("waiting_entry", "update"): fates["updated"],
                ("waiting_entry", ": not in this extract"): result.missing,
            }.items()
            if count
        }
        assert audit_rows(store) == before + fates["new"] + fates["updated"] + result.missing
        assert_landed(store, extract)
    assert_sound(store)


def assert_landed(store: Store, extract: Extract) -> None:
    """Every new row is on the list as it was typed (less the spaces around it)."""
    for row in extract.rows:
        if row.fate != "new":
            continue
        number = row.cells.get("nhs_number", "").replace(" ", "") or None
        local_id = row.cells.get("local_id", "").strip() or None
        found = store.conn.execute(
            "SELECT initials, referral_source FROM waiting_entry "
            "WHERE (nhs_number = ? OR local_id = ?) AND status = 'waiting'",
            (number, local_id),
        ).fetchall()
        source = (
            row.cells["referral_source"].strip() if "referral_source" in extract.columns else ""
        )
        assert found == [(row.cells["initials"].strip(), source)], (row.cells, found)
